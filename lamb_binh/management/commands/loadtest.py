"""Serve a scratch copy of the benchmark data with gunicorn and load it with locust users."""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lamb_binh.management.commands.bench_reports import positive_int
from lamb_binh.tooling import loadtest
from lamb_binh.tooling.bench import scratch_database


def wait_range(value: str) -> tuple[float, float]:
    low, _, high = value.partition("-")
    try:
        pair = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value}: viết dạng 1-3 (giây).") from None
    if not 0 <= pair[0] <= pair[1]:
        raise argparse.ArgumentTypeError(f"{value}: cần 0 ≤ nhỏ nhất ≤ lớn nhất.")
    return pair


class Command(BaseCommand):
    help = (
        "Đo tải: tạo cơ sở dữ liệu tạm với N hoạt động (như bench_reports) và các hộ được hỗ "
        "trợ nhà ở, chạy ứng dụng ở chế độ vận hành (DEBUG tắt) bằng gunicorn trên 127.0.0.1, "
        "rồi cho locust giả lập người dùng (cán bộ nhập liệu, lãnh đạo, quản trị) trong một "
        "khoảng thời gian cố định. In bảng thời gian phản hồi và đối chiếu với mục tiêu."
    )

    def add_arguments(self, parser):
        parser.add_argument("--activities", type=positive_int, default=1_000_000)
        parser.add_argument("--cases", type=positive_int, default=2_000, help="Số hộ nhà ở.")
        parser.add_argument("--users", type=positive_int, default=50, help="Người dùng đồng thời.")
        parser.add_argument(
            "--spawn-rate", type=positive_int, default=5, help="Người dùng thêm mỗi giây."
        )
        parser.add_argument(
            "--duration", type=positive_int, default=120, help="Số giây đo, sau khi đủ người."
        )
        parser.add_argument(
            "--workers",
            type=positive_int,
            default=5,
            help="Số tiến trình gunicorn (mặc định 5 = 2 × số lõi + 1 trên máy 2 lõi).",
        )
        parser.add_argument(
            "--conn-max-age", type=int, default=60, help="CONN_MAX_AGE của ứng dụng (giây)."
        )
        parser.add_argument(
            "--wait",
            type=wait_range,
            default=(3.0, 10.0),
            help="Thời gian mỗi người dừng giữa hai thao tác (đọc trang, điền form), giây; "
            "mặc định 3-10.",
        )
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument(
            "--keep", action="store_true", help="Giữ lại cơ sở dữ liệu tạm sau khi đo."
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Dùng lại cơ sở dữ liệu tạm đã giữ lại (--keep) nếu có đủ N hoạt động.",
        )

    def handle(self, *args, **options):
        def say(line: str) -> None:
            self.stdout.write(line)

        password = secrets.token_urlsafe(16)
        secret_key = secrets.token_urlsafe(60)  # the server's, for this run only
        try:
            with (
                scratch_database(
                    keep=options["keep"], stderr=self.stderr, reuse=options["reuse"]
                ) as name,
                loadtest.scratch_folder() as folder,
            ):
                say(f"database: {name}")
                plan = loadtest.prepare(
                    activities=options["activities"],
                    cases=options["cases"],
                    seed=options["seed"],
                    password=password,
                    secret_key=secret_key,
                    stdout=self.stdout,
                )
                counts = {role: len(accounts) for role, accounts in plan["accounts"].items()}
                say(
                    f"accounts: {counts['staff']} staff, {counts['officials']} officials, "
                    f"{counts['admins']} admins"
                )
                low, high = options["wait"]
                say(
                    f"load: {options['users']} users (staff 6 : officials 3 : admins 1), "
                    f"+{options['spawn_rate']}/s, {options['duration']} s after all have "
                    f"started, {low:g}–{high:g} s between actions"
                )
                result = loadtest.run_load(
                    plan=plan,
                    secret_key=secret_key,
                    users=options["users"],
                    spawn_rate=options["spawn_rate"],
                    seconds=options["duration"],
                    workers=options["workers"],
                    conn_max_age=options["conn_max_age"],
                    wait=options["wait"],
                    folder=Path(folder),
                    say=say,
                )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        say("")
        for line in loadtest.table(result):
            say(line)
        say("")
        for request, message, times in result.failures:
            say(f"error: {times} × {request}: {message}")
        say(f"activities saved by the users (ramp-up included): {result.saves_in_database}")
        say(f"loadtest_goals_met: {'yes' if result.goals_met else 'no'}")
        if not result.goals_met:
            raise CommandError("Chưa đạt mục tiêu: có lỗi, hoặc p95 vượt ngưỡng (xem bảng).")

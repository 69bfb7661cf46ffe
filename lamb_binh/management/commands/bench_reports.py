"""Time the dashboard against hand-written SQL on a scratch database of N synthetic activities."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError

from lamb_binh.tooling.bench import run_benchmark, scratch_database


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a whole number of at least 1.")
    return number


class Command(BaseCommand):
    help = (
        "Tạo một cơ sở dữ liệu tạm (không động đến cơ sở dữ liệu thật) với N hoạt động của "
        "17 đơn vị ở 10 xã, 100 thôn trong 5 năm, rồi đo thời gian trang tổng hợp so với "
        "SQL viết tay cho cùng các số liệu. Dòng cuối: dashboard_vs_raw_sql_ratio: X.XX"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--activities", type=positive_int, required=True, help="Số hoạt động sinh ra."
        )
        parser.add_argument(
            "--repeat",
            type=positive_int,
            default=7,
            help="Số lần đo mỗi phép (sau 1 lần chạy khởi động); lấy trung vị.",
        )
        parser.add_argument("--seed", type=int, default=2021, help="Hạt giống ngẫu nhiên.")
        parser.add_argument(
            "--keep", action="store_true", help="Giữ lại cơ sở dữ liệu tạm sau khi đo."
        )

    def handle(self, *args, activities: int, repeat: int, seed: int, keep: bool, **options):
        try:
            with scratch_database(keep=keep, stderr=self.stderr):
                run_benchmark(n=activities, repeat=repeat, seed=seed, stdout=self.stdout)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc

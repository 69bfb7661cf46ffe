"""Time the dashboard against hand-written SQL on a scratch database of N synthetic activities."""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError

from lamb_binh.tooling.bench import run_benchmark, scratch_database
from lamb_binh.tooling.bench_province import run_province_benchmark

SHAPES: dict[str, Callable[..., object]] = {
    "district": run_benchmark,
    "province": run_province_benchmark,
}


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a whole number of at least 1.")
    return number


class Command(BaseCommand):
    help = (
        "Tạo một cơ sở dữ liệu tạm (không động đến cơ sở dữ liệu thật) với N hoạt động trong "
        "5 năm, rồi đo thời gian trang tổng hợp so với SQL viết tay cho cùng các số liệu. "
        "Mặc định (--shape district): 17 đơn vị ở 10 xã, 100 thôn của huyện Lâm Bình. "
        "--shape province: tỉnh Tuyên Quang với 124 xã, phường hiện nay và 330 xã cũ, "
        "khoảng 4.000 thôn, 600 tổ chức; đo bốn trang tổng hợp (toàn tỉnh, một xã, một tổ "
        "chức, một kỳ tùy chọn qua ngày 01/07/2025). "
        "Dòng cuối: dashboard_vs_raw_sql_ratio: X.XX (với tỉnh: trang chậm nhất so với SQL)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--activities", type=positive_int, required=True, help="Số hoạt động sinh ra."
        )
        parser.add_argument(
            "--shape",
            choices=sorted(SHAPES),
            default="district",
            help="Quy mô dữ liệu: district (huyện Lâm Bình, mặc định) hoặc province (cả tỉnh).",
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
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Chỉ với --shape province: đo lại trên cơ sở dữ liệu tạm đã giữ (--keep) ở "
            "lần chạy trước, không sinh dữ liệu mới (--activities khi đó không dùng đến).",
        )

    def handle(
        self,
        *args,
        activities: int,
        shape: str,
        repeat: int,
        seed: int,
        keep: bool,
        reuse: bool,
        **options,
    ):
        if reuse and shape != "province":
            raise CommandError("--reuse chỉ dùng với --shape province.")
        run: Callable[..., object] = SHAPES[shape]
        if reuse:
            run = functools.partial(run_province_benchmark, reuse=True)
        try:
            # A reused database is kept: it is what the next run reuses.
            with scratch_database(keep=keep or reuse, stderr=self.stderr, reuse=reuse):
                run(n=activities, repeat=repeat, seed=seed, stdout=self.stdout)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc

"""Time a spreadsheet import of N activities against a bulk-insert baseline (scratch DB)."""

from django.core.management.base import BaseCommand, CommandError

from lamb_binh.management.commands.bench_reports import positive_int
from lamb_binh.tooling.bench import scratch_database
from lamb_binh.tooling.bench_import import run_import_benchmark


class Command(BaseCommand):
    help = (
        "Tạo tệp .xlsx N dòng hoạt động và nhập bằng đúng đường nhập của trang quản trị vào "
        "một cơ sở dữ liệu tạm, so với cách đọc openpyxl + bulk_create. "
        "Dòng cuối: import_vs_baseline_ratio: X.XX"
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=positive_int, required=True, help="Số dòng.")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--preview-rows", type=positive_int, default=10_000)
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args, rows: int, seed: int, preview_rows: int, keep: bool, **options):
        try:
            with scratch_database(keep=keep, stderr=self.stderr):
                run_import_benchmark(
                    rows=rows, seed=seed, stdout=self.stdout, preview_rows=preview_rows
                )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc

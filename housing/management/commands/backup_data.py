"""Dump the whole database (every record and every audit entry) to one file."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt or recreated by the application; never worth copying.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "axes",
    "activities.activitymonthstat",
    "activities.villagemonthstat",
    "activities.weekenddaystat",
]


class Command(BaseCommand):
    help = "Sao lưu toàn bộ dữ liệu (kể cả lịch sử thay đổi) ra một tệp XML (.xml hoặc .xml.gz)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Tệp sao lưu, ví dụ sao-luu-2026-11-29.xml.gz")

    def handle(self, *args, file: Path, **options):
        # XML keeps timestamps to the microsecond (JSON would round them to milliseconds).
        call_command(
            "dumpdata",
            format="xml",
            exclude=EXCLUDED,
            natural_foreign=True,
            output=str(file),
            verbosity=0,
        )
        self.stdout.write(
            f"Đã sao lưu vào {file} ({file.stat().st_size:,} byte).".replace(",", ".")
        )

"""Load a backup made by backup_data into an empty, migrated database."""

from pathlib import Path

from auditlog.context import disable_auditlog
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from activities import stats
from activities.models import Activity, Commune
from housing.models import HousingCase


class Command(BaseCommand):
    help = (
        "Khôi phục dữ liệu từ tệp của backup_data vào một cơ sở dữ liệu trống (đã chạy "
        "migrate). Tất cả hoặc không có gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Tệp sao lưu.")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        if Activity.objects.exists() or Commune.objects.exists() or HousingCase.objects.exists():
            raise CommandError(
                "Cơ sở dữ liệu này đã có dữ liệu: chỉ khôi phục vào một cơ sở dữ liệu trống "
                "(tạo mới rồi chạy migrate)."
            )
        # One transaction; the summary tables are rebuilt once at the end; the audit trail
        # is restored as it was, not added to (loading many-to-many rows would log them).
        with transaction.atomic(), stats.suspended(), disable_auditlog():
            call_command("loaddata", str(file), verbosity=0)
        self.stdout.write(f"Đã khôi phục từ {file}.")

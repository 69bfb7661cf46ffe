"""Load a district's communes with their official GSO codes and the 2025 merger."""

from django.core.management.base import BaseCommand, CommandError

from activities.gso import DatasetError
from activities.services import communes_load


class Command(BaseCommand):
    help = (
        "Nạp danh sách xã, thị trấn của một huyện (mã ĐVHC chính thức) và các xã mới "
        "sau sáp nhập 01/07/2025. Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default="Tuyên Quang", help="Tên tỉnh (trước 2025).")
        parser.add_argument("--district", default="Lâm Bình", help="Tên huyện (trước 2025).")

    def handle(self, *args, province: str, district: str, **options):
        try:
            result = communes_load(province=province, district=district)
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Xã, thị trấn của huyện {district}: {len(result.created)} thêm mới, "
            f"{len(result.updated)} cập nhật, {len(result.unchanged)} giữ nguyên."
        )

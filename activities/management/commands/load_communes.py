"""Load a province's (or one former district's) communes with their GSO codes and the merger."""

from django.core.management.base import BaseCommand, CommandError

from activities.gso import DatasetError
from activities.services import communes_load

# Without arguments: the project's own district, as the demo data and the Makefile expect.
HOME_PROVINCE, HOME_DISTRICT = "Tuyên Quang", "Lâm Bình"


class Command(BaseCommand):
    help = (
        "Nạp danh sách xã, phường, thị trấn (mã ĐVHC chính thức) của một tỉnh: các xã mới từ "
        "01/07/2025 và mọi xã cũ trước sáp nhập, nối xã cũ với các xã mới. Có --district thì "
        "chỉ nạp một huyện cũ và các xã mới của nó; không có tham số nào thì nạp huyện Lâm "
        "Bình, tỉnh Tuyên Quang. Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            help=(
                "Tên tỉnh: một trong 34 tỉnh, thành phố từ 01/07/2025 (nạp cả các xã cũ của "
                "nó) hoặc một trong 63 tỉnh cũ. Mặc định Tuyên Quang."
            ),
        )
        parser.add_argument("--district", help="Tên một huyện cũ (trước 01/07/2025) của tỉnh.")

    def handle(self, *args, province: str | None, district: str | None, **options):
        if province is None:
            province = HOME_PROVINCE
            district = district or HOME_DISTRICT
        try:
            result = communes_load(province=province, district=district)
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        where = f"huyện {district}, tỉnh {province}" if district else f"tỉnh {province}"
        self.stdout.write(
            f"Xã, phường, thị trấn của {where}: {len(result.created)} thêm mới, "
            f"{len(result.updated)} cập nhật, {len(result.unchanged)} giữ nguyên."
        )

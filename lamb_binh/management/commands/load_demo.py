"""Load the demo data set: the province's communes, the district's history (villages, units,
assignments, activities and cases of 2021–2025), and the present after the 2025 merger (the
province's organisations, the four new communes' work up to today, the demo accounts)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from activities.models import Activity
from lamb_binh.demo import activities as demo
from lamb_binh.demo import province
from lamb_binh.demo.housing import load_cases


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: 124 xã, phường của tỉnh Tuyên Quang, lịch sử huyện Lâm Bình "
        "2021–2025 và hoạt động của 4 xã mới từ 01/07/2025 đến hôm nay (tài khoản quantri, "
        "lanhdao, nhaplieu, binhan_lanhdao, binhan_nhaplieu; mật khẩu "
        f"{demo.DEMO_PASSWORD}). Không chạy khi DEBUG tắt, trừ khi có --force. "
        "Bỏ qua nếu cơ sở dữ liệu đã có hoạt động."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Chạy cả khi DEBUG tắt (máy chủ thật). Tài khoản mẫu có mật khẩu công khai!",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG đang tắt: đây có thể là máy chủ thật. Dữ liệu mẫu tạo tài khoản có mật "
                "khẩu công khai; nếu chắc chắn, chạy lại với --force."
            )
        if Activity.objects.exists():
            self.stdout.write("Cơ sở dữ liệu đã có hoạt động: không nạp dữ liệu mẫu.")
            return
        call_command("load_communes", province=province.PROVINCE, stdout=self.stdout)
        with transaction.atomic():
            demo.load_reference()
            users = demo.load_users()
            activities = demo.load_activities()
            demo.load_month_reports()
            cases = load_cases()
            units = province.load_organisations()
            users += [u for u in province.load_accounts() if u not in users]
            present, _ = province.load_present(units)
        self.stdout.write(
            f"Đã nạp dữ liệu mẫu: {activities} hoạt động đến 30/06/2024, {present} hoạt động "
            f"từ 01/07/2025, {cases} hộ được hỗ trợ nhà ở."
        )
        if users:
            self.stdout.write(f"Tài khoản mẫu (mật khẩu {demo.DEMO_PASSWORD}): {', '.join(users)}.")

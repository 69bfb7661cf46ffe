"""Load the demo data set: villages, units, assignments, accounts, activities and cases."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from activities.models import Activity
from lamb_binh.demo import activities as demo
from lamb_binh.demo.housing import load_cases


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu của huyện Lâm Bình (tài khoản quantri, nhaplieu, lanhdao; mật khẩu "
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
        call_command("load_communes", stdout=self.stdout)
        with transaction.atomic():
            demo.load_reference()
            users = demo.load_users()
            activities = demo.load_activities()
            demo.load_month_reports()
            cases = load_cases()
        self.stdout.write(
            f"Đã nạp dữ liệu mẫu: {activities} hoạt động, {cases} hộ được hỗ trợ nhà ở."
        )
        if users:
            self.stdout.write(f"Tài khoản mẫu (mật khẩu {demo.DEMO_PASSWORD}): {', '.join(users)}.")

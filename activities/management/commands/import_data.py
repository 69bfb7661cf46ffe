"""Import a spreadsheet from the shell: the same checks and messages as the admin, any size."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from activities.imports.engine import describe_problems, file_digest, import_rows
from activities.imports.registry import kinds
from activities.imports.sheets import SheetError, read_sheet


class Command(BaseCommand):
    help = (
        "Nhập tệp Excel (.xlsx) hoặc CSV: KIND là loại dữ liệu (xa, thon, don-vi, phan-cong, "
        "hoat-dong, ho-nha-o). Nếu có dòng sai, không dòng nào được ghi."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(kinds()), help="Loại dữ liệu.")
        parser.add_argument("file", type=Path, help="Đường dẫn tệp .xlsx hoặc .csv.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")
        parser.add_argument("--user", help="Tài khoản ghi vào lịch sử (mặc định: không có).")

    def handle(self, *args, kind: str, file: Path, dry_run: bool, user: str | None, **options):
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"Không có tài khoản “{user}”.")
        data = file.read_bytes()
        chosen = kinds()[kind]()
        try:
            sheet = read_sheet(
                data,
                filename=file.name,
                expected_headers=chosen.headers(),
                required_headers=chosen.required_headers(),
                max_bytes=max(len(data), 1),
            )
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        with tqdm(
            total=len(sheet.rows) if isinstance(sheet.rows, list) else None,
            unit=" dòng",
            desc="Kiểm tra",
            file=self.stderr,
            disable=options.get("verbosity", 1) == 0,
        ) as bar:
            report = import_rows(
                kind=chosen,
                sheet=sheet,
                user=actor,
                file_name=file.name,
                file_hash=file_digest(data),
                dry_run=dry_run,
                progress=bar.update,
            )
        self.stdout.write(
            f"{len(report.rows)} dòng: {report.count('new')} mới, {report.count('update')} "
            f"cập nhật, {report.count('skip')} không đổi, {len(report.errors)} sai; "
            f"{len(report.skipped_lines)} dòng tiêu đề, trống hoặc tổng cộng được bỏ qua."
        )
        if not report.ok:
            for line in describe_problems(report):
                self.stdout.write(line)
            raise CommandError("Có dòng sai: không dòng nào được nhập.")
        if report.batch is None:  # a dry run writes nothing
            self.stdout.write("Chạy thử: chưa ghi gì.")
        else:
            self.stdout.write(f"Đã nhập (lần nhập số {report.batch.pk}).")

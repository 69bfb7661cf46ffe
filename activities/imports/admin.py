"""Spreadsheet import and export in the Django admin, through django-import-export.

django-import-export gives the admin its upload → preview → confirm flow; the reading,
checking and writing are ours (activities/imports/engine.py): each admin binds one `ImportKind`.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import math
import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import tablib
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ALL_VAR, PAGE_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ImportMixin
from import_export.formats.base_formats import Format
from import_export.forms import ImportForm
from import_export.resources import Resource
from import_export.results import Result, RowResult
from import_export.tmp_storages import TempFolderStorage
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from activities import access
from activities.imports.engine import ERROR, ImportKind, file_digest, import_rows
from activities.imports.sheets import Sheet, SheetError, SheetRow, check_name, read_sheet
from activities.imports.values import needs_protection
from activities.text import strip_unsafe

# Excel's limit for one cell; longer text would make the workbook need repairing.
XLSX_CELL_MAX = 32_767


def neutralise(value):
    """Text as a file may hold it: without the characters no text may hold (openpyxl refuses
    control characters; U+FFFE makes a workbook Excel cannot open), and with a leading
    apostrophe when it starts like a formula; numbers stay numbers. Every export writes
    its cells through here (the report exports too).

    The import takes the apostrophe off again (activities.imports.values.unprotect), so text that
    already starts with apostrophes before a formula character gets one more.
    """
    if not isinstance(value, str):
        return value
    value = strip_unsafe(value)
    return "'" + value if needs_protection(value) else value


def cell_value(value, *, as_csv: bool):
    """A value as a file can always hold it, whatever was stored (even by raw SQL).

    Text is neutralised (above); a workbook cell keeps at most Excel's 32.767 characters
    (the forms keep texts far shorter). Aware datetimes are written in local time, which
    openpyxl would refuse; values of any other type are written as their text.
    """
    if value is None or isinstance(value, bool | int | Decimal | datetime.date | datetime.time):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    text = neutralise(str(value))
    return text if as_csv else text[:XLSX_CELL_MAX]


class ImportFileStorage(TempFolderStorage):
    """Uploaded files between preview and confirm, in a folder of their own; files of
    previews nobody confirmed are removed after a while."""

    name: str | None  # set by the base class from the form; _open names a new upload

    def _folder(self) -> Path:
        folder = Path(
            getattr(settings, "IMPORT_TMP_DIR", "")
            or Path(tempfile.gettempdir()) / "lamb-binh-imports"
        )
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def get_full_path(self):
        if self.name is None:
            raise ValueError("The upload has no file yet.")
        return os.path.join(self._folder(), self.name)

    def _open(self, mode="r"):
        if not self.name:
            tmp_file = tempfile.NamedTemporaryFile(dir=self._folder(), delete=False)  # noqa: SIM115 (returned open, as the base class does)
            self.name = os.path.basename(tmp_file.name)
            return tmp_file
        return open(self.get_full_path(), mode, encoding=self.encoding)

    def save(self, data):
        cutoff = time.time() - settings.IMPORT_TMP_MAX_AGE
        for old in self._folder().iterdir():
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        super().save(data)


class SafeImportForm(ImportForm):
    def clean_import_file(self):
        # The size is checked before anything reads the file.
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"Tệp lớn hơn {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB; hãy chia nhỏ tệp "
                "hoặc nhập bằng lệnh python manage.py import_data."
            )
        # The preview reads the file's content without its name: the name is judged here,
        # as `import_data` judges it (a CSV named .xlsx is refused, not read as CSV).
        upload.seek(0)
        head = upload.read(4096)
        upload.seek(0)
        try:
            check_name(head, upload.name or "")
        except SheetError as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


def sheet_format(kind_class: type[ImportKind]) -> type[Format]:
    """An import format that reads .xlsx or .csv safely, with the kind's headers."""
    kind = kind_class()

    class SheetFormat(Format):
        def __init__(self, encoding=None, **kwargs):
            self.encoding = encoding

        def get_title(self):
            return "Excel (.xlsx) hoặc CSV"

        def get_extension(self):
            return "xlsx"

        def is_binary(self):
            return True

        def get_read_mode(self):
            return "rb"

        def can_import(self):
            return True

        def can_export(self):
            return False

        def create_dataset(self, in_stream):
            data = in_stream if isinstance(in_stream, bytes) else in_stream.encode()
            sheet = read_sheet(
                data,
                filename="tệp tải lên",
                expected_headers=kind.headers(),
                required_headers=kind.required_headers(),
                max_bytes=settings.IMPORT_MAX_BYTES,
                max_rows=settings.IMPORT_ADMIN_MAX_ROWS,
                kind=kind.slug,
            )
            dataset = tablib.Dataset(headers=["__row__", *sheet.headers])
            for row in sheet.rows:
                dataset.append([row.number, *(row.values.get(h) for h in sheet.headers)])
            dataset.sheet_skipped = sheet.skipped
            dataset.file_hash = file_digest(data)
            return dataset

    return SheetFormat


class _Column:
    def __init__(self, name: str):
        self.column_name = name


def kind_resource(kind_class: type[ImportKind]) -> type[Resource]:
    class KindResource(Resource):
        def get_user_visible_fields(self):
            return [_Column(column.title) for column in kind_class.columns]

        @classmethod
        def get_display_name(cls):
            return kind_class.label

        def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
            headers = dataset.headers[1:]
            sheet = Sheet(
                headers=headers,
                # Read once, as they come: no second copy of a large file's rows.
                rows=(
                    SheetRow(number=row[0], values=dict(zip(headers, row[1:], strict=True)))
                    for row in dataset
                ),
                skipped=getattr(dataset, "sheet_skipped", []),
            )
            report = import_rows(
                kind=kind_class(),
                sheet=sheet,
                user=kwargs.get("user"),
                file_name=kwargs.get("file_name") or "",
                file_hash=getattr(dataset, "file_hash", ""),
                dry_run=dry_run,
            )
            return report_result(report, kind_class, with_rows=dry_run)

    return KindResource


def report_result(report, kind_class, *, with_rows: bool = True) -> Result:
    """Our report in the shape django-import-export's preview page reads. After a confirmed
    import only the totals are read, so the rows are left out (a 50.000-row file)."""
    from django.core.exceptions import ValidationError

    result = Result()
    result.diff_headers = [column.header for column in kind_class.columns]
    for outcome in report.rows:
        if outcome.action == ERROR:
            errors: dict[str, list[str]] = {}
            for problem in outcome.problems:
                errors.setdefault(problem.column or "__all__", []).append(str(problem))
            values = {h: outcome.values.get(h) for h in result.diff_headers}
            result.append_invalid_row(outcome.number, values, ValidationError(errors))
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            continue
        result.totals[outcome.action] += 1
        if with_rows:
            row = RowResult()
            row.number = outcome.number
            row.import_type = outcome.action
            row.diff = [
                "" if outcome.values.get(h) is None else str(outcome.values.get(h))
                for h in result.diff_headers
            ]
            result.append_row_result(row)
    result.report = report
    return result


def template_workbook(kind: ImportKind) -> bytes:
    """The .xlsx to fill in: headers, an example row, and a sheet of instructions."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "Dữ liệu"
    sheet.append([column.title for column in kind.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
    sheet.append([neutralise(column.example) for column in kind.columns])
    for index, column in enumerate(kind.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.title) + 4)
    guide = book.create_sheet("Hướng dẫn")
    guide.append([f"Mẫu nhập {kind.label}"])
    guide["A1"].font = Font(bold=True, size=13)
    guide.append(
        [
            "Điền từ dòng 2 của trang “Dữ liệu” (xóa dòng ví dụ). Có thể giữ dòng tiêu đề "
            "và dòng “Tổng cộng”: chúng được bỏ qua."
        ]
    )
    guide.append(
        [
            "Ngày ghi theo ngày/tháng/năm (05/06/2024 là ngày 5 tháng 6). Số có thể ghi "
            "1780 hoặc 1.780; tiền ghi 25.000.000 hoặc 25 triệu."
        ]
    )
    guide.append(
        ["Nếu có dòng sai, không dòng nào được nhập; trang xem trước chỉ rõ dòng, cột và lý do."]
    )
    guide.append([])
    guide.append(["Cột", "Bắt buộc", "Ví dụ", "Ghi chú"])
    for cell in guide[6]:
        cell.font = Font(bold=True)
    for column in kind.columns:
        guide.append(
            [
                column.header,
                "Có" if column.required else "Không",
                neutralise(column.example),
                column.help,
            ]
        )
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["D"].width = 70
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_response(kind: ImportKind, queryset, *, as_csv: bool, name: str) -> HttpResponse:
    """The rows as the import template writes them, so an export imports back unchanged."""
    headers = [column.title for column in kind.columns]
    return table_response(headers, kind.export_rows(queryset), as_csv=as_csv, name=name)


class GuardedChangeList(ChangeList):
    """A changelist that answers hand-edited parameters Django's own does not catch as it
    catches the others (a redirect to ?e=1): a NUL byte, which PostgreSQL alone refuses, and
    a year too large for a date (in the date hierarchy, or when the filtered count runs)."""

    def get_queryset(self, request, exclude_parameters=None):
        if has_nul(request.GET):
            raise IncorrectLookupParameters("NUL in the list's parameters")
        try:
            return super().get_queryset(request, exclude_parameters)
        except OverflowError as exc:  # the date hierarchy's year, month or day
            raise IncorrectLookupParameters(exc) from exc

    def get_results(self, request):
        try:
            super().get_results(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc


def has_nul(query) -> bool:
    return any("\x00" in key + "".join(values) for key, values in query.lists())


# The admin mixins below are checked as the ModelAdmins they are mixed into.
if TYPE_CHECKING:
    AdminMixinBase = admin.ModelAdmin
else:
    AdminMixinBase = object


class GuardedChangeListMixin(AdminMixinBase):
    """For every admin list of ours: hostile list parameters never reach a 500."""

    def get_changelist(self, request, **kwargs):
        return GuardedChangeList


class SpreadsheetAdminMixin(GuardedChangeListMixin, ImportMixin):
    """Import (admins only) and export (anyone who can see the list) for one ImportKind."""

    import_kind: type[ImportKind]
    import_form_class = SafeImportForm
    tmp_storage_class = ImportFileStorage
    skip_admin_log = True  # the audit trail and the import batch record every row
    change_list_template = "admin/imports/change_list_sheets.html"
    import_template_name = "admin/imports/import.html"

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        opts = self.model._meta
        context.update(
            import_max_mb=settings.IMPORT_MAX_BYTES // (1024 * 1024),
            import_max_rows=settings.IMPORT_ADMIN_MAX_ROWS,
            template_url=reverse(f"admin:{opts.app_label}_{opts.model_name}_import_template"),
        )
        return context

    def get_import_formats(self):
        return [sheet_format(self.import_kind)]

    def get_import_resource_classes(self, request):
        return [kind_resource(self.import_kind)]

    def has_import_permission(self, request):
        """Province-wide admins: a file may hold rows of any commune."""
        return access.is_admin(request.user) and access.reach_of(request.user).whole

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SheetError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                "Không đọc được tệp: hãy lưu lại dưới dạng .xlsx hoặc .csv (UTF-8) rồi thử lại.",
            )

    def add_success_message(self, result, request):
        batch = result.report.batch
        messages.success(
            request,
            f"Đã nhập tệp “{batch.file_name}”: {batch.rows_new} dòng mới, "
            f"{batch.rows_updated} dòng cập nhật, {batch.rows_skipped} dòng không đổi. "
            "Có thể hoàn tác trong “Lịch sử nhập dữ liệu”.",
        )

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path(
                "mau-nhap/",
                self.admin_site.admin_view(self.template_view),
                name=f"{prefix}_import_template",
            ),
            path(
                "xuat/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name=f"{prefix}_export_sheet",
            ),
        ] + super().get_urls()

    def template_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        response = HttpResponse(
            template_workbook(self.import_kind()),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="mau-nhap-{self.import_kind.slug}.xlsx"'
        )
        return response

    def export_view(self, request, fmt: str):
        if not self.has_view_permission(request) or fmt not in ("xlsx", "csv"):
            raise PermissionDenied
        # The changelist's own queryset: its filters, search and ordering apply.
        changelist, request = export_changelist(self, request)
        if changelist is None:
            return refused_export(self, request)
        queryset = changelist.get_queryset(request)
        return export_response(
            self.import_kind(), queryset, as_csv=fmt == "csv", name=self.import_kind.slug
        )


def export_changelist(model_admin, request):
    """The changelist an export reads, and the request it was built from; no changelist
    when the URL's filters are refused. The page number is dropped: an export holds every
    row of the list, so a page past the end (?p=99999) is no reason to refuse it. Filters
    the changelist cannot apply (a non-integer id, a bad date, an unknown field, a broken
    `_changelist_filters`) raise IncorrectLookupParameters, which the changelist itself
    answers with a redirect to ?e=1. A year past any date only fails when the filtered count
    runs, which building the changelist does; a NUL byte would fail there on PostgreSQL
    alone (psycopg refuses it), so it is refused before any query."""
    request = copy.copy(request)
    request.GET = request.GET.copy()
    for name in (PAGE_VAR, ALL_VAR):
        request.GET.pop(name, None)
    if has_nul(request.GET):
        return None, request
    try:
        return model_admin.get_changelist_instance(request), request
    except (IncorrectLookupParameters, ValueError, OverflowError):
        return None, request


def refused_export(model_admin, request) -> HttpResponse:
    """Back to the whole list, saying why, as the changelist does on the same parameters."""
    opts = model_admin.model._meta
    messages.error(
        request,
        "Chưa xuất được tệp: bộ lọc trong địa chỉ trang không hợp lệ (có thể do sửa tay). "
        "Danh sách dưới đây đã bỏ mọi bộ lọc; hãy chọn lại bộ lọc rồi bấm “Xuất Excel” "
        "hoặc “Xuất CSV”.",
    )
    return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")


class ListExportMixin(GuardedChangeListMixin):
    """Xuất Excel / Xuất CSV for an admin list that has no import: its columns as shown,
    its filters and search applied."""

    change_list_template = "admin/imports/change_list_export.html"

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path(
                "xuat/<str:fmt>/",
                self.admin_site.admin_view(self.list_export_view),
                name=f"{prefix}_export_sheet",
            ),
        ] + super().get_urls()

    def list_export_view(self, request, fmt: str):
        from django.contrib.admin.utils import label_for_field, lookup_field

        if not self.has_view_permission(request) or fmt not in ("xlsx", "csv"):
            raise PermissionDenied
        changelist, request = export_changelist(self, request)
        if changelist is None:
            return refused_export(self, request)
        names = [n for n in changelist.list_display if n != "action_checkbox"]
        headers = [str(label_for_field(n, self.model, self)).capitalize() for n in names]

        def cell(obj, name):
            _, _, value = lookup_field(name, obj, self)
            if isinstance(value, bool | int | float) or value is None:
                return value
            return str(value)

        rows = ([cell(obj, n) for n in names] for obj in changelist.get_queryset(request))
        return table_response(headers, rows, as_csv=fmt == "csv", name=self.model._meta.model_name)


def table_response(headers, rows, *, as_csv: bool, name: str) -> HttpResponse:
    """Rows under headers as .xlsx or .csv, with formula-looking text neutralised."""
    rows = ([cell_value(value, as_csv=as_csv) for value in values] for values in rows)
    headers = [cell_value(header, as_csv=as_csv) for header in headers]
    stamp = timezone.localdate().strftime("%Y%m%d")
    if as_csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(rows)
        # A byte-order mark so that Excel opens the UTF-8 text with its diacritics.
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
        return response
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Dữ liệu")
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    content = io.BytesIO()
    book.save(content)
    response = HttpResponse(
        content.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response

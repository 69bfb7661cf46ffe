"""Report tables as .xlsx: a title, the period, the filters, Vietnamese headers, number formats."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from activities import access
from activities.imports.admin import neutralise
from lamb_binh.dashboard.reports import total_columns
from lamb_binh.dashboard.views import Report, build_report

INTEGER = "#,##0"
TWO_DECIMALS = "#,##0.00"
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
THIN = Side(style="thin", color="999999")


def _totals_table(rows, first: str, *, villages: bool, total=None):
    """The columns of the page's table (reports.total_columns), each with its Excel format."""
    columns = total_columns(villages=villages)
    headers = [first] + [c.header for c in columns]
    formats = [None] + [c.excel_format for c in columns]
    body = [[row.label] + [getattr(row.totals, c.name) for c in columns] for row in rows]
    footer = ["Tổng cộng"] + [getattr(total, c.name) for c in columns] if total else None
    return headers, formats, body, footer


def _months(report: Report):
    return _totals_table(report.months, "Tháng", villages=False, total=report.headline.totals)


def _communes(report: Report):
    return _totals_table(
        report.communes,
        report.scope.commune_kinds.capitalize(),
        villages=True,
        total=report.headline.totals,
    )


def _units(report: Report):
    return _totals_table(report.units, "Đơn vị", villages=True)


def _types(report: Report):
    return _totals_table(report.types, "Loại hoạt động", villages=False)


def _outputs(report: Report):
    headers = ["Loại hoạt động", "Khối lượng", "Đơn vị tính", "Hoạt động"]
    body = [
        [r.label, r.totals.output, r.extra["unit"], r.totals.activities] for r in report.outputs
    ]
    return headers, [None, TWO_DECIMALS, None, INTEGER], body, None


def _rule(report: Report):
    rule = report.rule
    headers = ["Đơn vị"] + [f"{m:%m/%Y}" for m in rule.months]
    body = [[unit.name] + [cell.label for cell in cells] for unit, cells in rule.rows]
    return headers, [None] * len(headers), body, None


def _housing(report: Report):
    p = report.housing
    headers = ["Nhóm", "Chỉ tiêu", "Số hộ", "Hoàn thành"]
    body = [["Tình trạng", label, n, None] for label, n in p.by_status]
    body += [["Xã", r["commune"], r["n"], r["done"]] for r in p.by_commune]
    body += [
        ["Chương trình", r["programme__short_name"], r["n"], r["done"]] for r in p.by_programme
    ]
    body += [["Đối tượng", label, n, done] for label, n, done in p.by_category]
    body += [["Hình thức", label, n, done] for label, n, done in p.by_work_kind]
    body += [["Kinh phí (đồng)", label, amount, None] for label, amount in p.money_by_source]
    footer = ["Tổng cộng", "Hoàn thành", p.total, p.done]
    return headers, [None, None, INTEGER, INTEGER], body, footer


# Each table's title; "{communes}" reads as the report's communes are ("xã, phường").
TABLES: dict[str, tuple[str, Callable]] = {
    "thang": ("Theo tháng", _months),
    "xa": ("Theo {communes}", _communes),
    "don-vi": ("Theo đơn vị", _units),
    "loai": ("Theo loại hoạt động", _types),
    "khoi-luong": ("Khối lượng thực hiện", _outputs),
    "quy-dinh": ("Thực hiện quy định hằng tháng", _rule),
    "nha-o": ("Hỗ trợ nhà ở", _housing),
}


def _title(report: Report, title: str) -> str:
    return title.format(communes=report.scope.commune_kinds)


def _refused_note(report: Report) -> str | None:
    """What the URL asked for and was refused: the file says so, as the page does, since
    it then holds the default period or no filter instead."""
    errors = report.scope.errors
    if not errors:
        return None
    return f"Lưu ý: {' '.join(str(e) for e in errors)} Lựa chọn không hợp lệ đã được bỏ qua."


def _sheet(workbook: Workbook, report: Report, title: str, table) -> None:
    headers, formats, body, footer = table
    sheet = workbook.create_sheet(title[:31])
    width = len(headers)
    lines = [
        f"BÁO CÁO HOẠT ĐỘNG “3 CÙNG” — {title.upper()}",
        f"Kỳ báo cáo: {report.scope.period.label} "
        f"({report.scope.period.start:%d/%m/%Y} – {report.scope.period.end:%d/%m/%Y})",
        f"Phạm vi: {report.scope.filters_text}",
    ]
    if note := _refused_note(report):
        lines.append(note)
    for index, text in enumerate(lines, start=1):
        sheet.cell(row=index, column=1, value=text).font = Font(
            bold=index == 1, size=13 if index == 1 else 11
        )
        sheet.merge_cells(start_row=index, start_column=1, end_row=index, end_column=width)
    header_row = len(lines) + 2
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
    rows = list(body) + ([footer] if footer else [])
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            if isinstance(value, Promise):  # a lazily translated label
                value = str(value)
            value = neutralise(value)
            cell = sheet.cell(row=header_row + offset, column=column, value=value)
            if formats[column - 1] and value is not None:
                cell.number_format = formats[column - 1]
            if footer and offset == len(rows):
                cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    sheet.column_dimensions["A"].width = 36
    for column in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4


def workbook_for(report: Report, table: str) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    chosen = TABLES.items() if table == "tong-hop" else [(table, TABLES[table])]
    for _, (title, build) in chosen:
        _sheet(workbook, report, _title(report, title), build(report))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_for(report: Report, table: str) -> str:
    """One report table as CSV (UTF-8 with a byte-order mark, so Excel shows the accents)."""
    headers, _, body, footer = TABLES[table][1](report)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            f"{_title(report, TABLES[table][0])} — {report.scope.period.label}; "
            f"{report.scope.filters_text}"
        ]
    )
    if note := _refused_note(report):
        writer.writerow([note])
    writer.writerow(headers)
    for values in [*body, *([footer] if footer else [])]:
        writer.writerow([neutralise(str(v) if isinstance(v, Promise) else v) for v in values])
    return "\ufeff" + buffer.getvalue()


@require_safe
@access.file_for_readers
def dashboard_export(request: HttpRequest, table: str) -> HttpResponse:
    if table != "tong-hop" and table not in TABLES:
        raise Http404("Không có bảng này.")
    # Every month of the rule: a spreadsheet has room for them.
    report = build_report(request.GET, access.reach_of(request.user), rule_months=None)
    stem = f"bao-cao-3-cung-{table}-{timezone.localdate():%Y%m%d}"
    if request.GET.get("dinh_dang") == "csv":
        if table not in TABLES:
            raise Http404("Bảng tổng hợp nhiều trang chỉ xuất được ra Excel.")
        response = HttpResponse(csv_for(report, table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    name = f"{stem}.xlsx"
    response = HttpResponse(
        workbook_for(report, table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

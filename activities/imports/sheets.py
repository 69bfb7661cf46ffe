"""Reading an uploaded spreadsheet (.xlsx or CSV) into rows, after refusing unsafe or wrong files.

Offices upload what they have: reports with title rows above the table, a "Tổng cộng" row
under it, files renamed from .csv or saved from a web page, old .xls, workbooks with a
password. Every such case ends in a `SheetError` whose message tells the user what to do;
nothing here lets a traceback through.

The format is read from the content, not the name. The one exception is a file named .xlsx
(or .xlsm, .xls) whose content is text: it is refused rather than read as CSV, since the user
believes it is a workbook and the CSV guesses (encoding, delimiter) would be silent.

An .xlsx is checked before openpyxl sees it: it must be a ZIP holding xl/workbook.xml, its
members must not unpack to more than `MAX_UNCOMPRESSED_BYTES` (or 20 × `max_bytes`) nor
compress more than `MAX_COMPRESSION_RATIO` to one, and no XML member may carry a DOCTYPE
(Excel never writes one; entity tricks need one). That last check is what defusedxml's
`forbid_dtd` does, made with the standard library's expat so that it needs no dependency and
stops at the root element. openpyxl parses with defusedxml by itself when that package is
installed (`openpyxl.DEFUSEDXML`).

In a workbook, the first worksheet whose first 30 rows hold the header row is read: a cover
or instructions sheet placed before the table is passed over.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import logging
import math
import re
import xml.parsers.expat
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

import openpyxl

from activities.imports.values import unprotect
from activities.numbers import vn_number
from activities.text import name_key, nfc

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 30
# What an .xlsx may unpack to: 200 MB, or 20 times `max_bytes` when that is larger.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
UNPACKED_PER_PACKED = 20
MAX_COMPRESSION_RATIO = 100
# Small members (styles, a short sheet of empty cells) may compress past the ratio and are
# harmless; the ratio is only held against members larger than this.
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 10_000

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_EXCEL_NAMES = (".xlsx", ".xlsm", ".xls")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_REQUIRED_MARK = re.compile(r"\s*\*+\s*$")
# "Tổng cộng…", "Tổng số…", or "Tổng"/"Cộng" alone, before a colon, a bracket or a number, or
# before a word that only a total row would use. "Tổng vệ sinh thôn" and "Cộng đồng…" are
# activities, not totals.
_TOTAL = re.compile(
    r"(?:tổng cộng|tổng số|(?:tổng|cộng)"
    r"(?:$|\s*[:(\-–.\d]|\s+(?:toàn|các|chung|cả|tháng|quý|năm|lũy|luỹ)\b))"
)
# The "(1) (2) (3)…" or "A B 1 2…" row that Vietnamese forms put under their headers.
_COLUMN_NUMBER = re.compile(r"\(?(?:\d{1,2}|[a-z])\)?")


class SheetError(Exception):
    """The file cannot be read; the message tells the user why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class SheetRow:
    number: int  # the row number the user sees in Excel (the record number in a CSV), from 1
    values: dict[str, object]  # header → raw cell value, None when the cell is empty


@dataclass
class Sheet:
    headers: list[str]  # in file order; a known header is spelled as in `expected_headers`
    rows: Iterable[SheetRow]  # a list from read_sheet; the admin streams its dataset's rows
    skipped: list[tuple[int, str]]  # (row number, why: "dòng tiêu đề", "dòng trống"…)
    header_row: int = 0
    sheet_name: str = ""  # the worksheet read; "" for a CSV


def read_sheet(
    data: bytes | BinaryIO,
    *,
    filename: str,
    expected_headers: list[str],
    required_headers: list[str] | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    max_rows: int | None = None,
    kind: str | None = None,
) -> Sheet:
    """The table in an uploaded .xlsx or CSV file, or a `SheetError` saying what is wrong.

    `expected_headers` are all the columns the caller knows, `required_headers` (all of them
    by default) those that must be there. Columns the caller does not know are kept in the
    rows' values. Above `max_rows` data rows the file is refused and the user is pointed to
    `python manage.py import_data KIND FILE` (`kind` fills in KIND).
    """
    columns = _Columns(expected_headers, required_headers)
    content = _read_bytes(data, max_bytes)
    name = PurePath(filename).name or filename
    if not content.removeprefix(codecs.BOM_UTF8).strip(b" \t\r\n\x00"):
        raise SheetError(f"Tệp “{name}” trống. Hãy chọn đúng tệp cần nhập.")
    limit = _RowLimit(max_rows, name, kind)
    if content.startswith(_OLE2):
        raise SheetError(_old_or_encrypted(content, name))
    if content.startswith(_ZIP):
        # The command line reads files larger than a web upload; their unpacked size may grow
        # in step.
        unpacked_cap = max(MAX_UNCOMPRESSED_BYTES, UNPACKED_PER_PACKED * max_bytes)
        return _read_xlsx(content, name, columns, limit, unpacked_cap)
    check_name(content, filename)
    return _read_csv(content, name, columns, limit)


def check_name(content: bytes, filename: str) -> None:
    """Refuse a file that is neither a workbook nor a spreadsheet's CSV, or a text file
    named like a workbook. `read_sheet` does this; the admin's upload form does it too,
    before its preview, since that preview reads the file under another name."""
    if content.startswith((_OLE2, *_ZIP)) or not content.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        return  # workbooks are checked when read; an empty file is told so when read
    name = PurePath(filename).name or filename
    looks_like = _not_a_table(content)
    if looks_like is not None:
        raise SheetError(_wrong_kind(name, looks_like))
    if PurePath(filename).suffix.lower() in _EXCEL_NAMES:
        raise SheetError(
            f"Tệp “{name}” không phải là tệp Excel .xlsx (có vẻ là tệp CSV). Hãy đổi đuôi "
            "tệp thành .csv, hoặc mở bằng Excel rồi lưu lại dưới dạng Excel Workbook (.xlsx)."
        )


# The uploaded bytes


def _read_bytes(data: bytes | BinaryIO, max_bytes: int) -> bytes:
    too_large = SheetError(
        f"Tệp lớn hơn {_size(max_bytes)}, quá giới hạn cho phép. Hãy chia thành nhiều tệp nhỏ hơn, "
        "hoặc nhờ quản trị nhập bằng lệnh python manage.py import_data."
    )
    if isinstance(data, (bytes, bytearray, memoryview)):
        if len(data) > max_bytes:
            raise too_large
        return bytes(data)
    size = getattr(data, "size", None)  # Django's UploadedFile knows it without reading
    if isinstance(size, int) and size > max_bytes:
        raise too_large
    if hasattr(data, "seek"):
        # A pipe cannot seek, and is at its start anyway.
        with contextlib.suppress(OSError, ValueError):
            data.seek(0)
    content = data.read(max_bytes + 1)
    if isinstance(content, str):
        content = content.encode("utf-8")
    if len(content) > max_bytes:
        raise too_large
    return content


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{vn_number(round(count / 1024 / 1024, 1))} MB"
    if count >= 1024:
        return f"{vn_number(round(count / 1024, 1))} KB"
    return f"{count} byte"


def _old_or_encrypted(content: bytes, name: str) -> str:
    # Password-protected .xlsx files are stored as an OLE2 container, like Excel 97–2003
    # files; the stream names tell them apart.
    if "EncryptionInfo".encode("utf-16-le") in content:
        return _encrypted(name)
    if "Workbook".encode("utf-16-le") in content or "Book".encode("utf-16-le") in content:
        return (
            f"Tệp “{name}” là tệp Excel cũ (.xls, Excel 97–2003) nên không đọc được. Hãy mở "
            "bằng Excel và lưu lại (Save As) dưới dạng Excel Workbook (.xlsx)."
        )
    return (
        f"Tệp “{name}” là tệp Excel cũ (.xls) hoặc được đặt mật khẩu nên không đọc được. "
        "Hãy mở bằng Excel và lưu lại dưới dạng Excel Workbook (.xlsx) không có mật khẩu."
    )


def _encrypted(name: str) -> str:
    return (
        f"Tệp Excel “{name}” được đặt mật khẩu (mã hoá) nên không đọc được. Hãy mở bằng "
        "Excel, gỡ mật khẩu rồi lưu lại dưới dạng Excel Workbook (.xlsx) không có mật khẩu."
    )


def _not_a_table(content: bytes) -> str | None:
    """What a file that is neither a workbook nor CSV looks like, or None if it may be CSV."""
    if content.startswith(b"%PDF"):
        return "tệp PDF"
    head = _head_text(content)
    if head.startswith("<!doctype html") or "<html" in head or "<table" in head:
        return "trang HTML"
    if head.startswith("<?xml"):
        return "tệp XML"
    return None


def _head_text(content: bytes) -> str:
    head = content[:2048]
    encoding = _utf16_encoding(head) or "latin-1"
    return head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n").lower()


def _utf16_encoding(content: bytes) -> str | None:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = content[:4096]
    # Text without a BOM in UTF-16 has a zero in every other byte.
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 3:
        return "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
    return None


def _wrong_kind(name: str, looks_like: str) -> str:
    if not name.lower().endswith(_EXCEL_NAMES):
        return (
            f"Tệp “{name}” không phải là tệp Excel .xlsx hay CSV (có vẻ là {looks_like}). "
            "Hãy mở tệp bằng Excel rồi lưu lại (Save As) dưới dạng Excel Workbook (.xlsx)."
        )
    return (
        f"Tệp “{name}” không phải là tệp Excel .xlsx (có vẻ là {looks_like}). Hãy mở tệp "
        "bằng Excel rồi lưu lại (Save As) dưới dạng Excel Workbook (.xlsx)."
    )


def _corrupt(name: str) -> SheetError:
    return SheetError(
        f"Tệp Excel “{name}” bị hỏng hoặc chưa tải lên hết nên không đọc được. Hãy mở thử "
        "bằng Excel, lưu lại rồi tải lên lần nữa."
    )


# .xlsx

# What reading a damaged archive can raise, from zipfile, zlib and expat.
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
    xml.parsers.expat.ExpatError,
)


def _read_xlsx(
    content: bytes, name: str, columns: _Columns, limit: _RowLimit, unpacked_cap: int
) -> Sheet:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_archive(archive, name, unpacked_cap)
    except SheetError:
        raise
    except _ARCHIVE_ERRORS:
        raise _corrupt(name) from None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        logger.warning("openpyxl could not open %s", name, exc_info=True)
        raise _corrupt(name) from None
    try:
        empty = True
        for worksheet in workbook.worksheets:
            # Some writers store a wrong dimension; without it every row is read.
            worksheet.reset_dimensions()
            sheet, had_rows = _read_rows(worksheet.iter_rows(values_only=True), columns, limit)
            empty = empty and not had_rows
            if sheet is not None:
                sheet.sheet_name = worksheet.title
                return sheet
    except SheetError:
        raise
    except Exception:
        # openpyxl meets most damage (a bad CRC, broken XML) only while reading rows.
        logger.warning("openpyxl could not read %s", name, exc_info=True)
        raise _corrupt(name) from None
    finally:
        workbook.close()
    raise _no_table(name) if empty else columns.header_not_found(name)


def _check_archive(archive: zipfile.ZipFile, name: str, unpacked_cap: int) -> None:
    """Refuse archives that are not workbooks or that would unpack into too much."""
    members = archive.infolist()
    # zipfile stops unpacking a member at its declared size (and then fails its CRC), so the
    # declared sizes bound what openpyxl can be made to read.
    unpacked = sum(member.file_size for member in members)
    if (
        len(members) > MAX_ZIP_MEMBERS
        or unpacked > unpacked_cap
        or any(
            member.file_size > RATIO_CHECKED_FROM_BYTES
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
            for member in members
        )
    ):
        raise SheetError(
            f"Tệp “{name}” có nội dung nén bất thường (giải nén ra {_size(unpacked)}) "
            "nên bị từ chối "
            "vì lý do an toàn. Hãy mở bằng Excel, xoá các trang và ô thừa rồi lưu lại."
        )
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise SheetError(_wrong_kind(name, _zip_looks_like(names)))
    if any(member.flag_bits & 0x1 for member in members):
        raise SheetError(_encrypted(name))
    for member in members:
        if member.filename.endswith((".xml", ".rels")) and member.file_size:
            _check_xml(archive, member, name)


def _zip_looks_like(names: set[str]) -> str:
    if "word/document.xml" in names:
        return "tệp Word .docx"
    if "ppt/presentation.xml" in names:
        return "tệp PowerPoint .pptx"
    if "content.xml" in names:
        return "bảng tính OpenDocument .ods"
    return "tệp nén ZIP"


class _RootReached(Exception):
    pass


class _DoctypeFound(Exception):
    pass


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> None:
    """Refuse an XML member that declares a DOCTYPE; parse only up to its root element."""
    parser = xml.parsers.expat.ParserCreate()

    def refuse(*args):
        raise _DoctypeFound

    def stop(*args):
        raise _RootReached

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = stop
    with archive.open(member) as stream:
        try:
            while chunk := stream.read(16 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _RootReached:
            return
        except _DoctypeFound:
            raise SheetError(
                f"Tệp “{name}” chứa khai báo XML (DOCTYPE) mà Excel không bao giờ tạo ra "
                "nên bị từ chối vì lý do an toàn. Hãy mở bằng Excel và lưu lại thành tệp "
                ".xlsx mới."
            ) from None


def _no_table(name: str) -> SheetError:
    return SheetError(
        f"Tệp “{name}” không có dữ liệu: {HEADER_SEARCH_ROWS} dòng đầu của mọi trang tính "
        "đều trống."
    )


# CSV


def _read_csv(content: bytes, name: str, columns: _Columns, limit: _RowLimit) -> Sheet:
    text = _decode(content)
    # Over the whole text: a control character anywhere means a binary file or a damaged
    # one, and the rows after it would be read as garbage.
    control = _CONTROL.search(text) if text is not None else None
    if text is None or (control and control.start() < 65536):
        raise SheetError(
            f"Tệp “{name}” không phải là tệp Excel .xlsx hay tệp CSV đọc được. Hãy mở bằng "
            "Excel rồi lưu lại dưới dạng Excel Workbook (.xlsx) hoặc “CSV UTF-8”."
        )
    if control:
        raise SheetError(
            (
                "Tệp CSV “{name}” có ký tự điều khiển không đọc được (mã U+{code:04X}) ở dòng "
                "{line} của tệp: tệp bị hỏng hoặc không phải là văn bản. Hãy mở bằng Excel, "
                "sửa ô đó rồi lưu lại dưới dạng “CSV UTF-8” hoặc Excel Workbook (.xlsx)."
            ).format(
                name=name,
                code=ord(control.group()),
                line=vn_number(text.count("\n", 0, control.start()) + 1),
            )
        )
    delimiter = _choose_delimiter(text, columns)
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        sheet, had_rows = _read_rows(rows, columns, limit)
    except csv.Error:
        raise SheetError(
            f"Tệp CSV “{name}” bị lỗi định dạng (dấu ngoặc kép không khớp hoặc ô quá dài). "
            "Hãy mở bằng Excel rồi lưu lại."
        ) from None
    if sheet is None:
        raise _no_table(name) if not had_rows else columns.header_not_found(name)
    return sheet


def _decode(content: bytes) -> str | None:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16, else Windows-1258."""
    if content.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif utf16 := _utf16_encoding(content):
        encodings = [utf16]
    else:
        # Windows-1258 is what Excel's plain "CSV" writes on a Vietnamese Windows.
        encodings = ["utf-8", "cp1258"]
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _choose_delimiter(text: str, columns: _Columns) -> str:
    """The delimiter among ; , and tab under which the most expected headers show up.

    Offices with Vietnamese regional settings get ";" from Excel, since "," is their
    decimal mark; counting header matches settles it even when values contain both.
    """
    best, best_score = ",", 0
    for delimiter in (";", ",", "\t"):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            rows = list(itertools.islice(reader, HEADER_SEARCH_ROWS))
        except csv.Error:
            continue
        score = max((len(columns.matches(row)) for row in rows), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# Rows


class _Columns:
    """The headers the caller knows, and how a header row in the file maps onto them."""

    def __init__(self, expected: list[str], required: list[str] | None):
        required = list(expected if required is None else required)
        self.expected = list(dict.fromkeys([*expected, *required]))
        self.required = required
        self.by_key = {header_key(header): header for header in self.expected}
        self.threshold = max(1, math.ceil(len(self.expected) / 2))

    def matches(self, cells: Sequence[object]) -> set[str]:
        return {
            header_key(cell) for cell in cells if isinstance(cell, str) and cell.strip()
        } & self.by_key.keys()

    def find_header(self, rows: list[Sequence[object]]) -> int | None:
        for index, cells in enumerate(rows):
            if len(self.matches(cells)) >= self.threshold:
                return index
        return None

    def names(self, cells: Sequence[object], row_number: int) -> list[tuple[int, str]]:
        """(position, header) of each named column; a known header in the caller's spelling."""
        names: list[tuple[int, str]] = []
        seen: set[str] = set()
        for position, cell in enumerate(cells):
            if _is_blank(cell):
                continue
            text = _REQUIRED_MARK.sub("", nfc(str(cell)))
            header = self.by_key.get(header_key(text), text)
            if header in seen:
                if header in self.expected:
                    raise SheetError(
                        f"Cột “{header}” có hai lần trong dòng tiêu đề (dòng {row_number}). Hãy "
                        "xoá hoặc đổi tên một cột."
                    )
                header = next(
                    f"{text} ({n})" for n in itertools.count(2) if f"{text} ({n})" not in seen
                )
            seen.add(header)
            names.append((position, header))
        missing = [header for header in self.required if header not in seen]
        if missing:
            raise SheetError(
                f"Thiếu cột bắt buộc: {_quoted(missing)}. "
                f"Dòng tiêu đề (dòng {row_number}) có các cột: "
                f"{_quoted(header for _position, header in names)}."
            )
        return names

    def header_not_found(self, name: str) -> SheetError:
        return SheetError(
            f"Không tìm thấy dòng tiêu đề của bảng trong {HEADER_SEARCH_ROWS} dòng đầu "
            f"của tệp “{name}”. "
            f"Cần một dòng có ít nhất {self.threshold} trong các cột: {_quoted(self.expected)}."
        )


@dataclass
class _RowLimit:
    max_rows: int | None
    name: str
    kind: str | None

    def check(self, count: int) -> None:
        if self.max_rows is not None and count > self.max_rows:
            raise SheetError(
                (
                    "Tệp “{name}” có {count} dòng dữ liệu, nhiều hơn {max} dòng có thể nhập "
                    "trên trang web. Hãy nhờ quản trị nhập bằng lệnh: python manage.py "
                    "import_data {kind} “{name}”"
                ).format(
                    name=self.name,
                    count=vn_number(count),
                    max=vn_number(self.max_rows),
                    kind=self.kind or "KIND",
                )
            )

    def keeps(self, count: int) -> bool:
        return self.max_rows is None or count <= self.max_rows


def _read_rows(
    rows: Iterable[Sequence[object]], columns: _Columns, limit: _RowLimit
) -> tuple[Sheet | None, bool]:
    """The table under the header row, and whether the first rows held anything at all.

    Rows are consumed one by one; past `limit` they are only counted. Blank rows after the
    last non-blank one are not reported: Excel often keeps thousands of formatted empty rows.
    """
    rows = iter(rows)
    top = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    had_rows = any(not _is_blank_row(cells) for cells in top)
    index = columns.find_header(top)
    if index is None:
        return None, had_rows
    header_row = index + 1
    names = columns.names(top[index], header_row)
    skipped = [(number, "dòng tiêu đề") for number in range(1, header_row)]
    kept: list[SheetRow] = []
    count = 0
    blank_from = None  # the first of the blank rows just read, reported once a row follows
    body: Iterator[Sequence[object]] = itertools.chain(top[index + 1 :], rows)
    for number, cells in enumerate(body, start=header_row + 1):
        reason = _skip_reason(cells, number == header_row + 1, len(names))
        if reason == _BLANK:
            blank_from = number if blank_from is None else blank_from
            continue
        if blank_from is not None:
            skipped.extend((blank, "dòng trống") for blank in range(blank_from, number))
            blank_from = None
        if reason:
            skipped.append((number, reason))
            continue
        count += 1
        if limit.keeps(count):
            values = {header: _raw(cells, position) for position, header in names}
            kept.append(SheetRow(number=number, values=values))
    limit.check(count)
    sheet = Sheet(
        headers=[header for _position, header in names],
        rows=kept,
        skipped=skipped,
        header_row=header_row,
    )
    return sheet, True


_BLANK = "blank"


def _skip_reason(cells: Sequence[object], under_header: bool, named: int) -> str | None:
    filled = [cell for cell in cells if not _is_blank(cell)]
    if not filled:
        return _BLANK
    first = filled[0]
    if isinstance(first, str) and _TOTAL.match(name_key(first)):
        return "dòng tổng cộng"
    if under_header and _numbers_columns(filled, named):
        return "dòng đánh số cột"
    return None


def _numbers_columns(filled: list[object], named: int) -> bool:
    if len(filled) < max(3, named // 2):
        return False
    keys = [name_key(str(cell)) for cell in filled if not isinstance(cell, float)]
    if len(keys) < len(filled) or not all(_COLUMN_NUMBER.fullmatch(key) for key in keys):
        return False
    numbers = [int(key.strip("()")) for key in keys if key.strip("()").isdigit()]
    return numbers == sorted(set(numbers))


def _raw(cells: Sequence[object], position: int) -> object:
    if position >= len(cells):
        return None
    cell = unprotect(cells[position])
    return None if _is_blank(cell) else cell


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _is_blank_row(cells: Sequence[object]) -> bool:
    return all(_is_blank(cell) for cell in cells)


def header_key(header: object) -> str:
    """How headers are compared: NFC, case-folded, spaces collapsed, a trailing "*" ignored."""
    return name_key(_REQUIRED_MARK.sub("", nfc(str(header))))


def _quoted(headers: Iterable[str]) -> str:
    return ", ".join(f"“{header}”" for header in headers)

"""Uploaded spreadsheets: the table is found under its titles, and bad files get a clear refusal."""

import datetime
import io
import unicodedata
import zipfile

import pytest
from openpyxl import Workbook

from activities.imports.sheets import SheetError, SheetRow, read_sheet
from activities.imports.values import parse_date, parse_money
from tests.fixtures.build_xlsx_fixtures import ACTIVITY_HEADERS, HOUSING_HEADERS, build_all, main

HEADERS = ["Ngày", "Xã", "Số lượt cán bộ", "Ghi chú"]
REQUIRED = ["Ngày", "Xã"]
MB = 1024 * 1024


def xlsx(*rows, merge: str | None = None, sheets: dict | None = None) -> bytes:
    """A workbook whose first sheet holds `rows` (row 1 first); `sheets` adds named ones."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    if merge:
        sheet.merge_cells(merge)
    for title, more_rows in (sheets or {}).items():
        extra = workbook.create_sheet(title)
        for row in more_rows:
            extra.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data, filename="bao-cao.xlsx", **options):
    options.setdefault("expected_headers", HEADERS)
    if options["expected_headers"] is HEADERS:
        options.setdefault("required_headers", REQUIRED)
    return read_sheet(data, filename=filename, **options)


def refusal(data, filename="bao-cao.xlsx", **options) -> str:
    with pytest.raises(SheetError) as caught:
        read(data, filename, **options)
    return caught.value.message


def rebuilt(data: bytes, replace: dict[str, bytes] | None = None, add=None) -> bytes:
    """The same archive with some members replaced; `add(archive)` may write more."""
    replace = replace or {}
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        # The fastest level keeps building a 300 MB bomb under a second.
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for member in source.infolist():
            target.writestr(member.filename, replace.get(member.filename, source.read(member)))
        if add:
            add(target)
    return buffer.getvalue()


# The table under its titles


def test_a_report_with_merged_titles_blank_rows_and_a_total_keeps_the_file_row_numbers():
    data = xlsx(
        ["ĐẢNG CỘNG SẢN VIỆT NAM"],
        ["BÁO CÁO KẾT QUẢ “3 CÙNG” THÁNG 6/2024"],
        [],
        HEADERS,
        [datetime.date(2024, 6, 1), "Bình An", 12, None],
        [],
        [],
        ["08/06/2024", "Lăng Can", 15, "đổ bê tông"],
        [None, "Tổng cộng", "=SUM(C5:C8)", None],
        merge="A1:D1",
    )
    sheet = read(data)
    assert sheet.header_row == 4
    assert sheet.headers == HEADERS
    assert [row.number for row in sheet.rows] == [5, 8]
    assert sheet.rows[0].values == {
        "Ngày": datetime.datetime(2024, 6, 1),
        "Xã": "Bình An",
        "Số lượt cán bộ": 12,
        "Ghi chú": None,
    }
    assert sheet.rows[1].values["Ngày"] == "08/06/2024"
    assert sheet.skipped == [
        (1, "dòng tiêu đề"),
        (2, "dòng tiêu đề"),
        (3, "dòng tiêu đề"),
        (6, "dòng trống"),
        (7, "dòng trống"),
        (9, "dòng tổng cộng"),
    ]


def test_blank_rows_after_the_table_are_not_reported():
    sheet = read(xlsx(HEADERS, ["01/06/2024", "Bình An"], [], ["02/06/2024", "Bình An"], [], []))
    assert [row.number for row in sheet.rows] == [2, 4]
    assert sheet.skipped == [(3, "dòng trống")]


def test_excel_date_cells_and_typed_dates_read_to_the_same_kind_of_date():
    sheet = read(xlsx(HEADERS, [datetime.date(2024, 6, 5), "Bình An"], ["05/06/2024", "Bình An"]))
    dates = [parse_date(row.values["Ngày"]) for row in sheet.rows]
    assert dates == [datetime.date(2024, 6, 5), datetime.date(2024, 6, 5)]


def test_headers_match_ignoring_case_spacing_nfd_line_breaks_and_a_required_star():
    header_row = [
        " ngày * ",
        unicodedata.normalize("NFD", "XÃ"),
        "Số lượt\ncán   bộ",
        "GHI CHÚ",
    ]
    sheet = read(xlsx(header_row, ["01/06/2024", "Bình An", 3, ""]))
    assert sheet.headers == HEADERS
    assert sheet.rows == [
        SheetRow(
            number=2,
            values={"Ngày": "01/06/2024", "Xã": "Bình An", "Số lượt cán bộ": 3, "Ghi chú": None},
        )
    ]


def test_unknown_columns_are_kept_for_the_caller_to_judge():
    sheet = read(xlsx(["STT", *HEADERS, "Người lập"], [1, "01/06/2024", "Bình An", 3, "", "Lan"]))
    assert sheet.headers == ["STT", *HEADERS, "Người lập"]
    assert sheet.rows[0].values["STT"] == 1
    assert sheet.rows[0].values["Người lập"] == "Lan"


def test_a_column_without_a_header_is_left_out():
    sheet = read(xlsx(["Ngày", None, "Xã", "Số lượt cán bộ"], ["01/06/2024", "x", "Bình An", 3]))
    assert sheet.headers == ["Ngày", "Xã", "Số lượt cán bộ"]
    assert sheet.rows[0].values == {"Ngày": "01/06/2024", "Xã": "Bình An", "Số lượt cán bộ": 3}


def test_a_short_row_has_none_for_its_missing_cells():
    sheet = read(xlsx(HEADERS, ["01/06/2024"]))
    assert sheet.rows[0].values == {
        "Ngày": "01/06/2024",
        "Xã": None,
        "Số lượt cán bộ": None,
        "Ghi chú": None,
    }


def test_the_header_row_needs_half_of_the_expected_headers():
    # Row 1 names one of four columns (a title that happens to say "Ghi chú"); row 2 names two.
    sheet = read(xlsx(["Ghi chú"], ["Ngày", "Xã", "Khác"], ["01/06/2024", "Bình An", "x"]))
    assert sheet.header_row == 2
    assert sheet.skipped == [(1, "dòng tiêu đề")]


@pytest.mark.parametrize(
    "label",
    [
        "Tổng cộng",
        "TỔNG CỘNG:",
        unicodedata.normalize("NFD", "Tổng cộng"),
        "Tổng",
        "Tổng:",
        "Tổng (2 xã)",
        "Tổng số",
        "Tổng các xã",
        "Cộng",
        "Cộng:",
        "Cộng tháng 6",
    ],
)
def test_total_rows_are_skipped(label):
    sheet = read(xlsx(HEADERS, ["01/06/2024", "Bình An", 3], [None, label, None, None]))
    assert [row.number for row in sheet.rows] == [2]
    assert sheet.skipped == [(3, "dòng tổng cộng")]


@pytest.mark.parametrize("label", ["Tổng vệ sinh thôn bản", "Cộng đồng góp công", "Tổng Pẻo"])
def test_a_row_that_merely_starts_with_tong_or_cong_is_data(label):
    sheet = read(xlsx(["Ghi chú", "Ngày", "Xã"], [label, "01/06/2024", "Bình An"]))
    assert [row.number for row in sheet.rows] == [2]


def test_the_column_numbering_row_under_the_header_is_skipped():
    data = xlsx(HEADERS, ["(1)", "(2)", "(3)", "(4)"], ["01/06/2024", "Bình An", 3])
    sheet = read(data)
    assert [row.number for row in sheet.rows] == [3]
    assert sheet.skipped == [(2, "dòng đánh số cột")]


def test_a_cover_sheet_before_the_table_is_passed_over():
    data = xlsx(
        ["Hướng dẫn: điền mỗi hoạt động một dòng."],
        sheets={"Số liệu": [HEADERS, ["01/06/2024", "Bình An", 3]]},
    )
    sheet = read(data)
    assert sheet.sheet_name == "Số liệu"
    assert [row.number for row in sheet.rows] == [2]


def test_the_content_decides_the_format_whatever_the_name():
    data = xlsx(HEADERS, ["01/06/2024", "Bình An", 3])
    assert read(data, filename="tệp tải lên").rows[0].values["Xã"] == "Bình An"
    assert read(data, filename="bao-cao.csv").rows[0].values["Xã"] == "Bình An"


def test_a_file_object_is_read_from_its_start():
    stream = io.BytesIO(xlsx(HEADERS, ["01/06/2024", "Bình An", 3]))
    stream.read(10)
    assert read(stream).rows[0].values["Xã"] == "Bình An"


def test_the_example_files_read_as_their_layout_says(tmp_path):
    files = build_all(tmp_path)

    report = read(
        files["bao-cao-3-cung-thang-6-2024.xlsx"].read_bytes(),
        expected_headers=ACTIVITY_HEADERS,
        required_headers=["Ngày", "Xã"],
    )
    assert report.header_row == 6
    assert report.headers == ACTIVITY_HEADERS
    assert [row.number for row in report.rows] == [8, 9, 11]
    assert report.skipped == [
        (1, "dòng tiêu đề"),
        (2, "dòng tiêu đề"),
        (3, "dòng tiêu đề"),
        (4, "dòng tiêu đề"),
        (5, "dòng tiêu đề"),
        (7, "dòng đánh số cột"),
        (10, "dòng trống"),
        (12, "dòng tổng cộng"),
    ]
    assert [parse_date(row.values["Ngày"]) for row in report.rows] == [
        datetime.date(2024, 6, 1),
        datetime.date(2024, 6, 8),
        datetime.date(2024, 6, 15),
    ]
    assert [parse_money(row.values["Kinh phí (đồng)"]) for row in report.rows] == [
        25_000_000,
        2_500_000,
        12_500_000,
    ]

    with files["danh-sach-ho-ho-tro-nha-o-2024.xlsx"].open("rb") as upload:
        cases = read(upload, expected_headers=HOUSING_HEADERS)
    assert cases.sheet_name == "Danh sách"
    assert [row.number for row in cases.rows] == [3, 4]
    assert cases.rows[0].values["Họ và tên chủ hộ"] == "Ma Thị Sinh"
    assert parse_money(cases.rows[0].values["Số tiền hỗ trợ"]) == 25_000_000


def test_the_fixture_script_writes_its_examples_into_the_given_folder(tmp_path, capsys):
    assert main([str(tmp_path / "vi-du")]) == 0
    written = sorted(path.name for path in (tmp_path / "vi-du").iterdir())
    assert written == ["bao-cao-3-cung-thang-6-2024.xlsx", "danh-sach-ho-ho-tro-nha-o-2024.xlsx"]
    assert all(
        path.read_bytes().startswith(b"PK\x03\x04") for path in (tmp_path / "vi-du").iterdir()
    )


# Headers that are wrong


def test_a_missing_required_column_is_named():
    message = refusal(
        xlsx(["Ngày", "Ghi chú", "Số lượt cán bộ"], ["01/06/2024", "", 3]),
        required_headers=["Ngày", "Xã"],
    )
    assert message.startswith("Thiếu cột bắt buộc: “Xã”.")
    assert "dòng 1" in message


def test_without_required_headers_every_expected_header_is_required():
    data = xlsx(["Ngày", "Xã", "Số lượt cán bộ"], ["01/06/2024", "Bình An", 3])
    message = refusal(data, required_headers=None)
    assert message.startswith("Thiếu cột bắt buộc: “Ghi chú”.")


def test_a_missing_optional_column_is_fine():
    sheet = read(
        xlsx(["Ngày", "Xã", "Số lượt cán bộ"], ["01/06/2024", "Bình An", 3]),
        required_headers=["Ngày", "Xã"],
    )
    assert sheet.headers == ["Ngày", "Xã", "Số lượt cán bộ"]
    assert "Ghi chú" not in sheet.rows[0].values


def test_a_sheet_without_a_header_row_lists_the_expected_columns():
    message = refusal(xlsx(["Họ tên", "Địa chỉ"], ["Lan", "Bình An"]))
    assert "Không tìm thấy dòng tiêu đề" in message
    assert "“Ngày”, “Xã”, “Số lượt cán bộ”, “Ghi chú”" in message


def test_a_header_row_below_the_first_30_rows_is_not_looked_for():
    rows = [[f"Ghi chú dòng {n}"] for n in range(1, 31)]
    assert "Không tìm thấy dòng tiêu đề" in refusal(xlsx(*rows, HEADERS, ["01/06/2024", "Bình An"]))


def test_a_known_column_twice_is_refused():
    message = refusal(xlsx(["Ngày", "Xã", "Ngày"], ["01/06/2024", "Bình An", "02/06/2024"]))
    assert "Cột “Ngày” có hai lần" in message


def test_an_unknown_column_twice_gets_a_number():
    sheet = read(xlsx([*HEADERS, "Ảnh", "Ảnh"], ["01/06/2024", "Bình An", 3, "", "a.jpg", "b.jpg"]))
    assert sheet.headers == [*HEADERS, "Ảnh", "Ảnh (2)"]
    assert sheet.rows[0].values["Ảnh (2)"] == "b.jpg"


def test_an_empty_workbook_says_it_is_empty():
    assert "không có dữ liệu" in refusal(xlsx())


# Too many rows


def test_too_many_rows_for_the_web_page_points_to_the_command_with_the_count():
    rows = [[f"{day:02d}/06/2024", "Bình An", day] for day in range(1, 13)]
    message = refusal(xlsx(HEADERS, *rows), max_rows=10, kind="activities")
    assert "có 12 dòng dữ liệu" in message
    assert "nhiều hơn 10 dòng" in message
    assert "python manage.py import_data activities “bao-cao.xlsx”" in message


def test_exactly_max_rows_is_accepted_and_skipped_rows_do_not_count():
    rows = [[f"{day:02d}/06/2024", "Bình An", day] for day in range(1, 11)]
    sheet = read(xlsx(HEADERS, *rows, [], [None, "Tổng cộng", 55]), max_rows=10)
    assert len(sheet.rows) == 10


# Files that are not what they claim, or unsafe


def test_a_file_over_the_size_limit_is_refused_before_reading():
    assert refusal(b"x" * (MB + 1), max_bytes=MB).startswith("Tệp lớn hơn 1 MB")
    assert refusal(b"x" * 11 * MB).startswith("Tệp lớn hơn 10 MB")


def test_an_upload_whose_declared_size_is_over_the_limit_is_not_read():
    class Upload(io.BytesIO):
        size = 11 * MB

        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("read before the size check")

    assert refusal(Upload(b"")).startswith("Tệp lớn hơn 10 MB")


def test_a_stream_is_read_no_further_than_one_byte_past_the_limit():
    stream = io.BytesIO(b"x" * 5000)
    assert refusal(stream, max_bytes=1000).startswith("Tệp lớn hơn")
    assert stream.tell() == 1001


@pytest.mark.parametrize("data", [b"", b"  \r\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(data):
    assert refusal(data) == "Tệp “bao-cao.xlsx” trống. Hãy chọn đúng tệp cần nhập."


def test_a_web_page_renamed_xlsx_is_refused_as_html():
    page = (
        b"<!DOCTYPE html>\n<html><body><table><tr><td>Ng\xc3\xa0y</td></tr></table></body></html>"
    )
    message = refusal(page)
    assert message.startswith(
        "Tệp “bao-cao.xlsx” không phải là tệp Excel .xlsx (có vẻ là trang HTML)"
    )
    assert "lưu lại" in message


def test_an_html_table_saved_as_xls_by_a_web_system_is_refused_as_html():
    message = refusal(b'<table border="1"><tr><td>Ng\xc3\xa0y</td></tr></table>', "xuat.xls")
    assert "có vẻ là trang HTML" in message


def test_a_web_page_under_another_name_is_refused_as_html_too():
    message = refusal(b"<html><body>Xin ch\xc3\xa0o</body></html>", "bao-cao.csv")
    assert "không phải là tệp Excel .xlsx hay CSV (có vẻ là trang HTML)" in message


def test_a_csv_renamed_xlsx_is_refused_as_csv():
    message = refusal("Ngày;Xã\n01/06/2024;Bình An\n".encode())
    assert message.startswith("Tệp “bao-cao.xlsx” không phải là tệp Excel .xlsx (có vẻ là tệp CSV)")
    assert ".csv" in message


def test_a_truncated_workbook_is_reported_damaged():
    data = xlsx(HEADERS, ["01/06/2024", "Bình An", 3])
    message = refusal(data[: len(data) // 2])
    assert message.startswith("Tệp Excel “bao-cao.xlsx” bị hỏng hoặc chưa tải lên hết")


def test_a_workbook_with_damaged_sheet_data_is_reported_damaged():
    data = bytearray(xlsx(HEADERS, *[["01/06/2024", f"Thôn {n}", n] for n in range(200)]))
    member = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    # Local header: 30 fixed bytes, then the name and the extra field, then the deflated data.
    start = member.header_offset + 30 + len(member.filename) + len(member.extra)
    for offset in range(start + 10, start + member.compress_size - 10, 7):
        data[offset] ^= 0xFF
    assert "bị hỏng" in refusal(bytes(data))


OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def test_a_password_protected_workbook_is_recognised_and_the_fix_is_given():
    data = OLE2_HEADER + "EncryptionInfo".encode("utf-16-le") + bytes(64)
    message = refusal(data)
    assert "được đặt mật khẩu" in message
    assert "không có mật khẩu" in message
    assert ".xlsx" in message


def test_an_old_xls_workbook_is_recognised_and_the_fix_is_given():
    message = refusal(OLE2_HEADER + "Workbook".encode("utf-16-le") + bytes(64), "cu.xls")
    assert "tệp Excel cũ (.xls" in message
    assert "Excel Workbook (.xlsx)" in message


def test_an_unknown_ole2_file_is_said_to_be_old_or_encrypted():
    message = refusal(OLE2_HEADER + bytes(64))
    assert ".xls" in message
    assert "mật khẩu" in message


def test_a_workbook_zipped_with_a_password_is_refused_as_encrypted():
    data = bytearray(xlsx(HEADERS))
    position = data.find(b"PK\x01\x02")
    while position != -1:
        data[position + 8] |= 0x1  # the "encrypted" flag of each central directory entry
        position = data.find(b"PK\x01\x02", position + 4)
    assert "được đặt mật khẩu" in refusal(bytes(data))


def test_a_word_document_is_not_taken_for_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert "có vẻ là tệp Word .docx" in refusal(buffer.getvalue())


def test_an_archive_unpacking_to_more_than_200_mb_is_refused_unopened():
    def zeros(archive: zipfile.ZipFile) -> None:
        with archive.open("xl/media/image1.bin", "w", force_zip64=True) as member:
            chunk = bytes(MB)
            for _ in range(300):
                member.write(chunk)

    data = rebuilt(xlsx(HEADERS), add=zeros)
    assert len(data) < 10 * MB
    message = refusal(data)
    assert "nội dung nén bất thường" in message
    assert "300 MB" in message


def test_a_member_compressed_more_than_100_to_1_is_refused_even_under_the_total_cap():
    def zeros(archive: zipfile.ZipFile) -> None:
        archive.writestr("xl/media/image1.bin", bytes(20 * MB), zipfile.ZIP_DEFLATED)

    assert "nội dung nén bất thường" in refusal(rebuilt(xlsx(HEADERS), add=zeros))


def test_xml_with_entity_declarations_is_refused():
    data = xlsx(HEADERS, ["01/06/2024", "Bình An", 3])
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    laughs = b'<!DOCTYPE worksheet [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    poisoned = sheet_xml.replace(b"<worksheet", laughs + b"<worksheet", 1)
    assert poisoned != sheet_xml
    message = refusal(rebuilt(data, replace={"xl/worksheets/sheet1.xml": poisoned}))
    assert message.startswith("Tệp “bao-cao.xlsx” chứa khai báo XML (DOCTYPE)")


def test_a_doctype_hidden_after_a_comment_is_still_found():
    sneaky = b'<?xml version="1.0"?><!-- <x> --><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><workbook/>'
    data = rebuilt(xlsx(HEADERS), replace={"xl/workbook.xml": sneaky})
    assert "DOCTYPE" in refusal(data)


# CSV


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def cp1258(text: str) -> bytes:
    """Text as Excel writes it on a Vietnamese Windows: "ộ" is "ô" then a combining dot below."""
    encoded = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            encoded += char.encode("cp1258")
        except UnicodeEncodeError:
            letters = unicodedata.normalize("NFD", char)
            shape = "".join(mark for mark in letters if mark not in TONE_MARKS)
            tones = "".join(mark for mark in letters if mark in TONE_MARKS)
            encoded += (unicodedata.normalize("NFC", shape) + tones).encode("cp1258")
    return encoded


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),
        lambda text: text.encode("utf-16-le"),
        cp1258,
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16", "utf-16 without BOM", "windows-1258"],
)
def test_csv_is_decoded_from_utf8_with_or_without_bom_utf16_and_windows_1258(encode):
    text = "Ngày,Xã,Số lượt cán bộ\r\n01/06/2024,Bình An,12\r\n"
    sheet = read(encode(text), "bao-cao.csv")
    assert sheet.headers == ["Ngày", "Xã", "Số lượt cán bộ"]
    assert unicodedata.normalize("NFC", sheet.rows[0].values["Xã"]) == "Bình An"
    assert sheet.rows[0].values["Số lượt cán bộ"] == "12"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_csv_delimiter_is_found_among_comma_semicolon_and_tab(delimiter):
    lines = [["Ngày", "Xã", "Số lượt cán bộ"], ["01/06/2024", "Bình An", "1.780"]]
    text = "\n".join(delimiter.join(cells) for cells in lines)
    sheet = read(text.encode(), "bao-cao.csv")
    assert sheet.rows[0].values == {
        "Ngày": "01/06/2024",
        "Xã": "Bình An",
        "Số lượt cán bộ": "1.780",
    }


def test_a_semicolon_csv_with_comma_decimals_keeps_the_decimals():
    text = "Ngày;Xã;Ghi chú;Số lượt cán bộ\n01/06/2024;Bình An;327,65 m, 2 cầu;12\n"
    sheet = read(text.encode(), "bao-cao.csv")
    assert sheet.rows[0].values["Ghi chú"] == "327,65 m, 2 cầu"


def test_csv_rows_are_numbered_by_record_as_excel_shows_them():
    text = (
        'BÁO CÁO THÁNG 6\n\nNgày,Xã,Ghi chú\n01/06/2024,Bình An,"hai\ndòng"\n,,\n'
        "02/06/2024,Lăng Can,\nTổng cộng,,\n"
    )
    sheet = read(text.encode(), "bao-cao.csv")
    assert sheet.header_row == 3
    assert [row.number for row in sheet.rows] == [4, 6]
    assert sheet.rows[0].values["Ghi chú"] == "hai\ndòng"
    assert sheet.skipped == [
        (1, "dòng tiêu đề"),
        (2, "dòng tiêu đề"),
        (5, "dòng trống"),
        (7, "dòng tổng cộng"),
    ]


def test_a_binary_file_that_is_neither_workbook_nor_csv_is_refused():
    assert "không phải là tệp Excel .xlsx hay tệp CSV" in refusal(bytes(range(256)) * 4, "x.bin")


def test_a_pdf_is_refused_as_a_pdf():
    assert "có vẻ là tệp PDF" in refusal(b"%PDF-1.7\n...", "bao-cao.pdf")


def test_our_protective_apostrophe_is_taken_off_in_both_formats():
    book = xlsx(HEADERS, ["01/06/2024", "'-Bình An", 3, "''=1"])
    assert read(book).rows[0].values["Xã"] == "-Bình An"
    assert read(book).rows[0].values["Ghi chú"] == "'=1"
    text = "Ngày,Xã,Số lượt cán bộ,Ghi chú\n01/06/2024,'=Bình An,3,'bình thường\n"
    row = read(text.encode("utf-8"), "bao-cao.csv").rows[0]
    assert (row.values["Xã"], row.values["Ghi chú"]) == ("=Bình An", "'bình thường")

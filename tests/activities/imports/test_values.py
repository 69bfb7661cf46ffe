"""Cells read as offices write them: dates day first, 1.780, 327,65, 25 triệu, labels."""

import datetime
import unicodedata
from decimal import Decimal

import pytest

from activities.imports.values import (
    CellError,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_money,
    parse_text,
)

HOUSEHOLD_CATEGORIES = {
    "ho_ngheo": "Hộ nghèo",
    "can_ngheo": "Hộ cận nghèo",
    "co_cong": "Người có công",
}


def error_of(parser, value, **options) -> str:
    with pytest.raises(CellError) as caught:
        parser(value, **options)
    return str(caught.value)


# Text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("  Nà   Cóoc \n", "Nà Cóoc"),
        (unicodedata.normalize("NFD", "Bình An"), "Bình An"),
        (2290, "2290"),
        (2290.0, "2290"),
        (datetime.datetime(2024, 6, 5, 0, 0), "05/06/2024"),
    ],
)
def test_text_is_nfc_with_whitespace_collapsed(value, expected):
    assert parse_text(value) == expected


def test_text_from_an_nfd_file_is_stored_composed():
    assert parse_text(unicodedata.normalize("NFD", "Ma Thị Sinh")) == "Ma Th\u1ecb Sinh"


# Dates


@pytest.mark.parametrize(
    "value",
    [
        "05/06/2024",
        "5/6/2024",
        "05-06-2024",
        "05.06.2024",
        "05/06/24",
        " 05 / 06 / 2024 ",
        "2024-06-05",
        "05/06/2024 00:00",
        "2024-06-05 00:00:00",
        "ngày 05 tháng 6 năm 2024",
        datetime.date(2024, 6, 5),
        datetime.datetime(2024, 6, 5, 14, 30),
    ],
)
def test_dates_are_read_day_first_in_every_usual_spelling(value):
    assert parse_date(value) == datetime.date(2024, 6, 5)


@pytest.mark.parametrize("value", [45458, 45458.0, 45458.75, Decimal("45458")])
def test_an_excel_serial_number_is_a_date_in_the_1900_system(value):
    # 30/12/1899 + 45458 days; Excel shows 45458 as 15/06/2024.
    assert parse_date(value) == datetime.date(2024, 6, 15)


def test_a_month_first_date_is_refused_and_the_message_explains_the_order():
    message = error_of(parse_date, "06/13/2024")
    assert "“06/13/2024”" in message
    assert "không có tháng 13" in message
    assert "ngày/tháng/năm" in message


def test_a_day_that_does_not_exist_is_refused():
    assert error_of(parse_date, "31/02/2024") == (
        "“31/02/2024” không phải là ngày hợp lệ (ngày/tháng/năm, ví dụ 05/06/2024)."
    )


def test_29_february_exists_in_leap_years_only():
    assert parse_date("29/02/2024") == datetime.date(2024, 2, 29)
    assert "không phải là ngày hợp lệ" in error_of(parse_date, "29/02/2023")


@pytest.mark.parametrize("value", ["hôm qua", "5/6", "2024", "05/06/2024/1", "45458"])
def test_text_that_is_not_a_date_is_refused_with_an_example(value):
    assert "ví dụ 05/06/2024" in error_of(parse_date, value)


@pytest.mark.parametrize("value", [1780, 5, -1, 10_000_000, float("nan")])
def test_a_number_far_from_any_plausible_date_is_refused(value):
    # 1780 lượt typed into the date column would otherwise be 14/11/1904.
    assert "không phải là ngày" in error_of(parse_date, value)


def test_a_year_outside_1900_to_2100_is_refused():
    assert "năm 1800" in error_of(parse_date, "01/01/1800")
    assert "năm 2200" in error_of(parse_date, "01/01/2200")


def test_a_time_of_day_alone_is_not_a_date():
    assert "không phải là ngày" in error_of(parse_date, datetime.time(8, 0))


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_date_cell_is_none(value):
    assert parse_date(value) is None


# Whole numbers


@pytest.mark.parametrize("value", [1780, 1780.0, "1780", "1.780", "1 780", " 1.780 ", "1\u00a0780"])
def test_whole_numbers_accept_dot_and_space_grouping(value):
    assert parse_int(value) == 1780


def test_a_float_that_is_whole_but_for_binary_noise_is_whole():
    assert parse_int(0.1 + 0.2 + 0.7) == 1


def test_a_comma_decimal_is_not_a_whole_number():
    message = error_of(parse_int, "1,5")
    assert "“1,5” không phải là số nguyên" in message


def test_an_english_thousands_comma_is_refused_rather_than_read_as_one():
    assert "không phải là số nguyên" in error_of(parse_int, "1,000")


def test_a_fractional_number_cell_is_not_a_whole_number():
    assert "“1,5” không phải là số nguyên" in error_of(parse_int, 1.5)


@pytest.mark.parametrize("value", ["12a", "1.78", "1.2.3", "một", True])
def test_text_that_is_not_a_number_is_refused(value):
    assert "không phải là số nguyên" in error_of(parse_int, value)


def test_negative_numbers_are_refused_by_default():
    assert error_of(parse_int, "-3") == "“-3”: không được là số âm."
    assert error_of(parse_int, -3) == "“-3”: không được là số âm."


def test_numbers_below_the_minimum_or_above_the_maximum_are_refused():
    assert error_of(parse_int, 5, minimum=10) == "“5” nhỏ hơn giá trị nhỏ nhất cho phép (10)."
    assert error_of(parse_int, "1.500", maximum=1000) == (
        "“1.500” lớn hơn giá trị lớn nhất cho phép (1.000)."
    )
    assert parse_int("-3", minimum=None) == -3


def test_an_empty_number_cell_is_none():
    assert parse_int(None) is None
    assert parse_int("  ") is None


# Decimals


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("327,65", Decimal("327.65")),
        ("1.234,5", Decimal("1234.50")),
        ("1 234,5", Decimal("1234.50")),
        (327.65, Decimal("327.65")),
        ("12", Decimal("12.00")),
        (12, Decimal("12.00")),
        (Decimal("0.5"), Decimal("0.50")),
    ],
)
def test_decimals_use_a_comma_and_dot_grouping(value, expected):
    assert parse_decimal(value) == expected


def test_decimals_carry_exactly_the_places_asked_for():
    assert str(parse_decimal("12")) == "12.00"
    assert str(parse_decimal("27,5", places=1)) == "27.5"


def test_extra_decimals_are_rounded_half_up():
    assert parse_decimal("0,125") == Decimal("0.13")
    assert parse_decimal("0,124") == Decimal("0.12")
    assert parse_decimal(2.675) == Decimal("2.68")  # the float's text, not its binary value


@pytest.mark.parametrize("value", ["1.2.3", "327.65", "12,5,1", "abc", "1,"])
def test_malformed_decimals_are_refused(value):
    assert "không phải là số" in error_of(parse_decimal, value)


def test_a_dot_used_as_decimal_mark_gets_a_hint_about_the_comma():
    assert "327,65" in error_of(parse_decimal, "327.65")


def test_negative_decimals_are_refused_unless_allowed():
    assert "không được là số âm" in error_of(parse_decimal, "-0,5")
    assert parse_decimal("-0,5", minimum=None) == Decimal("-0.50")


# Money


@pytest.mark.parametrize(
    "value",
    [
        25_000_000,
        25_000_000.0,
        "25000000",
        "25.000.000",
        "25.000.000 đ",
        "25.000.000đ",
        "25.000.000 đồng",
        "25.000.000 VNĐ",
        "25.000.000,00",
        "25 triệu",
        "25 triệu đồng",
        "25 TRIỆU ĐỒNG",
        unicodedata.normalize("NFD", "25 triệu đồng"),
        "25tr",
    ],
)
def test_twenty_five_million_dong_in_every_office_spelling(value):
    assert parse_money(value) == 25_000_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2,5 triệu", 2_500_000),
        ("1,2 tỷ", 1_200_000_000),
        ("1,2 tỉ", 1_200_000_000),
        ("1.259,5 triệu", 1_259_500_000),
        ("500 nghìn", 500_000),
        ("500 ngàn", 500_000),
        ("0", 0),
    ],
)
def test_money_in_trieu_ty_and_nghin(value, expected):
    assert parse_money(value) == expected


@pytest.mark.parametrize("value", ["-25.000", -25_000, "-2,5 triệu"])
def test_negative_money_is_refused(value):
    assert "số tiền không được âm" in error_of(parse_money, value)


@pytest.mark.parametrize("value", ["25,5", 25.5, "1,2345678 triệu"])
def test_fractions_of_a_dong_are_refused(value):
    assert "số đồng chẵn" in error_of(parse_money, value)


def test_an_english_thousands_comma_in_money_is_refused_rather_than_read_as_25_dong():
    assert "số đồng chẵn" in error_of(parse_money, "25,000")


@pytest.mark.parametrize(
    "value", ["abc", "triệu", "25 triệu 500", "25 đô", datetime.date(2024, 1, 1)]
)
def test_nonsense_money_is_refused_with_examples(value):
    assert "25 triệu" in error_of(parse_money, value)


def test_an_empty_money_cell_is_none():
    assert parse_money(None) is None
    assert parse_money("") is None


# Choices


@pytest.mark.parametrize(
    "value",
    ["Hộ nghèo", "HỘ NGHÈO", " hộ   nghèo ", unicodedata.normalize("NFD", "Hộ nghèo"), "ho_ngheo"],
)
def test_a_choice_matches_its_label_or_code_ignoring_case(value):
    assert parse_choice(value, HOUSEHOLD_CATEGORIES) == "ho_ngheo"


def test_an_unknown_choice_lists_the_accepted_labels():
    assert error_of(parse_choice, "Hộ giàu", choices=HOUSEHOLD_CATEGORIES) == (
        "“Hộ giàu” không có trong danh sách. Hãy chọn một trong: "
        "“Hộ nghèo”, “Hộ cận nghèo”, “Người có công”."
    )


def test_an_empty_choice_is_empty_text():
    assert parse_choice(None, HOUSEHOLD_CATEGORIES) == ""


def test_cell_errors_are_value_errors():
    assert issubclass(CellError, ValueError)


def test_text_cells_lose_invisible_control_and_direction_characters():
    from activities.imports.values import parse_long_text

    assert parse_text("Nà\u200b Cóoc\u202e\x01\ufffe\n") == "Nà Cóoc"
    assert parse_long_text("Dòng 1\u200b\r\nDòng\x0b2\u2066") == "Dòng 1\nDòng\n2"
    assert parse_long_text(12.0) == "12"

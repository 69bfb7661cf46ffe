"""Spreadsheet cells as district offices write them: 05/06/2024, 1.780, 327,65, 25 triệu.

Every parser takes a raw cell value (text, a number, a date, or None, as openpyxl or the CSV
reader hand it over) and returns the parsed value, or raises `CellError` with a Vietnamese
message that says what was expected. Empty cells give None ("" for text and choices): whether
a value is required is the caller's decision.
"""

from __future__ import annotations

import datetime
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from activities.text import clean_text, name_key, nfc, strip_unsafe

# Dates outside this span are typing mistakes in this project's data, not history.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
# A bare number in a date column is read as an Excel serial (1900 system) only within this
# span: an unformatted 1780 is a count in the wrong column, not 14/11/1904.
EARLIEST_SERIAL_DATE = datetime.date(1950, 1, 1)
# Serial 1 is 01/01/1900, but Excel counts a 29/02/1900 that never was, so from serial 61
# (01/03/1900) on, day 0 is 30/12/1899.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Binary floats from formulas (0.1 + 0.2) are whole numbers when this close to one.
_FLOAT_TOLERANCE = Decimal("0.000001")

_DMY = re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDS = re.compile(r"(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})")
# "15/06/2024 00:00" and "2024-06-15T00:00:00" come from exports of datetime columns.
_TIME = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")

# Dots group thousands, a comma starts the decimals, spaces may group thousands too.
_NUMBER = re.compile(
    r"(?P<sign>[-+−]?)\s*"
    r"(?P<whole>\d{1,3}(?:\.\d{3})+|\d{1,3}(?: \d{3})+|\d+)"
    r"(?:,(?P<fraction>\d+))?"
)
_MONEY = re.compile(
    r"(?P<number>.*?)\s*"
    r"(?P<unit>tỷ|tỉ|triệu|tr\.?|nghìn|ngàn)?\s*"
    r"(?P<currency>đồng|vnđ|vnd|đ|₫)?\.?"
)
_MONEY_UNITS = {
    "tỷ": 1_000_000_000,
    "tỉ": 1_000_000_000,
    "triệu": 1_000_000,
    "tr": 1_000_000,
    "tr.": 1_000_000,
    "nghìn": 1_000,
    "ngàn": 1_000,
}


# Text a spreadsheet program would run as a formula when opened. Exports write such text
# with a leading apostrophe (see activities/imports/admin.py); text that already starts with
# apostrophes before one of these gets one more, so that taking one off on import gives back
# exactly what was exported: "=1" ⇄ "'=1", "'=1" ⇄ "''=1", while "'abc" stays as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PROTECTED = re.compile("'*[" + re.escape("".join(FORMULA_STARTS)) + "]")


def needs_protection(text: str) -> bool:
    """Whether an export must write `text` with a protective apostrophe."""
    return _PROTECTED.match(text) is not None


def unprotect(value: object) -> object:
    """A cell as the file holds it, less what our exports add and what no text may hold.

    Text loses the characters that activities.text removes everywhere (without any other
    change yet: the column's parser decides about whitespace) and then the protective
    apostrophe of an export, if it has one.
    """
    if not isinstance(value, str):
        return value
    value = strip_unsafe(value)
    if value.startswith("'") and needs_protection(value[1:]):
        return value[1:]
    return value


class CellError(ValueError):
    """A cell that cannot be read; the message is for the person who typed it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_text(value: object) -> str:
    """The cell as single-line text: cleaned as activities.text.clean_text cleans every
    text (invisible, control and direction characters removed), NFC, whitespace collapsed,
    ends trimmed; "" when empty.

    Whole numbers lose Excel's ".0" (2290.0 → "2290") and dates read dd/mm/yyyy.
    """
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value))


def parse_long_text(value: object) -> str:
    """A multi-line cell (a description, notes): like `parse_text`, but its line breaks and
    tabs are kept; "" when empty."""
    if isinstance(value, str):
        return clean_text(value, multiline=True)
    return parse_text(value)


def parse_date(value: object) -> datetime.date | None:
    """A date read day first, whatever the cell holds.

    Accepts date cells, Excel serial numbers, "05/06/2024", "5/6/2024", "05-06-2024",
    "05.06.2024", "05/06/24" (→ 2024), "2024-06-05" and "ngày 5 tháng 6 năm 2024". A time of
    day after the date is ignored. Month-first dates are never guessed: "06/13/2024" is an
    error, not 13 June.
    """
    if _is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return _in_range(value.date(), value)
    if isinstance(value, datetime.date):
        return _in_range(value, value)
    if isinstance(value, (bool, datetime.time, datetime.timedelta)):
        raise CellError(f"“{_show(value)}” không phải là ngày.")
    if isinstance(value, (int, float, Decimal)):
        return _from_serial(value)
    text = nfc(str(value))
    key = text.casefold()
    if match := _DMY.fullmatch(_strip_time(key)):
        day, _sep, month, year = match.groups()
        year = int(year) + 2000 if len(year) == 2 else int(year)
        return _make_date(text, year, int(month), int(day))
    if match := _ISO.fullmatch(_strip_time(key)):
        year, month, day = (int(part) for part in match.groups())
        return _make_date(text, year, month, day)
    if match := _WORDS.fullmatch(key):
        day, month, year = (int(part) for part in match.groups())
        return _make_date(text, year, month, day)
    raise CellError(_invalid_date(text))


def parse_int(value: object, *, minimum: int | None = 0, maximum: int | None = None) -> int | None:
    """A whole number: 1780, 1780.0, "1780", "1.780", "1 780".

    "1,5" and 1.5 are refused (not whole), and so is "1,000": the comma is the decimal mark
    here, so it would mean 1, which is seldom what the writer meant.
    """
    if _is_empty(value):
        return None
    number = _whole_number(value)
    _check_bounds(value, number, minimum, maximum)
    return number


def parse_decimal(
    value: object, *, places: int = 2, minimum: Decimal | int | None = 0, maximum=None
) -> Decimal | None:
    """A decimal number with a comma decimal mark: "327,65", "1.234,5", 327.65, "12".

    Extra decimals are rounded half up to `places` ("0,125" → 0,13 with places=2). The
    result carries exactly `places` decimals (Decimal("12.00")).
    """
    if _is_empty(value):
        return None
    number = _decimal(value)
    try:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than Decimal's 28 of precision
        raise CellError(f"“{_show(value)}” là số quá lớn.") from None
    _check_bounds(value, number, minimum, maximum)
    return number


def parse_money(value: object) -> int | None:
    """An amount in whole đồng.

    Accepts 25000000, 25000000.0, "25.000.000", "25.000.000 đ", "25.000.000đ",
    "25.000.000 đồng", "25 triệu", "25 triệu đồng", "2,5 triệu", "1,2 tỷ" (or "tỉ"),
    "500 nghìn" (or "ngàn"). Negative amounts and fractions of a đồng are refused.
    """
    if _is_empty(value):
        return None
    if isinstance(value, str):
        amount = _money_text(value)
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        amount = Decimal(_whole(value, _decimal(value), _fraction_of_dong))
    else:
        raise CellError(_not_money(value))
    if amount < 0:
        raise CellError(f"“{_show(value)}”: số tiền không được âm.")
    return int(amount)


def parse_choice(value: object, choices: dict[str, str]) -> str:
    """The code of the choice whose label or code the cell names, ignoring case; "" if empty.

    With {"ho_ngheo": "Hộ nghèo"}, "Hộ nghèo", "HỘ NGHÈO" and "ho_ngheo" all give "ho_ngheo".
    """
    if _is_empty(value):
        return ""
    key = name_key(parse_text(value))
    for code, label in choices.items():
        if key in (name_key(str(code)), name_key(str(label))):
            return code
    labels = ", ".join(f"“{label}”" for label in choices.values())
    raise CellError(f"“{_show(value)}” không có trong danh sách. Hãy chọn một trong: {labels}.")


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _show(value: object) -> str:
    """The value as the message quotes it: text as typed, numbers the Vietnamese way."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return parse_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    number = Decimal(str(value))
    if number == number.to_integral_value():
        number = number.to_integral_value()
    return f"{number:,f}".translate(str.maketrans(",.", ".,"))


# Dates


def _strip_time(key: str) -> str:
    for pattern in (_DMY, _ISO):
        match = pattern.match(key)
        if match and _TIME.fullmatch(key[match.end() :]):
            return key[: match.end()]
    return key


def _invalid_date(text: str) -> str:
    return f"“{text}” không phải là ngày hợp lệ (ngày/tháng/năm, ví dụ 05/06/2024)."


def _make_date(text: str, year: int, month: int, day: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise CellError(
            f"“{text}” không phải là ngày hợp lệ: không có tháng {month}. Ngày được đọc "
            "theo thứ tự ngày/tháng/năm (ví dụ 05/06/2024 là ngày 5 tháng 6 năm 2024)."
        )
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise CellError(_invalid_date(text)) from None
    return _in_range(date, text)


def _in_range(date: datetime.date, shown: object) -> datetime.date:
    if not EARLIEST_DATE <= date <= LATEST_DATE:
        raise CellError(
            f"“{parse_text(shown)}”: năm {date.year} nằm ngoài khoảng cho phép "
            f"({EARLIEST_DATE.year}–{LATEST_DATE.year})."
        )
    return date


def _from_serial(value: int | float | Decimal) -> datetime.date:
    """An Excel serial day number (1900 system); a fraction is the time of day, dropped."""
    first = (EARLIEST_SERIAL_DATE - _EXCEL_EPOCH).days
    last = (LATEST_DATE - _EXCEL_EPOCH).days
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or not first <= number < last + 1:
        raise CellError(
            f"Số {_show(value)} không phải là ngày. Hãy nhập ngày theo dạng ngày/tháng/năm, "
            "ví dụ 05/06/2024."
        )
    return _EXCEL_EPOCH + datetime.timedelta(days=int(number))


# Numbers


def _decimal(value: object) -> Decimal:
    """Any number cell or Vietnamese number text as an exact Decimal."""
    if isinstance(value, bool):
        raise CellError(_not_a_number(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(_not_a_number(value))
        # str() gives the shortest text that reads back as the same float: 327.65, not
        # 327.64999999999997726...
        return Decimal(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CellError(_not_a_number(value))
        return value
    if not isinstance(value, str):
        raise CellError(_not_a_number(value))
    number, _fraction = _decimal_text(value)
    return number


def _decimal_text(text: str, message=None) -> tuple[Decimal, str]:
    """The number that Vietnamese text writes, and its digits after the comma."""
    text = nfc(text)
    match = _NUMBER.fullmatch(text)
    if not match:
        raise CellError((message or _not_a_number)(text))
    whole = match["whole"].replace(".", "").replace(" ", "")
    fraction = match["fraction"] or ""
    number = Decimal(f"{whole}.{fraction}" if fraction else whole)
    return (-number if match["sign"] in ("-", "−") else number), fraction


def _not_a_number(value: object) -> str:
    text = _show(value)
    if isinstance(value, str) and "." in text:
        return (
            f"“{text}” không phải là số hợp lệ: dấu chấm chỉ dùng để phân nhóm hàng nghìn "
            "(1.780), phần thập phân viết sau dấu phẩy (327,65)."
        )
    return f"“{text}” không phải là số (ví dụ 1.780 hoặc 327,65)."


def _not_an_integer(value: object) -> str:
    return f"“{_show(value)}” không phải là số nguyên (ví dụ 1780 hoặc 1.780)."


def _not_whole(value: object) -> str:
    return (
        f"“{_show(value)}” không phải là số nguyên: cần một số không có phần thập phân. "
        "Dấu phẩy là dấu thập phân; hàng nghìn phân nhóm bằng dấu chấm (ví dụ 1.780)."
    )


def _whole_number(value: object) -> int:
    if isinstance(value, str):
        number, fraction = _decimal_text(value, _not_an_integer)
        if fraction:
            # Even "1,000" is refused: it would be 1, while its writer likely meant 1000.
            raise CellError(_not_whole(value))
        return int(number)
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise CellError(_not_an_integer(value))
    return _whole(value, _decimal(value), _not_whole)


def _whole(value: object, number: Decimal, message) -> int:
    """The number as an int; a float a hair from whole (0.1 + 0.2 style) counts as whole."""
    nearest = number.to_integral_value()
    tolerance = _FLOAT_TOLERANCE if isinstance(value, float) else Decimal(0)
    if abs(number - nearest) > tolerance:
        raise CellError(message(value))
    return int(nearest)


def _check_bounds(value: object, number, minimum, maximum) -> None:
    if minimum is not None and number < minimum:
        if minimum == 0:
            message = "“%(value)s”: không được là số âm."
        else:
            message = "“%(value)s” nhỏ hơn giá trị nhỏ nhất cho phép (%(minimum)s)."
        raise CellError(message % {"value": _show(value), "minimum": _show(minimum)})
    if maximum is not None and number > maximum:
        raise CellError(f"“{_show(value)}” lớn hơn giá trị lớn nhất cho phép ({_show(maximum)}).")


# Money


def _money_text(text: str) -> Decimal:
    key = nfc(text).casefold()
    match = _MONEY.fullmatch(key)
    if not match or not match["number"]:
        raise CellError(_not_money(text))
    number, fraction = _decimal_text(match["number"], lambda _number: _not_money(text))
    unit = match["unit"]
    if unit:
        amount = number * _MONEY_UNITS[unit]
        if amount != amount.to_integral_value():
            raise CellError(_fraction_of_dong(text))
        return amount
    # "25,000" reads as 25 đồng here, yet its writer meant 25 nghìn: refuse rather than guess.
    # A zero fraction of another length ("25.000.000,00", as CSV exports write) is harmless.
    if fraction and (len(fraction) == 3 or int(fraction)):
        raise CellError(_fraction_of_dong(text))
    return number


def _not_money(value: object) -> str:
    return (
        f"“{_show(value)}” không phải là số tiền (ví dụ 25.000.000, 25.000.000 đồng, 25 triệu, "
        "2,5 triệu, 1,2 tỷ)."
    )


def _fraction_of_dong(value: object) -> str:
    return (
        f"“{_show(value)}”: số tiền phải là số đồng chẵn, không có phần lẻ. Dấu phẩy là dấu thập "
        "phân; hàng nghìn phân nhóm bằng dấu chấm (ví dụ 25.000.000)."
    )

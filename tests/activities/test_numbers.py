"""Numbers written the Vietnamese way: the dot groups thousands, the comma is decimal."""

from decimal import Decimal

import pytest

from activities.numbers import vn_million, vn_number


@pytest.mark.parametrize(
    ("value", "decimals", "written"),
    [
        (0, None, "0"),
        (7, None, "7"),
        (1780, None, "1.780"),
        (9340, None, "9.340"),
        (1259500000, None, "1.259.500.000"),
        (-1780, None, "-1.780"),
        (True, None, "1"),  # not an int to the fast path: through Decimal, still "1"
        (1780, 1, "1.780,0"),  # places asked for are kept
        (Decimal("327.65"), None, "327,65"),
        (Decimal("12.50"), None, "12,5"),
        (Decimal("1780.00"), None, "1.780"),
        (Decimal("-0.5"), None, "-0,5"),
        (None, None, "—"),
    ],
)
def test_numbers_group_thousands_with_a_dot_and_mark_decimals_with_a_comma(
    value, decimals, written
):
    assert vn_number(value, decimals) == written


def test_money_in_millions_keeps_one_decimal_only_when_there_is_one():
    assert vn_million(25_000_000) == "25"
    assert vn_million(1_259_500_000) == "1.259,5"

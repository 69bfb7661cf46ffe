"""Numbers the Vietnamese way whatever the active language: 1.780, 327,65, 25 triệu."""

from __future__ import annotations

from decimal import Decimal

# Python's separators swapped for Vietnamese ones: 1,780.5 → 1.780,5.
_VN_SEPARATORS = str.maketrans(",.", ".,")


def vn_number(value, decimals: int | None = None) -> str:
    """1780 → "1.780"; Decimal("327.65") → "327,65"; trailing zeros dropped unless asked."""
    if value is None:
        return "—"
    if type(value) is int and decimals is None:
        # The common case (a count in a report table), without the Decimal round trip.
        return f"{value:,}".replace(",", ".")
    number = Decimal(value)
    strip = decimals is None
    if strip:
        decimals = 0 if number == number.to_integral_value() else 2
    text = f"{number:,.{decimals}f}"
    if strip and decimals:
        text = text.rstrip("0")
    return text.translate(_VN_SEPARATORS)


def vn_million(amount: int | Decimal) -> str:
    """Whole đồng shown in triệu as reports do: 25.000.000 → "25", 1.259.500.000 → "1.259,5"."""
    millions = Decimal(amount) / 1_000_000
    return vn_number(millions, 0 if millions == millions.to_integral_value() else 1)

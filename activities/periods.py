"""Report periods: a month, a quarter, six months, a year, a custom range, since the start."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

# Hướng dẫn số 02 ngày 10/9/2021 of the province's Ban Dân vận: the movement's start.
PROGRAMME_START = datetime.date(2021, 9, 10)

# On 01/07/2025 the district level was abolished and the 10 communes merged into 4
# (Nghị quyết 202/2025/QH15 and the commune mergers took effect that day).
MERGER_DATE = datetime.date(2025, 7, 1)

# Reports cover the programme's years: none before it started, and one year ahead at the
# most (a plan for next year). Beyond that a period is only a hostile or mistyped URL, and
# one from year 1 or to 9999 overflowed the date arithmetic or built a page of many MB.
FIRST_YEAR = PROGRAMME_START.year
YEARS_AHEAD = 1

# The years a record may carry at all (inclusive bounds): a month report's or a funding
# entry's year, and the month pages' URLs. Wider than report_years() on purpose: the
# database check constraints were written with these bounds, and changing them would need a
# migration; the month page for an old year shows an empty month rather than a 404.
RECORD_YEARS = (2000, 2100)

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# The weekend, when the monthly "3 cùng" rule expects an outing: Saturday and Sunday, as
# `date.weekday()` numbers them (Monday = 0). Every other spelling is derived from this one.
WEEKEND_WEEKDAYS = (5, 6)
# The same days as Django's `__week_day` lookup numbers them (Sunday = 1 … Saturday = 7).
WEEKEND_WEEK_DAYS = tuple(sorted((day + 1) % 7 + 1 for day in WEEKEND_WEEKDAYS))
# ... as PostgreSQL's EXTRACT(ISODOW) (Monday = 1 … Sunday = 7) and SQLite's strftime('%w')
# (Sunday = 0 … Saturday = 6), for the summary triggers and the benchmark's raw SQL.
WEEKEND_ISODOWS = tuple(sorted(day + 1 for day in WEEKEND_WEEKDAYS))
WEEKEND_SQLITE_DOWS = tuple(sorted((day + 1) % 7 for day in WEEKEND_WEEKDAYS))


def is_weekend(day: datetime.date) -> bool:
    return day.weekday() in WEEKEND_WEEKDAYS


def weekend_sql(*, vendor: str, column: str) -> str:
    """A SQL condition true when the date `column` falls on the weekend, for `vendor`."""
    if vendor == "postgresql":
        return f"EXTRACT(ISODOW FROM {column}) IN ({', '.join(map(str, WEEKEND_ISODOWS))})"
    days = ", ".join(f"'{day}'" for day in WEEKEND_SQLITE_DOWS)
    return f"strftime('%w', {column}) IN ({days})"


def report_years(today: datetime.date) -> range:
    """The years a report period may touch, seen from `today`."""
    return range(FIRST_YEAR, today.year + YEARS_AHEAD + 1)


def report_years_text(today: datetime.date) -> str:
    years = report_years(today)
    return f"{years[0]}–{years[-1]}"


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    label: str

    @property
    def months(self) -> list[datetime.date]:
        """First days of the months the period touches."""
        result, day = [], self.start.replace(day=1)
        while day <= self.end:
            result.append(day)
            day = next_month(day)
        return result

    def full_months(self) -> tuple[datetime.date, datetime.date] | None:
        """The first and last whole months inside the period, if any."""
        first = self.start if self.start.day == 1 else next_month(self.start.replace(day=1))
        last = month_start(self.end)
        if self.end != month_end(self.end):
            last = previous_month(last)
        return (first, last) if first <= last else None

    def edges(self) -> list[tuple[datetime.date, datetime.date]]:
        """The parts of the period outside its whole months (at most two)."""
        full = self.full_months()
        if full is None:
            return [(self.start, self.end)]
        result = []
        if self.start < full[0]:
            result.append((self.start, full[0] - datetime.timedelta(days=1)))
        if self.end > month_end(full[1]):
            result.append((next_month(full[1]), self.end))
        return result


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def month_period(year: int, month: int) -> Period:
    start = datetime.date(year, month, 1)
    return Period(start, month_end(start), f"Tháng {month:02d}/{year}")


def quarter_period(year: int, quarter: int) -> Period:
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = month_end(datetime.date(year, 3 * quarter, 1))
    return Period(start, end, f"Quý {ROMAN[quarter]}/{year}")


def half_year_period(year: int, half: int) -> Period:
    if half == 1:
        return Period(
            datetime.date(year, 1, 1), datetime.date(year, 6, 30), f"6 tháng đầu năm {year}"
        )
    return Period(
        datetime.date(year, 7, 1), datetime.date(year, 12, 31), f"6 tháng cuối năm {year}"
    )


def year_period(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"Năm {year}")


def range_period(start: datetime.date, end: datetime.date) -> Period:
    return Period(start, end, f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}")


def since_start_period(today: datetime.date, last_activity: datetime.date | None) -> Period:
    """From the start of the movement to the latest activity recorded (today at the most)."""
    end = min(today, last_activity) if last_activity else today
    end = max(end, PROGRAMME_START)
    return Period(PROGRAMME_START, end, f"Từ {PROGRAMME_START:%d/%m/%Y} đến {end:%d/%m/%Y}")

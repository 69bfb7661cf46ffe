"""Reads for the staff pages: a unit's month, its activities and its state."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from activities.figures import WORK, Figure
from activities.models import (
    ON_WEEKEND,
    Activity,
    Assignment,
    Commune,
    MonthReport,
    PartyUnit,
    Village,
)
from activities.pagination import PAGE_SIZE
from activities.periods import is_weekend

NOT_REPORTED = "not_reported"
STATE_LABELS = {
    NOT_REPORTED: "Chưa báo cáo",
    MonthReport.State.SUBMITTED: "Đã báo cáo",
    MonthReport.State.NO_ACTIVITY: "Không có hoạt động",
}


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def last_weekend_day(today: datetime.date) -> datetime.date:
    """The most recent Saturday or Sunday, today included: the usual date of an outing."""
    day = today
    while not is_weekend(day):
        day -= datetime.timedelta(days=1)
    return day


def assigned_on_date() -> Exists:
    """An activity whose unit was assigned to its commune on its date."""
    return Exists(
        Assignment.objects.active_on(OuterRef("date")).filter(
            unit=OuterRef("unit"), commune=OuterRef("commune")
        )
    )


def month_write_state(
    *, editable: QuerySet[PartyUnit], unit: PartyUnit, year: int, month: int
) -> tuple[bool, bool]:
    """(the unit is among `editable`, it has an assignment in force in that month), in one
    query: a month report is made only for a month the unit is in charge of a commune."""
    assigned = Exists(
        Assignment.objects.overlapping(*month_bounds(year, month)).filter(unit=OuterRef("pk"))
    )
    found = editable.filter(pk=unit.pk).annotate(assigned=assigned).values_list("assigned").first()
    return (found is not None, bool(found and found[0]))


def month_activities(unit: PartyUnit, year: int, month: int) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(unit=unit)
        .in_period(*month_bounds(year, month))
        .select_related("commune", "activity_type")
        .prefetch_related("villages")
        .order_by("date", "id")
    )


def unit_communes(unit: PartyUnit) -> QuerySet[Commune]:
    """Every commune the unit has ever been assigned to (the form checks the date)."""
    return Commune.objects.filter(assignments__unit=unit).distinct().order_by("name")


def unit_villages(unit: PartyUnit) -> QuerySet[Village]:
    return (
        Village.objects.filter(commune__in=unit_communes(unit).values("pk"))
        .select_related("commune")
        .order_by("commune__name", "name")
    )


@dataclass
class MonthSummary:
    unit: PartyUnit
    year: int
    month: int
    report: MonthReport | None
    activities: Page  # one page of the month's activities, PAGE_SIZE at most
    activity_count: int
    # The month's total of each figure of the work done, by Figure.name (summary.cadres).
    totals: dict[str, object]
    rule_met: bool

    def __getattr__(self, name: str):
        totals = self.__dict__.get("totals", {})
        if name in totals:
            return totals[name]
        raise AttributeError(name)

    @property
    def figures(self) -> list[tuple[Figure, str]]:
        """(figure, its month total as written: 1.780; 12,5) for the month page."""
        return [(f, f.in_report(self.totals[f.name])) for f in WORK]

    @property
    def state(self) -> str:
        if self.report is None or not self.report.is_locked:
            return NOT_REPORTED
        return self.report.state

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def locked(self) -> bool:
        return self.state != NOT_REPORTED

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (counted already, with the month's totals)."""

    def __init__(self, object_list, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def month_summary(unit: PartyUnit, year: int, month: int, *, page=None) -> MonthSummary:
    """The month's totals and the `page`-th page of its activities (a bad page number gives
    the first page, one past the end the last)."""
    totals = _month_totals(unit, year, month)
    paginator = CountedPaginator(
        month_activities(unit, year, month), PAGE_SIZE, count=totals["count"]
    )
    return MonthSummary(
        unit=unit,
        year=year,
        month=month,
        report=MonthReport.objects.filter(unit=unit, year=year, month=month).first(),
        activities=paginator.get_page(page),
        activity_count=totals["count"],
        totals={f.name: totals[f.name] for f in WORK},
        rule_met=totals["weekend_assigned"] > 0,
    )


def _month_totals(unit: PartyUnit, year: int, month: int) -> dict:
    return (
        Activity.objects.filter(unit=unit)
        .in_period(*month_bounds(year, month))
        .alias(assigned=assigned_on_date())
        .aggregate(
            count=Count("id"),
            **{f.name: Sum(f.field, default=0) for f in WORK},
            weekend_assigned=Count("id", filter=ON_WEEKEND & Q(assigned=True)),
        )
    )

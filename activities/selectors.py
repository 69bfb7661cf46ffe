"""Reads for the staff pages: a unit's month, its activities and its state."""

from __future__ import annotations

import calendar
import datetime
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from activities.figures import WORK, Figure
from activities.models import (
    ON_WEEKEND,
    Activity,
    Assignment,
    Commune,
    MonthReport,
    PartyUnit,
    Village,
    VillageCommune,
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


def assigned_on_date() -> Q:
    """An activity (or a summary row) whose unit was in charge of its commune on its date:
    assigned to it, or the commune's own party committee with both valid that day."""
    assigned = Assignment.objects.active_on(OuterRef("date")).filter(
        unit=OuterRef("unit"), commune=OuterRef("commune")
    )
    own = PartyUnit.objects.in_own_commune_on(OuterRef("date")).filter(
        pk=OuterRef("unit"), commune=OuterRef("commune")
    )
    return Q(Exists(assigned)) | Q(Exists(own))


def month_write_state(
    *, editable: QuerySet[PartyUnit], unit: PartyUnit, year: int, month: int
) -> tuple[bool, bool]:
    """(the unit is among `editable`, it is in charge of a commune in that month: by an
    assignment or as the commune's own party committee), in one query: a month report is
    made only for a month the unit is in charge of a commune."""
    bounds = month_bounds(year, month)
    assigned = Exists(Assignment.objects.overlapping(*bounds).filter(unit=OuterRef("pk")))
    own = Exists(PartyUnit.objects.in_own_commune_during(*bounds).filter(pk=OuterRef("pk")))
    found = (
        editable.filter(pk=unit.pk)
        .annotate(assigned=assigned, own=own)
        .values_list("assigned", "own")
        .first()
    )
    return (found is not None, bool(found and any(found)))


def month_activities(unit: PartyUnit, year: int, month: int) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(unit=unit)
        .in_period(*month_bounds(year, month))
        .select_related("commune", "activity_type")
        .prefetch_related("villages")
        .order_by("date", "id")
    )


def unit_communes(unit: PartyUnit) -> QuerySet[Commune]:
    """Every commune the unit has ever been assigned to, and its own commune when it has
    one (the form checks the date)."""
    return (
        Commune.objects.filter(Q(assignments__unit=unit) | Q(pk=unit.commune_id))
        .distinct()
        .order_by("name", F("valid_from").asc(nulls_first=True))
    )


def unit_villages(unit: PartyUnit) -> QuerySet[Village]:
    """Every village that ever belonged to one of the unit's communes (the rules check the
    commune and the day), with its memberships for those checks."""
    members = VillageCommune.objects.filter(
        village=OuterRef("pk"), commune__in=unit_communes(unit).values("pk")
    )
    return (
        Village.objects.filter(Exists(members))
        .prefetch_related("memberships")
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class OfferedVillage:
    """A village the form offers under a commune, with the periods it belongs to it (its
    membership cut to its own validity): the page shows it only for a date in one of them."""

    village: Village
    periods: list[tuple[datetime.date | None, datetime.date | None]]
    # Another village of the same name is offered under the commune (the "Số 1" of the old
    # Bình An and of Thổ Bình, both in the new Bình An): the label says which it is.
    shares_name: bool = False

    @property
    def label(self) -> str:
        """ "Thôn Nà Cóoc", or "Thôn Số 1 (xã Thổ Bình)" with the commune it is recorded in
        (as the activity export writes it) where the name is shared."""
        if self.shares_name:
            return f"{self.village} ({self.village.commune.full_name})"
        return str(self.village)

    def on(self, day: datetime.date | None) -> bool:
        """In the commune on `day`; with no day (none typed yet, or unreadable), offered."""
        return day is None or any(
            (start is None or start <= day) and (end is None or day <= end)
            for start, end in self.periods
        )

    @property
    def periods_attr(self) -> str:
        """The periods for the page's script: "2021-01-01/2025-06-30 2025-07-01/"."""
        return " ".join(
            f"{start.isoformat() if start else ''}/{end.isoformat() if end else ''}"
            for start, end in self.periods
        )


def unit_village_groups(unit: PartyUnit) -> list[tuple[Commune, list[OfferedVillage]]]:
    """(commune, its villages) for each of the unit's communes, as the form offers them:
    every village that ever belonged to the commune, with the periods when it did, so that
    the page shows those of the date typed (`Village.objects.of_commune_on` is the same
    rule in SQL, which the rules apply on saving): a village carried over by the merger is
    under the new commune from 01/07/2025, and under the old one before."""
    communes = list(unit_communes(unit))
    memberships = (
        VillageCommune.objects.filter(commune__in=communes)
        .select_related("village__commune")
        .order_by("village__name", "village__pk", F("valid_from").asc(nulls_first=True))
    )
    offered: dict[int, dict[int, OfferedVillage]] = {c.pk: {} for c in communes}
    for membership in memberships:
        village = membership.village
        start = _later(membership.valid_from, village.valid_from)
        end = _earlier(membership.valid_to, village.valid_to)
        if start and end and start > end:
            continue
        entry = offered[membership.commune_id].setdefault(
            village.pk, OfferedVillage(village=village, periods=[])
        )
        entry.periods.append((start, end))
    return [(c, _in_order(offered[c.pk].values())) for c in communes if offered[c.pk]]


def _in_order(offered: Iterable[OfferedVillage]) -> list[OfferedVillage]:
    """By name, numbers as numbers ("Số 2" before "Số 10"), a shared name marked."""
    names = Counter(o.village.name_key for o in offered)
    return sorted(
        (replace(o, shares_name=True) if names[o.village.name_key] > 1 else o for o in offered),
        key=lambda o: (_natural(o.village.name_key), o.village.commune.name, o.village.pk),
    )


def _natural(key: str) -> list:
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", key)
    ]


def _later(a: datetime.date | None, b: datetime.date | None) -> datetime.date | None:
    return max(a, b) if a and b else a or b


def _earlier(a: datetime.date | None, b: datetime.date | None) -> datetime.date | None:
    return min(a, b) if a and b else a or b


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
        .aggregate(
            count=Count("id"),
            **{f.name: Sum(f.field, default=0) for f in WORK},
            weekend_assigned=Count("id", filter=ON_WEEKEND & assigned_on_date()),
        )
    )

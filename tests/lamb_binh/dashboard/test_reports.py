"""The report selectors, every figure of them, against a count by hand on generated data.

One seeded data set is built for the module through the ORM (row by row and in bulk), so the
summary-table triggers do their work as in production. The expected figures are plain
Python over the records the builder kept: never the selectors, never the summary tables.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from activities.models import (
    Activity,
    ActivityType,
    ActivityVillage,
    Assignment,
    Commune,
    MonthReport,
    PartyUnit,
    Village,
)
from activities.periods import PROGRAMME_START
from activities.services import communes_load
from housing.models import Funding, HousingCase, Programme
from lamb_binh.dashboard.housing import OVERDUE_SHOWN, housing_progress
from lamb_binh.dashboard.reports import (
    Scope,
    Totals,
    _report_months,
    commune_rows,
    headline,
    month_rows,
    output_rows,
    rule_matrix,
    type_rows,
    unit_rows,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 1, 15)
MERGER = D(2025, 7, 1)
FIRST_DAY = D(2024, 1, 1)
LAST_RANDOM_DAY = D(2025, 8, 26)
# The latest activity of the data set, a Wednesday: where "since the start" ends.
LAST_DAY = D(2025, 8, 27)
SEED = 3_2025


# --- What the test remembers ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Rec:
    """One activity as the builder made it."""

    pk: int
    unit: int
    commune: int
    date: datetime.date
    kind: int
    villages: frozenset[int]
    cadres: int
    people: int
    workdays: Decimal
    output: Decimal | None
    output_unit: str
    contributed: int
    mobilised: int


@dataclasses.dataclass(frozen=True)
class Place:
    """A commune with its validity period and the commune it merged into."""

    pk: int
    code: str
    name: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    successor: int | None


@dataclasses.dataclass(frozen=True)
class Case:
    """A housing case as the builder made it."""

    pk: int
    commune: int
    programme: str
    category: str
    work_kind: str
    status: str
    surveyed_on: datetime.date | None
    expected_completion: datetime.date | None
    units: frozenset[int]


@dataclasses.dataclass(frozen=True)
class World:
    ids: dict[str, int]  # symbolic name → primary key (communes, units, types)
    places: dict[int, Place]  # every commune in the database
    villages: dict[int, list[int]]  # commune → its villages
    units: dict[int, tuple[str, bool]]  # unit → (name, is active)
    assignments: list[tuple[int, int, datetime.date, datetime.date | None]]
    types: dict[int, tuple[int, str, str]]  # type → (order, name, default unit)
    reports: dict[tuple[int, int, int], str]  # (unit, year, month) → state
    records: list[Rec]
    cases: list[Case]
    funding: list[tuple[int, str, int, int]]  # (case, source, year, amount)


# --- Building the data set ------------------------------------------------------------

UNITS = [
    # (symbol, code, name, active)
    ("u1", "cb-1", "Chi bộ 1 Ban Dân vận huyện", True),
    ("u2", "cb-2", "Chi bộ 2 Văn phòng Huyện ủy", True),
    ("u3", "cb-3", "Chi bộ 3 Ủy ban Kiểm tra", True),
    ("u4", "cb-4", "Chi bộ 4 Ban Tổ chức", True),
    ("u5", "cb-5", "Chi bộ 5 Trạm Khuyến nông (đã giải thể)", False),
]
ASSIGNMENTS = [
    # (unit, commune, start, end): u2 holds two communes at once and leaves Thổ Bình in
    # mid-October; u3 starts only on 20/05/2024; u4 leaves Thượng Lâm on 15/03/2025.
    ("u1", "ba_old", D(2021, 9, 10), D(2025, 6, 30)),
    ("u1", "ba_new", D(2025, 7, 1), None),
    ("u2", "tb_old", D(2021, 9, 10), D(2024, 10, 15)),
    ("u2", "kh_old", D(2021, 9, 10), D(2025, 6, 30)),
    ("u2", "tl_new", D(2025, 7, 1), None),
    ("u3", "lc_old", D(2024, 5, 20), D(2025, 6, 30)),
    ("u4", "tl_old", D(2021, 9, 10), D(2025, 3, 15)),
    ("u4", "tb_old", D(2024, 10, 16), D(2025, 6, 30)),
    ("u4", "ba_new", D(2025, 7, 1), None),
    ("u5", "kh_old", D(2021, 9, 10), D(2024, 8, 31)),
]
VILLAGE_NAMES = ["Nà Cóoc", "Khuổi Củng", "Bản Khiển"]
OLD_COMMUNES = ["ba_old", "tb_old", "kh_old", "tl_old", "lc_old"]


def assigned_communes(world_assignments, unit: int, day: datetime.date) -> list[int]:
    return [
        commune
        for u, commune, start, end in world_assignments
        if u == unit and start <= day and (end is None or end >= day)
    ]


def draft(rng: random.Random, ids, villages, assignments, types, *, day=None, unit=None):
    """A plausible activity: mostly in an assigned commune, after the merger only there."""
    units = [ids[s] for s, *_ in UNITS]
    while True:
        who = unit or rng.choice(units)
        when = day or FIRST_DAY + datetime.timedelta(
            days=rng.randrange((LAST_RANDOM_DAY - FIRST_DAY).days + 1)
        )
        if day is None and rng.random() < 0.55:  # move to that week's Saturday or Sunday
            when += datetime.timedelta(days=5 - when.weekday() + rng.choice((0, 1)))
            if when > LAST_RANDOM_DAY:
                when -= datetime.timedelta(days=7)
        if who == ids["u5"] and when > D(2024, 8, 31):
            continue
        assigned = assigned_communes(assignments, who, when)
        if when >= MERGER:
            if not assigned:
                continue
            commune = rng.choice(assigned)
        elif assigned and rng.random() < 0.85:
            commune = rng.choice(assigned)
        else:
            commune = ids[rng.choice(OLD_COMMUNES)]
        break
    kind = rng.choice(sorted(types))
    default_unit = types[kind][2]
    output, output_unit = None, ""
    if default_unit and rng.random() < 0.75:
        output, output_unit = Decimal(rng.randint(1, 99_999)) / 100, default_unit
    elif default_unit and rng.random() < 0.3:
        output_unit = default_unit  # a unit of measure without a quantity is allowed
    return {
        "unit": who,
        "commune": commune,
        "date": when,
        "kind": kind,
        "villages": frozenset(rng.sample(villages[commune], rng.randint(1, 3))),
        "cadres": rng.randint(1, 40),
        "people": rng.randint(0, 250),
        "workdays": Decimal(rng.randint(0, 600)) / 10,
        "output": output,
        "output_unit": output_unit,
        "contributed": rng.choice((0, 500_000, 1_250_000, rng.randint(0, 9_000_000))),
        "mobilised": rng.choice((0, 0, 2_000_000, rng.randint(0, 30_000_000))),
    }


def _activity(values: dict) -> Activity:
    return Activity(
        unit_id=values["unit"],
        commune_id=values["commune"],
        date=values["date"],
        activity_type_id=values["kind"],
        description="Cùng làm với bà con",
        cadre_participations=values["cadres"],
        people_participations=values["people"],
        workdays=values["workdays"],
        output_quantity=values["output"],
        output_unit=values["output_unit"],
        money_contributed=values["contributed"],
        money_mobilised=values["mobilised"],
    )


def save_one_by_one(drafts: list[dict]) -> list[Rec]:
    records = []
    for values in drafts:
        activity = _activity(values)
        activity.save()
        activity.villages.set(values["villages"])
        records.append(Rec(pk=activity.pk, **values))
    return records


def save_in_bulk(drafts: list[dict]) -> list[Rec]:
    activities = Activity.objects.bulk_create([_activity(values) for values in drafts])
    ActivityVillage.objects.bulk_create(
        [
            ActivityVillage(activity=activity, village_id=village)
            for activity, values in zip(activities, drafts, strict=True)
            for village in sorted(values["villages"])
        ]
    )
    return [
        Rec(pk=activity.pk, **values) for activity, values in zip(activities, drafts, strict=True)
    ]


def build_world() -> World:
    rng = random.Random(SEED)
    communes_load(province="Tuyên Quang", district="Lâm Bình")
    ids: dict[str, int] = {}
    for symbol, code, new in [
        ("ba_old", "02290", False),
        ("tb_old", "02296", False),
        ("kh_old", "02251", False),
        ("tl_old", "02269", False),
        ("lc_old", "02266", False),
        ("ba_new", "02296", True),
        ("tl_new", "02269", True),
    ]:
        ids[symbol] = Commune.objects.get(code=code, valid_from__isnull=not new).pk
    places = {
        row["pk"]: Place(**row)
        for row in Commune.objects.values(
            "pk", "code", "name", "valid_from", "valid_to", "successor"
        )
    }
    assert places[ids["ba_old"]].successor == places[ids["tb_old"]].successor == ids["ba_new"]

    villages: dict[int, list[int]] = {}
    for symbol in [*OLD_COMMUNES, "ba_new", "tl_new"]:
        villages[ids[symbol]] = [
            Village.objects.create(commune_id=ids[symbol], name=name).pk for name in VILLAGE_NAMES
        ]
    units = {}
    for symbol, code, name, active in UNITS:
        unit = PartyUnit.objects.create(code=code, name=name, short_name=code, is_active=active)
        ids[symbol] = unit.pk
        units[unit.pk] = (name, active)
    assignments = []
    for unit, commune, start, end in ASSIGNMENTS:
        Assignment.objects.create(unit_id=ids[unit], commune_id=ids[commune], start=start, end=end)
        assignments.append((ids[unit], ids[commune], start, end))
    types = {t.pk: (t.order, t.name, t.default_unit) for t in ActivityType.objects.all()}
    ids.update({t.code: t.pk for t in ActivityType.objects.all()})

    def make(**fixed):
        return draft(rng, ids, villages, assignments, types, **fixed)

    # The days at the edges of the periods under test, then the rest at random.
    edges = [
        make(day=D(2024, 3, 14), unit=ids["u1"]),
        make(day=D(2024, 3, 15), unit=ids["u2"]),
        make(day=D(2024, 3, 16), unit=ids["u4"]),
        make(day=D(2024, 3, 31), unit=ids["u1"]),
        make(day=D(2024, 6, 1), unit=ids["u2"]),
        make(day=D(2024, 6, 30), unit=ids["u3"]),
        make(day=D(2025, 6, 30), unit=ids["u1"]),
        make(day=D(2025, 7, 1), unit=ids["u1"]),
        make(day=D(2025, 7, 10), unit=ids["u2"]),
        make(day=D(2025, 7, 11), unit=ids["u4"]),
        make(day=LAST_DAY, unit=ids["u2"]),
    ]
    edges[0] |= {
        "kind": ids["duong-thon-ban"],
        "output": Decimal("327.65"),
        "output_unit": "m",
        "workdays": Decimal("12.5"),
    }
    drafts = edges + [make() for _ in range(220)]
    records = save_one_by_one(drafts[:170]) + save_in_bulk(drafts[170:])

    reports = {}
    states = ["submitted", "submitted", "no_activity", "reopened", None, None]
    for unit in units:
        for year, month in [(y, m) for y in (2024, 2025) for m in range(1, 13)]:
            state = rng.choice(states)
            if state:
                reports[(unit, year, month)] = state
    MonthReport.objects.bulk_create(
        MonthReport(
            unit_id=unit,
            year=year,
            month=month,
            state=state,
            reopen_reason="Bổ sung hoạt động" if state == "reopened" else "",
        )
        for (unit, year, month), state in reports.items()
    )
    cases, funding = build_housing(ids, villages)
    return World(ids, places, villages, units, assignments, types, reports, records, cases, funding)


def housing_case(commune, village, programme, category, work_kind, status, **rest) -> dict:
    """One case of the data set; `rest` holds its step dates, units and funding."""
    return {
        "commune": commune,
        "village": village,
        "programme": programme,
        "category": category,
        "work_kind": work_kind,
        "status": status,
        "expected": rest.pop("expected", None),
        "units": rest.pop("units", []),
        "funding": rest.pop("funding", []),
        "dates": rest,
    }


HOUSING = [
    housing_case(
        "ba_old", 0, "de-an-tinh-2021-2025", "ho_ngheo", "xay_moi", "completed",
        surveyed_on=D(2024, 1, 15), approved_on=D(2024, 2, 1), started_on=D(2024, 3, 1),
        completed_on=D(2024, 6, 20), expected=D(2024, 6, 30), units=["u1"],
        funding=[("tinh", 2024, 25_000_000), ("ho_gia_dinh", 2024, 5_000_000)],
    ),
    housing_case(
        "tb_old", 1, "de-an-tinh-2021-2025", "can_ngheo", "sua_chua", "started",
        surveyed_on=D(2024, 3, 10), approved_on=D(2024, 4, 1), started_on=D(2024, 5, 1),
        expected=D(2024, 9, 30), units=["u2", "u4"],
        funding=[("trung_uong", 2024, 20_000_000), ("xa_hoi_hoa", 2025, 3_000_000)],
    ),
    housing_case(
        "kh_old", 2, "mtqg-giam-ngheo", "co_cong", "xay_moi", "handed_over",
        surveyed_on=D(2023, 11, 20), approved_on=D(2023, 12, 5), started_on=D(2024, 1, 10),
        completed_on=D(2024, 4, 30), handed_over_on=D(2024, 5, 15), expected=D(2024, 5, 1),
        units=["u2"], funding=[("tinh", 2023, 50_000_000), ("huyen", 2024, 5_000_000)],
    ),
    housing_case(
        "lc_old", 0, "de-an-tinh-2021-2025", "kho_khan", "xay_moi", "surveyed",
        surveyed_on=D(2025, 2, 1), expected=D(2025, 12, 31), units=["u3"],
    ),
    housing_case(
        "ba_new", 1, "phong-trao-2024-2025", "ho_ngheo", "xay_moi", "approved",
        surveyed_on=D(2025, 7, 15), approved_on=D(2025, 8, 1), expected=D(2026, 3, 31),
        units=["u1", "u4"], funding=[("trung_uong", 2025, 60_000_000)],
    ),
    # Not yet surveyed: no date at all, counted in every period.
    housing_case(
        "tl_old", 2, "mtqg-giam-ngheo", "khac", "sua_chua", "surveyed",
        funding=[("khac", 2024, 1_000_000)],
    ),
    housing_case(
        "tl_new", 0, "phong-trao-2024-2025", "ho_ngheo", "xay_moi", "completed",
        surveyed_on=D(2025, 7, 5), approved_on=D(2025, 7, 10), started_on=D(2025, 7, 20),
        completed_on=D(2025, 9, 30), expected=D(2025, 10, 31), units=["u2"],
        funding=[("huyen", 2025, 10_000_000), ("vay", 2025, 40_000_000)],
    ),
    housing_case(
        "ba_old", 2, "de-an-tinh-2021-2025", "can_ngheo", "sua_chua", "started",
        surveyed_on=D(2024, 8, 1), approved_on=D(2024, 8, 20), started_on=D(2024, 9, 5),
        expected=D(2025, 1, 31), units=["u1"],
        funding=[("xa", 2024, 2_000_000), ("ho_gia_dinh", 2025, 4_000_000)],
    ),
]  # fmt: skip


def build_housing(ids, villages) -> tuple[list[Case], list[tuple[int, str, int, int]]]:
    programmes = {p.code: p for p in Programme.objects.all()}
    cases, funding = [], []
    for n, row in enumerate(HOUSING):
        case = HousingCase.objects.create(
            household_head=f"Hộ số {n + 1}",
            village_id=villages[ids[row["commune"]]][row["village"]],
            programme=programmes[row["programme"]],
            category=row["category"],
            work_kind=row["work_kind"],
            status=row["status"],
            expected_completion=row["expected"],
            support_amount=25_000_000,
            **row["dates"],
        )
        case.helping_units.set([ids[u] for u in row["units"]])
        for source, year, amount in row["funding"]:
            Funding.objects.create(case=case, source=source, year=year, amount=amount)
            funding.append((case.pk, source, year, amount))
        cases.append(
            Case(
                pk=case.pk,
                commune=ids[row["commune"]],
                programme=programmes[row["programme"]].short_name,
                category=row["category"],
                work_kind=row["work_kind"],
                status=row["status"],
                surveyed_on=row["dates"].get("surveyed_on"),
                expected_completion=row["expected"],
                units=frozenset(ids[u] for u in row["units"]),
            )
        )
    return cases, funding


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The data set, built once; each test runs in a savepoint inside this transaction.

    Only safe because every test here carries the django_db mark: without one in the run,
    pytest-django sets up no test database and this would write to the real one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- Scopes ---------------------------------------------------------------------------

PERIODS = {
    "thang-06-2024": ("ky=thang&thang=2024-06", D(2024, 6, 1), D(2024, 6, 30)),
    "quy-II-2024": ("ky=quy&quy=2&nam=2024", D(2024, 4, 1), D(2024, 6, 30)),
    "tu-15-03-2024-den-10-07-2025": (
        "ky=tuy-chon&tu=15/03/2024&den=10/07/2025",
        D(2024, 3, 15),
        D(2025, 7, 10),
    ),
    "nam-2025": ("ky=nam&nam=2025", D(2025, 1, 1), D(2025, 12, 31)),
    "tu-dau": ("ky=tu-dau", PROGRAMME_START, LAST_DAY),
}
FILTERS = {
    "toan-huyen": {},
    "xa-binh-an-cu": {"xa": "ba_old"},
    "xa-binh-an-moi": {"xa": "ba_new"},
    "don-vi": {"don_vi": "u2"},
    "loai": {"loai": "duong-thon-ban"},
    "don-vi-loai-xa": {"don_vi": "u1", "loai": "cau-qua-suoi", "xa": "ba_new"},
    "gop-xa": {"gop_xa": "1"},
    "gop-xa-binh-an-moi": {"gop_xa": "1", "xa": "ba_new"},
    "gop-xa-binh-an-cu": {"gop_xa": "1", "xa": "ba_old"},
}
GRID = [(p, f) for p in PERIODS for f in FILTERS]
GRID_IDS = [f"{p}-{f}" for p, f in GRID]


@dataclasses.dataclass(frozen=True)
class Spec:
    """A scope as the test understands it."""

    query: str
    start: datetime.date
    end: datetime.date
    xa: int | None
    unit: int | None
    kind: int | None
    merged: bool


def spec_for(world: World, period: str, filters: str) -> Spec:
    query, start, end = PERIODS[period]
    chosen = FILTERS[filters]
    resolved = {k: ("1" if k == "gop_xa" else str(world.ids[v])) for k, v in chosen.items()}
    extra = "".join(f"&{k}={v}" for k, v in resolved.items())
    return Spec(
        query=query + extra,
        start=start,
        end=end,
        xa=world.ids[chosen["xa"]] if "xa" in chosen else None,
        unit=world.ids[chosen["don_vi"]] if "don_vi" in chosen else None,
        kind=world.ids[chosen["loai"]] if "loai" in chosen else None,
        merged="gop_xa" in chosen,
    )


def scope_of(spec: Spec) -> Scope:
    scope = Scope(QueryDict(spec.query), today=TODAY)
    assert scope.errors == []
    return scope


# --- The count by hand ----------------------------------------------------------------


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(D(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def last_of(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def in_area(world: World, spec: Spec, commune: int) -> bool:
    """The chosen commune, or a commune that merged into it."""
    return spec.xa is None or spec.xa in (commune, world.places[commune].successor)


def selected(world: World, spec: Spec) -> list[Rec]:
    return [
        r
        for r in world.records
        if spec.start <= r.date <= spec.end
        and in_area(world, spec, r.commune)
        and spec.unit in (None, r.unit)
        and spec.kind in (None, r.kind)
    ]


def commune_key(world: World, spec: Spec, commune: int) -> int:
    successor = world.places[commune].successor
    return successor if spec.merged and successor else commune


def figures(records: list[Rec]) -> tuple:
    """(activities, cadres, people, workdays, output, contributed, mobilised)."""
    return (
        len(records),
        sum(r.cadres for r in records),
        sum(r.people for r in records),
        sum((r.workdays for r in records), Decimal(0)),
        sum((r.output for r in records if r.output is not None), Decimal(0)),
        sum(r.contributed for r in records),
        sum(r.mobilised for r in records),
    )


def got(totals: Totals) -> tuple:
    return (
        totals.activities,
        totals.cadres,
        totals.people,
        totals.workdays,
        totals.output,
        totals.money_contributed,
        totals.money_mobilised,
    )


def distinct_villages(records: list[Rec]) -> int:
    return len(set().union(*(r.villages for r in records)))


def grouped(records: list[Rec], key) -> dict:
    groups = defaultdict(list)
    for r in records:
        groups[key(r)].append(r)
    return groups


def expected_communes(world: World, spec: Spec) -> set[int]:
    """The communes the report has a row for.

    Those valid on a day of the period that the programme covers then (an assignment to
    them overlaps the period: no commune here has a party committee of its own), or, with
    a chosen unit, that it is assigned to then, and those worked in; merged, the communes
    that hold them today; with a chosen commune, just that one (and, not merged, the
    communes that merged into it).
    """
    covered = {
        commune
        for unit, commune, start, end in world.assignments
        if start <= spec.end and (end is None or end >= spec.start) and spec.unit in (None, unit)
    }
    valid = [
        p.pk
        for p in world.places.values()
        if (p.valid_from is None or p.valid_from <= spec.end)
        and (p.valid_to is None or p.valid_to >= spec.start)
        and p.pk in covered
    ]
    # A commune worked in has its row though nobody (or not the chosen unit) was assigned.
    valid += [r.commune for r in selected(world, spec)]
    if spec.merged:
        keys = {commune_key(world, spec, pk) for pk in valid}
        if spec.xa:
            keys &= {commune_key(world, spec, spec.xa)}
        return keys
    return {pk for pk in valid if in_area(world, spec, pk)}


def expected_units(world: World, spec: Spec) -> list[int]:
    """The unit chosen, or those assigned to a commune of the area on a day of the period
    and those that worked in it; of these, the active ones and any with activities."""
    active = {r.unit for r in selected(world, spec)}
    in_charge = {
        unit
        for unit, commune, start, stop in world.assignments
        if in_area(world, spec, commune)
        and start <= spec.end
        and (stop is None or stop >= spec.start)
    }
    listed = {spec.unit} if spec.unit else in_charge | active
    return [
        pk
        for pk, (name, is_active) in sorted(world.units.items(), key=lambda u: u[1][0])
        if pk in listed and (is_active or pk in active)
    ]


def assigned_on(world: World, unit: int, commune: int, day: datetime.date) -> bool:
    return commune in assigned_communes(world.assignments, unit, day)


def expected_rule(world: World, spec: Spec) -> dict:
    months = [m for m in months_between(spec.start, spec.end) if m <= TODAY.replace(day=1)]
    units = [
        pk
        for pk, (name, active) in sorted(world.units.items(), key=lambda u: u[1][0])
        if active and spec.unit in (None, pk)
    ]

    def state(unit: int, month: datetime.date) -> str:
        end = last_of(month)
        if not any(
            u == unit
            and in_area(world, spec, c)
            and start <= end
            and (stop is None or stop >= month)
            for u, c, start, stop in world.assignments
        ):
            return "not_assigned"
        if any(
            r.unit == unit
            and month <= r.date <= end
            and r.date.weekday() in (5, 6)
            and in_area(world, spec, r.commune)
            and assigned_on(world, unit, r.commune, r.date)
            for r in world.records
        ):
            return "met"
        if world.reports.get((unit, month.year, month.month)) in ("submitted", "no_activity"):
            return "missed"
        return "not_reported"

    rows = [(unit, [state(unit, m) for m in months]) for unit in units]
    # A unit in charge of nothing in the whole period has no row.
    rows = [(unit, cells) for unit, cells in rows if set(cells) != {"not_assigned"}]
    return {
        "months": months,
        "rows": rows,
        "focus": months[-1] if months else None,
        "missed": [u for u, cells in rows if cells and cells[-1] == "missed"],
        "not_reported": [u for u, cells in rows if cells and cells[-1] == "not_reported"],
    }


# --- Checks, shared by the grid and by the tests that change the data ------------------


def check_headline(world: World, spec: Spec) -> None:
    records = selected(world, spec)
    top = headline(scope_of(spec))
    assert got(top.totals) == figures(records)
    assert top.villages_reached == top.totals.villages == distinct_villages(records)
    assert top.communes_reached == len({commune_key(world, spec, r.commune) for r in records})
    assert top.communes_total == len(expected_communes(world, spec))
    assert top.units_active == len({r.unit for r in records})
    assert top.last_activity == max((r.date for r in records), default=None)


def check_commune_rows(world: World, spec: Spec) -> None:
    records = grouped(selected(world, spec), lambda r: commune_key(world, spec, r.commune))
    rows = commune_rows(scope_of(spec))
    assert {row.key.pk for row in rows} == expected_communes(world, spec)
    assert len(rows) == len(expected_communes(world, spec))
    for row in rows:
        mine = records.get(row.key.pk, [])
        assert (row.key.pk, got(row.totals)) == (row.key.pk, figures(mine))
        assert (row.key.pk, row.totals.villages) == (row.key.pk, distinct_villages(mine))


def check_unit_rows(world: World, spec: Spec) -> None:
    records = grouped(selected(world, spec), lambda r: r.unit)
    rows = unit_rows(scope_of(spec))
    assert [row.key.pk for row in rows] == expected_units(world, spec)
    for row in rows:
        mine = records.get(row.key.pk, [])
        assert (row.label, got(row.totals)) == (world.units[row.key.pk][0], figures(mine))
        assert (row.label, row.totals.villages) == (row.label, distinct_villages(mine))


def check_type_rows(world: World, spec: Spec) -> None:
    records = grouped(selected(world, spec), lambda r: r.kind)
    rows = type_rows(scope_of(spec))
    expected = sorted(records, key=lambda kind: world.types[kind][:2])
    assert [row.key.pk for row in rows] == expected
    for row in rows:
        assert (row.label, got(row.totals)) == (row.label, figures(records[row.key.pk]))


def check_month_rows(world: World, spec: Spec) -> None:
    records = grouped(selected(world, spec), lambda r: r.date.replace(day=1))
    rows = month_rows(scope_of(spec))
    assert [row.key for row in rows] == months_between(spec.start, spec.end)
    for row in rows:
        assert (row.label, got(row.totals)) == (
            f"{row.key.month:02d}/{row.key.year}",
            figures(records.get(row.key, [])),
        )


def check_output_rows(world: World, spec: Spec) -> None:
    records = grouped(
        [r for r in selected(world, spec) if r.output_unit],
        lambda r: (r.kind, r.output_unit),
    )
    expected = {key: figures(recs) for key, recs in records.items() if figures(recs)[4]}
    rows = output_rows(scope_of(spec))
    assert {row.key: got(row.totals) for row in rows} == expected
    assert [(row.label, row.extra["unit"]) for row in rows] == sorted(
        (world.types[kind][1], unit) for kind, unit in expected
    )


def check_rule_matrix(world: World, spec: Spec) -> None:
    expected = expected_rule(world, spec)
    matrix = rule_matrix(scope_of(spec))
    assert matrix.months == expected["months"]
    assert matrix.focus_month == expected["focus"]
    assert [(unit.pk, [cell.state for cell in cells]) for unit, cells in matrix.rows] == expected[
        "rows"
    ]
    assert [u.pk for u in matrix.missed] == expected["missed"]
    assert [u.pk for u in matrix.not_reported] == expected["not_reported"]


CHECKS = [
    check_headline,
    check_commune_rows,
    check_unit_rows,
    check_type_rows,
    check_month_rows,
    check_output_rows,
    check_rule_matrix,
]


def failures(world: World, specs: list[Spec]) -> list[str]:
    """Every check on every scope, so that one discrepancy does not hide the others."""
    found = []
    for spec in specs:
        for check in CHECKS:
            try:
                check(world, spec)
            except AssertionError as error:
                found.append(f"{check.__name__} {spec.query}: {str(error).splitlines()[0]}")
    return found


# --- The data set itself ----------------------------------------------------------------


def test_the_data_set_spans_the_merger_weekends_bulk_writes_and_every_report_state(world):
    records = world.records
    assert len(records) == 231 == Activity.objects.count()
    assert min(r.date for r in records) < D(2024, 1, 8)
    assert max(r.date for r in records) == LAST_DAY
    assert any(r.date >= MERGER and r.commune == world.ids["ba_new"] for r in records)
    assert any(r.date >= MERGER and r.commune == world.ids["tl_new"] for r in records)
    assert {r.date.weekday() >= 5 for r in records} == {True, False}
    assert {len(r.villages) for r in records} == {1, 2, 3}
    assert any(r.output is None and r.output_unit for r in records)
    assert any(r.output is None and not r.output_unit for r in records)
    assert any(r.unit == world.ids["u5"] for r in records)
    assert set(world.reports.values()) == {"submitted", "no_activity", "reopened"}
    # Every activity is in a commune valid on its day, its villages in that commune.
    for r in records:
        place = world.places[r.commune]
        assert (place.valid_from or D.min) <= r.date <= (place.valid_to or D.max)
        assert r.villages <= set(world.villages[r.commune])


# --- The grid: every period, with and without each filter ------------------------------


@pytest.mark.parametrize(("period", "filters"), GRID, ids=GRID_IDS)
def test_the_scope_reads_the_period_from_the_url(world, period, filters):
    spec = spec_for(world, period, filters)
    scope = scope_of(spec)
    assert (scope.period.start, scope.period.end) == (spec.start, spec.end)
    assert scope.merged is spec.merged


@pytest.mark.parametrize(("period", "filters"), GRID, ids=GRID_IDS)
def test_headline_figures_equal_a_count_by_hand(world, period, filters):
    check_headline(world, spec_for(world, period, filters))


@pytest.mark.parametrize(("period", "filters"), GRID, ids=GRID_IDS)
def test_each_commune_row_counts_its_activities_once_and_its_villages_distinct(
    world, period, filters
):
    check_commune_rows(world, spec_for(world, period, filters))


@pytest.mark.parametrize(("period", "filters"), GRID, ids=GRID_IDS)
def test_each_unit_row_counts_its_activities_once_and_its_villages_distinct(world, period, filters):
    check_unit_rows(world, spec_for(world, period, filters))


@pytest.mark.parametrize(("period", "filters"), GRID, ids=GRID_IDS)
def test_type_rows_list_the_types_done_with_their_totals(world, period, filters):
    check_type_rows(world, spec_for(world, period, filters))


@pytest.mark.parametrize(("period", "filters"), GRID, ids=GRID_IDS)
def test_month_rows_cover_every_month_the_period_touches(world, period, filters):
    check_month_rows(world, spec_for(world, period, filters))


@pytest.mark.parametrize(("period", "filters"), GRID, ids=GRID_IDS)
def test_output_rows_sum_quantities_per_type_and_unit_of_measure(world, period, filters):
    check_output_rows(world, spec_for(world, period, filters))


@pytest.mark.parametrize(("period", "filters"), GRID, ids=GRID_IDS)
def test_every_cell_of_the_monthly_rule_matches_assignments_weekends_and_reports(
    world, period, filters
):
    check_rule_matrix(world, spec_for(world, period, filters))


# --- The monthly rule, case by case -----------------------------------------------------


def test_a_weekend_in_a_commune_not_yet_or_no_longer_assigned_does_not_meet_the_rule(world):
    ids = world.ids
    road = ids["duong-thon-ban"]
    Activity.objects.filter(unit=ids["u3"], date__range=(D(2024, 5, 1), D(2024, 5, 31))).delete()
    Activity.objects.filter(unit=ids["u2"], date__range=(D(2024, 10, 1), D(2024, 10, 31))).delete()
    for unit, month, state in [("u3", 5, "submitted"), ("u2", 10, "reopened")]:
        MonthReport.objects.update_or_create(
            unit_id=ids[unit],
            year=2024,
            month=month,
            defaults={"state": state, "reopen_reason": "Bổ sung" if state == "reopened" else ""},
        )
    base = {"activity_type_id": road, "cadre_participations": 5}
    # u3 is in charge of Lăng Can from 20/05/2024: Saturday 11/05 is before that.
    Activity.objects.create(
        unit_id=ids["u3"], commune_id=ids["lc_old"], date=D(2024, 5, 11), **base
    )
    # u2 left Thổ Bình on 15/10/2024; it still holds Khuôn Hà, but only on a Wednesday there.
    Activity.objects.create(
        unit_id=ids["u2"], commune_id=ids["tb_old"], date=D(2024, 10, 19), **base
    )
    Activity.objects.create(
        unit_id=ids["u2"], commune_id=ids["kh_old"], date=D(2024, 10, 16), **base
    )

    def cells() -> dict:
        matrix = rule_matrix(Scope(QueryDict("ky=nam&nam=2024"), today=TODAY))
        return {
            (unit.pk, month.month): cell.state
            for unit, row in matrix.rows
            for month, cell in zip(matrix.months, row, strict=True)
        }

    states = cells()
    assert states[(ids["u3"], 4)] == "not_assigned"
    assert states[(ids["u3"], 5)] == "missed"
    assert states[(ids["u2"], 10)] == "not_reported"

    # Saturday 25/05/2024, after the assignment began: the month is met.
    Activity.objects.create(
        unit_id=ids["u3"], commune_id=ids["lc_old"], date=D(2024, 5, 25), **base
    )
    assert cells()[(ids["u3"], 5)] == "met"


# --- Totals agree with each other -------------------------------------------------------


@pytest.mark.parametrize("period", PERIODS)
def test_rows_of_every_table_add_up_to_the_headline(world, period):
    scope = scope_of(spec_for(world, period, "toan-huyen"))
    top = got(headline(scope).totals)
    for rows in (commune_rows(scope), unit_rows(scope), type_rows(scope), month_rows(scope)):
        sums = [sum((got(row.totals)[i] for row in rows), 0) for i in range(7)]
        assert tuple(sums) == top


def test_a_commune_worked_in_without_an_assignment_keeps_its_row(world):
    """An admin's entry, or an assignment deleted since: the commune is no longer covered,
    yet its row stays, in its place among the others, so that the rows add up."""
    ids = world.ids
    Assignment.objects.filter(commune_id=ids["kh_old"]).delete()
    scope = scope_of(spec_for(world, "tu-dau", "toan-huyen"))
    rows = commune_rows(scope)
    assert ids["kh_old"] not in {c.pk for c in scope.communes}
    shown = [row.key.pk for row in rows]
    assert ids["kh_old"] in shown
    # Former communes before today's, as the covered ones are.
    assert shown.index(ids["kh_old"]) < shown.index(ids["ba_new"])
    sums = [sum((got(row.totals)[i] for row in rows), 0) for i in range(7)]
    assert tuple(sums) == got(headline(scope).totals)


def test_lượt_are_summed_never_de_duplicated_and_villages_are_counted_distinct(world):
    spec = spec_for(world, "tu-dau", "toan-huyen")
    records = selected(world, spec)
    top = headline(scope_of(spec))
    assert top.totals.cadres == sum(r.cadres for r in records)
    assert top.villages_reached == len({v for r in records for v in r.villages})
    assert top.villages_reached < sum(len(r.villages) for r in records)


# --- The merger -------------------------------------------------------------------------


def test_communes_of_a_period_across_the_merger_are_the_old_ones_then_the_new_ones(world):
    spec = spec_for(world, "tu-15-03-2024-den-10-07-2025", "toan-huyen")
    rows = commune_rows(scope_of(spec))
    starts = [row.key.valid_from for row in rows]
    # The covered ones: old communes first, then the new ones.
    covered = expected_communes(world, spec)
    old = [pk for pk in covered if world.places[pk].valid_from is None]
    new = [pk for pk in covered if world.places[pk].valid_from == MERGER]
    assert old and new and len(old) + len(new) == len(covered)
    assert starts == [None] * len(old) + [MERGER] * len(new)


def test_merged_rows_of_a_period_before_the_merger_are_the_new_communes_with_all_figures(
    world,
):
    spec = spec_for(world, "quy-II-2024", "gop-xa")
    records = selected(world, spec)
    rows = commune_rows(scope_of(spec))
    # The new communes that hold the old ones covered in the quarter.
    assert {row.key.pk for row in rows} == expected_communes(world, spec)
    assert all(row.key.valid_from == MERGER for row in rows)
    assert sum(row.totals.activities for row in rows) == len(records)
    assert headline(scope_of(spec)).villages_reached == distinct_villages(records)


def test_an_old_commune_chosen_with_gop_xa_keeps_its_villages_and_its_row(world):
    spec = spec_for(world, "tu-15-03-2024-den-10-07-2025", "gop-xa-binh-an-cu")
    records = selected(world, spec)
    assert records
    top = headline(scope_of(spec))
    assert top.totals.activities == len(records)
    assert (top.villages_reached, top.communes_reached, top.communes_total) == (
        distinct_villages(records),
        1,
        1,
    )


# --- Changing the data ------------------------------------------------------------------


def changed(world: World, records: list[Rec]) -> World:
    return dataclasses.replace(world, records=records)


def test_figures_follow_edits_and_deletions(world):
    records = {r.pk: r for r in world.records}
    ids = world.ids

    # A weekend activity of May moves to a Monday in June.
    moved = next(r for r in world.records if r.date.month == 5 and r.date.weekday() >= 5)
    activity = Activity.objects.get(pk=moved.pk)
    activity.date = D(moved.date.year, 6, 3)
    activity.save()
    records[moved.pk] = dataclasses.replace(moved, date=activity.date)

    # Another one goes to another commune (with that commune's village) and type.
    shifted = next(
        r
        for r in world.records
        if r.commune == ids["kh_old"] and r.date < MERGER and r.pk != moved.pk
    )
    new_village = world.villages[ids["lc_old"]][1]
    activity = Activity.objects.get(pk=shifted.pk)
    activity.commune_id = ids["lc_old"]
    activity.activity_type_id = ids["cau-qua-suoi"]
    activity.output_quantity, activity.output_unit = Decimal("2"), "cầu"
    activity.save()
    activity.villages.set([new_village])
    records[shifted.pk] = dataclasses.replace(
        shifted,
        commune=ids["lc_old"],
        kind=ids["cau-qua-suoi"],
        output=Decimal("2"),
        output_unit="cầu",
        villages=frozenset({new_village}),
    )

    # A village is taken off an activity that had several.
    trimmed = next(r for r in records.values() if len(r.villages) == 3)
    dropped = min(trimmed.villages)
    Activity.objects.get(pk=trimmed.pk).villages.remove(dropped)
    records[trimmed.pk] = dataclasses.replace(trimmed, villages=trimmed.villages - {dropped})

    # Lượt and workdays corrected in SQL, past the ORM's save().
    corrected = sorted(records)[:5]
    Activity.objects.filter(pk__in=corrected).update(
        cadre_participations=F("cadre_participations") + 3, workdays=Decimal("7.5")
    )
    for pk in corrected:
        records[pk] = dataclasses.replace(
            records[pk], cadres=records[pk].cadres + 3, workdays=Decimal("7.5")
        )

    # The only activity of its type in June 2024 is deleted.
    june = [r for r in records.values() if D(2024, 6, 1) <= r.date <= D(2024, 6, 30)]
    by_type = grouped(june, lambda r: r.kind)
    gone = next(recs[0] for recs in by_type.values() if len(recs) == 1)
    Activity.objects.get(pk=gone.pk).delete()
    del records[gone.pk]

    after = changed(world, sorted(records.values(), key=lambda r: r.pk))
    specs = [
        spec_for(after, period, filters)
        for period in PERIODS
        for filters in ("toan-huyen", "xa-binh-an-moi", "don-vi")
    ] + [spec_for(after, "tu-15-03-2024-den-10-07-2025", "gop-xa")]
    found = failures(after, specs)
    assert not found, "\n".join(found)


def test_a_type_whose_only_activity_of_the_month_was_deleted_has_no_row(world):
    june = [r for r in world.records if D(2024, 6, 1) <= r.date <= D(2024, 6, 30)]
    kinds = grouped(june, lambda r: r.kind)
    gone = next(recs[0] for recs in kinds.values() if len(recs) == 1)
    Activity.objects.get(pk=gone.pk).delete()
    rows = type_rows(scope_of(spec_for(world, "thang-06-2024", "toan-huyen")))
    assert gone.kind not in [row.key.pk for row in rows]
    assert all(row.totals.activities for row in rows)


# --- Query counts -----------------------------------------------------------------------


def report_queries(spec: Spec) -> int:
    with CaptureQueriesContext(connection) as queries:
        scope = Scope(QueryDict(spec.query), today=TODAY)
        headline(scope)
        commune_rows(scope)
        unit_rows(scope)
        type_rows(scope)
        month_rows(scope)
        output_rows(scope)
        rule_matrix(scope)
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    ("period", "filters"),
    [
        ("tu-15-03-2024-den-10-07-2025", "xa-binh-an-moi"),
        ("tu-dau", "gop-xa"),
        ("quy-II-2024", "don-vi-loai-xa"),
    ],
)
def test_the_report_issues_as_many_queries_after_100_more_activities(world, period, filters):
    spec = spec_for(world, period, filters)
    before = report_queries(spec)
    rng = random.Random(SEED + 1)
    drafts = [
        draft(rng, world.ids, world.villages, world.assignments, world.types) for _ in range(100)
    ]
    more = save_one_by_one(drafts[:50]) + save_in_bulk(drafts[50:])
    assert report_queries(spec) == before
    bigger = changed(world, world.records + more)
    check_headline(bigger, spec_for(bigger, period, filters))


# --- Housing ----------------------------------------------------------------------------

HOUSING_SCOPES = [
    ("tu-dau", "toan-huyen"),
    ("tu-dau", "gop-xa"),
    ("quy-II-2024", "xa-binh-an-moi"),
    ("nam-2025", "don-vi"),
    ("tu-15-03-2024-den-10-07-2025", "xa-binh-an-cu"),
    ("nam-2025", "gop-xa-binh-an-moi"),
    ("tu-dau", "gop-xa-binh-an-cu"),
]
DONE = ("completed", "handed_over")


@pytest.mark.parametrize(("period", "filters"), HOUSING_SCOPES)
def test_housing_progress_equals_a_count_of_the_cases_by_hand(world, period, filters):
    spec = spec_for(world, period, filters)
    cases = [
        c
        for c in world.cases
        if (c.surveyed_on is None or c.surveyed_on <= spec.end)
        and in_area(world, spec, c.commune)
        and (spec.unit is None or spec.unit in c.units)
    ]
    assert cases
    progress = housing_progress(scope_of(spec))

    assert progress.total == len(cases)
    assert progress.done == sum(c.status in DONE for c in cases)
    assert progress.by_status == [
        (label, sum(c.status == value for c in cases))
        for value, label in HousingCase.Status.choices
    ]

    def counted(key) -> list[tuple]:
        groups = grouped(cases, key)
        return sorted((k, len(g), sum(c.status in DONE for c in g)) for k, g in groups.items())

    by_commune = counted(lambda c: commune_key(world, spec, c.commune))
    assert (
        sorted((row["commune_id"], row["n"], row["done"]) for row in progress.by_commune)
        == by_commune
    )
    assert {row["commune"] for row in progress.by_commune} == {
        world.places[pk].name for pk, _, _ in by_commune
    }
    assert [
        (row["programme__short_name"], row["n"], row["done"]) for row in progress.by_programme
    ] == counted(lambda c: c.programme)
    categories = dict(HousingCase.Category.choices)
    assert progress.by_category == [
        (categories[k], n, done) for k, n, done in counted(lambda c: c.category)
    ]
    kinds = dict(HousingCase.WorkKind.choices)
    assert progress.by_work_kind == [
        (kinds[k], n, done) for k, n, done in counted(lambda c: c.work_kind)
    ]

    in_scope = {c.pk for c in cases}
    money: dict[str, int] = defaultdict(int)
    for case, source, year, amount in world.funding:
        if case in in_scope and spec.start.year <= year <= spec.end.year:
            money[source] += amount
    sources = dict(Funding.Source.choices)
    assert progress.money_by_source == [(sources[s], money[s]) for s in sorted(money)]
    assert progress.money_total == sum(money.values())

    overdue = [
        c
        for c in cases
        if c.status not in DONE and c.expected_completion and c.expected_completion < TODAY
    ]
    assert overdue
    assert [c.pk for c in progress.overdue] == [
        c.pk for c in sorted(overdue, key=lambda c: c.expected_completion)
    ][:OVERDUE_SHOWN]
    assert progress.overdue_count == len(overdue)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ((2025, 1), (2025, 12)),
        ((2025, 7), (2025, 9)),
        ((2024, 11), (2025, 10)),
        ((2023, 6), (2026, 2)),
    ],
)
def test_the_rule_reads_the_reports_of_its_months_only(unit, first, last):
    MonthReport.objects.bulk_create(
        MonthReport(unit=unit, year=year, month=month)
        for year in range(2022, 2028)
        for month in range(1, 13)
    )
    start, end = datetime.date(*first, 1), datetime.date(*last, 1)
    expected = set()
    day = start
    while day <= end:  # month by month
        expected.add((day.year, day.month))
        day = (day + datetime.timedelta(days=31)).replace(day=1)
    found = set(MonthReport.objects.filter(_report_months(start, end)).values_list("year", "month"))
    assert found == expected

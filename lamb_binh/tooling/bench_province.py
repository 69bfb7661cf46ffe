"""The reports benchmark at province scale: Tuyên Quang's communes, villages and
organisations across the 2025 merger, and four dashboards timed against raw SQL.

`run_province_benchmark()`, like `bench.run_benchmark()`, assumes a scratch database. The
shape: the 124 current and 330 former communes (activities.services.communes_load), 12
villages in each former commune that follow it into its successor on 01/07/2025, and ~600
reporting organisations: before the merger the former districts' units, each assigned to
two communes of its district; from it each Đảng ủy xã and its chi bộ in their own commune,
and the Ban Tuyên giáo và Dân vận, the provincial bodies and their chi bộ assigned to two
communes each.
"""

from __future__ import annotations

import datetime
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from io import TextIOBase
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings

from activities import roles
from activities.models import Activity, Assignment, Commune, PartyUnit, Village, VillageCommune
from activities.periods import MERGER_DATE
from activities.services import communes_load, village_communes_follow_merger
from lamb_binh.tooling.bench import (
    BEFORE_MERGER,
    PROVINCE,
    START,
    SUMMARY_TABLES,
    Generated,
    RawScope,
    Reference,
    activity_types,
    bench_activities_load,
    dashboard_fetcher,
    generation_lines,
    median_ms,
    raw_aggregates,
)

CURRENT_COMMUNES = 124  # 117 xã + 7 phường (the brief)
FORMER_COMMUNES = 330
VILLAGES_PER_FORMER_COMMUNE = 12  # 3.960 villages: "~4.000"
CHI_BO_PER_COMMUNE = 2  # under each Đảng ủy xã, in its commune
COMMUNES_PER_UNIT = 2  # a former district unit's, a provincial body's chi bộ's
PROVINCIAL_BODIES = (
    ("db-co-quan-dang", "Đảng bộ các cơ quan Đảng tỉnh", "ĐB các cơ quan Đảng tỉnh"),
    ("db-ubnd-tinh", "Đảng bộ Ủy ban nhân dân tỉnh", "ĐB UBND tỉnh"),
)
CHI_BO_PER_BODY = 30
# The current commune whose dashboard is timed with its history (Lăng Can, Phúc Yên and
# Xuân Lập before 01/07/2025); the organisation timed is the first unit of its former district.
TIMED_COMMUNE = "Lâm Bình"
CUSTOM_PERIOD = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))

Rows = list[tuple[int, int, list[int]]]


@dataclass
class ProvinceShape:
    """What was built, and the commune and organisation whose dashboards are timed."""

    reference: Reference
    current_communes: int
    former_communes: int
    villages: int
    organisations: int  # the whole tree
    reporting: int  # those that record activities
    commune: Commune
    unit: PartyUnit

    def describe(self) -> str:
        return (
            f"shape: province {PROVINCE}: {self.current_communes} current communes, "
            f"{self.former_communes} former, {self.villages} villages, {self.reporting} "
            f"reporting organisations ({self.organisations} in the tree), "
            f"{len(self.reference.units)} unit-commune pairs before "
            f"{MERGER_DATE:%d/%m/%Y}, {len(self.reference.units_after)} from it"
        )


# --- Territory --------------------------------------------------------------------------


def _province_communes() -> tuple[list[Commune], list[Commune]]:
    """The former and the current communes, each list in a stable order, checked."""
    former = list(Commune.objects.filter(valid_to=BEFORE_MERGER).order_by("district", "code"))
    current = list(Commune.objects.filter(valid_from=MERGER_DATE).order_by("code"))
    if (len(former), len(current)) != (FORMER_COMMUNES, CURRENT_COMMUNES):
        raise RuntimeError(
            f"Expected {FORMER_COMMUNES} former and {CURRENT_COMMUNES} current communes of "
            f"{PROVINCE}, got {len(former)} and {len(current)}."
        )
    return former, current


def _territory_load() -> tuple[list[Commune], list[Commune]]:
    """The former and the current communes (each list in a stable order), their villages."""
    communes_load(province=PROVINCE)
    former, current = _province_communes()
    if any(c.successor_id is None for c in former):
        raise RuntimeError(f"A former commune of {PROVINCE} has no successor in the dataset.")
    # "Số 1" in hundreds of communes, as real village lists have.
    Village.objects.bulk_create(
        (
            Village(commune=commune, name=f"Số {i}", kind=Village.Kind.THON)
            for commune in former
            for i in range(1, VILLAGES_PER_FORMER_COMMUNE + 1)
        ),
        batch_size=1000,
    )
    village_communes_follow_merger()
    return former, current


def _villages_by_commune(day: datetime.date) -> dict[int, list[int]]:
    """The village ids of each commune on `day` (VillageQuerySet.in_commune_during's rule,
    read once for every commune)."""
    villages: dict[int, list[int]] = {}
    for commune_id, village_id in (
        VillageCommune.objects.valid_on(day)
        .filter(village__in=Village.objects.valid_on(day))
        .order_by("commune_id", "village_id")
        .values_list("commune_id", "village_id")
    ):
        villages.setdefault(commune_id, []).append(village_id)
    return villages


# --- Organisations ----------------------------------------------------------------------


@dataclass
class _Tree:
    """The organisations that record activities, by how they come to a commune (the Tỉnh ủy
    and the Huyện ủy above them record none)."""

    provincial: list[PartyUnit]  # assigned to current communes from the merger
    own_commune: list[tuple[PartyUnit, Commune]]  # Đảng ủy xã and chi bộ, in their commune
    district_units: list[tuple[PartyUnit, list[Commune]]]  # assigned until the merger

    @property
    def reporting(self) -> int:
        return len(self.provincial) + len(self.own_commune) + len(self.district_units)


def _unit(code: str, name: str, short: str, kind: str, **fields) -> PartyUnit:
    return PartyUnit(code=code, name=name, short_name=short, kind=kind, **fields)


def _provincial_level(
    root: PartyUnit, current: list[Commune]
) -> tuple[list[PartyUnit], list[tuple[PartyUnit, Commune]], dict[int, PartyUnit]]:
    """The Ban, the provincial bodies and their chi bộ, each Đảng ủy xã and its chi bộ (all
    from 01/07/2025); returns (provincial reporters, own-commune ones, Đảng ủy xã by commune)."""
    since = {"valid_from": MERGER_DATE, "parent": root}
    ban = _unit("ban-tgdv", "Ban Tuyên giáo và Dân vận Tỉnh ủy", "Ban TG-DV", "ban", **since)
    bodies = [
        _unit(code, name, short, "dang_bo_tinh", **since) for code, name, short in PROVINCIAL_BODIES
    ]
    committees = {
        c.pk: _unit(
            f"du-{c.code}",
            f"Đảng ủy {c.full_name}",
            f"ĐU {c.name}",
            "dang_uy_xa",
            commune=c,
            **since,
        )
        for c in current
    }
    PartyUnit.objects.bulk_create([ban, *bodies, *committees.values()])
    chi_bo = [
        _unit(
            f"{body.code}-{i}",
            f"Chi bộ số {i} {body.name}",
            f"CB {i} {body.short_name}",
            "chi_bo",
            valid_from=MERGER_DATE,
            parent=body,
        )
        for body in bodies
        for i in range(1, CHI_BO_PER_BODY + 1)
    ]
    own = [(committees[c.pk], c) for c in current] + [
        (
            _unit(
                f"cb-{c.code}-{i}",
                f"Chi bộ số {i} {c.full_name}",
                f"CB {i} {c.name}",
                "chi_bo",
                valid_from=MERGER_DATE,
                parent=committees[c.pk],
                commune=c,
            ),
            c,
        )
        for c in current
        for i in range(1, CHI_BO_PER_COMMUNE + 1)
    ]
    PartyUnit.objects.bulk_create([*chi_bo, *(unit for unit, _ in own[len(current) :])])
    return [ban, *bodies, *chi_bo], own, committees


def _district_level(
    root: PartyUnit, former: list[Commune], committees: dict[int, PartyUnit]
) -> tuple[list[PartyUnit], list[tuple[PartyUnit, list[Commune]]]]:
    """Each former district's Huyện ủy (Thành ủy for a city) and its units, two communes of
    the district each, until 30/06/2025; a unit is continued by the Đảng ủy xã of what its
    first commune became."""
    districts: dict[str, list[Commune]] = {}
    for commune in former:
        districts.setdefault(commune.district, []).append(commune)
    until = {"valid_to": BEFORE_MERGER}
    leaders = {}
    for index, (district, communes) in enumerate(districts.items(), start=1):
        city = any(c.kind == Commune.Kind.PHUONG for c in communes)
        title = "Thành ủy" if city else "Huyện ủy"
        leaders[district] = _unit(
            f"hu-{index}",
            f"{title} {district}",
            f"{title} {district}",
            "huyen_uy",
            parent=root,
            **until,
        )
    PartyUnit.objects.bulk_create(leaders.values())
    units = []
    for district, communes in districts.items():
        leader = leaders[district]
        for k, first in enumerate(range(0, len(communes), COMMUNES_PER_UNIT), start=1):
            kind = "dang_bo" if k % 2 else "chi_bo"
            label = "Đảng bộ cơ quan" if kind == "dang_bo" else "Chi bộ cơ quan"
            pair = communes[first : first + COMMUNES_PER_UNIT]
            successor_id = pair[0].successor_id
            assert successor_id is not None  # _territory_load checked
            unit = _unit(
                f"{leader.code}-{k}",
                f"{label} số {k} {leader.name}",
                f"{label.split()[0][:2]} {k} {district}",
                kind,
                parent=leader,
                continued_by=committees[successor_id],
                **until,
            )
            units.append((unit, pair))
    PartyUnit.objects.bulk_create([unit for unit, _ in units])
    return list(leaders.values()), units


def _organisations_load(former: list[Commune], current: list[Commune]) -> _Tree:
    root = _unit("tinh-uy", f"Tỉnh ủy {PROVINCE}", "Tỉnh ủy", "tinh_uy")
    root.save()
    provincial, own, committees = _provincial_level(root, current)
    _, district_units = _district_level(root, former, committees)
    tree = _Tree(provincial, own, district_units)
    Assignment.objects.bulk_create(
        [
            Assignment(unit=unit, commune=commune, start=START, end=BEFORE_MERGER)
            for unit, communes in district_units
            for commune in communes
        ]
        + [
            Assignment(
                unit=unit,
                commune=current[(COMMUNES_PER_UNIT * i + j) % len(current)],
                start=MERGER_DATE,
            )
            for i, unit in enumerate(provincial)
            for j in range(COMMUNES_PER_UNIT)
        ]
    )
    return tree


def province_reference_load() -> ProvinceShape:
    """The province's territory and organisations, and what activities are drawn from."""
    former, current = _territory_load()
    tree = _organisations_load(former, current)
    before, after = _villages_by_commune(BEFORE_MERGER), _villages_by_commune(MERGER_DATE)
    units: Rows = [
        (unit.pk, commune.pk, before[commune.pk])
        for unit, communes in tree.district_units
        for commune in communes
    ]
    # From the merger: in its own commune, or in the communes it is assigned to.
    units_after: Rows = [
        (unit.pk, commune.pk, after[commune.pk]) for unit, commune in tree.own_commune
    ]
    units_after += [
        (unit_id, commune_id, after[commune_id])
        for unit_id, commune_id in Assignment.objects.filter(start=MERGER_DATE)
        .order_by("unit_id", "commune_id")
        .values_list("unit_id", "commune_id")
    ]
    timed = _timed_commune(current)
    first_unit = next(
        unit for unit, communes in tree.district_units if communes[0].successor_id == timed.pk
    )
    return _shape(units, units_after, former, current, timed, first_unit, tree.reporting)


def _timed_commune(current: list[Commune]) -> Commune:
    return next((c for c in current if c.name == TIMED_COMMUNE), current[0])


def _shape(
    units: Rows,
    units_after: Rows,
    former: list[Commune],
    current: list[Commune],
    timed: Commune,
    unit: PartyUnit,
    reporting: int,
) -> ProvinceShape:
    types, pool = activity_types()
    return ProvinceShape(
        reference=Reference(units=units, units_after=units_after, types=types, type_pool=pool),
        current_communes=len(current),
        former_communes=len(former),
        villages=Village.objects.count(),
        organisations=PartyUnit.objects.count(),
        reporting=reporting,
        commune=timed,
        unit=unit,
    )


def province_shape_read() -> ProvinceShape:
    """The shape of a province built by an earlier run (`--keep`), read back: the same
    organisations, pairs and timed commune and unit as province_reference_load() gave."""
    if not Activity.objects.exists():
        raise RuntimeError(
            "The kept database holds no province with activities: run once with --keep, "
            "without --reuse."
        )
    former, current = _province_communes()
    before, after = _villages_by_commune(BEFORE_MERGER), _villages_by_commune(MERGER_DATE)
    pairs = list(
        Assignment.objects.order_by("unit_id", "commune__code").values_list(
            "unit_id", "commune_id", "start"
        )
    )
    units: Rows = [(u, c, before[c]) for u, c, start in pairs if start < MERGER_DATE]
    own = PartyUnit.objects.filter(commune__isnull=False, valid_from=MERGER_DATE)
    units_after: Rows = [
        (u, c, after[c]) for u, c in own.order_by("pk").values_list("pk", "commune_id")
    ]
    units_after += [(u, c, after[c]) for u, c, start in pairs if start >= MERGER_DATE]
    timed = _timed_commune(current)
    successor = {c.pk: c.successor_id for c in former}
    first_commune: dict[int, int] = {}
    for unit_id, commune_id, _ in units:
        first_commune.setdefault(unit_id, commune_id)
    unit_id = min(u for u, c in first_commune.items() if successor[c] == timed.pk)
    reporting = len({u for u, _, _ in units} | {u for u, _, _ in units_after})
    return _shape(
        units, units_after, former, current, timed, PartyUnit.objects.get(pk=unit_id), reporting
    )


# --- The four dashboards ----------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    """A dashboard URL's query, and the hand-written SQL scope of the same figures."""

    name: str
    query: dict[str, str]
    raw: RawScope


def province_dashboards(shape: ProvinceShape) -> list[Dashboard]:
    """The province's, one current commune's with its former ones, one organisation's, and
    a custom period across 01/07/2025."""
    start, end = CUSTOM_PERIOD
    return [
        Dashboard("province", {"ky": "tu-dau"}, RawScope(villages_per_unit=True)),
        Dashboard(
            "commune",
            {"ky": "tu-dau", "xa": str(shape.commune.pk), "gop_xa": "1"},
            RawScope(commune=shape.commune.pk, merged=True, villages_per_unit=True),
        ),
        Dashboard(
            "organisation",
            {"ky": "tu-dau", "don_vi": str(shape.unit.pk)},
            RawScope(unit=shape.unit.pk, villages_per_unit=True),
        ),
        Dashboard(
            "custom_period",
            {"ky": "tuy-chon", "tu": f"{start:%d/%m/%Y}", "den": f"{end:%d/%m/%Y}"},
            RawScope(period=CUSTOM_PERIOD, villages_per_unit=True),
        ),
    ]


def bench_official():
    """An official (Lãnh đạo): reads everything, as the Ban Tuyên giáo và Dân vận does."""
    user, _ = get_user_model().objects.get_or_create(username="bench-official")
    user.groups.add(Group.objects.get(name=roles.OFFICIALS))
    return user


@dataclass
class Timed:
    dashboard: Dashboard
    url: str
    raw: dict[str, list[tuple]]
    raw_ms: float
    raw_query_ms: dict[str, float]
    dashboard_ms: float
    queries: int
    slowest: list[tuple[float, str]]  # (ms, SQL) of the dashboard's slowest queries

    @property
    def ratio(self) -> float:
        return self.dashboard_ms / self.raw_ms


@dataclass
class ProvinceResult:
    shape: ProvinceShape
    generated: Generated | None  # None: a kept database, reused
    timed: list[Timed]

    @property
    def worst(self) -> Timed:
        return max(self.timed, key=lambda t: t.ratio)


def first_fetch_queries(fetch: Callable[[], None]) -> list[dict]:
    """The queries (sql, time) of one GET by a client that has not fetched yet: its session
    and its user's roles included, as for someone opening the page."""
    # An empty log: a full one (the load's queries) would leave nothing to capture.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        fetch()
    return queries.captured_queries


def _time_dashboard(dashboard: Dashboard, *, user, repeat: int) -> Timed:
    timings: dict[str, list[float]] = {}
    raw: dict[str, list[tuple]] = {}

    def measure_raw() -> None:
        raw.update(raw_aggregates(scope=dashboard.raw, timings=timings))

    raw_ms = median_ms(measure_raw, repeat)
    url, fetch = dashboard_fetcher(dashboard.query, user=user)
    captured = first_fetch_queries(fetch)
    slowest = sorted(((float(q["time"]) * 1000, q["sql"]) for q in captured), reverse=True)
    return Timed(
        dashboard=dashboard,
        url=f"{url}?{urlencode(dashboard.query)}",
        raw=raw,
        raw_ms=raw_ms,
        raw_query_ms={name: statistics.median(t[1:]) * 1000 for name, t in timings.items()},
        queries=len(captured),
        slowest=slowest[:3],
        dashboard_ms=median_ms(fetch, repeat),
    )


def _lines(timed: Timed, repeat: int) -> list[str]:
    name, scope = timed.dashboard.name, timed.dashboard.raw
    start, end = scope.period
    return [
        f"raw_sql_{name}_median_ms: {timed.raw_ms:.1f} ({repeat} runs after 1 warm-up, "
        f"{len(timed.raw_query_ms)} queries, {start:%d/%m/%Y}–{end:%d/%m/%Y})",
        f"raw_sql_{name}_query_median_ms: "
        + ", ".join(f"{query} {ms:.1f}" for query, ms in timed.raw_query_ms.items()),
        f"dashboard_{name}_slowest_queries_ms: "
        + "; ".join(f"{ms:.1f} {sql[:90]}" for ms, sql in timed.slowest),
        f"dashboard_{name}: {timed.dashboard_ms:.1f} ms median, {timed.queries} queries, "
        f"raw SQL {timed.raw_ms:.1f} ms, ratio {timed.ratio:.2f} (GET {timed.url})",
    ]


def run_province_benchmark(
    *, n: int, repeat: int, seed: int, stdout: TextIOBase, reuse: bool = False
) -> ProvinceResult:
    """Build the province, fill it with n activities, time the four dashboards against the
    raw SQL. The last line written is `dashboard_vs_raw_sql_ratio: X.XX`, the worst of four.

    With `reuse`, the province and activities a run kept (`--keep`) are timed as they are:
    a 10-million-activity province takes half an hour to build."""

    def say(line: str) -> None:
        stdout.write(line + "\n")
        stdout.flush()

    say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    say(f"summary_tables: {SUMMARY_TABLES}")
    generated: Generated | None = None
    if reuse:
        shape = province_shape_read()
        say(shape.describe())
        say(f"generated: reused the kept database, {Activity.objects.count()} activities")
    else:
        if Activity.objects.exists():
            raise RuntimeError(
                "run_benchmark() needs a database without activities (a scratch one)."
            )
        shape = province_reference_load()
        say(shape.describe())
        generated = bench_activities_load(n=n, reference=shape.reference, rng=random.Random(seed))
        for line in generation_lines(generated):
            say(line)
    user = bench_official()
    timed = []
    # The test client's host name, without the rest of the test environment (see bench.py).
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        for dashboard in province_dashboards(shape):
            timed.append(_time_dashboard(dashboard, user=user, repeat=repeat))
            for line in _lines(timed[-1], repeat):
                say(line)
    result = ProvinceResult(shape=shape, generated=generated, timed=timed)
    say(f"dashboard_vs_raw_sql_ratio: {result.worst.ratio:.2f}")
    return result

"""The reports benchmark: its synthetic data, and its raw SQL against independent counts."""

import datetime
import io
import random
import re
from collections import Counter, defaultdict
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.http import QueryDict

from activities.models import (
    Activity,
    ActivityVillage,
    Assignment,
    Commune,
    PartyUnit,
    Village,
)
from lamb_binh.dashboard.views import build_report
from lamb_binh.tooling.bench import (
    PERIOD,
    bench_activities_load,
    dashboard_fetcher,
    run_benchmark,
)
from lamb_binh.tooling.bench_province import (
    bench_official,
    first_fetch_queries,
    run_province_benchmark,
)

N = 300


@pytest.fixture
def bench(db):
    out = io.StringIO()
    result = run_benchmark(n=N, repeat=1, seed=7, stdout=out)
    return result, out.getvalue().splitlines()


def sums(rows) -> tuple:
    """(count, cadres, people, workdays, households, contributed, mobilised) of activity rows,
    in Python."""
    return (
        len(rows),
        sum(r["cadre_participations"] for r in rows),
        sum(r["people_participations"] for r in rows),
        sum((r["workdays"] for r in rows), Decimal("0.0")),
        sum(r["households_helped"] for r in rows),
        sum(r["money_contributed"] for r in rows),
        sum(r["money_mobilised"] for r in rows),
    )


# The fields of an activity the tests recompute the figures from.
ROW_FIELDS = (
    "id",
    "unit_id",
    "commune_id",
    "activity_type_id",
    "date",
    "cadre_participations",
    "people_participations",
    "workdays",
    "households_helped",
    "money_contributed",
    "money_mobilised",
    "output_quantity",
    "output_unit",
)


@pytest.fixture
def activity_rows(bench) -> list[dict]:
    """Every activity generated (the raw SQL sees only those of the dashboard's period)."""
    return list(Activity.objects.values(*ROW_FIELDS))


# The brief: Lâm Bình's 10 communes became 4 on 01/07/2025.
NEW_COMMUNES = {
    "Lâm Bình": {"Lăng Can", "Phúc Yên", "Xuân Lập"},
    "Minh Quang": {"Minh Quang", "Hồng Quang", "Phúc Sơn"},
    "Thượng Lâm": {"Thượng Lâm", "Khuôn Hà"},
    "Bình An": {"Bình An", "Thổ Bình"},
}
MERGER = datetime.date(2025, 7, 1)


def test_it_builds_10_communes_100_villages_and_17_units_assigned_to_all_of_them(bench):
    communes = Commune.objects.filter(district="Lâm Bình", valid_from__isnull=True)
    assert communes.count() == 10
    assert Village.objects.count() == 100
    assert set(Village.objects.values_list("commune_id", flat=True)) == set(
        communes.values_list("id", flat=True)
    )
    assert PartyUnit.objects.count() == 17
    before = Assignment.objects.filter(start=datetime.date(2021, 1, 1))
    assert set(before.values_list("end", flat=True)) == {datetime.date(2025, 6, 30)}
    assert set(before.values_list("commune_id", flat=True)) == set(
        communes.values_list("id", flat=True)
    )
    # From the merger each unit works in what its commune became, with no end.
    after = Assignment.objects.filter(start=MERGER)
    assert set(after.values_list("end", flat=True)) == {None}
    assert before.count() + after.count() == Assignment.objects.count()
    old_name = dict(communes.values_list("id", "name"))
    expected = {
        (unit_id, new)
        for unit_id, commune_id in before.values_list("unit_id", "commune_id")
        for new, old in NEW_COMMUNES.items()
        if old_name[commune_id] in old
    }
    assert set(after.values_list("unit_id", "commune__name")) == expected


def test_it_creates_n_activities_over_five_years_on_weekends_and_weekdays(activity_rows):
    assert len(activity_rows) == N
    days = [r["date"] for r in activity_rows]
    assert min(days) >= datetime.date(2021, 1, 1)
    assert max(days) <= datetime.date(2025, 12, 31)
    assert {d.year for d in days} == {2021, 2022, 2023, 2024, 2025}
    assert {d.weekday() >= 5 for d in days} == {True, False}


def test_every_activity_reaches_one_to_three_villages_of_its_own_commune(bench):
    per_activity = Counter(ActivityVillage.objects.values_list("activity_id", flat=True))
    assert len(per_activity) == N
    assert set(per_activity.values()) == {1, 2, 3}
    # Before the merger a village's commune is the one it is recorded in; from 01/07/2025
    # it is what that commune became.
    before = ActivityVillage.objects.filter(activity__date__lt=MERGER)
    after = ActivityVillage.objects.filter(activity__date__gte=MERGER)
    assert before.exists() and after.exists()
    assert not before.exclude(village__commune=F("activity__commune")).exists()
    assert not after.exclude(village__commune__successor=F("activity__commune")).exists()


def test_each_activity_is_in_a_commune_its_unit_is_assigned_to(activity_rows):
    assignments = list(Assignment.objects.values("unit_id", "commune_id", "start", "end"))
    for r in activity_rows:
        assert any(
            (a["unit_id"], a["commune_id"]) == (r["unit_id"], r["commune_id"])
            and a["start"] <= r["date"]
            and (a["end"] is None or r["date"] <= a["end"])
            for a in assignments
        ), r


def test_outputs_carry_their_types_unit_of_measure(bench):
    with_output = Activity.objects.filter(output_quantity__isnull=False)
    assert with_output.exists()
    assert not with_output.exclude(output_unit=F("activity_type__default_unit")).exists()
    assert (
        not Activity.objects.filter(output_quantity__isnull=True).exclude(output_unit="").exists()
    )


def in_period(rows: list[dict]) -> list[dict]:
    return [r for r in rows if PERIOD[0] <= r["date"] <= PERIOD[1]]


def test_raw_sql_covers_the_dashboards_whole_period_from_the_programme_start(bench):
    start, end = PERIOD
    assert (start, end) == (datetime.date(2021, 9, 10), datetime.date(2025, 12, 31))
    result, _ = bench
    assert 0 < result.raw["totals"][0][0] < N


def test_raw_sql_totals_match_the_orm(bench):
    result, _ = bench
    expected = Activity.objects.filter(date__range=PERIOD).aggregate(
        count=Count("id"),
        cadres=Sum("cadre_participations"),
        people=Sum("people_participations"),
        workdays=Sum("workdays"),
        households=Sum("households_helped"),
        contributed=Sum("money_contributed"),
        mobilised=Sum("money_mobilised"),
    )
    assert result.raw["totals"] == [tuple(expected.values())]
    assert result.raw["villages"] == [
        (
            ActivityVillage.objects.filter(activity__date__range=PERIOD)
            .values("village_id")
            .distinct()
            .count(),
        )
    ]


def test_raw_sql_groups_match_sums_computed_in_python(bench, activity_rows):
    result, _ = bench
    by = defaultdict(lambda: defaultdict(list))
    for row in in_period(activity_rows):
        by["commune"][row["commune_id"]].append(row)
        by["unit"][row["unit_id"]].append(row)
        by["type"][row["activity_type_id"]].append(row)
        by["month"][row["date"].replace(day=1)].append(row)
    for name, key in [
        ("per_commune", "commune"),
        ("per_unit", "unit"),
        ("per_type", "type"),
        ("per_month", "month"),
    ]:
        assert result.raw[name] == [(k, *sums(rows)) for k, rows in sorted(by[key].items())]

    outputs = defaultdict(Decimal)
    for row in in_period(activity_rows):
        if row["output_quantity"] is not None:
            outputs[(row["activity_type_id"], row["output_unit"])] += row["output_quantity"]
    assert result.raw["output_per_type"] == [(*k, total) for k, total in sorted(outputs.items())]


def test_raw_sql_counts_distinct_villages_per_commune(bench):
    result, _ = bench
    expected = (
        ActivityVillage.objects.filter(activity__date__range=PERIOD)
        .values("activity__commune_id")
        .annotate(villages=Count("village_id", distinct=True))
        .order_by("activity__commune_id")
        .values_list("activity__commune_id", "villages")
    )
    assert result.raw["villages_per_commune"] == list(expected)


def test_raw_sql_counts_weekend_activities_per_unit_and_month(bench, activity_rows):
    result, _ = bench
    expected = Counter(
        (r["unit_id"], r["date"].replace(day=1))
        for r in in_period(activity_rows)
        if r["date"].weekday() >= 5
    )
    assert result.raw["weekend_per_unit_month"] == [(*k, n) for k, n in sorted(expected.items())]


def test_it_prints_the_medians_and_ends_with_the_ratio(bench):
    result, lines = bench
    assert any(re.match(r"^raw_sql_median_ms: \d+\.\d ", line) for line in lines)
    assert any(re.match(r"^generation_rows_per_s: \d+ activities/s", line) for line in lines)
    assert any(re.match(r"^dashboard_median_ms: \d+\.\d ", line) for line in lines)
    assert re.match(r"^dashboard_vs_raw_sql_ratio: \d+\.\d\d$", lines[-1])
    assert result.dashboard_ms is not None


def test_it_refuses_a_database_that_already_has_activities(bench):
    with pytest.raises(RuntimeError, match="scratch"):
        run_benchmark(n=1, repeat=1, seed=1, stdout=io.StringIO())


@pytest.mark.parametrize("value", ["0", "-5"])
def test_the_command_refuses_fewer_than_one_activity(value):
    with pytest.raises(CommandError, match="--activities"):
        call_command("bench_reports", "--activities", value)


# --- The province shape (--shape province) --------------------------------------------
# Built once for the tests below (last in this module: the transaction that holds the
# province is open until the module ends, and the district's tests above need an empty
# database). Each test runs in a savepoint inside it.

PROVINCE_N = 1500


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """The benchmark's province with PROVINCE_N activities, its output, and every row."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        result = run_province_benchmark(n=PROVINCE_N, repeat=1, seed=11, stdout=out)
        rows = list(Activity.objects.values(*ROW_FIELDS))
        villages = defaultdict(set)
        for activity_id, village_id in ActivityVillage.objects.values_list(
            "activity_id", "village_id"
        ):
            villages[activity_id].add(village_id)
        for row in rows:
            row["villages"] = villages[row["id"]]
        yield result, out.getvalue().splitlines(), rows
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_province_has_124_current_communes_117_xa_7_phuong_formed_from_330(province):
    current = Commune.objects.filter(valid_from=MERGER, valid_to__isnull=True)
    assert current.count() == 124
    assert Counter(current.values_list("kind", flat=True)) == {"xa": 117, "phuong": 7}
    former = Commune.objects.filter(valid_from__isnull=True, valid_to=datetime.date(2025, 6, 30))
    assert former.count() == 330
    assert Commune.objects.count() == 454
    # Every former commune went into a current one; every current one came from some.
    assert not former.filter(successor__isnull=True).exists()
    assert set(former.values_list("successor_id", flat=True)) == set(
        current.values_list("id", flat=True)
    )


@pytest.mark.django_db
def test_about_4000_villages_each_in_a_former_commune_then_in_its_successor(province):
    assert 3_900 <= Village.objects.count() <= 4_100
    before, after = datetime.date(2025, 6, 30), MERGER
    seen_before, seen_after = set(), set()
    for commune in Commune.objects.filter(valid_to=before):
        villages = set(Village.objects.of_commune_on(commune, before).values_list("id", flat=True))
        assert villages == set(commune.villages.values_list("id", flat=True))
        assert seen_before.isdisjoint(villages)
        seen_before |= villages
        # The next day the same villages are the successor's.
        assert villages <= set(
            Village.objects.of_commune_on(commune.successor_id, after).values_list("id", flat=True)
        )
    for commune in Commune.objects.filter(valid_from=after):
        villages = set(Village.objects.of_commune_on(commune, after).values_list("id", flat=True))
        assert villages, commune
        assert seen_after.isdisjoint(villages)
        seen_after |= villages
    all_villages = set(Village.objects.values_list("id", flat=True))
    assert seen_before == seen_after == all_villages


@pytest.mark.django_db
def test_about_600_organisations_report_in_a_tree_under_the_tinh_uy(province):
    result, _, rows = province
    reporting = set(
        PartyUnit.objects.filter(Q(commune__isnull=False) | Q(assignments__isnull=False))
        .values_list("id", flat=True)
        .distinct()
    )
    assert 550 <= len(reporting) <= 650
    assert len(reporting) == result.shape.reporting
    assert {r["unit_id"] for r in rows} <= reporting
    root = PartyUnit.objects.get(parent__isnull=True)
    assert root.kind == "tinh_uy"
    assert PartyUnit.objects.filter(name="Ban Tuyên giáo và Dân vận Tỉnh ủy", parent=root).exists()
    assert len(root.subtree()) == PartyUnit.objects.count()
    # A Đảng ủy xã for each current commune, in it from 01/07/2025, and its chi bộ there too.
    committees = PartyUnit.objects.filter(kind="dang_uy_xa")
    assert committees.count() == 124
    assert set(committees.values_list("valid_from", flat=True)) == {MERGER}
    assert set(committees.values_list("commune_id", flat=True)) == set(
        Commune.objects.filter(valid_from=MERGER).values_list("id", flat=True)
    )
    chi_bo = PartyUnit.objects.filter(parent__kind="dang_uy_xa")
    assert chi_bo.exists()
    assert not chi_bo.exclude(commune=F("parent__commune")).exists()
    # The former district level ended with the district, assigned to former communes only.
    district = PartyUnit.objects.filter(parent__kind="huyen_uy")
    assert set(district.values_list("valid_to", flat=True)) == {datetime.date(2025, 6, 30)}
    assigned = Assignment.objects.filter(unit__in=district)
    assert set(assigned.values_list("end", flat=True)) == {datetime.date(2025, 6, 30)}
    assert set(assigned.values_list("commune__valid_to", flat=True)) == {datetime.date(2025, 6, 30)}
    # The provincial bodies' chi bộ are paired with current communes from the merger.
    provincial = Assignment.objects.filter(unit__parent__kind="dang_bo_tinh")
    assert provincial.exists()
    assert set(provincial.values_list("start", "end", "commune__valid_from")) == {
        (MERGER, None, MERGER)
    }


@pytest.mark.django_db
def test_province_activities_span_five_years_across_the_merger(province):
    _, _, rows = province
    assert len(rows) == PROVINCE_N
    assert {r["date"].year for r in rows} == {2021, 2022, 2023, 2024, 2025}
    assert any(r["date"] >= MERGER for r in rows)
    assert {len(r["villages"]) for r in rows} == {1, 2, 3}


@pytest.mark.django_db
def test_every_province_activity_is_in_a_commune_its_unit_works_in_that_day(province):
    _, _, rows = province
    assignments = defaultdict(list)
    for assignment in Assignment.objects.all():
        assignments[(assignment.unit_id, assignment.commune_id)].append(assignment)
    units = {u.pk: u for u in PartyUnit.objects.select_related("commune")}
    for r in rows:
        unit = units[r["unit_id"]]
        own = unit.commune_id == r["commune_id"] and unit.in_own_commune_on(r["date"])
        assigned = any(a.covers(r["date"]) for a in assignments[(unit.pk, r["commune_id"])])
        assert own or assigned, r


@pytest.mark.django_db
def test_every_province_activity_reaches_villages_of_its_commune_on_its_date(province):
    _, _, rows = province
    villages = {v.pk: v for v in Village.objects.prefetch_related("memberships")}
    for r in rows:
        day = r["date"]
        assert all(villages[v].belongs_during(r["commune_id"], day, day) for v in r["villages"]), r


def expected_figures(rows: list[dict], timed) -> dict[str, list[tuple]]:
    """What a dashboard's scope covers, computed in Python from the generated rows."""
    scope = timed.dashboard.raw
    successor = dict(Commune.objects.values_list("id", "successor_id"))
    start, end = scope.period
    chosen = [
        r
        for r in rows
        if start <= r["date"] <= end
        and (scope.unit is None or r["unit_id"] == scope.unit)
        and (
            scope.commune is None or scope.commune in (r["commune_id"], successor[r["commune_id"]])
        )
    ]

    def commune(r):
        return (successor[r["commune_id"]] or r["commune_id"]) if scope.merged else r["commune_id"]

    def grouped(key) -> list[tuple]:
        groups = defaultdict(list)
        for r in chosen:
            groups[key(r)].append(r)
        return [(k, *sums(g)) for k, g in sorted(groups.items())]

    def villages_per(key) -> list[tuple]:
        reached = defaultdict(set)
        for r in chosen:
            reached[key(r)] |= r["villages"]
        return [(k, len(v)) for k, v in sorted(reached.items())]

    outputs = defaultdict(Decimal)
    for r in chosen:
        if r["output_quantity"] is not None:
            outputs[(r["activity_type_id"], r["output_unit"])] += r["output_quantity"]
    weekend = Counter(
        (r["unit_id"], r["date"].replace(day=1)) for r in chosen if r["date"].weekday() >= 5
    )
    return {
        "totals": [sums(chosen)],
        "per_commune": grouped(commune),
        "villages_per_commune": villages_per(commune),
        "per_unit": grouped(lambda r: r["unit_id"]),
        "per_type": grouped(lambda r: r["activity_type_id"]),
        "output_per_type": [(*k, total) for k, total in sorted(outputs.items())],
        "per_month": grouped(lambda r: r["date"].replace(day=1)),
        "weekend_per_unit_month": [(*k, n) for k, n in sorted(weekend.items())],
        "villages": [(len(set().union(*(r["villages"] for r in chosen))),)],
        "villages_per_unit": villages_per(lambda r: r["unit_id"]),
    }


def totals_of(totals) -> tuple:
    """A dashboard row's totals in the order of `sums()`."""
    return (
        totals.activities,
        totals.cadres,
        totals.people,
        totals.workdays,
        totals.households,
        totals.money_contributed,
        totals.money_mobilised,
    )


@pytest.mark.django_db
def test_the_four_dashboards_cover_what_the_issue_asks(province):
    result, _, _ = province
    shape = result.shape
    assert [(t.dashboard.name, t.dashboard.query) for t in result.timed] == [
        ("province", {"ky": "tu-dau"}),
        ("commune", {"ky": "tu-dau", "xa": str(shape.commune.pk), "gop_xa": "1"}),
        ("organisation", {"ky": "tu-dau", "don_vi": str(shape.unit.pk)}),
        ("custom_period", {"ky": "tuy-chon", "tu": "01/01/2025", "den": "31/12/2025"}),
    ]
    # Lâm Bình, formed from Lăng Can, Phúc Yên and Xuân Lập (the brief).
    assert (shape.commune.name, shape.commune.valid_from) == ("Lâm Bình", MERGER)
    assert (
        set(shape.commune.main_predecessors.values_list("name", flat=True))
        == NEW_COMMUNES["Lâm Bình"]
    )
    assert shape.unit.assignments.exists()


@pytest.mark.django_db
def test_each_dashboards_raw_sql_equals_sums_computed_in_python(province):
    result, _, rows = province
    for timed in result.timed:
        expected = expected_figures(rows, timed)
        assert timed.raw == expected, timed.dashboard.name
        assert expected["totals"][0][0] > 0, timed.dashboard.name


@pytest.mark.django_db
def test_each_dashboards_figures_equal_sums_computed_in_python(province):
    result, _, rows = province
    for timed in result.timed:
        name = timed.dashboard.name
        expected = expected_figures(rows, timed)
        report = build_report(QueryDict(urlencode(timed.dashboard.query)))
        assert (report.scope.period.start, report.scope.period.end)[
            0
        ] == timed.dashboard.raw.period[0]
        assert totals_of(report.headline.totals) == expected["totals"][0], name
        assert report.headline.villages_reached == expected["villages"][0][0], name
        reached = [r for r in report.communes if r.totals.activities]
        assert (
            sorted((r.key.pk, *totals_of(r.totals)) for r in reached) == expected["per_commune"]
        ), name
        assert (
            sorted((r.key.pk, r.totals.villages) for r in reached)
            == expected["villages_per_commune"]
        ), name
        units = sorted(
            (r.key.pk, *totals_of(r.totals)) for r in report.units if r.totals.activities
        )
        assert units == expected["per_unit"], name
        assert (
            sorted((r.key.pk, r.totals.villages) for r in report.units if r.totals.activities)
            == expected["villages_per_unit"]
        ), name
        assert (
            sorted((r.key.pk, *totals_of(r.totals)) for r in report.types) == expected["per_type"]
        ), name
        assert [
            (r.key, *totals_of(r.totals)) for r in report.months if r.totals.activities
        ] == expected["per_month"], name


@pytest.mark.django_db
def test_each_dashboards_query_count_stays_the_same_with_twice_the_activities(province):
    result, _, _ = province
    shape = result.shape
    user = bench_official()
    bench_activities_load(n=PROVINCE_N, reference=shape.reference, rng=random.Random(12))
    assert Activity.objects.count() == 2 * PROVINCE_N
    for timed in result.timed:
        _, fetch = dashboard_fetcher(timed.dashboard.query, user=user)
        queries = first_fetch_queries(fetch)
        assert timed.queries > 0
        assert len(queries) == timed.queries, timed.dashboard.name


@pytest.mark.django_db
def test_the_province_prints_a_line_per_dashboard_and_ends_with_the_worst_ratio(province):
    result, lines, _ = province
    assert lines[2].startswith("shape: province Tuyên Quang: 124 current communes, 330 former")
    assert any(re.match(r"^generation_rows_per_s: \d+ activities/s", line) for line in lines)
    for name in ("province", "commune", "organisation", "custom_period"):
        assert any(
            re.match(
                rf"^dashboard_{name}: \d+\.\d ms median, \d+ queries, raw SQL \d+\.\d ms, "
                r"ratio \d+\.\d\d \(GET /",
                line,
            )
            for line in lines
        ), name
    worst = max(t.dashboard_ms / t.raw_ms for t in result.timed)
    assert lines[-1] == f"dashboard_vs_raw_sql_ratio: {worst:.2f}"


@pytest.mark.django_db
def test_a_kept_province_is_timed_again_as_it_was_built(province):
    result, _, _ = province
    out = io.StringIO()
    again = run_province_benchmark(n=1, repeat=1, seed=0, stdout=out, reuse=True)
    lines = out.getvalue().splitlines()
    # The same province, read back: the commune and the organisation timed, every pair.
    built, read = result.shape, again.shape
    assert (read.commune, read.unit) == (built.commune, built.unit)
    assert sorted(read.reference.units) == sorted(built.reference.units)
    assert sorted(read.reference.units_after) == sorted(built.reference.units_after)
    assert (read.villages, read.organisations, read.reporting) == (
        built.villages,
        built.organisations,
        built.reporting,
    )
    assert again.generated is None
    assert f"generated: reused the kept database, {PROVINCE_N} activities" in lines
    assert [t.dashboard.name for t in again.timed] == [t.dashboard.name for t in result.timed]
    assert lines[-1] == f"dashboard_vs_raw_sql_ratio: {again.worst.ratio:.2f}"


def test_reuse_is_for_the_province_only():
    with pytest.raises(CommandError, match="--shape province"):
        call_command("bench_reports", "--activities", "10", "--reuse")

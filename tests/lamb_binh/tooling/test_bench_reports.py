"""The reports benchmark: its synthetic data, and its raw SQL against independent counts."""

import datetime
import io
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Sum

from activities.models import (
    Activity,
    ActivityVillage,
    Assignment,
    Commune,
    PartyUnit,
    Village,
)
from lamb_binh.tooling.bench import PERIOD, run_benchmark

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


@pytest.fixture
def activity_rows(bench) -> list[dict]:
    """Every activity generated (the raw SQL sees only those of the dashboard's period)."""
    return list(
        Activity.objects.values(
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
    )


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

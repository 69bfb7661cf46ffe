"""The summary tables equal a fresh computation from the activities after every kind of write."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.test.utils import CaptureQueriesContext

from activities import stats
from activities.models import (
    Activity,
    ActivityDayStat,
    ActivityMonthStat,
    ActivityType,
    ActivityVillage,
    AreaDayStat,
    AreaMonthStat,
    TypeDayStat,
    TypeMonthStat,
    Village,
    VillageDayStat,
    VillageMonthDaysStat,
    VillageMonthStat,
    VillageYearStat,
    WeekendDayStat,
    WeekendMonthStat,
)
from tests.factories import make_activity

pytestmark = pytest.mark.django_db


CUBE = ("unit_id", "commune_id", "activity_type_id", "output_unit")
AREA = ("unit_id", "commune_id")
TYPE = ("activity_type_id", "output_unit")
TABLE_NAMES = {
    "months",
    "villages",
    "days",
    "village_days",
    "weekends",
    "area_months",
    "area_days",
    "type_months",
    "type_days",
    "weekend_months",
    "village_years",
    "village_month_days",
}


def kept() -> dict:
    """What the triggers maintained (rows that went back to zero count as absent)."""

    def sums(model, period: str, keys=CUBE) -> dict:
        return {
            (getattr(r, period), *(getattr(r, k) for k in keys)): (
                r.activities,
                r.cadres,
                r.people,
                r.workdays_tenths,
                r.output_hundredths,
                r.money_contributed,
                r.money_mobilised,
            )
            for r in model.objects.exclude(activities=0)
        }

    def reached(model, period: str) -> dict:
        return {
            (getattr(r, period), r.unit_id, r.commune_id, r.activity_type_id, r.village_id): (
                r.activities
            )
            for r in model.objects.exclude(activities=0)
        }

    def spread(model, period: str, prefix: str, parts: int) -> dict:
        return {
            (getattr(r, period), r.unit_id, r.commune_id, r.village_id): (
                r.activities,
                *(getattr(r, f"{prefix}{n:02d}") for n in range(1, parts + 1)),
            )
            for r in model.objects.exclude(activities=0)
        }

    def weekends(model, period: str) -> dict:
        return {
            (getattr(r, period), r.unit_id, r.commune_id): r.activities
            for r in model.objects.exclude(activities=0)
        }

    return {
        "months": sums(ActivityMonthStat, "month"),
        "villages": reached(VillageMonthStat, "month"),
        "days": sums(ActivityDayStat, "date"),
        "village_days": reached(VillageDayStat, "date"),
        "weekends": weekends(WeekendDayStat, "date"),
        "area_months": sums(AreaMonthStat, "month", AREA),
        "area_days": sums(AreaDayStat, "date", AREA),
        "type_months": sums(TypeMonthStat, "month", TYPE),
        "type_days": sums(TypeDayStat, "date", TYPE),
        "weekend_months": weekends(WeekendMonthStat, "month"),
        "village_years": spread(VillageYearStat, "year", "m", 12),
        "village_month_days": spread(VillageMonthDaysStat, "month", "d", 31),
    }


def computed() -> dict:
    """The same figures computed directly from the activities with the ORM (sums) and in
    Python (villages, weekends)."""

    def sums(period, keys=CUBE) -> dict:
        result = {}
        for r in (
            Activity.objects.annotate(m=period)
            .values("m", *keys)
            .annotate(
                n=Count("id"),
                c=Sum("cadre_participations"),
                p=Sum("people_participations"),
                w=Sum("workdays"),
                q=Sum("output_quantity"),
                mc=Sum("money_contributed"),
                mm=Sum("money_mobilised"),
            )
            .order_by()
        ):
            key = (r["m"], *(r[k] for k in keys))
            result[key] = (
                r["n"],
                r["c"],
                r["p"],
                int(r["w"] * 10),
                int((r["q"] or 0) * 100),
                r["mc"],
                r["mm"],
            )
        return result

    villages, village_days, years, month_days = {}, {}, {}, {}
    for link in ActivityVillage.objects.select_related("activity"):
        a = link.activity
        rest = (a.unit_id, a.commune_id, a.activity_type_id, link.village_id)
        for table, period in ((villages, a.date.replace(day=1)), (village_days, a.date)):
            table[(period, *rest)] = table.get((period, *rest), 0) + 1
        # Across types: a total, then a count per month of the year / day of the month.
        place = (a.unit_id, a.commune_id, link.village_id)
        for table, key, part, parts in (
            (years, (a.date.year, *place), a.date.month, 12),
            (month_days, (a.date.replace(day=1), *place), a.date.day, 31),
        ):
            counts = list(table.get(key, (0,) * (parts + 1)))
            counts[0] += 1
            counts[part] += 1
            table[key] = tuple(counts)
    weekends, weekend_months = {}, {}
    for a in Activity.objects.all():
        if a.date.weekday() >= 5:
            for table, period in ((weekends, a.date), (weekend_months, a.date.replace(day=1))):
                key = (period, a.unit_id, a.commune_id)
                table[key] = table.get(key, 0) + 1
    return {
        "months": sums(TruncMonth("date")),
        "villages": villages,
        "days": sums(F("date")),
        "village_days": village_days,
        "weekends": weekends,
        "area_months": sums(TruncMonth("date"), AREA),
        "area_days": sums(F("date"), AREA),
        "type_months": sums(TruncMonth("date"), TYPE),
        "type_days": sums(F("date"), TYPE),
        "weekend_months": weekend_months,
        "village_years": years,
        "village_month_days": month_days,
    }


@pytest.fixture
def two_villages(binh_an):
    return [
        Village.objects.create(commune=binh_an, name="Nà Cóoc"),
        Village.objects.create(commune=binh_an, name="Khuổi Củng"),
    ]


def make(unit, commune, road, day, villages, **extra):
    return make_activity(
        unit,
        commune,
        day,
        villages=villages,
        activity_type=road,
        cadre_participations=extra.pop("cadres", 5),
        people_participations=20,
        workdays=Decimal("12.3"),
        **extra,
    )


def test_creating_activities_keeps_the_tables_exact(unit, binh_an, road, two_villages):
    make(unit, binh_an, road, datetime.date(2024, 6, 15), two_villages)
    make(
        unit,
        binh_an,
        road,
        datetime.date(2024, 6, 16),
        two_villages[:1],
        output_quantity=Decimal("327.65"),
        output_unit="m",
    )
    make(unit, binh_an, road, datetime.date(2024, 6, 12), two_villages[1:])
    assert kept() == computed()
    total = ActivityMonthStat.objects.aggregate(
        w=Sum("workdays_tenths"), q=Sum("output_hundredths")
    )
    assert total == {"w": 3 * 123, "q": 32765}
    assert sum(kept()["weekends"].values()) == 2


def test_editing_moves_figures_between_months_communes_and_types(
    unit, binh_an, road, two_villages, communes
):
    activity = make(unit, binh_an, road, datetime.date(2024, 6, 15), two_villages)
    activity.date = datetime.date(2024, 7, 6)
    activity.activity_type = ActivityType.objects.get(code="kenh-muong")
    activity.cadre_participations = 9
    activity.save()
    assert kept() == computed()
    elsewhere = Village.objects.create(commune=communes["02296"], name="Nà Va")
    activity.commune = communes["02296"]
    activity.save()
    activity.villages.set([elsewhere])
    assert kept() == computed()


def test_deleting_takes_figures_away(unit, binh_an, road, two_villages):
    keep = make(unit, binh_an, road, datetime.date(2024, 6, 15), two_villages)
    gone = make(unit, binh_an, road, datetime.date(2024, 6, 15), two_villages, cadres=7)
    gone.delete()
    keep.villages.remove(two_villages[0])
    assert kept() == computed()
    keep.delete()
    assert all(table == {} for table in kept().values())
    assert set(kept()) == TABLE_NAMES


def test_bulk_and_raw_sql_writes_are_counted_too(unit, binh_an, road, two_villages):
    activities = Activity.objects.bulk_create(
        [
            Activity(
                unit=unit,
                commune=binh_an,
                date=datetime.date(2024, 5, d),
                activity_type=road,
                cadre_participations=d,
                people_participations=2 * d,
            )
            for d in range(1, 29)
        ]
    )
    ActivityVillage.objects.bulk_create(
        [ActivityVillage(activity=a, village=two_villages[a.date.day % 2]) for a in activities]
    )
    Activity.objects.filter(date__day__lt=10).update(people_participations=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activity SET cadre_participations = 1 WHERE id = %s",
            [activities[-1].pk],
        )
    assert kept() == computed()


def test_a_bulk_load_without_triggers_ends_exact(unit, binh_an, road, two_villages):
    make(unit, binh_an, road, datetime.date(2024, 6, 15), two_villages)
    with stats.suspended():
        activities = Activity.objects.bulk_create(
            [
                Activity(
                    unit=unit,
                    commune=binh_an,
                    date=datetime.date(2023, m, 7),
                    activity_type=road,
                    cadre_participations=m,
                    people_participations=1,
                )
                for m in range(1, 13)
            ]
        )
        ActivityVillage.objects.bulk_create(
            [ActivityVillage(activity=a, village=two_villages[0]) for a in activities]
        )
    assert kept() == computed()
    # The triggers are back on afterwards.
    make(unit, binh_an, road, datetime.date(2024, 6, 22), two_villages)
    assert kept() == computed()


def _rebuilds(statements: list[dict]) -> list[str]:
    return [q["sql"] for q in statements if q["sql"].startswith("DELETE FROM activities_")]


def test_a_migrate_with_nothing_to_apply_keeps_the_tables_and_their_triggers(
    unit, binh_an, road, two_villages
):
    # A deploy runs migrate every time: with no new migration, a province's tables are not
    # rebuilt (a quarter of an hour for ten million activities) and no write goes uncounted.
    make(unit, binh_an, road, datetime.date(2024, 6, 15), two_villages)
    with CaptureQueriesContext(connection) as migrating:
        call_command("migrate", verbosity=0)
    assert _rebuilds(migrating.captured_queries) == []
    assert stats.triggers_installed()
    make(unit, binh_an, road, datetime.date(2024, 6, 22), two_villages)
    assert kept() == computed()


def _plan(*names: str) -> list:
    """The plan that migrate would send its signals with, applying these migrations."""
    graph = MigrationLoader(connection).graph
    return [(graph.nodes[("activities", name)], False) for name in names]


def test_a_migration_that_only_renames_a_model_keeps_the_tables_and_their_triggers(
    unit, binh_an, road, two_villages
):
    # 0020 only renames Commune for the admin ("xã, phường, thị trấn"): no table changes, so
    # nothing is rebuilt. 0018 changes tables: the triggers stand aside and all is rebuilt.
    renaming, changing = _plan("0020_commune_kinds_name"), _plan("0018_narrow_summary_tables")
    config = apps.get_app_config("activities")
    make(unit, binh_an, road, datetime.date(2024, 6, 15), two_villages)
    with CaptureQueriesContext(connection) as migrating:
        emit_pre_migrate_signal(0, False, "default", plan=renaming, apps=config.apps)
        assert stats.triggers_installed()
        emit_post_migrate_signal(0, False, "default", plan=renaming, apps=config.apps)
    assert _rebuilds(migrating.captured_queries) == []
    assert stats.triggers_installed()
    with CaptureQueriesContext(connection) as migrating:
        emit_pre_migrate_signal(0, False, "default", plan=changing, apps=config.apps)
        assert not stats.triggers_installed()
        emit_post_migrate_signal(0, False, "default", plan=changing, apps=config.apps)
    assert _rebuilds(migrating.captured_queries)
    assert stats.triggers_installed()
    make(unit, binh_an, road, datetime.date(2024, 6, 22), two_villages)
    assert kept() == computed()


def test_a_migrate_finding_the_triggers_gone_puts_them_back_and_rebuilds(
    unit, binh_an, road, two_villages
):
    make(unit, binh_an, road, datetime.date(2024, 6, 15), two_villages)
    stats.drop_triggers()
    assert not stats.triggers_installed()
    # Written while nothing kept the tables: only a rebuild counts it.
    make(unit, binh_an, road, datetime.date(2024, 6, 22), two_villages)
    with CaptureQueriesContext(connection) as migrating:
        call_command("migrate", verbosity=0)
    assert _rebuilds(migrating.captured_queries)
    assert stats.triggers_installed()
    assert kept() == computed()

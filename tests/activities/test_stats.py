"""The summary tables equal a fresh computation from the activities after every kind of write."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth

from activities import stats
from activities.models import (
    Activity,
    ActivityDayStat,
    ActivityMonthStat,
    ActivityType,
    ActivityVillage,
    Village,
    VillageDayStat,
    VillageMonthStat,
    WeekendDayStat,
)
from tests.factories import make_activity

pytestmark = pytest.mark.django_db


def kept() -> dict:
    """What the triggers maintained (rows that went back to zero count as absent)."""

    def sums(model, period: str) -> dict:
        return {
            (getattr(r, period), r.unit_id, r.commune_id, r.activity_type_id, r.output_unit): (
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

    months, days = sums(ActivityMonthStat, "month"), sums(ActivityDayStat, "date")
    villages = reached(VillageMonthStat, "month")
    village_days = reached(VillageDayStat, "date")
    weekends = {
        (r.date, r.unit_id, r.commune_id): r.activities
        for r in WeekendDayStat.objects.exclude(activities=0)
    }
    return {
        "months": months,
        "villages": villages,
        "days": days,
        "village_days": village_days,
        "weekends": weekends,
    }


def computed() -> dict:
    """The same figures computed directly from the activities with the ORM (sums) and in
    Python (villages, weekends)."""

    def sums(period) -> dict:
        result = {}
        for r in (
            Activity.objects.annotate(m=period)
            .values("m", "unit_id", "commune_id", "activity_type_id", "output_unit")
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
            key = (r["m"], r["unit_id"], r["commune_id"], r["activity_type_id"], r["output_unit"])
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

    months, days = sums(TruncMonth("date")), sums(F("date"))
    villages, village_days = {}, {}
    for link in ActivityVillage.objects.select_related("activity"):
        a = link.activity
        rest = (a.unit_id, a.commune_id, a.activity_type_id, link.village_id)
        for table, period in ((villages, a.date.replace(day=1)), (village_days, a.date)):
            table[(period, *rest)] = table.get((period, *rest), 0) + 1
    weekends = {}
    for a in Activity.objects.all():
        if a.date.weekday() >= 5:
            key = (a.date, a.unit_id, a.commune_id)
            weekends[key] = weekends.get(key, 0) + 1
    return {
        "months": months,
        "villages": villages,
        "days": days,
        "village_days": village_days,
        "weekends": weekends,
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
    assert set(kept()) == {"months", "villages", "days", "village_days", "weekends"}


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

"""load_demo: the demo data add up to the district's reported figures."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Sum
from django.test import override_settings
from django.urls import reverse

from activities.models import Activity, ActivityVillage, Assignment, Commune, PartyUnit, Village
from housing.models import HousingCase

# From the news report (source-article.vi.txt) and MISSION.md.
START, END = datetime.date(2021, 9, 10), datetime.date(2024, 6, 30)
CADRES, PEOPLE, VILLAGES, COMMUNES, UNITS = 1_780, 9_340, 100, 10, 17


def test_totals_are_the_articles(demo):
    totals = Activity.objects.aggregate(
        cadres=Sum("cadre_participations"), people=Sum("people_participations")
    )
    assert totals == {"cadres": CADRES, "people": PEOPLE}
    reached = Village.objects.filter(id__in=ActivityVillage.objects.values("village_id")).aggregate(
        villages=Count("id"), communes=Count("commune", distinct=True)
    )
    assert reached == {"villages": VILLAGES, "communes": COMMUNES}
    assert Activity.objects.values("commune").distinct().count() == COMMUNES
    assert not Activity.objects.exclude(date__range=(START, END)).exists()


def test_every_activity_stays_in_its_commune_and_assignment(demo):
    mismatched = ActivityVillage.objects.exclude(village__commune=F("activity__commune"))
    assert not mismatched.exists()
    for activity in Activity.objects.select_related("unit", "commune"):
        assert (
            Assignment.objects.filter(unit=activity.unit, commune=activity.commune)
            .active_on(activity.date)
            .exists()
        ), activity


def test_seventeen_units_cover_the_ten_communes(demo):
    assert PartyUnit.objects.count() == UNITS
    assigned = Assignment.objects.values("commune").distinct().count()
    assert assigned == COMMUNES
    assert not PartyUnit.objects.filter(assignments__isnull=True).exists()
    assert Village.objects.count() == VILLAGES


def test_some_units_miss_some_months(demo):
    # A unit meets a month with a weekend activity; count the met (unit, month) pairs.
    met = {
        (unit_id, day.year, day.month)
        for unit_id, day in Activity.objects.on_weekends().values_list("unit_id", "date")
    }
    months = (END.year - START.year) * 12 + END.month - START.month + 1
    assert months == 34
    assert 0 < UNITS * months - len(met) < UNITS * months // 10


def test_ba_ma_thi_sinh_has_her_case(demo):
    case = HousingCase.objects.get(household_head="Ma Thị Sinh")
    assert (case.village.name, case.village.commune.code) == ("Nà Cóoc", "02290")
    assert case.category == HousingCase.Category.POOR
    assert case.support_amount == 25_000_000
    assert list(case.funding.values_list("year", "amount")) == [(2024, 25_000_000)]
    assert case.expected_completion == datetime.date(2024, 6, 30)
    assert case.helping_units.get().name == "Đảng bộ cơ quan chính quyền huyện"
    assert case.activities.get().date == datetime.date(2024, 6, 15)


def test_cases_spread_over_statuses_programmes_and_communes(demo):
    assert HousingCase.objects.values("status").distinct().count() == len(HousingCase.Status)
    assert HousingCase.objects.values("programme").distinct().count() >= 3
    assert HousingCase.objects.values("village__commune").distinct().count() >= 8


def test_demo_accounts_log_in_with_the_demo_password(demo, client):
    User = get_user_model()
    for username in ("quantri", "nhaplieu", "lanhdao"):
        response = client.post(reverse("login"), {"username": username, "password": "lambinh-demo"})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        client.logout()
    assert User.objects.get(username="quantri").is_superuser
    nhaplieu = User.objects.get(username="nhaplieu")
    assert list(nhaplieu.party_units.values_list("name", flat=True)) == [
        "Đảng bộ cơ quan chính quyền huyện"
    ]
    assert list(User.objects.get(username="lanhdao").groups.values_list("name", flat=True)) == [
        "Lãnh đạo"
    ]


def test_a_second_run_adds_nothing(demo):
    counts = (Activity.objects.count(), Village.objects.count(), Commune.objects.count())
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=out)
    assert "đã có hoạt động" in out.getvalue()
    assert (Activity.objects.count(), Village.objects.count(), Commune.objects.count()) == counts


@pytest.mark.django_db
def test_it_refuses_to_run_with_debug_off_unless_forced():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Activity.objects.exists()
    with override_settings(DEBUG=False):
        call_command("load_demo", "--force", stdout=io.StringIO())
    assert Activity.objects.aggregate(n=Sum("cadre_participations"))["n"] == CADRES


def test_past_months_are_reported_and_june_2024_is_still_open(demo):
    from activities.models import MonthReport
    from lamb_binh.demo.activities import MISSED

    months_before_june = 33  # 09/2021 … 05/2024
    assert MonthReport.objects.count() == UNITS * months_before_june
    assert not MonthReport.objects.filter(year=2024, month=6).exists()
    declared_empty = {
        (code, year, month)
        for code, year, month in MonthReport.objects.filter(state="no_activity").values_list(
            "unit__code", "year", "month"
        )
    }
    assert declared_empty == {m for m in MISSED if (m[1], m[2]) < (2024, 6)}

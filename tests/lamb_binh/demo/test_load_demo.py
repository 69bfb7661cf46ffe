"""load_demo: the district's history in the demo adds up to its reported figures (the
present after the 2025 merger: test_present.py)."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Sum
from django.test import override_settings
from django.urls import reverse

from activities.models import (
    Activity,
    ActivityVillage,
    Assignment,
    Commune,
    PartyUnit,
    Village,
    VillageCommune,
)
from housing.models import HousingCase

# From the news report (source-article.vi.txt) and MISSION.md.
START, END = datetime.date(2021, 9, 10), datetime.date(2024, 6, 30)
MERGER = datetime.date(2025, 7, 1)  # the district level abolished, the communes merged
CADRES, PEOPLE, VILLAGES, COMMUNES, UNITS = 1_780, 9_340, 100, 10, 17


def test_totals_are_the_articles(demo):
    history = Activity.objects.filter(date__range=(START, END))
    totals = history.aggregate(
        cadres=Sum("cadre_participations"), people=Sum("people_participations")
    )
    assert totals == {"cadres": CADRES, "people": PEOPLE}
    links = ActivityVillage.objects.filter(activity__in=history)
    reached = Village.objects.filter(id__in=links.values("village_id")).aggregate(
        villages=Count("id"), communes=Count("commune", distinct=True)
    )
    assert reached == {"villages": VILLAGES, "communes": COMMUNES}
    assert history.values("commune").distinct().count() == COMMUNES
    # Nothing before the programme, nor between the article's end and the merger.
    assert not Activity.objects.filter(date__lt=START).exists()
    assert not Activity.objects.filter(date__gt=END, date__lt=MERGER).exists()


def test_every_activity_stays_in_its_commune_and_assignment(demo):
    history = ActivityVillage.objects.filter(activity__date__lte=END)
    assert not history.exclude(village__commune=F("activity__commune")).exists()
    # After the merger a village is in the commune its membership says on the day.
    for link in ActivityVillage.objects.filter(activity__date__gte=MERGER).select_related(
        "activity"
    ):
        day = link.activity.date
        membership = VillageCommune.objects.valid_on(day).get(village_id=link.village_id)
        assert membership.commune_id == link.activity.commune_id, link
    # Each unit works where it is assigned, or in its own commune (a Đảng ủy xã, its chi bộ).
    for activity in Activity.objects.select_related("unit", "commune"):
        assert (
            activity.unit.commune_id == activity.commune_id
            or Assignment.objects.filter(unit=activity.unit, commune=activity.commune)
            .active_on(activity.date)
            .exists()
        ), activity


def test_seventeen_units_cover_the_ten_communes(demo):
    district = PartyUnit.objects.filter(parent__code="huyen-uy-lam-binh")
    assert district.count() == UNITS
    assigned = Assignment.objects.filter(unit__in=district)
    assert assigned.values("commune").distinct().count() == COMMUNES
    assert not assigned.exclude(end=datetime.date(2025, 6, 30)).exists()
    assert not district.filter(assignments__isnull=True).exists()
    assert Village.objects.count() == VILLAGES


def test_some_units_miss_some_months(demo):
    # A unit meets a month with a weekend activity; count the met (unit, month) pairs.
    met = {
        (unit_id, day.year, day.month)
        for unit_id, day in Activity.objects.on_weekends()
        .filter(date__lte=END)
        .values_list("unit_id", "date")
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
    for username in ("quantri", "nhaplieu", "lanhdao", "binhan_lanhdao", "binhan_nhaplieu"):
        response = client.post(reverse("login"), {"username": username, "password": "lambinh-demo"})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        client.logout()
    assert User.objects.get(username="quantri").is_superuser
    nhaplieu = User.objects.get(username="nhaplieu")
    assert set(nhaplieu.party_units.values_list("name", flat=True)) == {
        "Đảng bộ cơ quan chính quyền huyện",
        "Chi bộ Sở Nông nghiệp và Môi trường",
    }
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
    history = Activity.objects.filter(date__lte=END)
    assert history.aggregate(n=Sum("cadre_participations"))["n"] == CADRES


def test_past_months_are_reported_and_june_2024_is_still_open(demo):
    from activities.models import MonthReport
    from lamb_binh.demo.activities import MISSED

    months_before_june = 33  # 09/2021 … 05/2024
    history = MonthReport.objects.filter(year__lte=2024)
    assert history.count() == UNITS * months_before_june
    assert not MonthReport.objects.filter(year=2024, month=6).exists()
    declared_empty = {
        (code, year, month)
        for code, year, month in history.filter(state="no_activity").values_list(
            "unit__code", "year", "month"
        )
    }
    assert declared_empty == {m for m in MISSED if (m[1], m[2]) < (2024, 6)}

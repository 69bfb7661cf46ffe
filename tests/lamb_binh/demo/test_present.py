"""load_demo reaches today: the province after the 2025 merger, with work up to this month.

The calendar is fixed to 15/12/2026; the demo is loaded on that day."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.urls import reverse

from activities import access
from activities.models import (
    Activity,
    ActivityVillage,
    Assignment,
    Commune,
    MonthReport,
    PartyUnit,
    Village,
)

TODAY = datetime.date(2026, 12, 15)
MERGER = datetime.date(2025, 7, 1)
# The news report (source-article.vi.txt): 10/09/2021 to 30/06/2024.
START, END = datetime.date(2021, 9, 10), datetime.date(2024, 6, 30)
CADRES, PEOPLE, VILLAGES, COMMUNES = 1_780, 9_340, 100, 10
# Tuyên Quang from 01/07/2025 (with the former Hà Giang): 124 communes and wards.
PROVINCE_COMMUNES = 124

pytestmark = pytest.mark.today(TODAY)


def _user(username):
    return get_user_model().objects.get(username=username)


def test_the_province_has_its_124_communes(demo):
    current = Commune.objects.filter(province="Tuyên Quang", valid_from=MERGER)
    assert current.count() == PROVINCE_COMMUNES
    assert not current.exclude(valid_to__isnull=True).exists()
    # Lâm Bình's ten former communes went into four.
    former = Commune.objects.filter(district="Lâm Bình", valid_from__isnull=True)
    assert former.count() == COMMUNES
    assert current.filter(main_predecessors__in=former).distinct().count() == 4


def test_the_articles_figures_are_unchanged(demo):
    history = Activity.objects.filter(date__range=(START, END))
    assert history.aggregate(c=Sum("cadre_participations"), p=Sum("people_participations")) == {
        "c": CADRES,
        "p": PEOPLE,
    }
    reached = Village.objects.filter(
        id__in=ActivityVillage.objects.filter(activity__in=history).values("village_id")
    ).aggregate(villages=Count("id"), communes=Count("commune", distinct=True))
    assert reached == {"villages": VILLAGES, "communes": COMMUNES}


def test_there_is_work_this_month_and_every_month_of_this_year(demo):
    this_month = Activity.objects.filter(date__year=2026, date__month=12)
    assert this_month.on_weekends().exists()
    assert not Activity.objects.filter(date__gt=TODAY).exists()
    months = set(Activity.objects.filter(date__year=2026).values_list("date__month", flat=True))
    assert months == set(range(1, 13))
    # From the merger on, the work is in the four new communes, by the new organisations.
    present = Activity.objects.filter(date__gte=MERGER)
    assert set(present.values_list("commune__valid_from", flat=True)) == {MERGER}
    assert present.values("commune").distinct().count() == 4
    assert not present.filter(unit__parent__code="huyen-uy-lam-binh").exists()


def test_months_are_reported_up_to_last_month(demo):
    reports = MonthReport.objects.filter(year__gte=2025)
    latest = reports.order_by("-year", "-month").values_list("year", "month").first()
    assert latest == (2026, 11)
    assert not reports.filter(year=2026, month=12).exists()
    # 07/2025 … 11/2026: 17 months for each organisation working in the new communes.
    per_unit = set(reports.values("unit").annotate(n=Count("id")).values_list("n", flat=True))
    assert per_unit == {17}
    assert reports.filter(state=MonthReport.State.NO_ACTIVITY).exists()


def test_the_dashboard_shows_this_month_and_this_year(demo, client):
    client.force_login(_user("lanhdao"))
    for kind in ("thang", "nam"):
        report = client.get(reverse("dashboard"), {"ky": kind}).context["report"]
        assert report.headline.totals.activities > 0, kind


def test_the_provincial_bodies_are_paired_with_the_new_communes(demo):
    sector = PartyUnit.objects.get(name="Chi bộ Sở Nông nghiệp và Môi trường")
    assert sector.parent.name == "Đảng bộ Ủy ban nhân dân tỉnh"
    assert sector.parent.parent.name == "Tỉnh ủy Tuyên Quang"
    assignment = Assignment.objects.get(unit=sector)
    assert (assignment.commune.name, assignment.commune.valid_from) == ("Bình An", MERGER)
    assert assignment.start == MERGER and assignment.end is None
    ban = PartyUnit.objects.get(name="Ban Tuyên giáo và Dân vận Tỉnh ủy")
    assert ban.parent.name == "Tỉnh ủy Tuyên Quang"
    assert PartyUnit.objects.filter(name="Đảng bộ các cơ quan Đảng tỉnh").exists()
    communes = PartyUnit.objects.filter(kind=PartyUnit.Kind.DANG_UY_XA)
    assert communes.count() == 4
    assert not PartyUnit.objects.filter(parent__in=communes).exclude(kind="chi_bo").exists()
    assert PartyUnit.objects.filter(parent__in=communes).count() >= 4


def test_each_demo_account_reaches_what_the_readme_says(demo):
    binh_an = Commune.objects.get(name="Bình An", valid_from=MERGER)
    # The former communes merged into Bình An: Bình An and Thổ Bình.
    former = set(
        Commune.objects.filter(
            name__in=["Bình An", "Thổ Bình"], valid_from__isnull=True
        ).values_list("pk", flat=True)
    )
    for username in ("quantri", "lanhdao"):
        assert access.reach_of(_user(username)).whole, username
    assert access.is_admin(_user("quantri"))
    assert access.is_official(_user("lanhdao"))

    nhaplieu = access.reach_of(_user("nhaplieu"))
    assert set(PartyUnit.objects.filter(pk__in=nhaplieu.units).values_list("name", flat=True)) == {
        "Đảng bộ cơ quan chính quyền huyện",
        "Chi bộ Sở Nông nghiệp và Môi trường",
    }

    official = access.reach_of(_user("binhan_lanhdao"))
    assert access.is_official(_user("binhan_lanhdao"))
    assert official.communes == {binh_an.pk, *former}
    assert official.label == "Xã Bình An"

    staff = _user("binhan_nhaplieu")
    assert access.is_staff_member(staff)
    assert list(access.editable_units(staff).values_list("name", flat=True)) == [
        "Đảng ủy xã Bình An"
    ]
    # The commune's reader sees its work this year, and nothing outside the commune.
    seen = access.readable_activities(
        _user("binhan_lanhdao"), Activity.objects.filter(date__year=2026)
    )
    assert seen.exists()
    assert set(seen.values_list("commune", flat=True)) == {binh_an.pk}


def test_the_former_districts_units_ended_with_it(demo, client):
    # Huyện ủy Lâm Bình and its 17 units; the district level ended on 30/06/2025.
    district = PartyUnit.objects.filter(parent__name="Huyện ủy Lâm Bình")
    assert district.count() == 17
    assert set(district.values_list("valid_to", flat=True)) == {MERGER - datetime.timedelta(1)}
    # This year's report of xã Bình An lists none of them: they no longer exist.
    client.force_login(_user("binhan_lanhdao"))
    rows = client.get(reverse("dashboard"), {"ky": "nam"}).context["report"].units
    assert rows
    assert not {row.key.pk for row in rows} & set(district.values_list("pk", flat=True))

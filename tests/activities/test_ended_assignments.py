"""Write access follows the assignments in force: once a unit's assignment to a commune has
ended its staff still read that commune's cases, but change nothing there, and a month
after the end has no report to make."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Assignment, MonthReport
from housing.models import Funding, HousingCase
from tests.factories import PRESENT, logged_in, make_case

ENDED = datetime.date(2024, 6, 30)
# Today, long after the end; a test that looks from before it says so.
pytestmark = pytest.mark.today(PRESENT)


@pytest.fixture
def ended(assignment) -> Assignment:
    """Unit A's assignment to Bình An, ended on 30/06/2024."""
    assignment.end = ENDED
    assignment.save()
    return assignment


@pytest.fixture
def case(ended, village, programme) -> HousingCase:
    return make_case(village, programme)


def test_staff_still_read_a_case_of_a_commune_they_left(staff_a, case):
    response = logged_in(staff_a).get(reverse("housing:case_detail", args=[case.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ma Thị Sinh" in page
    # No buttons that would only be refused.
    assert reverse("housing:funding_add", args=[case.pk]) not in page
    assert reverse("housing:case_update", args=[case.pk]) not in page


def test_staff_add_no_funding_row_once_the_assignment_has_ended(staff_a, case):
    response = logged_in(staff_a).post(
        reverse("housing:funding_add", args=[case.pk]),
        {"source": "tinh", "year": "2024", "amount": "25.000.000"},
    )
    assert response.status_code == 403
    assert "không còn được phân công phụ trách xã Bình An" in response.content.decode()
    assert not Funding.objects.exists()


def test_staff_change_nothing_else_on_that_case(staff_a, case):
    staff = logged_in(staff_a)
    funding = Funding.objects.create(case=case, source="xa", year=2024, amount=1_000_000)
    posts = {
        "case_update": ({"household_head": "Tên khác", "version": "1"}, []),
        "case_advance": ({"date": "20/03/2024"}, []),
        "funding_delete": ({}, [funding.pk]),
        "case_activities": ({"activity": "1", "action": "link"}, []),
    }
    assert staff.get(reverse("housing:case_update", args=[case.pk])).status_code == 403
    for name, (data, extra) in posts.items():
        response = staff.post(reverse(f"housing:{name}", args=[case.pk, *extra]), data)
        assert response.status_code == 403, name
    case.refresh_from_db()
    assert (case.household_head, case.status, case.version) == ("Ma Thị Sinh", "surveyed", 1)
    assert Funding.objects.count() == 1


def test_a_new_case_cannot_be_put_in_a_commune_the_unit_left(staff_a, ended, village, programme):
    response = logged_in(staff_a).post(
        reverse("housing:case_create"),
        {
            "household_head": "Hoàng Văn Thắng",
            "village": str(village.pk),
            "category": "ho_ngheo",
            "programme": str(programme.pk),
            "work_kind": "xay_moi",
            "support_amount": "50.000.000",
            "workdays": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not HousingCase.objects.exists()


def test_an_admin_still_changes_the_case(admin_user, case):
    response = logged_in(admin_user).post(
        reverse("housing:funding_add", args=[case.pk]),
        {"source": "tinh", "year": "2024", "amount": "25.000.000"},
    )
    assert response.status_code == 302
    assert Funding.objects.get().amount == 25_000_000


@pytest.mark.today(datetime.date(2024, 6, 20))
def test_staff_add_funding_while_the_assignment_is_still_in_force(staff_a, case):
    response = logged_in(staff_a).post(
        reverse("housing:funding_add", args=[case.pk]),
        {"source": "tinh", "year": "2024", "amount": "25.000.000"},
    )
    assert response.status_code == 302
    assert Funding.objects.get().case == case


def test_staff_of_a_unit_still_in_charge_add_funding(staff_a, assignment, village, programme):
    case = make_case(village, programme)
    response = logged_in(staff_a).post(
        reverse("housing:funding_add", args=[case.pk]),
        {"source": "tinh", "year": "2024", "amount": "25.000.000"},
    )
    assert response.status_code == 302
    assert Funding.objects.get().case == case


def month_post(client: Client, unit, year: int, month: int):
    return client.post(
        reverse("activities:month_submit", args=[unit.pk, year, month]),
        {"action": "no_activity"},
        follow=True,
    )


def test_no_month_report_for_a_month_after_the_assignment_ended(staff_a, ended, unit):
    staff = logged_in(staff_a)
    page = staff.get(reverse("activities:month", args=[unit.pk, 2024, 8]))
    assert page.context["can_report"] is False
    response = month_post(staff, unit, 2024, 8)
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Trong tháng 08/2024 đơn vị không được phân công phụ trách xã nào (phân công đã kết "
        "thúc hoặc chưa bắt đầu), nên không có báo cáo tháng."
    ]
    assert not MonthReport.objects.exists()


def test_the_month_the_assignment_ended_can_still_be_reported(staff_a, ended, unit):
    staff = logged_in(staff_a)
    assert staff.get(reverse("activities:month", args=[unit.pk, 2024, 6])).context["can_report"]
    month_post(staff, unit, 2024, 6)
    report = MonthReport.objects.get()
    assert (report.year, report.month, report.state) == (2024, 6, "no_activity")

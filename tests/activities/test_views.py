"""The staff pages: the unit's month, the activity form, submitting and reopening a month."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from activities.models import Activity, MonthReport, Village
from activities.pagination import PAGE_SIZE
from tests.factories import (
    HISTORY,
    PRESENT,
    activity_form_data,
    logged_in,
    make_activity,
    month_url,
)


@pytest.fixture
def second_village(binh_an):
    return Village.objects.create(commune=binh_an, name="Khuổi Củng")


def test_staff_add_an_activity_with_two_villages(
    client, staff_a, unit, binh_an, road, village, second_village
):
    client.force_login(staff_a)
    response = client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village, second_village]),
    )
    assert response.status_code == 302
    assert response["Location"] == month_url(unit)
    activity = Activity.objects.get()
    assert set(activity.villages.all()) == {village, second_village}
    assert activity.workdays == 42.5
    assert activity.money_contributed == 1_500_000
    assert activity.created_by == staff_a


def test_the_form_reads_dates_day_first(client, staff_a, unit, binh_an, road, village):
    client.force_login(staff_a)
    client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village], date="05/06/2024"),
    )
    assert Activity.objects.get().date == datetime.date(2024, 6, 5)


def test_errors_show_next_to_their_field_and_nothing_is_written(
    client, staff_a, unit, binh_an, road, village
):
    client.force_login(staff_a)
    response = client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [], cadre_participations="-3", money_contributed="abc"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["cadre_participations"] == ["Không được là số âm."]
    assert form.errors["money_contributed"] == ["Nhập số tiền bằng chữ số, ví dụ 25.000.000."]
    assert form.errors["villages"] == ["Trường này là bắt buộc."]
    assert "Không được là số âm." in response.content.decode()
    assert not Activity.objects.exists()


def test_a_service_rule_is_shown_on_the_form(client, staff_a, unit, binh_an, road, village):
    client.force_login(staff_a)
    response = client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village], date="04/09/2021"),
    )
    assert response.context["form"].errors["date"] == [
        "Ngày hoạt động trước ngày đơn vị được phân công (10/09/2021)."
    ]
    assert not Activity.objects.exists()


def test_a_duplicate_is_saved_only_once_confirmed(client, staff_a, unit, binh_an, road, village):
    client.force_login(staff_a)
    url = reverse("activities:activity_create", args=[unit.pk])
    client.post(url, activity_form_data(binh_an, road, [village]))
    response = client.post(url, activity_form_data(binh_an, road, [village]))
    assert response.status_code == 200
    assert "Vẫn lưu" in response.content.decode()
    assert Activity.objects.count() == 1
    client.post(url, activity_form_data(binh_an, road, [village], confirm_duplicate="on"))
    assert Activity.objects.count() == 2


def test_the_month_page_shows_the_months_activities_and_totals(
    client, staff_a, unit, binh_an, village
):
    make_activity(
        unit, binh_an, villages=[village], cadre_participations=5, people_participations=20
    )
    make_activity(
        unit,
        binh_an,
        datetime.date(2024, 6, 12),
        villages=[village],
        cadre_participations=3,
        people_participations=7,
    )
    make_activity(
        unit,
        binh_an,
        datetime.date(2024, 5, 18),
        villages=[village],
        cadre_participations=9,
        people_participations=9,
    )
    client.force_login(staff_a)
    response = client.get(month_url(unit))
    summary = response.context["summary"]
    assert (summary.activity_count, summary.cadres, summary.people) == (2, 5 + 3, 20 + 7)
    assert summary.rule_met
    page = response.content.decode()
    assert "Chưa báo cáo" in page
    assert page.count("không phải ngày cuối tuần") == 1  # 12/06/2024 is a Wednesday


def test_a_month_with_only_weekday_activities_does_not_meet_the_rule(
    client, staff_a, unit, binh_an, village
):
    make_activity(unit, binh_an, datetime.date(2024, 6, 12), villages=[village])
    client.force_login(staff_a)
    response = client.get(month_url(unit))
    assert not response.context["summary"].rule_met
    assert "Chưa có hoạt động cuối tuần" in response.content.decode()


def test_month_page_queries_do_not_grow_with_activities(
    client, staff_a, unit, binh_an, village, second_village, django_assert_num_queries
):
    make_activity(unit, binh_an, villages=[village])
    client.force_login(staff_a)
    # session, user, groups, unit, editable?, units list (x2: switcher, editable check),
    # activities, their villages, totals, month report
    with django_assert_num_queries(10):
        client.get(month_url(unit))
    for day in range(1, 29):
        activity = make_activity(unit, binh_an, datetime.date(2024, 6, day), villages=[village])
        activity.villages.add(second_village)
    with django_assert_num_queries(10):
        response = client.get(month_url(unit))
    assert response.context["summary"].activity_count == 29


def test_a_busy_month_is_shown_a_page_at_a_time(
    client, staff_a, unit, binh_an, village, django_assert_num_queries
):
    per_page = PAGE_SIZE
    days = [datetime.date(2024, 6, 1 + i % 30) for i in range(per_page + 5)]
    for day in days:
        make_activity(unit, binh_an, day, villages=[village])
    client.force_login(staff_a)
    with django_assert_num_queries(10):
        first = client.get(month_url(unit))
    page = first.content.decode()
    # The totals count the whole month; the list shows the first page, in date order.
    assert first.context["summary"].activity_count == per_page + 5
    assert page.count('class="activity-list"') == 1
    assert page.count("/hoat-dong/") - page.count("/hoat-dong/them/") == per_page
    assert "Trang 1/2" in page and "?page=2" in page
    second = client.get(month_url(unit), {"page": 2})
    listed = second.context["summary"].activities.object_list
    assert [a.date for a in listed] == sorted(days)[per_page:]
    assert "Trang 2/2" in second.content.decode()
    # A page number that is not one shows the first page, one past the end the last.
    assert client.get(month_url(unit), {"page": "abc"}).context["summary"].activities.number == 1
    assert client.get(month_url(unit), {"page": 9}).context["summary"].activities.number == 2


def test_submitting_the_month_locks_it_for_staff(client, staff_a, unit, binh_an, road, village):
    activity = make_activity(unit, binh_an, villages=[village], people_participations=20)
    client.force_login(staff_a)
    response = client.post(
        reverse("activities:month_submit", args=[unit.pk, 2024, 6]), {"action": "submit"}
    )
    assert response.status_code == 302
    assert MonthReport.objects.get().state == MonthReport.State.SUBMITTED
    page = client.get(month_url(unit)).content.decode()
    assert "Đã báo cáo" in page
    assert "+ Thêm hoạt động" not in page
    edit = reverse("activities:activity_update", args=[activity.pk])
    assert client.get(edit)["Location"] == reverse("activities:activity_detail", args=[activity.pk])
    client.post(edit, activity_form_data(binh_an, road, [village], people_participations="99"))
    client.post(reverse("activities:activity_delete", args=[activity.pk]))
    activity.refresh_from_db()
    assert activity.people_participations == 20


def test_an_admin_reopens_a_month_with_a_reason(
    client, staff_a, admin_user, unit, binh_an, village
):
    make_activity(unit, binh_an, villages=[village])
    MonthReport.objects.create(unit=unit, year=2024, month=6, state="submitted")
    url = reverse("activities:month_reopen", args=[unit.pk, 2024, 6])
    client.force_login(staff_a)
    assert client.post(url, {"reason": "Sửa"}).status_code == 403
    client.force_login(admin_user)
    client.post(url, {"reason": ""})
    assert MonthReport.objects.get().state == "submitted"
    client.post(url, {"reason": "Đơn vị nhập thiếu một buổi"})
    report = MonthReport.objects.get()
    assert (report.state, report.reopen_reason) == ("reopened", "Đơn vị nhập thiếu một buổi")


@pytest.mark.parametrize(("year", "month"), [(2024, 13), (2024, 0), (1999, 5), (2101, 1)])
def test_an_impossible_month_is_not_found(client, staff_a, unit, year, month):
    client.force_login(staff_a)
    assert client.get(month_url(unit, year, month)).status_code == 404


def test_staff_of_another_unit_never_see_the_activity(client, staff_b, unit, binh_an, village):
    activity = make_activity(unit, binh_an, villages=[village])
    client.force_login(staff_b)
    assert client.get(reverse("activities:activity_detail", args=[activity.pk])).status_code == 404
    for name in ("activity_update", "activity_delete"):
        url = reverse(f"activities:{name}", args=[activity.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert client.get(month_url(unit)).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_the_site_records_who_changed_what(client, staff_a, unit, binh_an, road, village):
    client.force_login(staff_a)
    client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village]),
    )
    activity = Activity.objects.get()
    client.post(
        reverse("activities:activity_update", args=[activity.pk]),
        activity_form_data(binh_an, road, [village], people_participations="31", version="1"),
    )
    entries = LogEntry.objects.get_for_object(activity).order_by("timestamp", "id")
    assert {e.actor for e in entries} == {staff_a}
    assert entries.first().action == LogEntry.Action.CREATE
    update = entries.filter(action=LogEntry.Action.UPDATE, changes__has_key="people_participations")
    assert update.get().changes_dict["people_participations"] == ["30", "31"]
    detail = client.get(reverse("activities:activity_detail", args=[activity.pk]))
    page = detail.content.decode()
    assert "Lịch sử thay đổi" in page
    assert "Lượt nhân dân" in page
    client.post(reverse("activities:activity_delete", args=[activity.pk]))
    deleted = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE,
        object_id=activity.pk,
        content_type__model="activity",
    )
    assert deleted.get().actor == staff_a


def test_the_admin_records_its_changes_too(client, admin_user, unit, binh_an, village):
    activity = make_activity(unit, binh_an, villages=[village])
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:activities_activity_delete", args=[activity.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get(action=LogEntry.Action.DELETE, object_id=activity.pk)
    assert entry.actor == admin_user


def test_the_month_picker_goes_to_the_chosen_unit_and_month(client, staff_a, unit):
    client.force_login(staff_a)
    response = client.get(
        reverse("activities:month_redirect"), {"don_vi": unit.pk, "thang": "2024-06"}
    )
    assert response["Location"] == month_url(unit, 2024, 6)


@pytest.mark.parametrize(
    ("today", "this_month"), [(PRESENT, (2026, 12)), (HISTORY, (2024, 6))], indirect=["today"]
)
def test_the_month_picker_refuses_others_units_and_explains_bad_months(
    today, client, staff_a, staff_b, unit, this_month
):
    client.force_login(staff_b)
    picker = reverse("activities:month_redirect")
    assert client.get(picker, {"don_vi": unit.pk}).status_code == 404
    assert client.get(picker, {"don_vi": "abc"}).status_code == 404
    client.force_login(staff_a)
    assert client.get(picker)["Location"] == month_url(unit, *this_month)
    response = client.get(picker, {"thang": "06/2024"}, follow=True)
    assert response.redirect_chain[-1][0] == month_url(unit, *this_month)
    assert "Tháng “06/2024” không hợp lệ; đang xem tháng này." in response.content.decode()


def test_forms_refuse_a_post_without_the_csrf_token(staff_a, unit, binh_an, road, village):
    client = logged_in(staff_a, enforce_csrf_checks=True)
    response = client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village]),
    )
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_admin_changes_to_assignments_are_in_the_audit_trail(client, admin_user, assignment):
    from activities.models import Assignment

    client.force_login(admin_user)
    response = client.post(
        reverse("admin:activities_assignment_change", args=[assignment.pk]),
        {
            "unit": assignment.unit_id,
            "commune": assignment.commune_id,
            "decision_number": "125-QĐ/HU",
            "decision_date": "01/09/2021",
            "start": "10/09/2021",
            "end": "30/06/2025",
        },
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(assignment).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == admin_user
    assert entry.changes_dict["end"] == ["None", "2025-06-30"]
    assert entry.changes_dict["decision_number"] == ["", "125-QĐ/HU"]
    assert Assignment.objects.get().end.isoformat() == "2025-06-30"


def test_two_people_saving_the_same_activity_the_second_is_told(
    client, staff_a, unit, binh_an, road, village
):
    activity = make_activity(unit, binh_an, villages=[village])
    url = reverse("activities:activity_update", args=[activity.pk])
    first, second = logged_in(staff_a), logged_in(staff_a)
    # Both open the form on the same version of the activity.
    version = first.get(url).context["form"]["version"].value()
    assert second.get(url).context["form"]["version"].value() == version
    saved = first.post(
        url,
        activity_form_data(binh_an, road, [village], people_participations="31", version=version),
    )
    assert saved.status_code == 302
    late = second.post(
        url,
        activity_form_data(binh_an, road, [village], people_participations="99", version=version),
    )
    assert late.status_code == 200
    message = late.context["form"].non_field_errors()[0]
    assert message.startswith("Đã có người sửa hoạt động này lúc ")
    assert "Thay đổi của bạn chưa được lưu" in message
    activity.refresh_from_db()
    assert (activity.people_participations, activity.version) == (31, 2)


def test_the_forms_commune_field_is_named_by_the_units_communes(client, staff_a, unit, communes):
    """Bình An is a xã; with thị trấn Lăng Can too, the unit's communes are "xã, thị trấn"."""
    create = reverse("activities:activity_create", args=[unit.pk])
    client.force_login(staff_a)
    assert client.get(create).context["form"].fields["commune"].label == "Xã"
    unit.assignments.create(commune=communes["02266"], start=datetime.date(2021, 9, 10))
    page = client.get(create)
    assert page.context["form"].fields["commune"].label == "Xã, thị trấn"
    assert '<label for="id_commune">Xã, thị trấn</label>' in page.content.decode()

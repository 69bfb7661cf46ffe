"""Activity and month-report services: each rule, its Vietnamese message, nothing written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities.models import Activity, Assignment, Commune, MonthReport, Village
from activities.periods import MERGER_DATE
from activities.services import (
    activity_create,
    activity_delete,
    activity_update,
    month_declare_no_activity,
    month_reopen,
    month_submit,
)
from tests.factories import HISTORY, PRESENT, SATURDAY


@pytest.fixture
def data(binh_an, village, road):
    return {
        "date": SATURDAY,
        "commune": binh_an,
        "villages": [village],
        "activity_type": road,
        "description": "Đổ bê tông đường thôn",
        "cadre_participations": 12,
        "people_participations": 30,
        "workdays": 42,
        "output_quantity": None,
        "output_unit": "",
        "money_contributed": 0,
        "money_mobilised": 0,
    }


def errors_of(excinfo) -> dict:
    return {field: [str(m) for m in msgs] for field, msgs in excinfo.value.message_dict.items()}


def test_staff_record_an_activity_of_their_unit(staff_a, unit, data, village):
    activity = activity_create(user=staff_a, unit=unit, data=data)
    assert activity.created_by == staff_a
    assert list(activity.villages.all()) == [village]
    assert (activity.cadre_participations, activity.people_participations) == (12, 30)


@pytest.mark.parametrize("today", [PRESENT, HISTORY], indirect=True)
def test_a_future_date_is_refused(today, staff_a, unit, data):
    tomorrow = today + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        activity_create(user=staff_a, unit=unit, data=data | {"date": tomorrow})
    assert errors_of(excinfo)["date"] == ["Ngày hoạt động không được ở tương lai."]
    assert not Activity.objects.exists()
    if today >= MERGER_DATE:
        # Nà Cóoc is in the new Bình An (02296 from 01/07/2025) by then.
        new_binh_an = Commune.objects.get(code="02296", valid_from=MERGER_DATE)
        Assignment.objects.create(unit=unit, commune=new_binh_an, start=MERGER_DATE)
        data = data | {"commune": new_binh_an}
    # Today itself is not the future.
    assert activity_create(user=staff_a, unit=unit, data=data | {"date": today}).date == today


def test_a_date_before_the_assignment_is_refused(staff_a, unit, data):
    with pytest.raises(ValidationError) as excinfo:
        activity_create(user=staff_a, unit=unit, data=data | {"date": datetime.date(2021, 9, 4)})
    assert errors_of(excinfo)["date"] == [
        "Ngày hoạt động trước ngày đơn vị được phân công (10/09/2021)."
    ]
    assert not Activity.objects.exists()


def test_a_commune_not_assigned_to_the_unit_is_refused(staff_a, unit, data, communes):
    tho_binh = communes["02296"]
    village = Village.objects.create(commune=tho_binh, name="Nà Va")
    with pytest.raises(ValidationError) as excinfo:
        activity_create(
            user=staff_a, unit=unit, data=data | {"commune": tho_binh, "villages": [village]}
        )
    assert errors_of(excinfo)["commune"] == [
        "Đơn vị không được phân công phụ trách xã Thổ Bình vào ngày 15/06/2024."
    ]
    assert not Activity.objects.exists()


def test_a_commune_assigned_only_later_is_refused_on_an_earlier_date(staff_a, unit, data, communes):
    from activities.models import Assignment

    lang_can = communes["02266"]
    Assignment.objects.create(unit=unit, commune=lang_can, start=datetime.date(2024, 7, 1))
    village = Village.objects.create(commune=lang_can, name="Nà Lằng")
    with pytest.raises(ValidationError) as excinfo:
        activity_create(
            user=staff_a, unit=unit, data=data | {"commune": lang_can, "villages": [village]}
        )
    assert errors_of(excinfo)["commune"] == [
        "Đơn vị không được phân công phụ trách thị trấn Lăng Can vào ngày 15/06/2024."
    ]


def test_a_village_of_another_commune_is_refused(staff_a, unit, data, communes, village):
    elsewhere = Village.objects.create(commune=communes["02296"], name="Nà Va")
    with pytest.raises(ValidationError) as excinfo:
        activity_create(user=staff_a, unit=unit, data=data | {"villages": [village, elsewhere]})
    assert errors_of(excinfo)["villages"] == [
        "Thôn Nà Va không thuộc xã Bình An vào ngày 15/06/2024."
    ]
    assert not Activity.objects.exists()


def test_at_least_one_village_is_needed(staff_a, unit, data):
    with pytest.raises(ValidationError) as excinfo:
        activity_create(user=staff_a, unit=unit, data=data | {"villages": []})
    assert errors_of(excinfo)["villages"] == ["Chọn ít nhất một thôn, bản."]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "cadre_participations",
            1001,
            "Số lượt cán bộ, đảng viên quá lớn (tối đa 1.000 lượt một lần).",
        ),
        ("people_participations", 20_001, "Số lượt nhân dân quá lớn (tối đa 20.000 lượt một lần)."),
    ],
)
def test_counts_have_sane_upper_bounds(staff_a, unit, data, field, value, message):
    with pytest.raises(ValidationError) as excinfo:
        activity_create(user=staff_a, unit=unit, data=data | {field: value})
    assert errors_of(excinfo)[field] == [message]
    assert not Activity.objects.exists()


def test_a_quantity_needs_a_unit(staff_a, unit, data):
    with pytest.raises(ValidationError) as excinfo:
        activity_create(user=staff_a, unit=unit, data=data | {"output_quantity": 120})
    assert errors_of(excinfo)["output_unit"] == ["Nhập đơn vị tính của khối lượng."]


def test_a_weekday_activity_is_allowed(staff_a, unit, data):
    wednesday = datetime.date(2024, 6, 12)
    activity = activity_create(user=staff_a, unit=unit, data=data | {"date": wednesday})
    assert activity.date == wednesday
    assert not Activity.objects.on_weekends().exists()


def test_an_apparent_duplicate_asks_for_confirmation(staff_a, unit, data):
    activity_create(user=staff_a, unit=unit, data=data)
    with pytest.raises(ValidationError) as excinfo:
        activity_create(user=staff_a, unit=unit, data=data)
    assert errors_of(excinfo)["confirm_duplicate"] == [
        "Đơn vị đã có một hoạt động “Làm đường bê tông thôn, bản” tại xã Bình An ngày "
        "15/06/2024. Nếu đây là hoạt động khác, đánh dấu “Vẫn lưu” rồi lưu lại."
    ]
    assert Activity.objects.count() == 1
    activity_create(user=staff_a, unit=unit, data=data, confirm_duplicate=True)
    assert Activity.objects.count() == 2


def test_editing_an_activity_is_not_a_duplicate_of_itself(staff_a, unit, data):
    activity = activity_create(user=staff_a, unit=unit, data=data)
    activity_update(user=staff_a, activity=activity, data=data | {"cadre_participations": 13})
    activity.refresh_from_db()
    assert activity.cadre_participations == 13


def test_staff_cannot_write_for_another_unit(staff_b, unit, data):
    with pytest.raises(PermissionDenied):
        activity_create(user=staff_b, unit=unit, data=data)
    assert not Activity.objects.exists()


def test_officials_write_nothing(official, unit, data):
    with pytest.raises(PermissionDenied):
        activity_create(user=official, unit=unit, data=data)


# --- The month report ------------------------------------------------------------------


def test_a_submitted_month_is_locked_for_staff(staff_a, unit, data):
    activity = activity_create(user=staff_a, unit=unit, data=data)
    report = month_submit(user=staff_a, unit=unit, year=2024, month=6)
    assert (report.state, report.submitted_by) == (MonthReport.State.SUBMITTED, staff_a)
    locked = (
        "Tháng 06/2024 của đơn vị đã gửi báo cáo nên không thể thay đổi. "
        "Liên hệ quản trị nếu cần mở lại."
    )
    with pytest.raises(ValidationError, match=locked):
        activity_update(user=staff_a, activity=activity, data=data | {"people_participations": 1})
    with pytest.raises(ValidationError, match=locked):
        activity_delete(user=staff_a, activity=activity)
    with pytest.raises(ValidationError, match=locked):
        activity_create(user=staff_a, unit=unit, data=data, confirm_duplicate=True)
    activity.refresh_from_db()
    assert activity.people_participations == 30
    assert Activity.objects.count() == 1


def test_moving_an_activity_into_a_locked_month_is_refused(staff_a, unit, data):
    activity_create(user=staff_a, unit=unit, data=data)
    month_submit(user=staff_a, unit=unit, year=2024, month=6)
    may = activity_create(user=staff_a, unit=unit, data=data | {"date": datetime.date(2024, 5, 18)})
    with pytest.raises(ValidationError, match="Tháng 06/2024"):
        activity_update(user=staff_a, activity=may, data=data)
    may.refresh_from_db()
    assert may.date == datetime.date(2024, 5, 18)


def test_an_empty_month_cannot_be_submitted_but_can_be_declared_empty(staff_a, unit):
    with pytest.raises(ValidationError, match="chưa có hoạt động nào"):
        month_submit(user=staff_a, unit=unit, year=2024, month=5)
    assert not MonthReport.objects.exists()
    report = month_declare_no_activity(user=staff_a, unit=unit, year=2024, month=5)
    assert report.state == MonthReport.State.NO_ACTIVITY


def test_a_month_with_activities_cannot_be_declared_empty(staff_a, unit, data):
    activity_create(user=staff_a, unit=unit, data=data)
    with pytest.raises(ValidationError, match="đã có 1 hoạt động"):
        month_declare_no_activity(user=staff_a, unit=unit, year=2024, month=6)
    assert not MonthReport.objects.exists()


@pytest.mark.parametrize(
    ("today", "this_month", "next_month"),
    [(PRESENT, (2026, 12), (2027, 1)), (HISTORY, (2024, 6), (2024, 7))],
    indirect=["today"],
)
def test_a_future_month_cannot_be_reported(today, staff_a, unit, this_month, next_month):
    with pytest.raises(ValidationError, match="chưa đến"):
        month_declare_no_activity(user=staff_a, unit=unit, year=next_month[0], month=next_month[1])
    assert not MonthReport.objects.exists()
    report = month_declare_no_activity(
        user=staff_a, unit=unit, year=this_month[0], month=this_month[1]
    )
    assert report.state == MonthReport.State.NO_ACTIVITY


def test_a_month_is_reported_once(staff_a, unit):
    month_declare_no_activity(user=staff_a, unit=unit, year=2024, month=5)
    with pytest.raises(ValidationError, match="đã được báo cáo"):
        month_declare_no_activity(user=staff_a, unit=unit, year=2024, month=5)


def test_only_an_admin_reopens_a_month_and_needs_a_reason(staff_a, admin_user, unit, data):
    activity = activity_create(user=staff_a, unit=unit, data=data)
    month_submit(user=staff_a, unit=unit, year=2024, month=6)
    with pytest.raises(PermissionDenied):
        month_reopen(user=staff_a, unit=unit, year=2024, month=6, reason="Sửa số liệu")
    with pytest.raises(ValidationError) as excinfo:
        month_reopen(user=admin_user, unit=unit, year=2024, month=6, reason="  ")
    assert errors_of(excinfo)["reason"] == ["Nhập lý do mở lại tháng."]
    assert MonthReport.objects.get().state == MonthReport.State.SUBMITTED
    report = month_reopen(
        user=admin_user, unit=unit, year=2024, month=6, reason="Đơn vị nhập thiếu một buổi"
    )
    assert (report.state, report.reopened_by) == (MonthReport.State.REOPENED, admin_user)
    # Staff can change the month again, and submit it again.
    activity_update(user=staff_a, activity=activity, data=data | {"people_participations": 31})
    assert month_submit(user=staff_a, unit=unit, year=2024, month=6).state == "submitted"

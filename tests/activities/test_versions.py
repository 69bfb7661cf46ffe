"""No lost updates on an activity: every save, from the staff page or the admin, carries the
version it was opened on; a stale or missing one is refused and changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from activities.models import Activity
from activities.services import activity_update
from tests.factories import (
    SATURDAY,
    activity_form_data,
    admin_url,
    change_form_data,
    edit_url,
    logged_in,
    make_activity,
    stored,
    with_version,
)

STALE = "Đã có người sửa hoạt động này lúc "
MISSING = "Trang gửi lên thiếu phiên bản của bản ghi nên chưa lưu gì."
# What each test reads back: the people count it changes, and the version.
SAVED = ("people_participations", "version")


@pytest.fixture
def activity(unit, assignment, binh_an, village) -> Activity:
    return make_activity(
        unit, binh_an, villages=[village], cadre_participations=5, people_participations=20
    )


def page_data(activity: Activity, village, **overrides) -> dict:
    """The staff edit form as opened on the activity (version 1), with `overrides` typed in."""
    opened = {
        "cadre_participations": "5",
        "people_participations": "20",
        "workdays": "0",
        "money_contributed": "0",
        "money_mobilised": "0",
        "description": "",
        "version": "1",
    }
    return activity_form_data(
        activity.commune, activity.activity_type, [village], **(opened | overrides)
    )


def test_an_admin_edit_counts_as_a_new_version(admin_user, activity):
    admin = logged_in(admin_user)
    data = change_form_data(admin.get(admin_url(activity)))
    assert data["version"] == "1"
    response = admin.post(admin_url(activity), data | {"people_participations": "44"})
    assert response.status_code == 302
    assert stored(activity, *SAVED) == (44, 2)


def test_an_admin_form_opened_before_a_staff_save_is_refused(
    admin_user, staff_a, activity, village
):
    admin = logged_in(admin_user)
    stale = change_form_data(admin.get(admin_url(activity)))
    saved = logged_in(staff_a).post(
        edit_url(activity), page_data(activity, village, people_participations="31")
    )
    assert saved.status_code == 302
    response = admin.post(admin_url(activity), stale | {"people_participations": "99"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1 and errors[0].startswith(STALE)
    assert stored(activity, *SAVED) == (31, 2)


def test_a_staff_form_opened_before_an_admin_save_is_refused(
    admin_user, staff_a, activity, village
):
    staff = logged_in(staff_a)
    assert staff.get(edit_url(activity)).context["form"]["version"].value() == 1
    admin = logged_in(admin_user)
    data = change_form_data(admin.get(admin_url(activity)))
    saved = admin.post(admin_url(activity), data | {"people_participations": "44"})
    assert saved.status_code == 302
    late = staff.post(edit_url(activity), page_data(activity, village, people_participations="31"))
    assert late.status_code == 200
    assert late.context["form"].non_field_errors()[0].startswith(STALE)
    assert stored(activity, *SAVED) == (44, 2)


@pytest.mark.parametrize("version", [None, "", "abc", "0", "1,5"])
def test_a_staff_save_without_a_usable_version_is_refused(staff_a, activity, village, version):
    data = with_version(page_data(activity, village, people_participations="31"), version)
    response = logged_in(staff_a).post(edit_url(activity), data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and errors[0].startswith(MISSING)
    assert MISSING in response.content.decode()
    assert stored(activity, *SAVED) == (20, 1)


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_an_admin_save_without_a_usable_version_is_refused(admin_user, activity, version):
    admin = logged_in(admin_user)
    data = change_form_data(admin.get(admin_url(activity))) | {"people_participations": "44"}
    response = admin.post(admin_url(activity), with_version(data, version))
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1 and errors[0].startswith(MISSING)
    assert stored(activity, *SAVED) == (20, 1)


def test_a_service_caller_holding_an_old_copy_is_refused(staff_a, activity, village):
    old_copy = Activity.objects.get(pk=activity.pk)
    data = {
        "date": SATURDAY,
        "commune": activity.commune,
        "villages": [village],
        "activity_type": activity.activity_type,
        "cadre_participations": 5,
        "people_participations": 31,
    }
    activity_update(user=staff_a, activity=activity, data=data)
    with pytest.raises(ValidationError) as refused:
        activity_update(user=staff_a, activity=old_copy, data=data | {"people_participations": 9})
    assert refused.value.messages[0].startswith(STALE)
    assert stored(activity, *SAVED) == (31, 2)

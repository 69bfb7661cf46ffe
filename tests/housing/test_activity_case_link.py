"""The activity form's "Hộ được hỗ trợ nhà ở" goes through housing's link service, with its
same-commune rule: a unit in charge of two communes cannot link an activity of one to a case
of the other."""

import datetime

import pytest
from django.urls import reverse

from activities.models import Activity, Assignment, Village
from housing.models import HousingCase
from tests.factories import activity_form_data, edit_url, make_case

SAME_COMMUNE = "Chỉ liên kết được hoạt động ở cùng xã với hộ được hỗ trợ."


@pytest.fixture
def hong_quang(communes):
    return communes["02293"]


@pytest.fixture
def two_communes(assignment, unit, hong_quang):
    """The unit of `staff_a` is in charge of Bình An and of Hồng Quang."""
    Assignment.objects.create(unit=unit, commune=hong_quang, start=datetime.date(2021, 9, 10))


@pytest.fixture
def hong_quang_case(hong_quang, programme) -> HousingCase:
    village = Village.objects.create(commune=hong_quang, name="Thôn Số 1")
    return make_case(village, programme, household_head="Hoàng Văn Pình")


@pytest.fixture
def binh_an_case(village, programme) -> HousingCase:
    return make_case(village, programme)


def test_an_activity_cannot_be_linked_to_a_case_of_another_assigned_commune(
    client, staff_a, unit, two_communes, binh_an, road, village, hong_quang_case
):
    client.force_login(staff_a)
    response = client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village], housing_case=hong_quang_case.pk),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["housing_case"] == [SAME_COMMUNE]
    assert SAME_COMMUNE in response.content.decode()
    # One transaction: the activity itself is not kept either.
    assert not Activity.objects.exists()
    hong_quang_case.refresh_from_db()
    assert hong_quang_case.version == 1 and not hong_quang_case.activities.exists()


def test_an_activity_is_linked_to_a_case_of_its_own_commune_and_the_case_counts_a_save(
    client, staff_a, unit, two_communes, binh_an, road, village, binh_an_case
):
    client.force_login(staff_a)
    response = client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village], housing_case=binh_an_case.pk),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert list(activity.housing_cases.all()) == [binh_an_case]
    binh_an_case.refresh_from_db()
    assert binh_an_case.version == 2  # a case form opened before cannot undo the link


def test_an_edit_that_moves_the_activity_away_from_its_linked_case_is_refused(
    client, staff_a, unit, two_communes, binh_an, hong_quang, road, village, binh_an_case
):
    client.force_login(staff_a)
    client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village], housing_case=binh_an_case.pk),
    )
    activity = Activity.objects.get()
    elsewhere = Village.objects.create(commune=hong_quang, name="Thôn Số 2")
    response = client.post(
        edit_url(activity),
        activity_form_data(
            hong_quang, road, [elsewhere], housing_case=binh_an_case.pk, version=activity.version
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["housing_case"] == [SAME_COMMUNE]
    activity.refresh_from_db()
    assert activity.commune == binh_an and list(activity.housing_cases.all()) == [binh_an_case]


def test_changing_the_case_lets_the_old_one_go_through_the_service(
    client, staff_a, unit, two_communes, binh_an, road, village, programme, binh_an_case
):
    other = make_case(village, programme, household_head="Lý Văn Chài")
    client.force_login(staff_a)
    client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village], housing_case=binh_an_case.pk),
    )
    activity = Activity.objects.get()
    response = client.post(
        edit_url(activity),
        activity_form_data(
            binh_an, road, [village], housing_case=other.pk, version=activity.version
        ),
    )
    assert response.status_code == 302
    assert list(activity.housing_cases.all()) == [other]
    binh_an_case.refresh_from_db()
    other.refresh_from_db()
    # Linked then let go: two saves of the first case; one of the second.
    assert (binh_an_case.version, other.version) == (3, 2)

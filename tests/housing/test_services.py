"""Housing-case services: each refuses bad input with a Vietnamese message and writes nothing."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from housing import services
from housing.models import Funding, HousingCase
from tests.factories import HISTORY, PRESENT, make_activity, make_case, stored

D = datetime.date


def messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


STEP_FIELDS = list(HousingCase.STEP_DATES.values())
# The lifecycle of a case as the database holds it: its status and each step's date.
STEPS = ["status", *STEP_FIELDS]


# --- Create and update ---


def test_a_new_case_starts_surveyed_and_records_who_entered_it(village, programme, staff_a):
    case = services.housing_case_create(
        created_by=staff_a,
        household_head="Ma Thi\u0323 Sinh",  # NFD, as some keyboards send it
        village=village,
        programme=programme,
        support_amount=25_000_000,
        surveyed_on=D(2024, 1, 15),
    )
    saved = HousingCase.objects.get()
    assert saved.pk == case.pk
    assert saved.household_head == "Ma Thị Sinh"
    assert (saved.status, saved.surveyed_on) == ("surveyed", D(2024, 1, 15))
    assert saved.created_by == staff_a
    assert LogEntry.objects.get_for_object(saved).filter(action=LogEntry.Action.CREATE).exists()


@pytest.mark.parametrize("today", [PRESENT, HISTORY], indirect=True)
def test_a_survey_date_in_the_future_is_refused(today, village, programme, staff_a):
    tomorrow = today + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.housing_case_create(
            created_by=staff_a,
            household_head="Ma Thị Sinh",
            village=village,
            programme=programme,
            surveyed_on=tomorrow,
        )
    assert caught.value.message_dict == {"surveyed_on": ["Ngày không được sau hôm nay."]}
    assert not HousingCase.objects.exists()


def test_an_update_changes_the_details_and_is_audited(village, programme):
    case = make_case(village, programme)
    services.housing_case_update(
        case=case, data={"household_head": "Ma Thị Sính", "support_amount": 50_000_000}
    )
    case.refresh_from_db()
    assert (case.household_head, case.support_amount) == ("Ma Thị Sính", 50_000_000)
    update = LogEntry.objects.get_for_object(case).get(action=LogEntry.Action.UPDATE)
    assert set(update.changes_dict) == {"household_head", "support_amount"}


def test_an_update_cannot_touch_the_status(village, programme):
    case = make_case(village, programme)
    with pytest.raises(ValueError):
        services.housing_case_update(case=case, data={"status": "completed"})
    assert stored(case, *STEPS)[0] == "surveyed"


# --- Advancing one step at a time ---


def test_advancing_moves_one_step_and_records_its_date(village, programme):
    case = make_case(village, programme)
    services.housing_case_advance(case=case, date=D(2024, 3, 20))
    assert stored(case, *STEPS) == (
        "approved",
        D(2024, 1, 15),
        D(2024, 3, 20),
        None,
        None,
        None,
    )
    update = LogEntry.objects.get_for_object(case).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["status"] == ["surveyed", "approved"]


def test_the_whole_lifecycle_can_be_walked_step_by_step(village, programme):
    case = make_case(village, programme)
    days = [D(2024, 3, 20), D(2024, 6, 15), D(2024, 6, 30), D(2024, 7, 2)]
    for day in days:
        services.housing_case_advance(case=case, date=day)
    assert stored(case, *STEPS) == ("handed_over", D(2024, 1, 15), *days)
    with pytest.raises(ValidationError) as caught:
        services.housing_case_advance(case=case, date=D(2024, 7, 3))
    assert messages_of(caught.value) == ["Hộ đã được bàn giao nhà, không còn bước nào tiếp theo."]


@pytest.mark.parametrize("today", [PRESENT, HISTORY], indirect=True)
def test_a_step_date_in_the_future_is_refused(today, village, programme):
    case = make_case(village, programme)
    tomorrow = today + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.housing_case_advance(case=case, date=tomorrow)
    assert caught.value.message_dict == {"date": ["Ngày không được sau hôm nay."]}
    assert stored(case, *STEPS) == ("surveyed", D(2024, 1, 15), None, None, None, None)


def test_a_step_cannot_be_dated_before_the_previous_one(village, programme):
    case = make_case(village, programme)
    with pytest.raises(ValidationError) as caught:
        services.housing_case_advance(case=case, date=D(2024, 1, 14))
    assert caught.value.message_dict == {
        "date": ["Ngày phê duyệt không được trước ngày khảo sát (15/01/2024)."]
    }
    assert stored(case, *STEPS) == ("surveyed", D(2024, 1, 15), None, None, None, None)


def test_completion_cannot_be_dated_before_the_start(village, programme):
    case = make_case(
        village, programme, status="started", approved_on=D(2024, 3, 20), started_on=D(2024, 6, 15)
    )
    with pytest.raises(ValidationError) as caught:
        services.housing_case_advance(case=case, date=D(2024, 6, 14))
    assert caught.value.message_dict == {
        "date": ["Ngày hoàn thành không được trước ngày khởi công (15/06/2024)."]
    }
    assert stored(case, *STEPS) == (
        "started",
        D(2024, 1, 15),
        D(2024, 3, 20),
        D(2024, 6, 15),
        None,
        None,
    )


def test_completion_on_the_day_work_started_is_accepted(village, programme):
    case = make_case(
        village, programme, status="started", approved_on=D(2024, 3, 20), started_on=D(2024, 6, 15)
    )
    services.housing_case_advance(case=case, date=D(2024, 6, 15))
    assert stored(case, *STEPS)[0] == "completed"
    assert stored(case, *STEPS)[4] == D(2024, 6, 15)


def test_skipping_a_step_is_refused(village, programme):
    case = make_case(village, programme)
    with pytest.raises(ValidationError) as caught:
        services.housing_case_advance(case=case, date=D(2024, 6, 15), to_status="started")
    assert messages_of(caught.value) == [
        "Chỉ được chuyển từng bước một: bước tiếp theo là “Đã phê duyệt”."
    ]
    assert stored(case, *STEPS)[0] == "surveyed"


def test_a_case_without_a_survey_date_checks_against_no_earlier_date(village, programme):
    case = make_case(village, programme, surveyed_on=None)
    services.housing_case_advance(case=case, date=D(2020, 1, 1))
    assert stored(case, *STEPS)[:3] == ("approved", None, D(2020, 1, 1))


# --- Stepping back ---


def test_stepping_back_clears_the_step_date_and_keeps_the_reason(village, programme, admin_user):
    case = make_case(
        village, programme, status="started", approved_on=D(2024, 3, 20), started_on=D(2024, 6, 15)
    )
    services.housing_case_step_back(case=case, reason="Nhập nhầm hộ", by=admin_user)
    assert stored(case, *STEPS) == (
        "approved",
        D(2024, 1, 15),
        D(2024, 3, 20),
        None,
        None,
        None,
    )
    case.refresh_from_db()
    assert "“Đang thi công” về “Đã phê duyệt” (quantri). Lý do: Nhập nhầm hộ" in case.notes


def test_stepping_back_needs_a_reason_and_a_previous_step(village, programme):
    case = make_case(village, programme)
    with pytest.raises(ValidationError) as caught:
        services.housing_case_step_back(case=case, reason="  ")
    assert caught.value.message_dict == {"reason": ["Cần ghi lý do lùi bước."]}
    with pytest.raises(ValidationError) as caught:
        services.housing_case_step_back(case=case, reason="Nhầm")
    assert messages_of(caught.value) == ["Hộ đang ở bước đầu tiên (đã khảo sát), không thể lùi."]
    assert stored(case, *STEPS)[0] == "surveyed"
    assert HousingCase.objects.get().notes == ""


# --- Funding ---


def test_funding_rows_are_added_once_per_source_and_year(village, programme):
    case = make_case(village, programme)
    services.funding_add(case=case, source="tinh", year=2024, amount=25_000_000)
    with pytest.raises(ValidationError) as caught:
        services.funding_add(case=case, source="tinh", year=2024, amount=5_000_000)
    assert messages_of(caught.value) == ["Hộ này đã có khoản kinh phí từ nguồn này trong năm."]
    services.funding_add(case=case, source="tinh", year=2025, amount=5_000_000)
    assert sorted(Funding.objects.values_list("year", "amount")) == [
        (2024, 25_000_000),
        (2025, 5_000_000),
    ]


def test_a_funding_row_needs_a_positive_amount(village, programme):
    case = make_case(village, programme)
    with pytest.raises(ValidationError) as caught:
        services.funding_add(case=case, source="tinh", year=2024, amount=0)
    assert caught.value.message_dict == {"amount": ["Số tiền phải lớn hơn 0."]}
    assert not Funding.objects.exists()


def test_deleting_a_funding_row_is_audited(village, programme):
    case = make_case(village, programme)
    funding = services.funding_add(case=case, source="xa_hoi_hoa", year=2024, amount=3_000_000)
    funding_pk = str(funding.pk)
    services.funding_delete(funding=funding)
    assert not Funding.objects.exists()
    actions = set(
        LogEntry.objects.filter(object_pk=funding_pk, content_type__model="funding").values_list(
            "action", flat=True
        )
    )
    assert actions == {LogEntry.Action.CREATE, LogEntry.Action.DELETE}


# --- Linked activities ---


def test_an_activity_of_the_same_commune_can_be_linked_and_unlinked(
    village, programme, unit, binh_an
):
    case = make_case(village, programme)
    activity = make_activity(unit, binh_an, D(2024, 6, 15))
    services.housing_case_link_activity(case=case, activity=activity)
    assert list(case.activities.all()) == [activity]
    services.housing_case_link_activity(case=case, activity=activity, link=False)
    assert not case.activities.exists()


def test_an_activity_of_another_commune_cannot_be_linked(village, programme, unit, communes):
    case = make_case(village, programme)
    elsewhere = make_activity(unit, communes["02296"], D(2024, 6, 15))
    with pytest.raises(ValidationError) as caught:
        services.housing_case_link_activity(case=case, activity=elsewhere)
    assert caught.value.message_dict == {
        "activity": ["Chỉ liên kết được hoạt động ở cùng xã với hộ được hỗ trợ."]
    }
    assert not case.activities.exists()

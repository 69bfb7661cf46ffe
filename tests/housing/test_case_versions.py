"""No lost updates on a housing case: the edit page, the steps, the funding rows, the links,
the admin and imports all count as saves; a form opened before another save is refused."""

import datetime

import pytest
from django.urls import reverse

from activities.imports.engine import import_undo
from activities.imports.registry import kinds
from housing import services
from housing.models import Funding, HousingCase
from tests.factories import (
    admin_url,
    change_form_data,
    edit_url,
    import_file,
    logged_in,
    make_activity,
    make_case,
    stored,
    with_version,
    xlsx,
)

STALE = "Đã có người sửa hồ sơ hộ này lúc "
MISSING = "Trang gửi lên thiếu phiên bản của bản ghi nên chưa lưu gì."
# What each test reads back: the support amount it changes, and the version.
SAVED = ("support_amount", "version")


@pytest.fixture
def case(village, programme, assignment) -> HousingCase:
    return make_case(village, programme)


def edit_data(case: HousingCase, **overrides) -> dict:
    values = {
        "household_head": "Ma Thị Sinh",
        "birth_year": "",
        "gender": "",
        "ethnicity": "",
        "village": str(case.village_id),
        "category": "ho_ngheo",
        "programme": str(case.programme_id),
        "work_kind": "xay_moi",
        "support_amount": "25.000.000",
        "expected_completion": "",
        "workdays": "0",
        "notes": "",
        "version": "1",
    }
    return values | overrides


def test_of_two_people_editing_one_case_the_second_is_refused(staff_a, admin_user, case):
    first, second = logged_in(staff_a), logged_in(admin_user)
    # Both open the edit form on the same version of the case.
    assert first.get(edit_url(case)).context["form"]["version"].value() == 1
    assert second.get(edit_url(case)).context["form"]["version"].value() == 1
    saved = first.post(edit_url(case), edit_data(case, support_amount="50.000.000"))
    assert saved.status_code == 302
    late = second.post(edit_url(case), edit_data(case, support_amount="25.000.000"))
    assert late.status_code == 200
    errors = late.context["form"].non_field_errors()
    assert len(errors) == 1 and errors[0].startswith(STALE)
    assert "Thay đổi của bạn chưa được lưu" in late.content.decode()
    assert stored(case, *SAVED) == (50_000_000, 2)


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_a_case_save_without_a_usable_version_is_refused(staff_a, case, version):
    data = with_version(edit_data(case, support_amount="50.000.000"), version)
    response = logged_in(staff_a).post(edit_url(case), data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and errors[0].startswith(MISSING)
    assert MISSING in response.content.decode()
    assert stored(case, *SAVED) == (25_000_000, 1)


def test_an_admin_edit_of_a_case_counts_as_a_new_version(admin_user, case):
    admin = logged_in(admin_user)
    data = change_form_data(admin.get(admin_url(case)))
    assert data["version"] == "1"
    response = admin.post(admin_url(case), data | {"support_amount": "40000000"})
    assert response.status_code == 302
    assert stored(case, *SAVED) == (40_000_000, 2)


def test_an_admin_case_form_opened_before_a_staff_save_is_refused(staff_a, admin_user, case):
    admin = logged_in(admin_user)
    stale = change_form_data(admin.get(admin_url(case)))
    saved = logged_in(staff_a).post(edit_url(case), edit_data(case, support_amount="50.000.000"))
    assert saved.status_code == 302
    response = admin.post(admin_url(case), stale | {"notes": "Sửa trong trang quản trị"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1 and errors[0].startswith(STALE)
    case.refresh_from_db()
    assert (case.support_amount, case.notes, case.version) == (50_000_000, "", 2)


def test_an_admin_save_of_a_case_without_its_version_is_refused(admin_user, case):
    admin = logged_in(admin_user)
    data = change_form_data(admin.get(admin_url(case))) | {"support_amount": "40000000"}
    response = admin.post(admin_url(case), with_version(data, None))
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()[0].startswith(MISSING)
    assert stored(case, *SAVED) == (25_000_000, 1)


def test_a_funding_row_added_on_the_case_page_refuses_an_older_admin_form(
    staff_a, admin_user, case
):
    admin = logged_in(admin_user)
    stale = change_form_data(admin.get(admin_url(case)))
    added = logged_in(staff_a).post(
        reverse("housing:funding_add", args=[case.pk]),
        {"source": "tinh", "year": "2024", "amount": "25.000.000"},
    )
    assert added.status_code == 302
    response = admin.post(admin_url(case), stale | {"support_amount": "1000"})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()[0].startswith(STALE)
    assert stored(case, *SAVED) == (25_000_000, 2)
    assert list(Funding.objects.values_list("source", "amount")) == [("tinh", 25_000_000)]


def test_a_step_forward_refuses_an_edit_form_opened_before_it(staff_a, case):
    staff = logged_in(staff_a)
    assert staff.get(edit_url(case)).context["form"]["version"].value() == 1
    moved = staff.post(reverse("housing:case_advance", args=[case.pk]), {"date": "20/03/2024"})
    assert moved.status_code == 302
    late = staff.post(edit_url(case), edit_data(case, support_amount="50.000.000"))
    assert late.status_code == 200
    assert late.context["form"].non_field_errors()[0].startswith(STALE)
    case.refresh_from_db()
    assert (case.status, case.support_amount, case.version) == ("approved", 25_000_000, 2)


def test_every_service_write_counts_as_a_save(case, admin_user, unit, binh_an):
    services.housing_case_advance(case=case, date=datetime.date(2024, 3, 20))
    services.housing_case_step_back(case=case, reason="Nhập nhầm ngày", by=admin_user)
    funding = services.funding_add(case=case, source="xa", year=2024, amount=1_000_000)
    services.funding_delete(funding=funding)
    activity = make_activity(unit, binh_an, datetime.date(2024, 6, 15))
    services.housing_case_link_activity(case=case, activity=activity)
    services.housing_case_link_activity(case=case, activity=activity, link=False)
    # advance, step back, funding added, removed, activity linked, unlinked: six saves.
    assert stored(case, *SAVED) == (25_000_000, 7)


def test_an_unchanged_save_is_not_a_new_version(case):
    services.housing_case_update(case=case, data={"support_amount": 25_000_000}, version=1)
    assert stored(case, *SAVED) == (25_000_000, 1)


def test_an_import_and_its_undo_count_as_saves(case, admin_user):
    kind = kinds()["ho-nha-o"]()
    row = next(kind.export_rows(HousingCase.objects.filter(pk=case.pk)))
    row[kind.headers().index("Mức hỗ trợ (đồng)")] = 40_000_000
    report = import_file(
        xlsx(kind.headers(), row), kind="ho-nha-o", user=admin_user, name="ho.xlsx"
    )
    assert [r.action for r in report.rows] == ["update"]
    assert stored(case, *SAVED) == (40_000_000, 2)
    import_undo(batch=report.batch, user=admin_user)
    assert stored(case, *SAVED) == (25_000_000, 3)


def test_a_funding_row_edited_in_the_admin_carries_its_case_version(admin_user, case):
    funding = Funding.objects.create(case=case, source="tinh", year=2024, amount=25_000_000)
    url = admin_url(funding)
    first, second = logged_in(admin_user), logged_in(admin_user)
    opened = change_form_data(first.get(url))
    stale = change_form_data(second.get(url))
    assert opened["version"] == stale["version"] == "1"
    assert first.post(url, opened | {"amount": "30000000"}).status_code == 302
    late = second.post(url, stale | {"amount": "20000000"})
    assert late.status_code == 200
    assert late.context["adminform"].form.non_field_errors()[0].startswith(STALE)
    funding.refresh_from_db()
    assert (funding.amount, stored(case, *SAVED)[1]) == (30_000_000, 2)

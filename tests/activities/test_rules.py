"""One rule set for an activity (activities.rules): the form and the spreadsheet import refuse
the same things with the same words, and a possible duplicate is never imported silently."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from activities import services
from activities.imports.engine import describe_problems
from activities.models import Activity, Village
from tests.factories import (
    HISTORY,
    SATURDAY,
    import_file,
    make_activity,
    sheet_row,
    template_file,
)


def row(**overrides) -> list:
    values = {
        "Ngày": "15/06/2024",
        "Đơn vị": "ĐB CQ",
        "Xã, thị trấn": "Bình An",
        "Thôn, bản": "Nà Cóoc",
        "Loại hoạt động": "Làm đường bê tông thôn, bản",
        "Lượt cán bộ, đảng viên": 12,
        "Lượt nhân dân": 30,
    }
    return sheet_row(values | overrides)


def run(*rows, user=None):
    """Import the rows (header on line 1, so the first row is line 2)."""
    return import_file(template_file(*rows), user=user)


def form_refusal(staff, unit, commune, villages, road, day=SATURDAY) -> dict:
    """What the form's service answers to the row's values (12 cadres, 30 people)."""
    with pytest.raises(ValidationError) as excinfo:
        services.activity_create(
            user=staff,
            unit=unit,
            data={
                "date": day,
                "commune": commune,
                "villages": villages,
                "activity_type": road,
                "cadre_participations": 12,
                "people_participations": 30,
            },
        )
    return excinfo.value.message_dict


def problems(report) -> dict[int, list[tuple[str, str]]]:
    return {r.number: [(p.column, p.message) for p in r.problems] for r in report.errors}


@pytest.fixture
def stored(unit, binh_an, village, assignment) -> Activity:
    """What the unit entered on the form: its road work in Bình An on 15/06/2024."""
    return make_activity(
        unit, binh_an, villages=[village], cadre_participations=5, people_participations=20
    )


def test_the_import_refuses_a_day_before_the_units_first_assignment_as_the_form_does(
    staff_a, unit, binh_an, road, village, assignment
):
    report = run(row(**{"Ngày": "04/09/2021"}))
    expected = "Ngày hoạt động trước ngày đơn vị được phân công (10/09/2021)."
    assert problems(report) == {2: [("Ngày", expected)]}
    assert not Activity.objects.exists()
    refusal = form_refusal(staff_a, unit, binh_an, [village], road, datetime.date(2021, 9, 4))
    assert refusal["date"] == [expected]


# Days before the merger of 01/07/2025, while the old Bình An (02290) and its Nà Cóoc stand.
@pytest.mark.parametrize(
    ("today", "tomorrow"),
    [(HISTORY, "16/06/2024"), (datetime.date(2025, 3, 1), "02/03/2025")],
    indirect=["today"],
)
def test_the_import_refuses_a_day_after_today_as_the_form_does(
    today, staff_a, unit, binh_an, road, village, assignment, tomorrow
):
    expected = "Ngày hoạt động không được ở tương lai."
    report = run(row(**{"Ngày": tomorrow}))
    assert problems(report) == {2: [("Ngày", expected)]}
    tomorrow_day = today + datetime.timedelta(days=1)
    assert form_refusal(staff_a, unit, binh_an, [village], road, tomorrow_day)["date"] == [expected]
    assert not Activity.objects.exists()
    # Today itself goes in.
    assert run(row(**{"Ngày": f"{today:%d/%m/%Y}"})).ok


def test_a_unit_without_any_assignment_is_told_so_by_the_import(unit, binh_an, road, village):
    report = run(row())
    assert ("Xã, thị trấn", "Đơn vị chưa được phân công phụ trách xã nào.") in problems(report)[2]
    assert not Activity.objects.exists()


def test_a_possible_duplicate_of_a_stored_activity_is_listed_not_created(stored):
    report = run(row(), row(**{"Ngày": "16/06/2024"}))
    assert not report.ok
    assert problems(report) == {
        2: [
            (
                "Vẫn nhập",
                "Có thể trùng với hoạt động đã có (ngày 15/06/2024, xã Bình An, đơn vị ĐB CQ). "
                "Nếu đây là hoạt động khác, ghi “x” vào cột “Vẫn nhập” rồi tải tệp lên lại.",
            )
        ]
    }
    assert describe_problems(report)[0].startswith("Dòng 2, cột “Vẫn nhập”: Có thể trùng")
    # The good row waits with the rest: nothing is written while a row is bad.
    assert list(Activity.objects.all()) == [stored]


def test_a_confirmed_possible_duplicate_is_created(stored, admin_user):
    report = run(row(**{"Vẫn nhập": "x"}), row(**{"Ngày": "16/06/2024", "Vẫn nhập": "có"}))
    assert report.ok, describe_problems(report)
    assert [r.action for r in report.rows] == ["new", "new"]
    created = Activity.objects.exclude(pk=stored.pk).get(date=SATURDAY)
    assert (created.unit_id, created.commune_id, created.cadre_participations) == (
        stored.unit_id,
        stored.commune_id,
        12,
    )
    assert Activity.objects.count() == 3


def test_re_importing_a_confirmed_file_finds_its_own_rows_not_duplicates(stored, admin_user):
    run(row(**{"Vẫn nhập": "x"}), user=admin_user)
    count = Activity.objects.count()
    again = run(row(), user=admin_user)  # the mark is not needed to recognise the row
    assert [r.action for r in again.rows] == ["skip"]
    assert Activity.objects.count() == count == 2


def test_two_rows_of_one_file_for_the_same_outing_need_a_confirmation(
    binh_an, road, village, assignment
):
    Village.objects.create(commune=binh_an, name="Khuổi Củng")
    report = run(row(), row(**{"Thôn, bản": "Khuổi Củng"}))
    assert problems(report) == {
        3: [
            (
                "Vẫn nhập",
                "Có thể trùng với dòng 2 trong cùng tệp (cùng ngày, xã, đơn vị và loại hoạt "
                "động). Nếu đây là hoạt động khác, ghi “x” vào cột “Vẫn nhập” rồi tải tệp lên "
                "lại.",
            )
        ]
    }
    assert not Activity.objects.exists()
    confirmed = run(row(), row(**{"Thôn, bản": "Khuổi Củng", "Vẫn nhập": "x"}))
    assert confirmed.ok, describe_problems(confirmed)
    assert Activity.objects.filter(date=SATURDAY).count() == 2


def test_identical_rows_of_one_file_are_still_refused_whatever_the_mark(
    binh_an, road, village, assignment
):
    report = run(row(), row(**{"Vẫn nhập": "x"}))
    assert problems(report) == {3: [("", "Trùng với dòng 2 trong cùng tệp.")]}
    assert not Activity.objects.exists()


def test_an_unreadable_confirmation_is_a_bad_cell(binh_an, road, village, assignment):
    report = run(row(**{"Vẫn nhập": "chắc vậy"}))
    assert problems(report) == {
        2: [("Vẫn nhập", "Ghi “x” (hoặc “có”) để xác nhận nhập dòng này, hoặc để trống.")]
    }


def test_the_import_and_the_form_refuse_an_unassigned_commune_in_the_same_words(
    staff_a, unit, communes, road, assignment
):
    hong_quang = communes["02293"]
    Village.objects.create(commune=hong_quang, name="Thôn Số 1")
    expected = "Đơn vị không được phân công phụ trách xã Hồng Quang vào ngày 15/06/2024."
    report = run(row(**{"Xã, thị trấn": "Hồng Quang", "Thôn, bản": "Thôn Số 1"}))
    assert problems(report) == {2: [("Xã, thị trấn", expected)]}
    refusal = form_refusal(staff_a, unit, hong_quang, list(hong_quang.villages.all()), road)
    assert refusal["commune"] == [expected]

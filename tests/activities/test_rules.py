"""One rule set for an activity (activities.rules): the form and the spreadsheet import refuse
the same things with the same words, and a possible duplicate is never imported silently."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from activities import services
from activities.imports.engine import describe_problems, file_digest, import_rows
from activities.imports.registry import kinds
from activities.imports.sheets import read_sheet
from activities.models import Activity, Village

KIND = kinds()["hoat-dong"]
SATURDAY = datetime.date(2024, 6, 15)


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
    values.update(overrides)
    return [values.get(column.header) for column in KIND.columns]


def run(*rows, user=None):
    """Import the rows (header on line 1, so the first row is line 2)."""
    book = Workbook()
    book.active.append([column.title for column in KIND.columns])
    for values in rows:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    kind = KIND()
    sheet = read_sheet(
        data,
        filename="hoat-dong.xlsx",
        expected_headers=kind.headers(),
        required_headers=kind.required_headers(),
    )
    return import_rows(
        kind=kind,
        sheet=sheet,
        user=user,
        file_name="hoat-dong.xlsx",
        file_hash=file_digest(data),
        dry_run=False,
    )


def problems(report) -> dict[int, list[tuple[str, str]]]:
    return {r.number: [(p.column, p.message) for p in r.problems] for r in report.errors}


@pytest.fixture
def stored(unit, binh_an, road, village, assignment) -> Activity:
    """What the unit entered on the form: its road work in Bình An on 15/06/2024."""
    activity = Activity.objects.create(
        unit=unit,
        commune=binh_an,
        date=SATURDAY,
        activity_type=road,
        cadre_participations=5,
        people_participations=20,
    )
    activity.villages.add(village)
    return activity


def test_the_import_refuses_a_day_before_the_units_first_assignment_as_the_form_does(
    staff_a, unit, binh_an, road, village, assignment
):
    report = run(row(**{"Ngày": "04/09/2021"}))
    expected = "Ngày hoạt động trước ngày đơn vị được phân công (10/09/2021)."
    assert problems(report) == {2: [("Ngày", expected)]}
    assert not Activity.objects.exists()
    with pytest.raises(ValidationError) as excinfo:
        services.activity_create(
            user=staff_a,
            unit=unit,
            data={
                "date": datetime.date(2021, 9, 4),
                "commune": binh_an,
                "villages": [village],
                "activity_type": road,
                "cadre_participations": 12,
                "people_participations": 30,
            },
        )
    assert excinfo.value.message_dict["date"] == [expected]


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
    with pytest.raises(ValidationError) as excinfo:
        services.activity_create(
            user=staff_a,
            unit=unit,
            data={
                "date": SATURDAY,
                "commune": hong_quang,
                "villages": list(hong_quang.villages.all()),
                "activity_type": road,
                "cadre_participations": 12,
                "people_participations": 30,
            },
        )
    assert excinfo.value.message_dict["commune"] == [expected]

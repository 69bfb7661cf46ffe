"""An admin export imports back exactly: risky text (formula-looking, apostrophes, long,
multi-line) comes back as it was, and the import preview reports nothing to change."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activities.imports.admin import neutralise
from activities.imports.engine import describe_problems
from activities.imports.registry import kinds
from activities.imports.values import unprotect
from activities.models import Activity, PartyUnit, Village
from activities.text import LONG_TEXT_MAX
from housing.models import HousingCase, Programme
from tests.factories import (
    activity_values,
    admin_import_preview,
    import_file,
    make_activity,
    make_province_world,
    sheet_row,
    template_file,
)

RISKY = [
    "- Đổ bê tông đường thôn",
    "=SUM(A1:A3)",
    "+84 912 345 678",
    "@Nà Cóoc",
    "'=đã có dấu nháy",
    "''-hai dấu nháy",
    "'bình thường",
]
# Long and multi-line: the whole limit, lines of it starting like formulas too.
LONG = ("-dòng đầu\n" + "=dòng giữa\t có tab\n" + "Đổ bê tông " * 400)[: LONG_TEXT_MAX - 1] + "."

ADMINS = {
    "thon": "activities_village",
    "don-vi": "activities_partyunit",
    "hoat-dong": "activities_activity",
    "ho-nha-o": "housing_housingcase",
}


@pytest.mark.parametrize("text", [*RISKY, "Nà Cóoc", "123"])
def test_taking_the_apostrophe_off_gives_back_exactly_what_was_exported(text):
    assert unprotect(neutralise(text)) == text


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("'=1", "=1"), ("'-x", "-x"), ("''=1", "'=1"), ("'abc", "'abc"), ("'", "'"), (5, 5)],
)
def test_only_our_own_apostrophe_is_taken_off(cell, expected):
    assert unprotect(cell) == expected


@pytest.fixture
def risky(unit, assignment, binh_an, village, staff_a):
    """Rows whose every text field holds risky text."""
    unit.name, unit.short_name = "=Đảng bộ cơ quan", "-ĐB CQ"
    unit.save()
    village.name, village.aliases = "-Nà Cóoc", "=Na Cooc\n+Nà Coóc"
    village.save()
    Village.objects.create(commune=binh_an, name="@Khuổi Ni")
    for day, text in enumerate([*RISKY, LONG], start=1):
        make_activity(
            unit,
            binh_an,
            datetime.date(2024, 6, day),
            villages=[village],
            cadre_participations=day,
            people_participations=0,
            description=text,
            output_quantity=2,
            output_unit=RISKY[day % len(RISKY)][:30],
        )
    programme = Programme.objects.first() or Programme.objects.create(
        code="de-an", name="Đề án", short_name="Đề án"
    )
    for n, text in enumerate(RISKY):
        HousingCase.objects.create(
            household_head=f"{text[:20]} {n}",
            ethnicity="-Tày",
            village=village,
            programme=programme,
            notes=LONG if n == 0 else text,
            created_by=staff_a,
        )


def preview(client, kind: str, content: bytes, name: str) -> dict:
    """The admin's import preview of a file: its totals per action."""
    page = admin_import_preview(client, ADMINS[kind], content, name)
    assert page.status_code == 200
    assert "result" in page.context, page.context["form"].errors
    result = page.context["result"]
    report = result.report
    assert report.ok, describe_problems(report)[:5]
    return {action: count for action, count in result.totals.items() if count}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", sorted(ADMINS))
def test_an_export_of_risky_text_previews_with_nothing_to_change(
    client, admin_user, risky, kind, fmt
):
    client.force_login(admin_user)
    response = client.get(reverse(f"admin:{ADMINS[kind]}_export_sheet", args=[fmt]))
    assert response.status_code == 200
    count = kinds()[kind].model.objects.count()
    assert preview(client, kind, response.content, f"xuat.{fmt}") == {"skip": count}


def test_the_exported_cells_carry_the_whole_text_with_the_apostrophe(client, admin_user, risky):
    client.force_login(admin_user)
    response = client.get(reverse("admin:activities_activity_export_sheet", args=["xlsx"]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    described = [row[6] for row in rows[1:]]
    # Computed by hand: an apostrophe before text that starts like a formula, or before
    # apostrophes that do; the long text whole, not cut.
    assert described == [
        "'- Đổ bê tông đường thôn",
        "'=SUM(A1:A3)",
        "'+84 912 345 678",
        "'@Nà Cóoc",
        "''=đã có dấu nháy",
        "'''-hai dấu nháy",
        "'bình thường",
        "'" + LONG,
    ]
    assert len(LONG) == LONG_TEXT_MAX


def stored_text() -> dict:
    return {
        "activities": sorted(Activity.objects.values_list("pk", "description", "output_unit")),
        "villages": sorted(Village.objects.values_list("pk", "name", "aliases")),
        "units": sorted(PartyUnit.objects.values_list("pk", "name", "short_name")),
        "cases": sorted(HousingCase.objects.values_list("pk", "household_head", "notes")),
    }


def test_a_reimported_export_changes_nothing_when_confirmed(admin_user, risky, client):
    client.force_login(admin_user)
    before = stored_text()
    for kind in ("thon", "don-vi", "hoat-dong", "ho-nha-o"):
        data = client.get(reverse(f"admin:{ADMINS[kind]}_export_sheet", args=["csv"])).content
        report = import_file(data, kind=kind, user=admin_user, name="xuat.csv")
        assert report.ok and report.batch.rows_new == report.batch.rows_updated == 0, kind
    assert stored_text() == before


def test_an_imported_text_longer_than_its_field_is_refused_with_its_length(
    unit, assignment, binh_an, road, village
):
    values = activity_values(
        unit, binh_an, village, road, **{"Nội dung": "x" * (LONG_TEXT_MAX + 1)}
    )
    report = import_file(template_file(sheet_row(values)), name="dai.xlsx", dry_run=True)
    assert describe_problems(report) == [
        "Dòng 2, cột “Nội dung”: Nội dung dài 4.001 ký tự, vượt quá giới hạn 4.000 ký tự. "
        "Hãy rút gọn."
    ]


def test_villages_sharing_a_name_in_a_new_commune_export_with_their_commune_and_come_back(
    today, communes, client
):
    """The new Bình An holds a "Số 1" of the old Bình An and one of Thổ Bình: the export
    writes which one, and importing the export back changes nothing."""
    world = make_province_world()
    Village.objects.create(commune=communes["02290"], name="Số 1")  # the old Bình An's
    quantri = world["users"]["quantri_tinh"]
    client.force_login(quantri)
    data = client.get(reverse("admin:activities_activity_export_sheet", args=["csv"])).content
    villages_cell = {row[0]: row[4] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))}
    a2, a4 = world["activities"]["A2"], world["activities"]["A4"]
    # Before the merger the old Thổ Bình has one "Số 1"; after it the new Bình An has two.
    assert villages_cell[f"#{a2.pk}"] == "Số 1"
    assert villages_cell[f"#{a4.pk}"] == "Số 1 (xã Thổ Bình)"
    before = sorted(Activity.villages.through.objects.values_list("activity_id", "village_id"))
    report = import_file(data, kind="hoat-dong", user=quantri, name="xuat.csv")
    assert report.ok, describe_problems(report)[:5]
    assert report.batch.rows_new == report.batch.rows_updated == 0
    after = sorted(Activity.villages.through.objects.values_list("activity_id", "village_id"))
    assert after == before

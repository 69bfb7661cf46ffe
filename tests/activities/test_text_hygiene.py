"""Hostile text (controls, noncharacters, zero-width and direction marks) is cleaned wherever
it enters, so that backups restore, exports open and look-alike names cannot be made."""

from __future__ import annotations

import datetime
import importlib
import io
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from activities.imports.admin import neutralise, table_response
from activities.imports.registry import kinds
from activities.imports.sheets import SheetError, read_sheet
from activities.models import Activity, MonthReport, PartyUnit, Village
from activities.text import LONG_TEXT_MAX, clean_text, name_key, strip_unsafe
from housing.models import HousingCase, Programme
from tests.factories import (
    activity_form_data,
    activity_values,
    admin_import_confirm,
    admin_import_preview,
    csv_file,
    make_activity,
    make_user,
    sheet_row,
    template_file,
)

# Every class the issue names, in one single-line and one multi-line text. The expected
# values are written out by hand.
SHORT = "Nà\u200b \u202eCóoc\ufffe\x01\u2066\u2069\u200f"
SHORT_CLEAN = "Nà Cóoc"
LONG = "Dòng\x01 một\u200b\r\nDòng\ufffe hai\u2066\x0b\tba\u202e\x00"
LONG_CLEAN = "Dòng một\nDòng hai\n\tba"
# What a CSV or an .xlsx can carry (control characters cannot be stored in either).
FILE_SHORT = "Bản\u200b Pài\u202e\ufdd0\u200d\ufeff\x9f"
FILE_SHORT_CLEAN = "Bản Pài"
FILE_LONG = "Sửa\u00ad nhà\u2067 dột\u202a\nlợp\u200c mái\u2068"
FILE_LONG_CLEAN = "Sửa nhà dột\nlợp mái"

UNSAFE = ["\x00", "\x01", "\x0b", "\ufffe", "\uffff", "\ufdd0", "\u200b", "\u200e", "\u202e"]


# --- The cleaner ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "multiline", "expected"),
    [
        ("a\x0bb", False, "a b"),  # a vertical tab separates words: a space
        ("a\x0bb", True, "a\nb"),  # ... or a line break
        ("a\x01b\x7fc\x9fd", False, "abcd"),  # C0, DEL, C1
        ("a\ufffeb\uffffc\ufdd0d\U0001fffee", True, "abcde"),  # noncharacters
        ("a\u200bb\u200cc\u200dd\u2060e\ufeff", False, "abcde"),  # zero-width
        ("a\u200eb\u200fc\u202ad\u202ee\u2066f\u2069g\u061ch", False, "abcdefgh"),  # bidi
        ("a\tb\nc", False, "a b c"),  # single-line: tab and newline are spaces
        ("a\tb\r\nc\rd", True, "a\tb\nc\nd"),  # multi-line keeps them, one line break
        (" dòng 1   \n  dòng 2 ", True, "dòng 1\n  dòng 2"),
        ("Na\u0300   Co\u0301oc", False, "Nà Cóoc"),  # NFC, spaces collapsed
        ("Đổ bê tông 😀", False, "Đổ bê tông 😀"),  # emoji stay
        # Text with nothing to clean is returned as it is; one thing off is still cleaned.
        ("Thôn Nà Cóoc", False, "Thôn Nà Cóoc"),
        ("Na\u0300 Cóoc", False, "Nà Cóoc"),  # only NFC to do
        (" Nà Cóoc", False, "Nà Cóoc"),
        ("Nà Cóoc ", False, "Nà Cóoc"),
        ("Nà  Cóoc", False, "Nà Cóoc"),
        ("Nà\u00a0Cóoc", False, "Nà Cóoc"),  # a no-break space is whitespace too
        ("Nà Cóoc\n", False, "Nà Cóoc"),
    ],
)
def test_the_cleaner_removes_each_class_and_keeps_line_breaks_only_in_long_text(
    value, multiline, expected
):
    assert clean_text(value, multiline=multiline) == expected


def test_the_sample_texts_clean_to_what_they_say():
    assert clean_text(SHORT, multiline=False) == SHORT_CLEAN
    assert clean_text(LONG, multiline=True) == LONG_CLEAN
    assert clean_text(FILE_SHORT, multiline=False) == FILE_SHORT_CLEAN
    assert clean_text(FILE_LONG, multiline=True) == FILE_LONG_CLEAN


def test_strip_unsafe_changes_nothing_but_the_unsafe_characters():
    assert strip_unsafe("  a\u200b  b\r\n\tc\x0b ") == "  a  b\r\n\tc "
    assert strip_unsafe("Na\u0300") == "Na\u0300"  # no NFC


def test_a_look_alike_village_name_is_the_same_village(binh_an, village):
    twin = Village(commune=binh_an, name="Nà \u200bCóoc\u200e")
    assert twin.name == "Nà Cóoc"
    assert name_key("NÀ\u202e CÓOC") == village.name_key
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_text_set_on_an_instance_is_clean_before_it_is_saved(activity):
    # What the audit trail copies at save time is the instance's value.
    activity.description = LONG
    assert activity.description == LONG_CLEAN
    activity.save()
    entry = LogEntry.objects.get_for_object(activity).latest("timestamp")
    assert entry.changes_dict["description"][1] == LONG_CLEAN


# --- Entry paths ---------------------------------------------------------------------------


@pytest.fixture
def activity(unit, binh_an, village) -> Activity:
    return make_activity(
        unit, binh_an, villages=[village], cadre_participations=10, people_participations=0
    )


def post_staff_form(client, staff, unit, binh_an, road, village, **overrides):
    """The staff form with hostile text in its free-text fields."""
    client.force_login(staff)
    hostile = {
        "workdays": "4",
        "output_quantity": "5",
        "output_unit": SHORT,
        "money_contributed": "",
        "description": LONG,
        "confirm_duplicate": "on",
    }
    return client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village], **(hostile | overrides)),
    )


def post_admin_village(client, admin_user, binh_an, **overrides):
    client.force_login(admin_user)
    data = {
        "commune": binh_an.pk,
        "name": "Khuổi\u200b Ni\u202e\x01",
        "kind": "thon",
        "aliases": LONG,
        "valid_from": "",
        "valid_to": "",
        "_save": "Lưu",
    } | overrides
    return client.post(reverse("admin:activities_village_add"), data)


def admin_import(client, admin_user, model: str, name: str, content: bytes):
    """Preview then confirm an upload in the admin, as a person would."""
    client.force_login(admin_user)
    preview = admin_import_preview(client, model, content, name)
    assert preview.status_code == 200
    assert "confirm_form" in preview.context, preview.context["form"].errors
    assert admin_import_confirm(client, model, preview).status_code == 302
    return preview


def village_csv(binh_an) -> bytes:
    titles = [c.title for c in kinds()["thon"].columns]
    return csv_file(titles, [binh_an.code, FILE_SHORT, "Bản", "", ""])


def activity_xlsx(unit, binh_an, road, village) -> bytes:
    values = activity_values(
        unit,
        binh_an,
        village,
        road,
        **{"Nội dung": FILE_LONG, "Khối lượng": 3, "Đơn vị tính": FILE_SHORT},
    )
    return template_file(sheet_row(values))


def test_the_staff_form_stores_clean_text(client, staff_a, unit, binh_an, road, village):
    response = post_staff_form(client, staff_a, unit, binh_an, road, village)
    assert response.status_code == 302
    saved = Activity.objects.get()
    assert (saved.description, saved.output_unit) == (LONG_CLEAN, SHORT_CLEAN)
    raw = Activity.objects.values_list("description", "output_unit").get()
    assert raw == (LONG_CLEAN, SHORT_CLEAN)


def test_text_made_only_of_invisible_characters_is_missing_text(client, admin_user, unit):
    # Said in Vietnamese next to the field, not Django's "Null characters are not allowed".
    MonthReport.objects.create(unit=unit, year=2024, month=6, state=MonthReport.State.SUBMITTED)
    client.force_login(admin_user)
    page = client.post(
        reverse("activities:month_reopen", args=[unit.pk, 2024, 6]),
        {"reason": "\x00\u200b\u202e"},
        follow=True,
    )
    assert MonthReport.objects.get().state == MonthReport.State.SUBMITTED
    text = page.content.decode()
    assert "Null characters" not in text and "Nhập lý do mở lại tháng." in text


def test_a_long_text_over_the_limit_is_refused_next_to_its_field(
    client, staff_a, unit, binh_an, road, village
):
    response = post_staff_form(
        client, staff_a, unit, binh_an, road, village, description="x" * (LONG_TEXT_MAX + 1)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["description"]
    assert LONG_TEXT_MAX == 4000
    assert errors == ["Nội dung dài 4.001 ký tự, vượt quá giới hạn 4.000 ký tự. Hãy rút gọn."]
    assert not Activity.objects.exists()


def test_the_admin_form_stores_clean_text(client, admin_user, binh_an):
    response = post_admin_village(client, admin_user, binh_an)
    assert response.status_code == 302
    assert Village.objects.values_list("name", "aliases").get() == ("Khuổi Ni", LONG_CLEAN)


def test_the_admin_user_form_stores_clean_names(client, admin_user):
    # A name is the only free text of an account; it is copied into every audit entry's actor.
    person = make_user("canbo")
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[person.pk])
    response = client.post(
        url,
        {
            "username": "canbo",
            "first_name": "Ma\x0bThị\u200b",
            "last_name": "\ufeffSinh\x01",
            "is_active": "on",
            "date_joined_0": "01/12/2026",
            "date_joined_1": "08:00:00",
            # The organisation's inline, left empty.
            "account-TOTAL_FORMS": "0",
            "account-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Ma Thị", "Sinh")


def test_the_admin_form_says_a_look_alike_name_exists(client, admin_user, binh_an, village):
    response = post_admin_village(client, admin_user, binh_an, name="Nà\u200e Cóoc\u200b")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Village.objects.count() == 1


def test_the_csv_and_xlsx_imports_store_clean_text(
    client, admin_user, unit, assignment, binh_an, road, village
):
    admin_import(client, admin_user, "activities_village", "thon.csv", village_csv(binh_an))
    assert Village.objects.filter(name=FILE_SHORT_CLEAN).exists()
    admin_import(
        client,
        admin_user,
        "activities_activity",
        "hoat-dong.xlsx",
        activity_xlsx(unit, binh_an, road, village),
    )
    raw = Activity.objects.values_list("description", "output_unit").get()
    assert raw == (FILE_LONG_CLEAN, FILE_SHORT_CLEAN)
    entry = LogEntry.objects.filter(content_type__model="activity").get()
    assert entry.changes_dict["description"][1] == FILE_LONG_CLEAN


# --- Files ------------------------------------------------------------------------------


def test_a_csv_named_xlsx_is_refused_by_the_admin_with_a_vietnamese_message(
    client, admin_user, binh_an
):
    client.force_login(admin_user)
    page = admin_import_preview(client, "activities_village", village_csv(binh_an), "thon.xlsx")
    assert page.status_code == 200
    assert page.context["form"].errors["import_file"] == [
        "Tệp “thon.xlsx” không phải là tệp Excel .xlsx (có vẻ là tệp CSV). Hãy đổi đuôi tệp "
        "thành .csv, hoặc mở bằng Excel rồi lưu lại dưới dạng Excel Workbook (.xlsx)."
    ]
    assert not Village.objects.exists()


def test_a_control_character_after_the_first_64_kb_of_a_csv_is_refused():
    headers = ["Ngày", "Xã"]
    lines = ["Ngày,Xã"] + [f"01/06/2024,Bình An {n}" for n in range(5000)]
    lines.append("02/06/2024,Bình\x01 An")
    content = "\n".join(lines).encode("utf-8")
    assert content.index(b"\x01") > 65536
    with pytest.raises(SheetError) as caught:
        read_sheet(content, filename="dai.csv", expected_headers=headers)
    message = caught.value.message
    assert "U+0001" in message and "dòng 5.002" in message


def test_the_admin_refuses_that_csv_too(client, admin_user, binh_an):
    lines = [",".join(c.title for c in kinds()["thon"].columns)]
    lines += [f"{binh_an.code},Thôn {n},Thôn,," for n in range(3000)]
    lines.append(f"{binh_an.code},Thôn\x0b cuối,Thôn,,")
    content = "\n".join(lines).encode("utf-8")
    assert content.index(b"\x0b") > 65536
    client.force_login(admin_user)
    page = admin_import_preview(client, "activities_village", content, "thon.csv")
    assert page.status_code == 200
    assert "ký tự điều khiển" in page.context["form"].errors["import_file"][0]
    assert not Village.objects.exists()


# --- Exports never fail ------------------------------------------------------------------


def export_urls() -> list[str]:
    urls = []
    for model in admin.site._registry:
        for fmt in ("xlsx", "csv"):
            try:
                urls.append(
                    reverse(
                        f"admin:{model._meta.app_label}_{model._meta.model_name}_export_sheet",
                        args=[fmt],
                    )
                )
            except NoReverseMatch:
                continue
    return urls


def test_the_writer_takes_any_stored_value():
    aware = datetime.datetime(2024, 6, 15, 1, 30, tzinfo=datetime.UTC)
    row = ["a\x01b\ufffe\u202ec", "=1+1", aware, float("nan"), None, 3, Village.Kind.THON]
    response = table_response(["Cột\x0b"], [row], as_csv=False, name="x")
    cells = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))
    values = [cell.value for cell in cells]
    # 01:30 UTC is 08:30 in Asia/Ho_Chi_Minh.
    assert values == ["abc", "'=1+1", datetime.datetime(2024, 6, 15, 8, 30), "nan", None, 3, "thon"]
    text = table_response(["Cột"], [row], as_csv=True, name="x").content.decode("utf-8-sig")
    assert "abc" in text and "\ufffe" not in text
    # The report exports write their cells through neutralise alone.
    assert neutralise("\u200b=1\x01\uffff") == "'=1"
    assert neutralise("a\r\nb") == "a\r\nb"


def test_admin_and_report_exports_answer_with_text_dirtied_by_raw_sql(
    client, admin_user, activity, unit
):
    dirty = "Bẩn\x01\x0b\ufffe\uffff\u202e\u200b"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activity SET description = %s, output_unit = %s",
            [dirty, dirty],
        )
        cursor.execute("UPDATE activities_partyunit SET short_name = %s, name = %s", [dirty, dirty])
        cursor.execute("UPDATE activities_village SET name = %s, aliases = %s", [dirty, dirty])
    client.force_login(admin_user)
    urls = export_urls()
    assert len(urls) >= 12
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith("/xlsx/"):
            book = load_workbook(io.BytesIO(response.content))
            for row in book.active.iter_rows(values_only=True):
                assert not any(isinstance(v, str) and strip_unsafe(v) != v for v in row)
    for table in ("tong-hop", "don-vi"):
        response = client.get(
            reverse("dashboard_export", args=[table]), {"ky": "nam", "nam": "2024"}
        )
        assert response.status_code == 200, table
        load_workbook(io.BytesIO(response.content))


# --- The data migration ------------------------------------------------------------------


def test_the_migration_cleans_stored_rows_and_audit_entries(activity, village, binh_an):
    other = Village.objects.create(commune=binh_an, name="Khuổi Ni")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activity SET description = %s WHERE id = %s",
            ["Dòng\x01 một\u200b\r\nhai\ufffe", activity.pk],
        )
        # Cleaned, this name is the other village's: it must not stop the migration.
        cursor.execute(
            "UPDATE activities_village SET name = %s WHERE id = %s", ["Khuổi\u200b Ni", village.pk]
        )
    entry = LogEntry.objects.get_for_object(activity).first()
    LogEntry.objects.filter(pk=entry.pk).update(
        object_repr="Hoạt\x01 động\ufffe", changes={"description": ["a\x0b", "b\u202e"]}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE auditlog_logentry SET changes_text = %s WHERE id = %s",
            ["x\x01y\u200b", entry.pk],
        )
    migration = importlib.import_module("activities.migrations.0009_clean_text")
    editor = SimpleNamespace(connection=connection)
    migration.clean_rows(apps, editor)
    migration.clean_audit_entries(apps, editor)
    assert Activity.objects.values_list("description", flat=True).get(pk=activity.pk) == (
        "Dòng một\nhai"
    )
    names = dict(Village.objects.values_list("pk", "name"))
    assert names == {other.pk: "Khuổi Ni", village.pk: "Khuổi Ni (2)"}
    assert Village.objects.get(pk=village.pk).name_key == "khuổi ni (2)"
    cleaned = LogEntry.objects.values("object_repr", "changes", "changes_text").get(pk=entry.pk)
    assert cleaned == {
        "object_repr": "Hoạt động",
        "changes": {"description": ["a", "b"]},
        "changes_text": "xy",
    }


# --- Backup and restore after every entry path --------------------------------------------


def stored_text() -> dict:
    """Every text of the rows the entry paths wrote, read raw, and every audit entry."""
    return {
        "activities": sorted(
            Activity.objects.values_list("pk", "description", "output_unit", "import_key")
        ),
        "villages": sorted(Village.objects.values_list("pk", "name", "name_key", "aliases")),
        "units": sorted(PartyUnit.objects.values_list("pk", "name", "short_name")),
        "cases": sorted(HousingCase.objects.values_list("pk", "household_head", "notes")),
        "audit": sorted(
            (
                e["pk"],
                e["content_type__model"],
                e["object_pk"],
                e["object_repr"],
                e["action"],
                e["timestamp"].isoformat(),
                str(e["changes"]),
                e["changes_text"],
            )
            for e in LogEntry.objects.values(
                "pk",
                "content_type__model",
                "object_pk",
                "object_repr",
                "action",
                "timestamp",
                "changes",
                "changes_text",
            )
        ),
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_hostile_text_from_every_entry_path_survives_backup_and_restore(
    client, staff_a, admin_user, unit, assignment, binh_an, road, village, tmp_path
):
    assert post_staff_form(client, staff_a, unit, binh_an, road, village).status_code == 302
    assert post_admin_village(client, admin_user, binh_an).status_code == 302
    admin_import(client, admin_user, "activities_village", "thon.csv", village_csv(binh_an))
    admin_import(
        client,
        admin_user,
        "activities_activity",
        "hoat-dong.xlsx",
        activity_xlsx(unit, binh_an, road, village),
    )
    programme = Programme.objects.first() or Programme.objects.create(
        code="de-an", name="Đề án", short_name="Đề án"
    )
    case = HousingCase(
        household_head=SHORT, village=village, programme=programme, notes=LONG, created_by=staff_a
    )
    case.save()
    before = stored_text()
    assert len(before["activities"]) == 2 and len(before["villages"]) == 3
    assert before["cases"] == [(case.pk, SHORT_CLEAN, LONG_CLEAN)]
    assert len(before["audit"]) >= 4
    flat = repr(before)
    assert not any(char in flat for char in UNSAFE)

    dump = tmp_path / "sao-luu.xml.gz"
    call_command("backup_data", str(dump), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)
    assert not Activity.objects.exists() and not LogEntry.objects.exists()
    call_command("restore_data", str(dump), stdout=io.StringIO())
    assert stored_text() == before

    client.force_login(admin_user)
    for url in export_urls():
        assert client.get(url).status_code == 200, url

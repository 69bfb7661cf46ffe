"""Backup and restore: whole and exact, or a Vietnamese refusal that leaves nothing behind."""

import datetime
import gzip
import io
import os
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Sum

from activities.models import (
    Activity,
    ActivityMonthStat,
    ActivityVillage,
    Assignment,
    Commune,
    ImportBatch,
    MonthReport,
    PartyUnit,
    Village,
)
from activities.services import activity_update
from activities.stats import SUMMARY_MODELS
from housing.models import Funding, HousingCase
from lamb_binh.dashboard.reports import Scope, commune_rows, headline
from tests.factories import make_activity, make_case


def snapshot() -> dict:
    scope = Scope({}, today=datetime.date(2026, 1, 1))
    top = headline(scope)
    return {
        "activities": Activity.objects.aggregate(
            n=Count("id"),
            c=Sum("cadre_participations"),
            p=Sum("people_participations"),
            w=Sum("workdays"),
            m=Sum("money_contributed"),
        ),
        "links": ActivityVillage.objects.count(),
        "villages": Village.objects.count(),
        "cases": HousingCase.objects.count(),
        "funding": Funding.objects.aggregate(total=Sum("amount")),
        "months": MonthReport.objects.count(),
        "headline": (top.totals.cadres, top.totals.people, top.villages_reached),
        "communes": [(r.label, r.totals.activities) for r in commune_rows(scope)],
        "audit": sorted(
            (
                e.content_type.model,
                e.object_id,
                e.action,
                e.object_repr,
                e.actor.username if e.actor else None,
                e.timestamp.isoformat(),
                str(e.changes_dict),
            )
            for e in LogEntry.objects.select_related("content_type", "actor")
        ),
    }


# A real flush of the whole database between backup and restore: no outer transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_an_empty_database_whole(demo, tmp_path):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(username="nhaplieu")
    activity = Activity.objects.filter(unit__staff=staff, date__year=2024, date__month=6).first()
    data = {
        "villages": list(activity.villages.all()),
        "date": activity.date,
        "commune": activity.commune,
        "activity_type": activity.activity_type,
        "cadre_participations": 7,
        "people_participations": 8,
    }
    activity_update(user=staff, activity=activity, data=data, confirm_duplicate=True)
    before = snapshot()
    assert len(before["audit"]) >= 1

    dump = tmp_path / "sao-luu.xml"
    call_command("backup_data", str(dump), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)
    assert not Activity.objects.exists() and not LogEntry.objects.exists()

    call_command("restore_data", str(dump), stdout=io.StringIO())
    after = snapshot()
    for key in before:
        if key == "audit":
            extra = sorted(set(after[key]) ^ set(before[key]))
            assert not extra, extra[:4]
        assert after[key] == before[key], key
    # The restored database takes new rows: its id sequences follow the loaded rows.
    Activity.objects.create(
        unit=activity.unit,
        commune=activity.commune,
        date=activity.date,
        activity_type=activity.activity_type,
        cadre_participations=1,
    )


def test_restoring_over_existing_data_is_refused(demo, tmp_path):
    dump = tmp_path / "sao-luu.xml"
    call_command("backup_data", str(dump), stdout=io.StringIO())
    count = Activity.objects.count()
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("restore_data", str(dump), stdout=io.StringIO())
    assert Activity.objects.count() == count
    assert not ImportBatch.objects.exists()


# --- A small database, backed up, then emptied: for what a backup and a restore refuse ----

STAT_MODELS = (
    "ActivityMonthStat",
    "VillageMonthStat",
    "WeekendDayStat",
    "ActivityDayStat",
    "VillageDayStat",
    "AreaMonthStat",
    "AreaDayStat",
    "TypeMonthStat",
    "TypeDayStat",
    "WeekendMonthStat",
    "VillageYearStat",
    "VillageMonthDaysStat",
)
SUMMARY_LABELS = {
    "activities.activitymonthstat",
    "activities.villagemonthstat",
    "activities.weekenddaystat",
    "activities.activitydaystat",
    "activities.villagedaystat",
    "activities.areamonthstat",
    "activities.areadaystat",
    "activities.typemonthstat",
    "activities.typedaystat",
    "activities.weekendmonthstat",
    "activities.villageyearstat",
    "activities.villagemonthdaysstat",
}


@pytest.fixture
def small(db, unit, binh_an, village, staff_a, programme):
    """One activity of staff A's unit in Nà Cóoc (with its audit entry) and a housing case."""
    activity = make_activity(
        unit,
        binh_an,
        datetime.date(2024, 6, 8),
        villages=[village],
        created_by=staff_a,
        description="Làm đường",
    )
    make_case(village, programme)
    return activity


def empty_database() -> None:
    """What a fresh, migrated database holds: none of the rows a backup brings."""
    from django.contrib.auth import get_user_model

    Funding.objects.all().delete()
    HousingCase.objects.all().delete()
    ActivityVillage.objects.all().delete()
    Activity.objects.all().delete()
    for model in (Village, Assignment, PartyUnit, MonthReport):
        model.objects.all().delete()
    Commune.objects.filter(successor__isnull=False).delete()  # the old communes point at new
    Commune.objects.all().delete()
    get_user_model().objects.all().delete()
    LogEntry.objects.all().delete()


def assert_empty() -> None:
    from django.contrib.auth import get_user_model

    counts = {
        model.__name__: model.objects.count()
        for model in (Activity, ActivityVillage, Village, Commune, PartyUnit, HousingCase)
    }
    counts["User"] = get_user_model().objects.count()
    counts["LogEntry"] = LogEntry.objects.count()
    assert counts == dict.fromkeys(counts, 0)


def models_in(path) -> list[tuple[str, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as stream:
        root = ElementTree.parse(stream).getroot()
    return [(o.get("model"), o.get("pk")) for o in root.findall("object")]


def backup(path) -> None:
    call_command("backup_data", str(path), stdout=io.StringIO())


def restore_refused(path, *words: str) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("restore_data", str(path), stdout=io.StringIO())
    message = str(refused.value)
    assert message.startswith(f"Không khôi phục được từ {path}: ")
    assert message.endswith("Cơ sở dữ liệu vẫn trống như trước.")
    for word in words:
        assert word in message
    assert_empty()
    return message


def test_the_summary_tables_own_the_list_of_what_a_backup_leaves_out():
    from activities import models as activity_models

    labels = {getattr(activity_models, name)._meta.label_lower for name in STAT_MODELS}
    assert labels == SUMMARY_LABELS
    assert set(SUMMARY_MODELS) == SUMMARY_LABELS


def test_a_backup_leaves_out_all_the_summary_tables(small, tmp_path):
    # 08/06/2024 is a Saturday: every one of the tables has a row to leave out.
    from activities import models as activity_models

    assert all(getattr(activity_models, name).objects.exists() for name in STAT_MODELS)
    path = tmp_path / "sao-luu.xml"
    backup(path)
    labels = {label for label, _ in models_in(path)}
    assert "activities.activity" in labels and "auditlog.logentry" in labels
    assert not labels & SUMMARY_LABELS


@pytest.mark.parametrize("name", ["sao-luu.xml", "sao-luu.xml.gz"])
def test_a_small_backup_restores_whole_as_xml_and_as_gzip(small, tmp_path, name):
    path = tmp_path / name
    backup(path)
    assert os.listdir(tmp_path) == [name]
    with open(path, "rb") as stream:
        assert (stream.read(2) == b"\x1f\x8b") == name.endswith(".gz")
    audit = sorted(LogEntry.objects.values_list("object_repr", "action", "timestamp"))
    empty_database()

    out = io.StringIO()
    call_command("restore_data", str(path), stdout=out)
    assert f"Đã khôi phục {len(models_in(path))} bản ghi từ {path}." in out.getvalue()
    restored = Activity.objects.get()
    assert (restored.pk, restored.description, restored.created_by.username) == (
        small.pk,
        "Làm đường",
        "canbo_a",
    )
    assert [v.name for v in restored.villages.all()] == ["Nà Cóoc"]
    assert HousingCase.objects.get().household_head == "Ma Thị Sinh"
    assert sorted(LogEntry.objects.values_list("object_repr", "action", "timestamp")) == audit
    # The summary tables were rebuilt from the restored activity: 12 cadres, 30 people.
    month = ActivityMonthStat.objects.get()
    assert (month.month, month.activities, month.cadres, month.people) == (
        datetime.date(2024, 6, 1),
        1,
        12,
        30,
    )


# --- backup_data: a file only when it is whole and readable ----------------------------


@pytest.mark.parametrize(
    "table, column, value, model",
    # Written by raw SQL into columns that no input cleaning guards, as an old database or
    # another program may hold them.
    [
        # U+FFFE passes Django's serializer but no XML parser reads it back.
        ("auth_user", "first_name", "Hoàng Thị Lan\ufffe", "auth.user"),
        # A control character the serializer itself refuses.
        ("auth_user", "first_name", "Hoàng\x01 Thị Lan", "auth.user"),
        # The audit trail's copy of a text is enough.
        ("auditlog_logentry", "object_repr", "Làm đường\ufffe", "auditlog.logentry"),
    ],
)
def test_a_text_xml_cannot_carry_stops_the_backup_and_leaves_no_file(
    small, staff_a, tmp_path, table, column, value, model
):
    pk = staff_a.pk if table == "auth_user" else LogEntry.objects.order_by("pk")[0].pk
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])
    folder = tmp_path / "sao-luu"
    folder.mkdir()
    for name in ("sao-luu.xml", "sao-luu.xml.gz"):
        with pytest.raises(CommandError) as refused:
            backup(folder / name)
        message = str(refused.value)
        assert message.startswith("Không sao lưu được: ")
        assert f"bản ghi {model} khóa {pk}" in message
        assert f"Chưa ghi gì ra {folder / name}" in message
        assert os.listdir(folder) == []


def test_a_failed_backup_keeps_the_older_file_of_the_same_name(small, staff_a, tmp_path):
    path = tmp_path / "sao-luu.xml.gz"
    path.write_bytes(b"the backup of last night")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET first_name = %s WHERE id = %s", ["\ufffe", staff_a.pk])
    with pytest.raises(CommandError, match="tệp cũ cùng tên, nếu có, vẫn giữ nguyên"):
        backup(path)
    assert os.listdir(tmp_path) == ["sao-luu.xml.gz"]
    assert path.read_bytes() == b"the backup of last night"


def test_a_backup_into_a_missing_directory_is_refused(small, tmp_path):
    path = tmp_path / "khong-co" / "sao-luu.xml.gz"
    with pytest.raises(CommandError, match=f"thư mục {tmp_path / 'khong-co'} không tồn tại"):
        backup(path)
    assert os.listdir(tmp_path) == []


def test_a_backup_beside_a_file_that_is_not_a_directory_is_refused(small, tmp_path):
    (tmp_path / "tep").write_text("x")
    with pytest.raises(CommandError, match="không phải là thư mục"):
        backup(tmp_path / "tep" / "sao-luu.xml")
    assert os.listdir(tmp_path) == ["tep"]


@pytest.fixture
def unwritable(tmp_path):
    """A directory this process cannot create files in: read-only by its mode or, for root
    (whom modes do not stop), /proc, where nobody can."""
    if os.geteuid() == 0:
        yield Path("/proc")
        return
    folder = tmp_path / "chi-doc"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def test_a_backup_into_a_directory_that_cannot_be_written_is_refused(small, unwritable):
    before = sorted(os.listdir(unwritable))
    with pytest.raises(CommandError, match=f"không ghi được vào thư mục {unwritable} "):
        backup(unwritable / "sao-luu.xml.gz")
    assert sorted(os.listdir(unwritable)) == before


def test_a_backup_named_other_than_xml_is_refused(small, tmp_path):
    with pytest.raises(CommandError, match=r"phải kết thúc bằng \.xml hoặc \.xml\.gz"):
        backup(tmp_path / "sao-luu.json")
    assert os.listdir(tmp_path) == []


# --- restore_data: a clear refusal and an empty database, or everything ------------------


@pytest.fixture
def backup_file(small, tmp_path):
    """The small database's backup (.xml), the database emptied after it."""
    path = tmp_path / "goc.xml"
    backup(path)
    empty_database()
    return path


def test_restoring_a_truncated_file_names_the_record_it_stops_in(backup_file, small, tmp_path):
    data = backup_file.read_bytes()
    start = data.index(f'<object model="activities.activity" pk="{small.pk}"'.encode())
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: start + 60])
    restore_refused(cut, "tệp bị cắt cụt", f"trong bản ghi activities.activity khóa {small.pk}")


def test_restoring_a_truncated_gzip_file_is_refused(backup_file, tmp_path):
    whole = gzip.compress(backup_file.read_bytes())
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    restore_refused(cut, "tệp .gz bị cắt cụt")


def test_restoring_a_file_with_a_character_xml_forbids_names_the_record(
    backup_file, small, tmp_path
):
    text = backup_file.read_text(encoding="utf-8")
    assert text.count("Làm đường") >= 1
    dirty = tmp_path / "dirty.xml"
    dirty.write_text(text.replace("Làm đường", "Làm\ufffe đường", 1), encoding="utf-8")
    first = text.index("Làm đường")
    record = text.rindex("<object ", 0, first)
    label, pk = re.match(r'<object model="([\w.]+)" pk="(\d+)"', text[record:]).groups()
    restore_refused(dirty, "có ký tự không hợp lệ trong XML", f"trong bản ghi {label} khóa {pk}")


def test_restoring_a_record_whose_foreign_key_is_missing_names_it(backup_file, small, tmp_path):
    tree = ElementTree.parse(backup_file)
    node = tree.getroot().find(f"object[@model='activities.activity'][@pk='{small.pk}']")
    node.find("field[@name='commune']").text = "999999"
    broken = tmp_path / "broken.xml"
    tree.write(broken, encoding="utf-8", xml_declaration=True)
    restore_refused(
        broken,
        f"bản ghi activities.activity khóa {small.pk}",
        "trường “commune” trỏ tới bản ghi activities.commune khóa 999999",
        "không có trong tệp sao lưu",
    )
    # Nothing half-done stays behind: the untouched backup still restores, whole.
    call_command("restore_data", str(backup_file), stdout=io.StringIO())
    assert Activity.objects.get().pk == small.pk
    assert ActivityMonthStat.objects.get().cadres == 12


def test_restoring_a_record_whose_user_is_missing_names_it(backup_file, small, tmp_path):
    tree = ElementTree.parse(backup_file)
    node = tree.getroot().find(f"object[@model='activities.activity'][@pk='{small.pk}']")
    node.find("field[@name='created_by']/natural").text = "khong-ai"
    broken = tmp_path / "broken.xml.gz"
    with gzip.open(broken, "wb") as stream:
        tree.write(stream, encoding="utf-8", xml_declaration=True)
    restore_refused(
        broken, f"bản ghi activities.activity khóa {small.pk} trỏ tới “khong-ai”", "không có"
    )


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("hoat-dong.xml", "Ngày,Xã\n08/06/2024,Bình An\n".encode(), ["không phải nội dung XML"]),
        ("sao-luu.xml.gz", b"PK\x03\x04 not gzip at all", ["không phải tệp nén .gz"]),
        ("trong.xml", b"", ["tệp trống"]),
        ("khac.xml", b"<?xml version='1.0'?><html><body/></html>", ["không phải tệp của"]),
    ],
)
def test_restoring_a_file_that_is_not_a_backup_is_refused(db, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    restore_refused(path, *words)

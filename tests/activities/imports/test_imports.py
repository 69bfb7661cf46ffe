"""Spreadsheet imports end to end: as offices write them, all or nothing, again, undone."""

import datetime
import io
import unicodedata

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from activities.imports.admin import neutralise, template_workbook
from activities.imports.engine import describe_problems, file_digest, import_undo
from activities.imports.registry import kinds
from activities.models import Activity, Assignment, ImportBatch, Village
from lamb_binh.dashboard.reports import Scope, headline
from tests.factories import (
    activity_row,
    admin_import_confirm,
    admin_import_preview,
    import_file,
    office_workbook,
)


@pytest.fixture
def admin_user(demo):
    """The demo's admin account (quantri)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="quantri")


def test_an_office_file_goes_in_whole(demo, admin_user):
    before = headline(Scope({"ky": "nam", "nam": "2023"}, today=datetime.date(2026, 1, 1)))
    nfd = unicodedata.normalize("NFD", "Đổ bê tông đường thôn")
    data = office_workbook(
        [
            activity_row(),
            [],  # a blank row in the middle
            activity_row(
                **{
                    "Ngày": datetime.datetime(2023, 9, 17),
                    "Lượt nhân dân": "1.780",
                    "Nội dung": nfd,
                    "Thôn, bản": "NÀ CÓOC",
                    "Xã, thị trấn": "xã Bình An",
                }
            ),
            activity_row(
                **{
                    "Ngày": "30/09/2023",
                    "Khối lượng": "327,65",
                    "Tiền đóng góp (đồng)": "25 triệu đồng",
                    "Loại hoạt động": "Làm đường bê tông nội đồng",
                }
            ),
        ]
    )
    report = import_file(data, user=admin_user)
    assert report.ok, describe_problems(report)
    assert [r.action for r in report.rows] == ["new", "new", "new"]
    assert {reason for _, reason in report.skipped_lines} >= {
        "dòng tiêu đề",
        "dòng trống",
        "dòng tổng cộng",
    }
    created = Activity.objects.filter(import_key__isnull=False).order_by("date")
    assert [a.date for a in created] == [datetime.date(2023, 9, d) for d in (16, 17, 30)]
    assert created[1].people_participations == 1780
    assert created[1].description == "Đổ bê tông đường thôn"  # NFD stored as NFC
    assert str(created[2].output_quantity) == "327.65" and created[2].output_unit == "m"
    assert created[2].money_contributed == 25_000_000
    assert created[0].money_mobilised == 5_000_000 and str(created[0].workdays) == "47.5"
    assert {v.name for a in created for v in a.villages.all()} == {"Nà Cóoc"}
    # The reports see the new rows at once (summary tables kept by the triggers).
    after = headline(Scope({"ky": "nam", "nam": "2023"}, today=datetime.date(2026, 1, 1)))
    assert after.totals.cadres == before.totals.cadres + 3 * 12
    assert after.totals.people == before.totals.people + 35 + 1780 + 35
    batch = report.batch
    assert (batch.rows_new, batch.rows_updated, batch.rows_skipped) == (3, 0, 0)
    assert batch.created_by == admin_user and batch.file_hash == file_digest(data)


def test_one_bad_row_and_nothing_is_written(demo, admin_user):
    count = Activity.objects.count()
    data = office_workbook(
        [
            activity_row(),
            activity_row(**{"Ngày": "31/02/2023"}),
            activity_row(**{"Thôn, bản": "Không Có", "Lượt cán bộ, đảng viên": "-3"}),
        ]
    )
    report = import_file(data, user=admin_user)
    assert not report.ok
    assert Activity.objects.count() == count
    assert not ImportBatch.objects.exists()
    bad = {row.number: row for row in report.errors}
    # Row numbers are the file's: 3 title lines, the header on line 4, data from line 5.
    assert sorted(bad) == [6, 7]
    assert [p.column for p in bad[6].problems] == ["Ngày"]
    assert bad[6].problems[0].value == "31/02/2023"
    assert {p.column for p in bad[7].problems} == {"Thôn, bản", "Lượt cán bộ, đảng viên"}
    lines = describe_problems(report)
    assert any(line.startswith("Dòng 6, cột “Ngày”: “31/02/2023”") for line in lines)


def test_importing_the_same_file_again_creates_nothing(demo, admin_user):
    data = office_workbook([activity_row(), activity_row(**{"Ngày": "23/09/2023"})])
    first = import_file(data, user=admin_user)
    count = Activity.objects.count()
    second = import_file(data, user=admin_user)
    assert [r.action for r in second.rows] == ["skip", "skip"]
    assert Activity.objects.count() == count
    assert second.batch.rows_new == 0 and first.batch.rows_new == 2


def test_a_changed_row_updates_keeps_old_values_and_undo_restores(demo, admin_user):
    import_file(office_workbook([activity_row(**{"Mã dòng": "HD-1"})]), user=admin_user)
    activity = Activity.objects.get(import_key="f:HD-1")
    report = import_file(
        office_workbook([activity_row(**{"Mã dòng": "HD-1", "Lượt nhân dân": 50})]), user=admin_user
    )
    assert [r.action for r in report.rows] == ["update"]
    activity.refresh_from_db()
    assert activity.people_participations == 50
    entry = LogEntry.objects.get_for_object(activity).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["people_participations"] == ["35", "50"]
    assert entry.actor == admin_user
    import_undo(batch=report.batch, user=admin_user)
    activity.refresh_from_db()
    assert activity.people_participations == 35
    report.batch.refresh_from_db()
    assert report.batch.state == ImportBatch.State.UNDONE


def test_undoing_an_import_removes_what_it_added(demo, admin_user):
    count = Activity.objects.count()
    report = import_file(
        office_workbook([activity_row(), activity_row(**{"Ngày": "23/09/2023"})]), user=admin_user
    )
    assert Activity.objects.count() == count + 2
    import_undo(batch=report.batch, user=admin_user)
    assert Activity.objects.count() == count
    with pytest.raises(Exception, match="đã được hoàn tác"):
        import_undo(batch=report.batch, user=admin_user)


def test_a_dry_run_writes_nothing(demo, admin_user):
    count = Activity.objects.count()
    report = import_file(office_workbook([activity_row()]), dry_run=True, user=admin_user)
    assert report.ok and report.batch is None
    assert Activity.objects.count() == count


@pytest.mark.parametrize("kind", sorted(kinds()))
def test_each_template_imports_back_unchanged(demo, kind):
    data = template_workbook(kinds()[kind]())
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Dữ liệu", "Hướng dẫn"]
    assert [c.value for c in book["Dữ liệu"][1]] == [c.title for c in kinds()[kind].columns]
    report = import_file(data, kind=kind, dry_run=True, name="mau.xlsx")
    assert report.ok, describe_problems(report)
    assert len(report.rows) == 1


@pytest.mark.parametrize("kind", sorted(kinds()))
def test_an_export_imports_back_with_nothing_to_change(demo, admin_user, client, kind):
    admins = {
        "xa": "activities_commune",
        "thon": "activities_village",
        "don-vi": "activities_partyunit",
        "phan-cong": "activities_assignment",
        "hoat-dong": "activities_activity",
        "ho-nha-o": "housing_housingcase",
    }
    client.force_login(admin_user)
    response = client.get(reverse(f"admin:{admins[kind]}_export_sheet", args=["xlsx"]))
    assert response.status_code == 200
    report = import_file(response.content, kind=kind, dry_run=True, name="xuat.xlsx")
    assert report.ok, describe_problems(report)[:5]
    assert {r.action for r in report.rows} == {"skip"}
    assert len(report.rows) == kinds()[kind].model.objects.count()


def test_exports_follow_the_list_filters_and_defuse_formulas(demo, admin_user, client):
    activity = Activity.objects.filter(commune__code="02251").first()
    activity.description = '=HYPERLINK("http://x")'
    activity.save()
    client.force_login(admin_user)
    url = reverse("admin:activities_activity_export_sheet", args=["xlsx"])
    response = client.get(url, {"commune__id__exact": activity.commune_id})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) - 1 == Activity.objects.filter(commune=activity.commune).count()
    described = [r for r in rows if r[6] and "HYPERLINK" in r[6]]
    assert described[0][6] == '\'=HYPERLINK("http://x")'
    assert isinstance(rows[1][7], int)  # numbers stay numbers
    csv_text = client.get(
        reverse("admin:activities_activity_export_sheet", args=["csv"]),
        {"commune__id__exact": activity.commune_id},
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+84", "'+84"),
        ("-x", "'-x"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Nà Cóoc", "Nà Cóoc"),
        (-5, -5),
        (12.5, 12.5),
    ],
)
def test_formula_cells_are_neutralised_numbers_are_not(value, expected):
    assert neutralise(value) == expected


def test_the_command_imports_and_reports_like_the_admin(demo, tmp_path, admin_user):
    good = tmp_path / "tot.xlsx"
    good.write_bytes(office_workbook([activity_row()]))
    out = io.StringIO()
    call_command("import_data", "hoat-dong", str(good), "--dry-run", stdout=out, verbosity=0)
    assert "1 mới" in out.getvalue() and "Chạy thử" in out.getvalue()
    assert not ImportBatch.objects.exists()
    call_command(
        "import_data", "hoat-dong", str(good), "--user", "quantri", stdout=out, verbosity=0
    )
    assert ImportBatch.objects.get().created_by.username == "quantri"
    bad = tmp_path / "sai.xlsx"
    bad.write_bytes(office_workbook([activity_row(**{"Ngày": "05/13/2023"})]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="không dòng nào được nhập"):
        call_command("import_data", "hoat-dong", str(bad), stdout=out, verbosity=0)
    assert "Dòng 5, cột “Ngày”" in out.getvalue()


def test_a_file_that_is_not_a_spreadsheet_is_refused_by_the_command(demo, tmp_path):
    fake = tmp_path / "bao-cao.xlsx"
    fake.write_bytes(b"<html><body>Trang web</body></html>")
    with pytest.raises(CommandError):
        call_command("import_data", "hoat-dong", str(fake), stdout=io.StringIO(), verbosity=0)


# --- The admin ------------------------------------------------------------------------


def test_the_admin_previews_then_imports_on_confirmation(demo, admin_user, client):
    client.force_login(admin_user)
    data = office_workbook([activity_row(), activity_row(**{"Ngày": "23/09/2023"})])
    count = Activity.objects.count()
    preview = admin_import_preview(client, "activities_activity", data, "hoat-dong-2023.xlsx")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Xem trước" in page and "Thêm mới" in page and "Xác nhận nhập" in page
    assert Activity.objects.count() == count
    response = admin_import_confirm(client, "activities_activity", preview)
    assert response.status_code == 302
    assert Activity.objects.count() == count + 2
    assert ImportBatch.objects.get().file_name == "hoat-dong-2023.xlsx"


def test_the_admin_shows_each_bad_row_and_no_confirm_button(demo, admin_user, client):
    client.force_login(admin_user)
    data = office_workbook([activity_row(**{"Lượt cán bộ, đảng viên": "nhiều"})])
    page = admin_import_preview(client, "activities_activity", data, "sai.xlsx")
    text = page.content.decode()
    assert "Có dòng sai" in text and "“nhiều”" in text
    assert "Xác nhận nhập" not in text


def test_a_fake_xlsx_gets_a_clear_message(demo, admin_user, client):
    client.force_login(admin_user)
    data = b"Ngay,Don vi\n01/01/2024,x\n"
    page = admin_import_preview(client, "activities_activity", data, "that-ra-la-csv.xlsx")
    assert page.status_code == 200
    errors = page.context["form"].errors["import_file"]
    assert errors and "Traceback" not in errors[0]


def test_only_admins_may_import(demo, client):
    from django.contrib.auth import get_user_model

    for username in ("lanhdao", "nhaplieu"):
        user = get_user_model().objects.get(username=username)
        user.is_staff = True  # even with access to the admin site
        user.save()
        client.force_login(user)
        assert client.get(reverse("admin:activities_activity_import")).status_code == 403


def test_the_upload_cap_is_checked_before_reading(demo, admin_user, client, settings):
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(admin_user)
    page = admin_import_preview(client, "activities_activity", b"x" * 2048, "lon.xlsx")
    assert "Tệp lớn hơn" in page.context["form"].errors["import_file"][0]


def test_imported_assignments_and_villages_are_matched_by_name_or_code(demo, admin_user):
    headers = [c.title for c in kinds()["thon"].columns]
    data = office_workbook(
        [["02290", "Nà Va Mới", "Bản", "Na Va Moi"], ["xã Khuôn Hà", "Số 99", None, None]],
        headers=headers,
        total=False,
    )
    report = import_file(data, kind="thon", user=admin_user)
    assert report.ok, describe_problems(report)
    assert Village.objects.get(name="Nà Va Mới").alias_list == ["Na Va Moi"]
    headers = [c.title for c in kinds()["phan-cong"].columns]
    data = office_workbook(
        [["cb-kho-bac", "Khuôn Hà", "12-QĐ/HU", "01/01/2024", "01/01/2024", None]],
        headers=headers,
        total=False,
    )
    report = import_file(data, kind="phan-cong", user=admin_user)
    assert report.ok, describe_problems(report)
    assert Assignment.objects.filter(unit__code="cb-kho-bac", commune__code="02251").exists()


def test_the_import_list_undoes_a_batch_whole(demo, admin_user, client):
    count = Activity.objects.count()
    report = import_file(
        office_workbook([activity_row(), activity_row(**{"Ngày": "23/09/2023"})]),
        user=admin_user,
        name="thang-9.xlsx",
    )
    client.force_login(admin_user)
    listing = client.get(reverse("admin:activities_importbatch_changelist")).content.decode()
    assert "thang-9.xlsx" in listing and "Hoàn tác" in listing
    url = reverse("admin:activities_importbatch_undo", args=[report.batch.pk])
    assert "2 dòng mới sẽ bị xóa" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Activity.objects.count() == count
    deleted = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, additional_data__import_batch=report.batch.pk
    )
    assert deleted.count() == 2 and {e.actor for e in deleted} == {admin_user}


def test_housing_cases_come_with_their_funding_and_helping_units(demo, admin_user):
    from housing.models import HousingCase

    headers = [c.title for c in kinds()["ho-nha-o"].columns]
    values = {
        "Chủ hộ*": "Hoàng Văn Páo",
        "Xã, thị trấn*": "Khuôn Hà",
        "Thôn, bản*": "Nà Thom",
        "Đối tượng*": "hộ nghèo",
        "Chương trình*": "Đề án của tỉnh 2021–2025",
        "Hình thức*": "Xây mới",
        "Mức hỗ trợ (đồng)": "50 triệu",
        "Tình trạng": "Đang thi công",
        "Ngày khảo sát": "10/01/2024",
        "Ngày phê duyệt": "15/02/2024",
        "Ngày khởi công": "01/03/2024",
        "Đơn vị giúp đỡ": "CB Trung tâm Y tế; cb-vien-kiem-sat",
        "Kinh phí": "Ngân sách tỉnh 2024: 50.000.000; Hộ gia đình tự có 2024: 20 triệu",
    }
    data = office_workbook([[values.get(h) for h in headers]], headers=headers, total=False)
    report = import_file(data, kind="ho-nha-o", user=admin_user)
    assert report.ok, describe_problems(report)
    case = HousingCase.objects.get(household_head="Hoàng Văn Páo")
    assert (case.village.name, case.village.commune.code) == ("Nà Thom", "02251")
    assert case.support_amount == 50_000_000 and case.status == "started"
    assert sorted(case.funding.values_list("source", "year", "amount")) == [
        ("ho_gia_dinh", 2024, 20_000_000),
        ("tinh", 2024, 50_000_000),
    ]
    assert sorted(case.helping_units.values_list("code", flat=True)) == [
        "cb-trung-tam-y-te",
        "cb-vien-kiem-sat",
    ]
    # A status without its step's date is refused with the reason, like the database would.
    values["Chủ hộ*"], values["Ngày khởi công"] = "Lý Thị Mai", None
    data = office_workbook([[values.get(h) for h in headers]], headers=headers, total=False)
    report = import_file(data, kind="ho-nha-o", user=admin_user)
    assert describe_problems(report) == [
        "Dòng 5, cột “Ngày khởi công”: Tình trạng “Đang thi công” cần “Ngày khởi công”."
    ]


def test_a_file_too_big_for_the_admin_is_sent_to_the_command(demo, admin_user, client, settings):
    settings.IMPORT_ADMIN_MAX_ROWS = 2
    client.force_login(admin_user)
    data = office_workbook([activity_row(), activity_row(), activity_row()])
    page = admin_import_preview(client, "activities_activity", data, "lon.xlsx")
    message = page.context["form"].errors["import_file"][0]
    assert "import_data" in message and "hoat-dong" in message


def test_uploads_nobody_confirmed_are_removed_later(settings, tmp_path):
    import os
    import time

    from activities.imports.admin import ImportFileStorage

    settings.IMPORT_TMP_DIR = str(tmp_path)
    stale = tmp_path / "bo-do"
    stale.write_bytes(b"x")
    old = time.time() - settings.IMPORT_TMP_MAX_AGE - 60
    os.utime(stale, (old, old))
    fresh = ImportFileStorage(encoding=None, read_mode="rb")
    fresh.save(b"new upload")
    assert not stale.exists()
    assert (tmp_path / fresh.name).read_bytes() == b"new upload"


def test_an_import_does_not_query_per_row(demo, admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n: int, month: int) -> int:
        rows = [
            activity_row(**{"Ngày": f"{day:02d}/{month:02d}/2023", "Nội dung": f"Buổi {day}"})
            for day in range(1, n + 1)
        ]
        data = office_workbook(rows)
        with CaptureQueriesContext(connection) as captured:
            report = import_file(data, user=admin_user)
        assert report.ok, describe_problems(report)[:3]
        return len(captured)

    queries(1, 6)  # warms the content-type cache, which is per process
    few = queries(3, 7)
    many = queries(28, 8)
    # Bulk inserts come in batches; triggers run inside the database, not as queries.
    assert many == few

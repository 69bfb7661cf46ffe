"""What the libraries say shows in Vietnamese, with what to do, and never in English."""

import ast
import gettext

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import activity_form_data, admin_import_preview, csv_file


def test_the_admin_index_names_the_libraries_sections_in_vietnamese(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    for vietnamese in (
        "Khóa đăng nhập",  # the axes app
        "Lượt đăng nhập sai",  # access attempts
        "Lần đăng nhập sai",  # access failures
        "Nhật ký đăng nhập",  # access logs
        "Lịch sử thay đổi",  # the auditlog app
        "Mục lịch sử thay đổi",  # its log entries
    ):
        assert vietnamese in page
    for english in ("Audit log", ">Axes<", "Access attempts", "Access failures", "Access logs"):
        assert english not in page
    assert "Log entries" not in page


def test_the_lockout_list_shows_vietnamese_column_names(client, admin_user):
    client.post(reverse("login"), {"username": "quantri", "password": "sai"})
    client.force_login(admin_user)
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "Tên đăng nhập" in page and "Địa chỉ IP" in page and "Số lần đăng nhập sai" in page
    assert "Failed Logins" not in page and "IP Address" not in page


def test_the_import_page_labels_are_vietnamese(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:activities_activity_import")).content.decode()
    assert "Tệp cần nhập" in page and "Định dạng tệp" in page and "Nhập từ Excel" in page
    assert "File to import" not in page and ">Format" not in page
    assert "<title>Import" not in page


def test_a_file_without_rows_says_what_to_check(client, admin_user, communes):
    from activities.imports.registry import kinds

    client.force_login(admin_user)
    headers = [column.title for column in kinds()["xa"].columns]
    response = admin_import_preview(client, "activities_commune", csv_file(headers), "xa-trong.csv")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tệp không có dòng dữ liệu nào để nhập" in page and "Tải tệp mẫu" in page
    assert "No valid data to import" not in page


def test_an_empty_cell_of_a_bad_row_shows_blank_not_none(client, admin_user, communes):
    from activities.imports.registry import kinds

    client.force_login(admin_user)
    headers = [column.title for column in kinds()["thon"].columns]
    # A village whose commune does not exist, with its optional cells left empty.
    content = csv_file(headers, ["Xã Không Có", "Thôn Mới", "", "", ""])
    response = admin_import_preview(client, "activities_village", content, "thon.csv")
    page = response.content.decode()
    assert "Có dòng sai" in page and "Thôn Mới" in page
    assert "<td>None</td>" not in page


def test_a_choice_that_is_not_in_the_list_is_explained(client, staff_a, unit, binh_an, road):
    client.force_login(staff_a)
    response = client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, []) | {"villages": ["abc"]},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["villages"] == ["“abc” không phải lựa chọn hợp lệ: chọn lại trong danh sách."]
    page = response.content.decode()
    assert "không phải lựa chọn hợp lệ" in page and "is not a valid value" not in page


def test_a_null_character_in_a_login_is_explained(client, db):
    response = client.post(reverse("login"), {"username": "nhap\x00lieu", "password": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Có ký tự rỗng (NUL) không hợp lệ" in page
    assert "Null characters are not allowed" not in page


def test_a_stale_form_gets_a_vietnamese_page_that_says_what_to_do(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "nhaplieu", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="vi">' in page
    assert "Tải lại trang" in page and "đăng nhập lại" in page and "chưa được lưu" in page
    assert "CSRF verification failed" not in page and "Forbidden" not in page
    # Our CSP blocks inline style and script: the page has none.
    assert "<style" not in page and ' style="' not in page and "<script>" not in page


def test_opening_the_logout_address_shows_a_logout_button(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("logout"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đăng xuất" in page and f'action="{reverse("logout")}"' in page
    assert 'method="post"' in page
    # Only the POST logs out.
    assert client.get(reverse("home")).status_code == 302
    assert "_auth_user_id" in client.session
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_opening_the_logout_address_when_logged_out_offers_the_login(client, db):
    response = client.get(reverse("logout"))
    assert response.status_code == 200
    assert "Bạn chưa đăng nhập" in response.content.decode()


@pytest.mark.parametrize(
    "english",
    [
        "No valid data to import. Ensure your file has the correct headers or data for import.",
        "File to import",
        "Format",
        "Audit log",
        "access attempts",
        "Login lockouts",
        "“%(pk)s” is not a valid value.",
        "Null characters are not allowed.",
    ],
)
def test_the_catalogue_translates_each_library_string(english):
    from django.utils import translation

    with translation.override("vi"):
        assert translation.gettext(english) != english


def _po_entries(path) -> list[tuple[str | None, str, str]]:
    """(msgctxt, msgid, first msgstr) of each entry of a .po file; enough for ours."""
    entries, current, key = [], {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current.get("msgid"):
                entries.append((current.get("msgctxt"), current["msgid"], current["msgstr"]))
            current, key = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            name, _, value = line.partition(" ")
            key = {"msgstr[0]": "msgstr"}.get(name, name)
            if key in {"msgctxt", "msgid", "msgstr"}:
                current[key] = ast.literal_eval(value)
            else:
                key = "_ignored"
                current[key] = ""
    return entries


def test_the_committed_mo_file_matches_the_po_file():
    folder = settings.LOCALE_PATHS[0] / "vi" / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    entries = _po_entries(folder / "django.po")
    assert len(entries) > 100
    for context, msgid, msgstr in entries:
        assert msgstr, msgid
        found = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert found == msgstr, f"recompile django.mo: {msgid!r}"

"""Scope: every account reads and manages only what its organisation reaches.

The rule, from the brief: the Ban Tuyên giáo và Dân vận Tỉnh ủy reads the whole province and
its history; Đảng ủy xã Bình An reads the new Bình An, its villages and units, and the history
of the communes merged into it (the old Bình An, Thổ Bình), and nothing else; any other
organisation reads its own work. The expected sets below are written from that rule by hand,
not read from the code.

`SCOPE_MATRIX` has a row for every URL of the site, like the permission matrix; a new URL
without a row fails `test_every_url_has_a_scope_row`.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from activities.models import Account, Activity
from tests.factories import all_url_names, make_province_world, url_args


@pytest.fixture
def province(today, communes):
    return make_province_world()


# What each reader reads, written from the brief's rule.
READS = {
    "tinh": {"A1", "A2", "A3", "A4", "A5", "A6"},
    # The new Bình An (its committee's work and the provincial body's there) and the history
    # of the old Bình An and Thổ Bình.
    "xa": {"A1", "A2", "A3", "A4"},
    "quantri_xa": {"A1", "A2", "A3", "A4"},
    # Thượng Lâm with the old Thượng Lâm and Khuôn Hà.
    "xa_khac": {"A5", "A6"},
    # A provincial body: its own work, wherever it was.
    "co_quan": {"A4"},
    "quantri_tinh": {"A1", "A2", "A3", "A4", "A5", "A6"},
}
WHOLE = {"ky": "tuy-chon", "tu": "01/01/2021", "den": "30/11/2026"}


def ids(world, names) -> set[int]:
    return {world["activities"][n].pk for n in names}


@pytest.mark.parametrize("who", sorted(READS))
def test_each_reader_sees_exactly_their_part_on_every_report_page(client, province, who):
    world = province
    client.force_login(world["users"][who])
    expected = READS[who]
    activities = [world["activities"][n] for n in expected]
    cadres = sum(a.cadre_participations for a in activities)

    dashboard = client.get(reverse("dashboard"), WHOLE)
    assert dashboard.status_code == 200
    top = dashboard.context["report"].headline
    assert (top.totals.activities, top.totals.cadres) == (len(expected), cadres)

    printed = client.get(reverse("dashboard_print"), WHOLE)
    assert printed.context["report"].headline.totals.activities == len(expected)

    listing = client.get(reverse("activity_list"), WHOLE)
    assert {a.pk for a in listing.context["page"].object_list} == ids(world, expected)

    sheet = load_workbook(
        io.BytesIO(client.get(reverse("dashboard_export", args=["xa"]), WHOLE).content)
    ).active
    total_row = [row for row in sheet.iter_rows(values_only=True) if row[0] == "Tổng cộng"]
    assert total_row and total_row[0][1] == len(expected)

    for name, activity in world["activities"].items():
        detail = client.get(reverse("activities:activity_detail", args=[activity.pk]))
        assert detail.status_code == (200 if name in expected else 404), name


def test_the_scope_is_named_on_the_page_and_the_print(client, province):
    users = province["users"]
    for who, label, body, place in [
        ("tinh", "Toàn tỉnh", "BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY", "Tuyên Quang"),
        ("xa", "Xã Bình An", "ĐẢNG ỦY XÃ BÌNH AN", "Bình An"),
    ]:
        client.force_login(users[who])
        page = client.get(reverse("dashboard_print"), WHOLE).content.decode()
        assert label in page
        assert body in page
        assert f"{place}, ngày 01 tháng 12 năm 2026" in page
        assert "Toàn huyện" not in page and "HUYỆN ỦY LÂM BÌNH" not in page


def test_a_commune_official_reads_x_of_y_communes_of_its_part(client, province):
    client.force_login(province["users"]["xa"])
    top = client.get(reverse("dashboard"), WHOLE).context["report"].headline
    # The old Bình An and Thổ Bình (assigned before the merger) and the new Bình An (its
    # committee and a provincial body): 3 communes covered, all 3 reached.
    assert (top.communes_reached, top.communes_total) == (3, 3)


def test_a_hand_edited_commune_or_unit_outside_the_part_is_refused_and_shows_nothing_of_it(
    client, province
):
    world = province
    client.force_login(world["users"]["xa"])
    for param, value in [
        ("xa", world["communes"]["thuong_lam"].pk),
        ("don_vi", world["units"]["dux_thuong_lam"].pk),
    ]:
        page = client.get(reverse("dashboard"), WHOLE | {param: value})
        assert page.status_code == 200
        report = page.context["report"]
        assert report.scope.errors  # said in Vietnamese, the filter dropped
        assert "hãy chọn trong danh sách" in " ".join(report.scope.errors)
        assert report.headline.totals.activities == len(READS["xa"])
        listing = client.get(reverse("activity_list"), WHOLE | {param: value})
        assert ids(world, ["A5", "A6"]).isdisjoint(
            a.pk for a in listing.context["page"].object_list
        )


# --- Every URL × scope --------------------------------------------------------------------

SCOPES = ["xa", "quantri_xa", "nhaplieu_xa", "co_quan"]
#  Each cell: (status for an object inside the Bình An part, status for one outside it);
#  the same status twice where the URL has no object. URLs that only take a POST are
#  posted to (empty), the others read with a GET.
POST_ONLY = {
    "activities:month_submit",
    "activities:month_reopen",
    "housing:case_advance",
    "housing:case_step_back",
    "housing:funding_add",
    "housing:funding_delete",
    "housing:case_activities",
}


def both(status) -> tuple:
    return (status, status)


def row(*cells: tuple) -> dict:
    """The cells in SCOPES order."""
    return dict(zip(SCOPES, cells, strict=True))


#                                   xa          quantri_xa  nhaplieu_xa  co_quan
SCOPE_MATRIX = {
    "home": {s: both(302) for s in SCOPES},
    "health": {s: both(200) for s in SCOPES},
    "login": {s: both(302) for s in SCOPES},
    "logout": {s: both(200) for s in SCOPES},
    "password_change": {s: both(200) for s in SCOPES},
    "password_change_done": {s: both(200) for s in SCOPES},
    "dashboard": row(both(200), both(200), both(403), both(200)),
    "dashboard_print": row(both(200), both(200), both(403), both(200)),
    "dashboard_export": row(both(200), both(200), both(403), both(200)),
    "activity_list": {s: both(200) for s in SCOPES},
    "activities:month_redirect": {s: both(302) for s in SCOPES},
    # The month of Đảng ủy xã Bình An / of Đảng ủy xã Thượng Lâm.
    "activities:month": row((200, 404), (200, 404), (200, 404), (404, 404)),
    "activities:month_submit": row((403, 403), (302, 404), (302, 404), (403, 403)),
    "activities:month_reopen": row((403, 403), (302, 404), (403, 403), (403, 403)),
    "activities:activity_create": row((403, 403), (200, 404), (200, 404), (403, 403)),
    # A3 (Bình An's committee) / A5 (Thượng Lâm's).
    "activities:activity_detail": row((200, 404), (200, 404), (200, 404), (404, 404)),
    "activities:activity_update": row((403, 403), (200, 404), (200, 404), (403, 403)),
    "activities:activity_delete": row((403, 403), (200, 404), (200, 404), (403, 403)),
    "housing:case_list": {s: both(200) for s in SCOPES},
    "housing:case_create": row(both(403), both(200), both(200), both(403)),
    # The case in Nà Cóoc (old Bình An) / the case in Khuôn Hà.
    "housing:case_detail": row((200, 404), (200, 404), (200, 404), (404, 404)),
    "housing:case_update": row((403, 403), (200, 404), (200, 404), (403, 403)),
    "housing:case_advance": row((403, 403), (302, 404), (302, 404), (403, 403)),
    "housing:case_step_back": row((403, 403), (302, 404), (403, 404), (403, 403)),
    "housing:funding_add": row((403, 403), (302, 404), (302, 404), (403, 403)),
    "housing:funding_delete": row((403, 403), (302, 404), (302, 404), (403, 403)),
    "housing:case_activities": row((403, 403), (302, 404), (302, 404), (403, 403)),
    "admin:index": row(both(302), both(200), both(302), both(302)),
}  # fmt: skip


def test_every_url_has_a_scope_row():
    assert set(SCOPE_MATRIX) == all_url_names()
    assert all(set(row) == set(SCOPES) for row in SCOPE_MATRIX.values())


def args_of(world, name: str, inside: bool) -> list:
    return url_args(
        name,
        unit=world["units"]["dux_binh_an" if inside else "dux_thuong_lam"],
        month=(2026, 11),
        activity=world["activities"]["A3" if inside else "A5"],
        case=world["cases"]["in" if inside else "out"],
        funding=world["funding"]["in" if inside else "out"],
    )


CASES = [(name, who) for name in SCOPE_MATRIX for who in SCOPES]


@pytest.mark.parametrize(("name", "who"), CASES, ids=lambda v: str(v))
def test_the_scope_matrix(client, province, name, who):
    client.force_login(province["users"][who])
    statuses = []
    for inside in (True, False):
        url = reverse(name, args=args_of(province, name, inside))
        response = client.post(url, {}) if name in POST_ONLY else client.get(url)
        statuses.append(response.status_code)
    assert tuple(statuses) == SCOPE_MATRIX[name][who]


def test_a_commune_admin_manages_only_its_part_in_the_admin(client, province):
    world = province
    client.force_login(world["users"]["quantri_xa"])
    listed = client.get(reverse("admin:activities_activity_changelist"))
    assert {a.pk for a in listed.context["cl"].result_list} == ids(world, READS["quantri_xa"])
    outside = world["activities"]["A5"]
    change = client.get(reverse("admin:activities_activity_change", args=[outside.pk]))
    assert change.status_code == 302  # the admin's "does not exist" answer
    assert Activity.objects.filter(pk=outside.pk).exists()
    # Imports are for province-wide admins: a file may hold any commune's rows.
    imported = client.get(reverse("admin:activities_activity_import"))
    assert imported.status_code == 403
    client.force_login(world["users"]["quantri_tinh"])
    assert client.get(reverse("admin:activities_activity_import")).status_code == 200


def test_an_account_a_commune_admin_creates_is_of_its_commune(client, province):
    admin = province["users"]["quantri_xa"]
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "canbo_moi", "password1": "Nà-Cóoc-2026!", "password2": "Nà-Cóoc-2026!"},
    )
    user = get_user_model().objects.get(username="canbo_moi")
    change = reverse("admin:auth_user_change", args=[user.pk])
    # On to the new account's page, which the admin can open: the account is of Đảng ủy xã
    # Bình An, the admin's own organisation.
    assert response.status_code == 302 and response["Location"] == change
    assert (
        Account.objects.get(user=user).organisation == Account.objects.get(user=admin).organisation
    )
    assert client.get(change).status_code == 200
    # A province-wide admin's new account is set on its page, as before.
    client.force_login(province["users"]["quantri_tinh"])
    client.post(
        reverse("admin:auth_user_add"),
        {"username": "canbo_tinh", "password1": "Nà-Cóoc-2026!", "password2": "Nà-Cóoc-2026!"},
    )
    assert not Account.objects.filter(user__username="canbo_tinh").exists()


def test_the_housing_figures_of_a_commune_official_are_its_communes_cases(client, province):
    # The case in Nà Cóoc (old Bình An) is Bình An's; the one in Khuôn Hà is Thượng Lâm's.
    for who, expected in [("tinh", 2), ("xa", 1), ("xa_khac", 1)]:
        client.force_login(province["users"][who])
        report = client.get(reverse("dashboard"), WHOLE).context["report"]
        assert report.housing.total == expected, who

"""The permission matrix: every URL of the site × every role × GET/POST → expected status.

One table. A URL pattern without a row fails `test_every_url_has_a_row`, so a new page
cannot ship without deciding who may use it.
"""

import pytest
from django.urls import reverse

from activities.models import Activity, Village
from housing.models import Funding, HousingCase, Programme
from tests.factories import all_url_names, make_activity, url_args

ROLES = ["anonymous", "outsider", "staff_a", "staff_b", "official", "admin"]
LOGIN = "login"  # a redirect to the login page
# Expected statuses per role, in ROLES order; LOGIN means 302 to the login page.
A = "anonymous"


def row(get: list, post: list) -> dict:
    return {"GET": dict(zip(ROLES, get, strict=True)), "POST": dict(zip(ROLES, post, strict=True))}


NOT_ALLOWED = [405] * 6
#                     anon   outsider staff_a staff_b official admin
MATRIX = {
    "home": row([LOGIN, 403, 302, 302, 302, 302], NOT_ALLOWED),
    # The health check answers everyone (the load balancer has no account).
    "health": row([200] * 6, NOT_ALLOWED),
    "dashboard": row([LOGIN, 403, 403, 403, 200, 200], NOT_ALLOWED),
    "dashboard_print": row([LOGIN, 403, 403, 403, 200, 200], NOT_ALLOWED),
    # A file, not a page: anonymous users get 403, not a login redirect.
    "dashboard_export": row([403, 403, 403, 403, 200, 200], NOT_ALLOWED),
    "login": row([200, 302, 302, 302, 302, 302], [200, 302, 302, 302, 302, 302]),
    # A GET shows the logout button (a page, not a blank 405); only the POST logs out.
    "logout": row([200] * 6, [302, 302, 302, 302, 302, 302]),
    # Everyone logged in changes their own password, with or without a role.
    "password_change": row([LOGIN, 200, 200, 200, 200, 200], [LOGIN, 200, 200, 200, 200, 200]),
    "password_change_done": row([LOGIN, 200, 200, 200, 200, 200], [LOGIN, 405, 405, 405, 405, 405]),
    "activities:month_redirect": row([LOGIN, 403, 302, 302, 302, 302], NOT_ALLOWED),
    "activities:month": row([LOGIN, 403, 200, 404, 200, 200], NOT_ALLOWED),
    "activities:month_submit": row(NOT_ALLOWED, [LOGIN, 403, 302, 404, 403, 302]),
    "activities:month_reopen": row(NOT_ALLOWED, [LOGIN, 403, 403, 403, 403, 302]),
    "activities:activity_create": row(
        [LOGIN, 403, 200, 404, 403, 200], [LOGIN, 403, 200, 404, 403, 200]
    ),
    "activity_list": row([LOGIN, 403, 200, 200, 200, 200], NOT_ALLOWED),
    "activities:activity_detail": row([LOGIN, 403, 200, 404, 200, 200], NOT_ALLOWED),
    "activities:activity_update": row(
        [LOGIN, 403, 200, 404, 403, 200], [LOGIN, 403, 200, 404, 403, 200]
    ),
    "activities:activity_delete": row(
        [LOGIN, 403, 200, 404, 403, 200], [LOGIN, 403, 302, 404, 403, 302]
    ),
    "housing:case_list": row([LOGIN, 403, 200, 200, 200, 200], NOT_ALLOWED),
    "housing:case_create": row([LOGIN, 403, 200, 200, 403, 200], [LOGIN, 403, 200, 200, 403, 200]),
    "housing:case_detail": row([LOGIN, 403, 200, 404, 200, 200], NOT_ALLOWED),
    "housing:case_update": row([LOGIN, 403, 200, 404, 403, 200], [LOGIN, 403, 200, 404, 403, 200]),
    "housing:case_advance": row(NOT_ALLOWED, [LOGIN, 403, 302, 404, 403, 302]),
    "housing:case_step_back": row(NOT_ALLOWED, [LOGIN, 403, 403, 404, 403, 302]),
    "housing:funding_add": row(NOT_ALLOWED, [LOGIN, 403, 302, 404, 403, 302]),
    "housing:funding_delete": row(NOT_ALLOWED, [LOGIN, 403, 302, 404, 403, 302]),
    "housing:case_activities": row(NOT_ALLOWED, [LOGIN, 403, 302, 404, 403, 302]),
    # The Django admin: only admins (staff flag); everyone else is sent to its login.
    "admin:index": row([302, 302, 302, 302, 302, 200], [302, 302, 302, 302, 302, 200]),
}


def test_every_url_has_a_row():
    assert all_url_names() == set(MATRIX)


@pytest.fixture
def world(
    today,
    unit,
    unit_b,
    assignment,
    binh_an,
    village,
    staff_a,
    staff_b,
    official,
    admin_user,
    outsider,
):
    """Unit A's activity, case and funding row in Bình An (an open month, today 01/12/2026)."""
    activity = make_activity(
        unit, binh_an, villages=[village], cadre_participations=5, people_participations=20
    )
    case = HousingCase.objects.create(
        household_head="Ma Thị Sinh",
        village=village,
        programme=Programme.objects.get(code="de-an-tinh-2021-2025"),
    )
    funding = Funding.objects.create(case=case, source="tinh", year=2024, amount=25_000_000)
    users = {
        "outsider": outsider,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "official": official,
        "admin": admin_user,
    }
    names = all_url_names()
    args = {
        name: url_args(
            name, unit=unit, month=(2024, 6), activity=activity, case=case, funding=funding
        )
        for name in names
    }
    return users, args


CASES = [(name, method, role) for name in MATRIX for method in ("GET", "POST") for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CASES, ids=lambda v: str(v))
def test_the_matrix(client, world, name, method, role):
    users, args = world
    if role != A:
        client.force_login(users[role])
    url = reverse(name, args=args.get(name, []))
    response = client.get(url) if method == "GET" else client.post(url, {})
    expected = MATRIX[name][method][role]
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected


def test_a_staff_member_guessing_ids_sees_no_data(client, world):
    users, args = world
    client.force_login(users["staff_b"])
    for name in ("activities:activity_detail", "housing:case_detail"):
        response = client.get(reverse(name, args=args[name]))
        assert response.status_code == 404
        assert "Ma Thị Sinh" not in response.content.decode()
        assert "Nà Cóoc" not in response.content.decode()


def test_user_input_is_never_rendered_as_html(client, world):
    users, args = world
    activity = Activity.objects.get()
    activity.description = "<script>alert('x')</script><b>đậm</b>"
    activity.save()
    Village.objects.filter(name="Nà Cóoc").update(name="<img src=x onerror=alert(1)>")
    client.force_login(users["staff_a"])
    page = client.get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;" in page

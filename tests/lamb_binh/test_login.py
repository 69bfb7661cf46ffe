"""Anonymous users are sent to a Vietnamese login page; after login they reach home."""

import pytest
from django.urls import reverse

from activities import roles
from tests.factories import PASSWORD, make_user


@pytest.fixture
def staff_user(db):
    return make_user("nhaplieu", roles.STAFF)


def test_home_redirects_anonymous_users_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_the_login_page_is_in_vietnamese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="vi">' in page
    for text in ("Đăng nhập", "Tên đăng nhập", "Mật khẩu"):
        assert text in page


def test_every_page_is_named_after_the_province(client, db, settings):
    """The present is the province, not the former district: the setting names it."""
    page = client.get(reverse("login")).content.decode()
    assert "“3 cùng” Tuyên Quang</a>" in page and "Lâm Bình" not in page
    settings.PROVINCE_NAME = "Hà Giang"
    page = client.get(reverse("login")).content.decode()
    assert "“3 cùng” Hà Giang</a>" in page and "· Hà Giang</title>" in page


def test_logging_in_leads_home(client, staff_user):
    response = client.post(
        reverse("login"), {"username": "nhaplieu", "password": PASSWORD, "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    # Staff land on their unit's month.
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == reverse("activities:month_redirect")


def test_a_wrong_password_is_explained_in_vietnamese(client, staff_user):
    response = client.post(reverse("login"), {"username": "nhaplieu", "password": "sai"})
    assert response.status_code == 200
    assert "mật khẩu chính xác" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_out_ends_the_session(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_an_account_without_a_role_is_told_so(client, db):
    client.force_login(make_user("nguoila"))
    response = client.get("/")
    assert response.status_code == 403


def test_repeated_failures_lock_the_account_for_a_while(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "nhaplieu", "password": "sai"})
        assert response.status_code == 200
    # The failure that reaches the limit locks the account.
    response = client.post(reverse("login"), {"username": "nhaplieu", "password": "sai"})
    assert response.status_code == 429
    # Locked: even the right password is refused, with a Vietnamese explanation.
    response = client.post(reverse("login"), {"username": "nhaplieu", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Tạm khóa đăng nhập" in page
    assert "thử lại sau 15 phút" in page
    assert "_auth_user_id" not in client.session


def test_sessions_last_a_working_week(client, staff_user, settings):
    client.post(reverse("login"), {"username": "nhaplieu", "password": PASSWORD})
    assert client.session.get_expiry_age() == 7 * 24 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY

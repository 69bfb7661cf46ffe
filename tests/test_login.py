"""Anonymous users are sent to a Vietnamese login page; after login they reach home."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("nhaplieu", password="lambinh-demo")


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


def test_logging_in_leads_home(client, staff_user):
    response = client.post(
        reverse("login"), {"username": "nhaplieu", "password": "lambinh-demo", "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Xin chào" in home.content.decode()


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

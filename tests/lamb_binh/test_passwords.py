"""Staff and officials change their own password; a wrong old one is explained in Vietnamese."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, logged_in

OLD = PASSWORD  # every test account's (tests.factories.make_user)
NEW = "Binh-An-mua-lua-2024"


def test_the_header_links_to_the_password_change(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("activities:month_redirect"), follow=True).content.decode()
    assert f'href="{reverse("password_change")}"' in page and "Đổi mật khẩu" in page


def test_the_password_page_is_in_vietnamese(client, official):
    client.force_login(official)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="vi">' in page
    for text in ("Mật khẩu đang dùng", "Mật khẩu mới", "Nhập lại mật khẩu mới"):
        assert text in page
    assert "Old password" not in page and "Your password can’t" not in page


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# `db` named here: pytest-django orders tests by the fixtures they declare, and one that
# reaches the database only through getfixturevalue would run after the transactional ones.
@pytest.mark.parametrize("role", ["staff_a", "official"])
def test_a_user_changes_their_password_and_logs_in_with_the_new_one(db, request, role):
    user = request.getfixturevalue(role)
    client = logged_in(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    done = client.get(response["Location"]).content.decode()
    assert "Đã đổi mật khẩu" in done
    # Still logged in on this phone after the change.
    assert client.session["_auth_user_id"] == str(user.pk)

    fresh = Client()
    old = fresh.post(reverse("login"), {"username": user.username, "password": OLD})
    assert old.status_code == 200 and "_auth_user_id" not in fresh.session
    new = fresh.post(reverse("login"), {"username": user.username, "password": NEW})
    assert new.status_code == 302
    assert fresh.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_old_password_is_explained_and_changes_nothing(client, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": "khong-phai", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mật khẩu cũ không chính xác" in page
    assert "Your old password was entered incorrectly" not in page
    staff_a.refresh_from_db()
    assert staff_a.check_password(OLD)


def test_a_weak_new_password_is_refused_in_vietnamese(client, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mật khẩu quá ngắn" in page and "This password is too short" not in page
    staff_a.refresh_from_db()
    assert staff_a.check_password(OLD)

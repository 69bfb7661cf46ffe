"""The production profile: security headers, a clean check --deploy, the health check."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.urls import reverse

from lamb_binh.views import RETRY_AFTER_SECONDS, server_error

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **extra) -> dict:
    return {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "lamb_binh.settings",
        "DEBUG": "off",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "3cung.lambinh.gov.vn",
        "CSRF_TRUSTED_ORIGINS": "https://3cung.lambinh.gov.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    } | extra


def run_in_production(tmp_path, code: str, **extra) -> subprocess.CompletedProcess:
    """`python -c code` in the production environment (changed by `extra`); it must
    succeed."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("url", ["/dang-nhap/", "/suc-khoe/"])
def test_every_response_carries_the_security_headers(client, db, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, official, admin_user):
    pages = []
    client.force_login(official)
    pages.append(client.get(reverse("dashboard")).content.decode())
    pages.append(client.get(reverse("dashboard_print")).content.decode())
    client.force_login(admin_user)
    pages.append(client.get(reverse("admin:index")).content.decode())
    for page in pages:
        assert "<script>" not in page and "<style" not in page and ' style="' not in page
        assert "onclick=" not in page


def test_production_serves_compressed_hashed_static_files(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STORAGES['staticfiles']['BACKEND'], settings.SECURE_SSL_REDIRECT, "
        "settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"
    )
    result = run_in_production(tmp_path, code)
    assert result.stdout.split() == [
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "True",
        "True",
        "31536000",
    ]


def test_the_health_check_says_ok_when_the_database_answers(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_the_health_check_says_503_when_the_database_is_gone(tmp_path):
    # A real PostgreSQL address where nothing listens: no mock of the database.
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client(HTTP_HOST='3cung.lambinh.gov.vn').get('/suc-khoe/', secure=True); "
        "print(r.status_code, r.content.decode())"
    )
    result = run_in_production(tmp_path, code, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    status, body = result.stdout.split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "loi", "database": "khong_ket_noi"}


def test_not_found_and_forbidden_pages_are_in_vietnamese(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    response = client.get(reverse("dashboard"))  # officials' page; staff may not read it
    assert response.status_code == 403
    page = response.content.decode()
    assert "Không có quyền truy cập" in page and "Về trang chủ" in page


def _server_error_for(error: Exception):
    """The handler500 response while `error` is being handled, as Django calls it."""
    try:
        raise error
    except Exception:
        return server_error(RequestFactory().get("/"))


def test_an_unexpected_error_gets_the_500_page():
    response = _server_error_for(ValueError("lỗi lập trình"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Hệ thống đang gặp sự cố" in page and "chưa được lưu" in page
    assert "lỗi lập trình" not in page  # no details for the user


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_that_went_away_gets_the_try_again_page(error):
    response = _server_error_for(error("server closed the connection unexpectedly"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "Không kết nối được cơ sở dữ liệu" in page and "chưa được lưu" in page


def test_a_worker_hides_what_it_loaded_at_start_from_the_garbage_collector(tmp_path):
    # The WSGI application, as gunicorn loads it: Django and the apps set up, then frozen
    # (lamb_binh.apps), so that a full collection walks only what requests create.
    script = (
        "import gc; before = gc.get_freeze_count(); import lamb_binh.wsgi; "
        "print(before, gc.get_freeze_count(), len(gc.get_objects()))"
    )
    result = run_in_production(tmp_path, script)
    before, frozen, tracked = map(int, result.stdout.split())
    assert before == 0
    # Django's and the apps' objects (tens of thousands), not the few created since.
    assert frozen > 10_000 and tracked < frozen / 10

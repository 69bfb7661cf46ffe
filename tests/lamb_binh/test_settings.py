"""Settings come from the environment and refuse to start without production secrets."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A key that `check --deploy` accepts; the tests below never depend on its value.
STRONG_KEY = secrets.token_urlsafe(60)


def start(tmp_path, code: str = "", **env: str | None) -> subprocess.CompletedProcess:
    """Import the real settings in a fresh interpreter with exactly this environment (a
    variable given as None is left out)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "lamb_binh.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        # Not the developer's .env: exactly this environment.
        "ENV_FILE": "",
    } | env
    environment = {name: value for name, value in environment.items() if value is not None}
    script = "import django; django.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    result = start(tmp_path, DEBUG="off", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "Thiếu SECRET_KEY: khi DEBUG=off" in result.stderr
    assert "secrets.token_urlsafe(60)" in result.stderr  # how to make one


def test_debug_is_off_unless_asked_for(tmp_path):
    result = start(tmp_path, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "Thiếu SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off(tmp_path):
    result = start(tmp_path, DEBUG="off", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "Thiếu ALLOWED_HOSTS: khi DEBUG=off" in result.stderr
    assert "ALLOWED_HOSTS=3cung.lambinh.gov.vn" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "a1b2c3d4e5" * 4,  # 40 characters: shorter than 50
        "abcd" * 20,  # 80 characters but only 4 different ones
        "django-insecure-" + "k9Xq2LmP7vRt4WsZ8nBc" * 3,  # as startproject makes for development
    ],
)
def test_it_refuses_to_serve_with_a_key_check_deploy_calls_weak(tmp_path, key):
    result = start(tmp_path, DEBUG="off", SECRET_KEY=key, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY quá yếu: cần ít nhất 50 ký tự, ít nhất 5 ký tự khác nhau" in result.stderr


def test_a_weak_key_is_fine_while_developing(tmp_path):
    result = start(tmp_path, "from django.conf import settings; print(settings.DEBUG)", DEBUG="on")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_it_starts_with_production_secrets(tmp_path):
    result = start(
        tmp_path,
        "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)",
        DEBUG="off",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="3cung.example.org,127.0.0.1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['3cung.example.org', '127.0.0.1']"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    result = start(
        tmp_path,
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
        "    c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])\n",
        DEBUG="on",
        SQLITE_BUSY_TIMEOUT="7",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "7000"]


def test_database_url_switches_to_postgresql(tmp_path):
    result = start(
        tmp_path,
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])",
        DEBUG="on",
        DATABASE_URL="postgres://lambinh:secret@db.internal:5433/lambinh",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "lambinh",
        "db.internal",
        "5433",
    ]


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_a_debug_value_that_is_neither_on_nor_off_stops_the_start(tmp_path, value):
    result = start(tmp_path, DEBUG=value, SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert f"DEBUG={value!r} không phải giá trị bật/tắt: hãy đặt DEBUG=on" in result.stderr


@pytest.mark.parametrize("value", ["on", "True", "1", "yes"])
def test_debug_accepts_the_usual_yes_words(tmp_path, value):
    result = start(tmp_path, "from django.conf import settings; print(settings.DEBUG)", DEBUG=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_make_writes_a_local_env_that_the_readme_commands_run_with(tmp_path):
    # The Makefile's own rule, run in an empty folder, then the settings with only that file.
    made = subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), ".env", f"PYTHON={sys.executable}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    env_file = tmp_path / ".env"
    lines = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    assert lines["DEBUG"] == "on"
    result = start(
        tmp_path,
        "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)",
        ENV_FILE=str(env_file),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", lines["SECRET_KEY"]]
    # A generated key, strong enough for check --deploy.
    strong = start(tmp_path, "print('ok')", ENV_FILE=str(env_file), DEBUG="off", ALLOWED_HOSTS="x")
    assert strong.returncode == 0, strong.stderr
    # Made once: a second run keeps the developer's file as it is.
    before = env_file.read_text()
    subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), ".env", f"PYTHON={sys.executable}"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert env_file.read_text() == before


def test_real_variables_win_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"DEBUG=on\nSECRET_KEY={STRONG_KEY}\nISSUING_BODY=TỪ TỆP\n")
    result = start(
        tmp_path,
        "from django.conf import settings; print(settings.DEBUG, settings.ISSUING_BODY)",
        ENV_FILE=str(env_file),
        DEBUG="off",
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False TỪ TỆP"


def test_the_test_suite_reads_no_env_file(tmp_path):
    result = start(
        tmp_path,
        "from django.conf import settings; print(repr(settings.ENV_FILE))",
        DJANGO_SETTINGS_MODULE="lamb_binh.test_settings",
        ENV_FILE=None,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "''"


@pytest.mark.parametrize(
    ("proxies", "expected"),
    [
        ("0", "None ['REMOTE_ADDR'] False"),
        ("1", "0 ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] False"),
        ("2", "1 ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] False"),
    ],
)
def test_axes_proxy_count_sets_how_ipware_reads_the_client_address(tmp_path, proxies, expected):
    result = start(
        tmp_path,
        "from django.conf import settings; print(settings.AXES_IPWARE_PROXY_COUNT, "
        "settings.AXES_IPWARE_META_PRECEDENCE_ORDER, settings.IPWARE_STRICT)",
        DEBUG="on",
        AXES_PROXY_COUNT=proxies,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected

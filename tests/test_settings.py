"""Settings come from the environment and refuse to start without production secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(tmp_path, code: str = "", **env: str) -> subprocess.CompletedProcess:
    """Import the real settings in a fresh interpreter with exactly this environment."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "lamb_binh.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
    } | env
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
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    result = start(tmp_path, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off(tmp_path):
    result = start(tmp_path, DEBUG="off", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required when DEBUG is off" in result.stderr


def test_it_starts_with_production_secrets(tmp_path):
    result = start(
        tmp_path,
        "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)",
        DEBUG="off",
        SECRET_KEY="x" * 50,
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
    result = start(tmp_path, DEBUG=value, SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert f"DEBUG={value!r} is not a yes/no value" in result.stderr


@pytest.mark.parametrize("value", ["on", "True", "1", "yes"])
def test_debug_accepts_the_usual_yes_words(tmp_path, value):
    result = start(tmp_path, "from django.conf import settings; print(settings.DEBUG)", DEBUG=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"

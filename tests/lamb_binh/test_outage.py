"""The database going away in the middle of a save, and coming back.

A scratch PostgreSQL cluster of its own (initdb, pg_ctl) serves the production profile run by
gunicorn. A staff member's save is held at its last write by a table lock, the cluster is
stopped under it, and then started again: the user gets the "try again" page, nothing of
the save is left, and the next requests work without restarting the app.
"""

from __future__ import annotations

import contextlib
import datetime
import http.cookiejar
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from lamb_binh.tooling.loadtest import free_port, production_env

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTION = "Sửa đường vào thôn (thử mất kết nối)"

pytestmark = pytest.mark.skipif(
    shutil.which("initdb") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
    reason="needs the PostgreSQL server programs (initdb, pg_ctl)",
)


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else shutil.which(name)


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder, on a port of its own.

    The server refuses to run as root, so as root it runs as the `postgres` user."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(folder, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self.as_user, *command], check=True, capture_output=True, text=True, timeout=120
        )

    def init(self) -> None:
        self._run(
            _pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.folder / "server.log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        # "fast": every session is cut off at once, open transactions are rolled back.
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "lamb_binh") -> psycopg.Connection:
        return psycopg.connect(self.url(database), autocommit=True)


class Browser:
    """A user's browser: cookies kept between requests, redirects not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), self._NoRedirect
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def csrf(self, path: str) -> str:
        status, _, page = self.request(path)
        assert status == 200, (path, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def log_in(self, username: str, password: str) -> None:
        token = self.csrf("/dang-nhap/")
        status, headers, _ = self.request(
            "/dang-nhap/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        assert status == 302, "login failed"


def _wait_until(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The cluster with the demo data, and gunicorn serving the production profile on it."""
    folder = tmp_path_factory.mktemp("outage")
    # Outside pytest's folder, which only root may enter.
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="lamb-binh-outage-")))
    cluster.init()
    cluster.start()
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE lamb_binh")
    # The documented production profile; kept connections, as in production (the app must
    # notice that they died); plain HTTP on loopback, so no redirect to HTTPS.
    env = production_env(
        folder,
        secret_key=secrets.token_urlsafe(60),
        conn_max_age=600,
        database_url=cluster.url("lamb_binh"),
    ) | {"SECURE_SSL_REDIRECT": "off"}
    for command in (
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput"],
        ["load_communes"],
        ["load_demo", "--force"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    port = free_port()
    log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lamb_binh.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "4", "--timeout", "60", "--graceful-timeout", "5"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(base + "/suc-khoe/", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        _wait_until(healthy, seconds=60, what="gunicorn to answer")
        yield cluster, base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        with contextlib.suppress(subprocess.CalledProcessError):  # a failed test stopped it
            cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


def _demo_save(conn: psycopg.Connection) -> tuple[int, dict]:
    """The demo staff member's unit, and a form for a save that links a housing case."""
    # The last day the unit was assigned to a commune (the demo's assignments end when the
    # district level was abolished, 30/06/2025).
    unit_id, commune_id, last_day = conn.execute(
        'SELECT u.id, a.commune_id, LEAST(COALESCE(a."end", CURRENT_DATE), CURRENT_DATE) '
        "FROM activities_partyunit u "
        "JOIN activities_partyunit_staff s ON s.partyunit_id = u.id "
        "JOIN auth_user usr ON usr.id = s.user_id "
        "JOIN activities_assignment a ON a.unit_id = u.id "
        "WHERE usr.username = 'nhaplieu' AND a.\"end\" IS NOT NULL "
        "ORDER BY 3 DESC, a.commune_id LIMIT 1"
    ).fetchone()
    village_id = conn.execute(
        "SELECT id FROM activities_village WHERE commune_id = %s ORDER BY id LIMIT 1",
        [commune_id],
    ).fetchone()[0]
    type_id = conn.execute(
        "SELECT id FROM activities_activitytype WHERE is_active ORDER BY id LIMIT 1"
    ).fetchone()[0]
    case_id = conn.execute(
        "SELECT c.id FROM housing_housingcase c JOIN activities_village v ON v.id = c.village_id "
        "WHERE v.commune_id = %s ORDER BY c.id LIMIT 1",
        [commune_id],
    ).fetchone()[0]
    saturday = last_day - datetime.timedelta(days=(last_day.weekday() - 5) % 7)
    return unit_id, {
        "date": saturday.isoformat(),
        "commune": commune_id,
        "villages": [village_id],
        "activity_type": type_id,
        "cadre_participations": 12,
        "people_participations": 30,
        "workdays": "21",
        "money_contributed": "0",
        "money_mobilised": "0",
        "housing_case": case_id,
        "description": DESCRIPTION,
        "confirm_duplicate": "on",
    }


def _saved(conn: psycopg.Connection) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM activities_activity WHERE description = %s", [DESCRIPTION]
    ).fetchone()[0]


def test_a_save_cut_off_by_the_database_leaves_nothing_and_the_app_recovers(stack):
    cluster, base = stack
    browser = Browser(base)
    browser.log_in("nhaplieu", "lambinh-demo")
    with cluster.connect() as conn:
        unit_id, form = _demo_save(conn)
        activities_before = conn.execute("SELECT COUNT(*) FROM activities_activity").fetchone()
        links_before = conn.execute(
            "SELECT COUNT(*) FROM housing_housingcase_activities"
        ).fetchone()
    add_url = f"/don-vi/{unit_id}/hoat-dong/them/"
    form["csrfmiddlewaretoken"] = browser.csrf(add_url)

    # Hold the save at its last write: linking the housing case waits for this lock, after
    # the activity, its villages and the summary tables have been written.
    holder = cluster.connect()
    holder.execute("BEGIN")
    holder.execute("LOCK TABLE housing_housingcase_activities IN EXCLUSIVE MODE")
    answer: dict = {}
    saving = threading.Thread(target=lambda: answer.update(r=browser.request(add_url, form)))
    saving.start()

    watcher = cluster.connect()

    def save_is_waiting_on_the_link() -> bool:
        # Each autocommit query sees the statistics afresh.
        waiting = watcher.execute(
            "SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = 'lamb_binh'"
        ).fetchall()
        return any('INSERT INTO "housing_housingcase_activities"' in q for (q,) in waiting)

    _wait_until(save_is_waiting_on_the_link, seconds=30, what="the save to reach its last write")
    watcher.close()
    cluster.stop()
    saving.join(timeout=60)
    holder.close()

    status, headers, page = answer["r"]
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "chưa được lưu" in page and "thử lại" in page

    # While the database is away: the same page for any page, and the health check says so.
    status, _, page = browser.request(f"/don-vi/{unit_id}/thang/2024/6/")
    assert status == 503 and "Không kết nối được cơ sở dữ liệu" in page
    status, _, body = Browser(base).request("/suc-khoe/")  # the monitoring: no cookies
    assert status == 503 and '"khong_ket_noi"' in body

    cluster.start()
    with cluster.connect() as conn:
        # Nothing of the cut-off save was kept.
        assert _saved(conn) == 0
        assert conn.execute("SELECT COUNT(*) FROM activities_activity").fetchone() == (
            activities_before
        )
        assert (
            conn.execute("SELECT COUNT(*) FROM housing_housingcase_activities").fetchone()
            == links_before
        )

    # The same app, without a restart: still logged in, and the save goes through.
    status, _, _ = browser.request("/suc-khoe/")
    assert status == 200
    status, _, page = browser.request(f"/don-vi/{unit_id}/thang/2024/6/")
    assert status == 200 and "Hoạt động trong tháng" in page
    form["csrfmiddlewaretoken"] = browser.csrf(add_url)
    status, headers, _ = browser.request(add_url, form)
    assert status == 302, "the save after the database came back"
    with cluster.connect() as conn:
        assert _saved(conn) == 1
        assert conn.execute("SELECT COUNT(*) FROM housing_housingcase_activities").fetchone() == (
            links_before[0] + 1,
        )

"""The load test: the production profile under gunicorn on 127.0.0.1, driven by locust.

`prepare()` fills the scratch database (the reports benchmark's activities, housing cases,
one account per simulated person); `run_load()` collects the static files, starts gunicorn
with DEBUG off on a free loopback port, runs locust headless for a fixed time against it,
stops both and reads locust's figures back. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from io import TextIOBase
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import override_settings

from activities import roles
from activities.models import Activity, ActivityType, Assignment, PartyUnit, Village
from activities.periods import is_weekend
from activities.services import local_today
from housing.models import HousingCase
from lamb_binh.demo.activities import months_between
from lamb_binh.demo.housing import load_random_cases
from lamb_binh.tooling.bench import END, START, bench_activities_load, bench_reference_load

LOCUSTFILE = Path(__file__).with_name("locustfile.py")  # beside this module
ACCOUNT_PREFIX = "taithu-"  # every account the load test makes, and only those
STAFF_PER_UNIT = 2
OFFICIALS = 20
ADMINS = 5
RECENT_DAYS = 28  # saves fall on the weekend days of the last four weeks

# The request rows of locust's table that have a goal: p95 in milliseconds.
GOALS = {
    "Tổng hợp GET /tong-hop/": 800,
    "Trang tháng GET /don-vi/[id]/thang/[năm]/[tháng]/": 300,
    "Lưu hoạt động POST /don-vi/[id]/hoat-dong/them/": 300,
}


# --- Data -------------------------------------------------------------------------------


def _load_activities(*, n: int, seed: int, say) -> None:
    """The benchmark's n activities, unless the (kept) scratch database has them already."""
    generated = Activity.objects.filter(created_by__isnull=True).count()
    made_here = Activity.objects.filter(created_by__username__startswith=ACCOUNT_PREFIX)
    if generated == n:
        removed = made_here.count()
        made_here.delete()  # a previous run's saves: start from the same state every time
        say(f"activities: {n} kept from a previous run ({removed} saves of that run removed)")
        return
    if generated or made_here.exists():
        raise RuntimeError(
            f"The scratch database holds {generated} generated activities, not {n}: "
            "run without --reuse to start afresh."
        )
    began = time.perf_counter()
    bench_activities_load(n=n, reference=bench_reference_load(), rng=random.Random(seed))
    say(f"activities: {n} generated in {time.perf_counter() - began:.0f} s")


def _load_cases(*, n: int, seed: int, say) -> None:
    missing = n - HousingCase.objects.count()
    if missing > 0:
        began = time.perf_counter()
        load_random_cases(random.Random(seed), missing)
        say(f"housing cases: {missing} added in {time.perf_counter() - began:.0f} s")
    say(f"housing cases: {HousingCase.objects.count()}")


def _accounts(password: str) -> dict[str, list[dict]]:
    """Staff (STAFF_PER_UNIT per unit), officials and admins, all with `password`."""
    hashed = make_password(password)  # one slow hash for every account
    # Where each unit may enter today (the saves are dated this week): its assignments in
    # force and the villages of those communes today.
    today = local_today()
    places: dict[int, list[dict]] = {}
    for unit_id, commune_id in (
        Assignment.objects.active_on(today)
        .order_by("unit_id", "commune_id")
        .values_list("unit_id", "commune_id")
    ):
        places.setdefault(unit_id, []).append({"id": unit_id, "commune": commune_id})
    for unit_places in places.values():
        for place in unit_places:
            place["villages"] = list(
                Village.objects.of_commune_on(place["commune"], today)
                .order_by("id")
                .values_list("id", flat=True)
            )
    everywhere = [place for unit_places in places.values() for place in unit_places]

    def account(username: str, group: str, *, admin: bool = False) -> User:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"password": hashed, "is_staff": admin, "is_active": True},
        )
        user.groups.set([Group.objects.get(name=group)])
        return user

    accounts: dict[str, list[dict]] = {"staff": [], "officials": [], "admins": []}
    for unit in PartyUnit.objects.filter(pk__in=places).order_by("code"):
        for i in range(1, STAFF_PER_UNIT + 1):
            user = account(f"{ACCOUNT_PREFIX}nhaplieu-{unit.code}-{i}".lower(), roles.STAFF)
            unit.staff.add(user)
            accounts["staff"].append({"username": user.username, "units": places[unit.pk]})
    for i in range(1, OFFICIALS + 1):
        user = account(f"{ACCOUNT_PREFIX}lanhdao-{i}", roles.OFFICIALS)
        accounts["officials"].append({"username": user.username, "units": everywhere})
    for i in range(1, ADMINS + 1):
        user = account(f"{ACCOUNT_PREFIX}quantri-{i}", roles.ADMINS, admin=True)
        accounts["admins"].append({"username": user.username, "units": everywhere})
    return accounts


def _sessions(accounts: dict[str, list[dict]], *, secret_key: str) -> None:
    """A logged-in session for every account, as if each person had logged in on their phone
    earlier in the week (a login lasts a week): the run measures the pages, not a crowd of
    simultaneous logins (each one a deliberately slow password hash)."""
    users = User.objects.in_bulk(
        [a["username"] for role in accounts.values() for a in role], field_name="username"
    )
    with override_settings(SECRET_KEY=secret_key):  # the key the server will run with
        for role in accounts.values():
            for account in role:
                user = users[account["username"]]
                session = SessionStore()
                session[SESSION_KEY] = str(user.pk)
                session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session.create()
                account["session"] = session.session_key


def prepare(
    *, activities: int, cases: int, seed: int, password: str, secret_key: str, stdout: TextIOBase
) -> dict:
    """Fill the scratch database and return the plan the locust users read."""

    def say(line: str) -> None:
        stdout.write(line + "\n")

    _load_activities(n=activities, seed=seed, say=say)
    _load_cases(n=cases, seed=seed, say=say)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # As autovacuum leaves tables between two working days (a rebuild or a previous
        # run's deletions leave dead rows behind).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    today = local_today()
    recent = [today - datetime.timedelta(days=d) for d in range(RECENT_DAYS)]
    accounts = _accounts(password)
    _sessions(accounts, secret_key=secret_key)
    return {
        "password": password,
        "accounts": accounts,
        "types": list(
            ActivityType.objects.filter(is_active=True).order_by("id").values_list("id", flat=True)
        ),
        "days": [day.isoformat() for day in recent if is_weekend(day)],
        "months": [list(month) for month in months_between(START, END)],
        "this_month": [today.year, today.month],
    }


def saves_made() -> int:
    return Activity.objects.filter(created_by__username__startswith=ACCOUNT_PREFIX).count()


# --- Processes --------------------------------------------------------------------------


def database_url(*, name: str | None = None) -> str:
    """The connected database (or another one, `name`, on the same server) as a DATABASE_URL
    for a server's environment."""
    db = connection.settings_dict
    name = name or db["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = urllib.parse.quote(db["PASSWORD"] or "", safe="")
    login = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{login}{host}{port}/{urllib.parse.quote(name, safe='')}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(
    folder: Path, *, secret_key: str, conn_max_age: int, database_url: str
) -> dict[str, str]:
    """The documented production environment, on plain HTTP at 127.0.0.1.

    The load tool says X-Forwarded-Proto: https as nginx would, so HTTPS redirects, HSTS
    and CSRF's Referer checks all apply; only the cookies lose their Secure flag, because
    the tool's cookie jar would not send Secure cookies over plain HTTP."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV")
    return {name: os.environ[name] for name in keep if name in os.environ} | {
        "DJANGO_SETTINGS_MODULE": "lamb_binh.settings",
        "DEBUG": "off",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": str(conn_max_age),
        "STATIC_ROOT": str(folder / "static"),
        "SESSION_COOKIE_SECURE": "off",
        "CSRF_COOKIE_SECURE": "off",
        "LOG_LEVEL": "WARNING",
    }


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    median: float
    p95: float
    p99: float
    maximum: float
    per_second: float

    @property
    def goal(self) -> int | None:
        return GOALS.get(self.name)

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        return self.failures == 0 and self.requests > 0 and self.p95 <= self.goal


@dataclass
class LoadResult:
    rows: list[Row]
    total: Row
    failures: list[tuple[str, str, int]]  # (request, message, occurrences)
    saves_in_database: int

    @property
    def goals_met(self) -> bool:
        named = {row.name for row in self.rows}
        return (
            self.total.failures == 0
            and set(GOALS) <= named
            and all(row.met is not False for row in self.rows)
        )


def _number(value: str) -> float:
    return float(value) if value not in ("", "N/A") else 0.0


def read_stats(prefix: Path) -> tuple[list[Row], Row, list[tuple[str, str, int]]]:
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for line in csv.DictReader(f):
            rows.append(
                Row(
                    name=line["Name"],
                    requests=int(line["Request Count"]),
                    failures=int(line["Failure Count"]),
                    median=_number(line["50%"]),
                    p95=_number(line["95%"]),
                    p99=_number(line["99%"]),
                    maximum=_number(line["Max Response Time"]),
                    per_second=_number(line["Requests/s"]),
                )
            )
    *rows, total = rows  # the last line is "Aggregated"
    with open(f"{prefix}_failures.csv", encoding="utf-8") as f:
        failures = [
            (line["Name"], line["Error"], int(line["Occurrences"])) for line in csv.DictReader(f)
        ]
    return rows, total, failures


def _wait_healthy(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start; see {log}")
        try:
            with urllib.request.urlopen(base + "/suc-khoe/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer {base}/suc-khoe/ within 60 s; see {log}")


def run_load(
    *,
    plan: dict,
    secret_key: str,
    users: int,
    spawn_rate: float,
    seconds: int,
    workers: int,
    conn_max_age: int,
    wait: tuple[float, float],
    folder: Path,
    say,
) -> LoadResult:
    """Serve the scratch database with gunicorn and let locust's users at it for `seconds`."""
    env = production_env(
        folder, secret_key=secret_key, conn_max_age=conn_max_age, database_url=database_url()
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=settings.BASE_DIR, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    plan_file = folder / "plan.json"
    plan_file.write_text(
        json.dumps(plan | {"origin": f"https://127.0.0.1:{port}", "wait": list(wait)}),
        encoding="utf-8",
    )
    server_log = folder / "gunicorn.log"
    with server_log.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "lamb_binh.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--access-logfile", "-", "--graceful-timeout", "10"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_healthy(base, server, server_log)
            say(f"gunicorn: {workers} workers on {base}, DEBUG off, CONN_MAX_AGE={conn_max_age}")
            prefix = folder / "locust"
            locust_log = folder / "locust.log"
            with locust_log.open("w") as out:
                result = subprocess.run(
                    [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
                     "--host", base, "--users", str(users), "--spawn-rate", str(spawn_rate),
                     "--run-time", f"{seconds}s", "--reset-stats", "--stop-timeout", "10",
                     "--csv", str(prefix), "--only-summary", "--exit-code-on-error", "0",
                     "--loglevel", "WARNING"],
                    cwd=settings.BASE_DIR, env=env | {"LOADTEST_PLAN": str(plan_file)},
                    stdout=out, stderr=subprocess.STDOUT,
                    # The run, the ramp-up, the users' last requests and locust's own start.
                    timeout=seconds + users / spawn_rate + 120,
                )  # fmt: skip
            if result.returncode != 0:
                raise RuntimeError(f"locust ended with {result.returncode}; see {locust_log}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    rows, total, failures = read_stats(prefix)
    return LoadResult(rows=rows, total=total, failures=failures, saves_in_database=saves_made())


# --- Report -----------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def table(result: LoadResult) -> list[str]:
    """The figures as a Markdown table, with the goal and whether it was met."""
    lines = [
        "| request | n | errors | req/s | median ms | p95 ms | p99 ms | max ms | goal p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in [*sorted(result.rows, key=lambda r: r.name), result.total]:
        goal = "" if row.goal is None else f"≤ {row.goal} " + ("✓" if row.met else "✗")
        lines.append(
            f"| {row.name} | {row.requests} | {row.failures} | {row.per_second:.1f} | "
            f"{_ms(row.median)} | {_ms(row.p95)} | {_ms(row.p99)} | {_ms(row.maximum)} | {goal} |"
        )
    return lines


def scratch_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="lamb-binh-loadtest-")

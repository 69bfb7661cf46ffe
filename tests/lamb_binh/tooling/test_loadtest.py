"""The load test command, end to end on a small scale: its figures are not checked here
(that is what `make loadtest` is for), only that it runs, reports every kind of request
without errors, and cleans up after itself."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lamb_binh.tooling.loadtest import GOALS, database_url

ROOT = Path(__file__).resolve().parents[3]
KINDS = [
    "Tổng hợp GET /tong-hop/",
    "Trang tháng GET /don-vi/[id]/thang/[năm]/[tháng]/",
    "Danh sách hộ GET /ho-tro-nha-o/",
    "Mở form GET /don-vi/[id]/hoat-dong/them/",
    "Lưu hoạt động POST /don-vi/[id]/hoat-dong/them/",
]


def _database_url(tmp_path) -> tuple[str, str]:
    """A database of its own beside the suite's, and the scratch one the command makes."""
    if connection.vendor == "sqlite":
        path = tmp_path / "load.sqlite3"
        return f"sqlite:///{path}", f"{path}-bench"
    return database_url(name="lamb_binh_load"), "lamb_binh_load_bench"


def _table(output: str) -> dict[str, list[str]]:
    rows = {}
    for line in output.splitlines():
        if line.startswith("| ") and not line.startswith("| request"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def _scratch_exists(scratch: str) -> bool:
    if connection.vendor == "sqlite":
        return Path(scratch).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [scratch])
        return cursor.fetchone() is not None


@pytest.mark.django_db
def test_a_short_load_run_reports_every_request_without_errors(tmp_path):
    url, scratch = _database_url(tmp_path)
    # The project's own settings, as `make loadtest` has them (not the suite's test settings,
    # whose fast password hasher the server would not know).
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {"DATABASE_URL": url, "DEBUG": "on"}
    result = subprocess.run(
        [sys.executable, "manage.py", "loadtest", "--activities", "2000", "--cases", "20",
         "--users", "6", "--spawn-rate", "6", "--duration", "8", "--workers", "2",
         "--wait", "0.2-0.5"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=400,
    )  # fmt: skip
    output = result.stdout
    verdict = re.search(r"^loadtest_goals_met: (yes|no)$", output, re.M)
    assert verdict, output + result.stderr
    # The exit status follows the verdict.
    assert (result.returncode == 0) == (verdict.group(1) == "yes"), result.stderr
    rows = _table(output)
    for kind in KINDS:
        assert kind in rows, f"{kind} missing from\n{output}"
        requests, errors = int(rows[kind][0]), int(rows[kind][1])
        assert requests > 0 and errors == 0, (kind, rows[kind])
    assert rows["Aggregated"][1] == "0"
    # Goals are shown on exactly the three rows that have one.
    assert {name for name, cells in rows.items() if cells[-1]} == set(GOALS)
    # Every save the table counts made a row (the ramp-up's saves come on top).
    saved = int(
        re.search(
            r"^activities saved by the users \(ramp-up included\): (\d+)", output, re.M
        ).group(1)
    )
    assert saved >= int(rows["Lưu hoạt động POST /don-vi/[id]/hoat-dong/them/"][0])
    assert not _scratch_exists(scratch)


@pytest.mark.parametrize("wait", ["3-1", "một-hai"])
def test_a_bad_think_time_is_refused_in_vietnamese(wait):
    with pytest.raises(CommandError, match="giây|lớn nhất"):
        call_command("loadtest", "--wait", wait)

"""Time the dashboard against hand-written SQL on a scratch database of N synthetic activities."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from activities.bench import run_benchmark


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a whole number of at least 1.")
    return number


def scratch_name(settings_dict: dict) -> str:
    """Next to the real database, never the real database: <name>_bench, <file>-bench."""
    name = str(settings_dict["NAME"] or "")
    if connection.vendor == "sqlite":
        if not name or name == ":memory:" or "mode=memory" in name:
            name = str(settings.BASE_DIR / "db.sqlite3")
        # A file, not :memory:, so that the timings include real I/O; "db.sqlite3-*" is
        # already in .gitignore.
        return f"{name}-bench"
    return f"{name}_bench"


def _remove_sqlite_leftovers(path: str) -> None:
    # A crashed run may leave a WAL that must not be replayed into a new file of that name.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(path + suffix).unlink(missing_ok=True)


class Command(BaseCommand):
    help = (
        "Tạo một cơ sở dữ liệu tạm (không động đến cơ sở dữ liệu thật) với N hoạt động của "
        "17 đơn vị ở 10 xã, 100 thôn trong 5 năm, rồi đo thời gian trang tổng hợp so với "
        "SQL viết tay cho cùng các số liệu. Dòng cuối: dashboard_vs_raw_sql_ratio: X.XX"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--activities", type=positive_int, required=True, help="Số hoạt động sinh ra."
        )
        parser.add_argument(
            "--repeat",
            type=positive_int,
            default=7,
            help="Số lần đo mỗi phép (sau 1 lần chạy khởi động); lấy trung vị.",
        )
        parser.add_argument("--seed", type=int, default=2021, help="Hạt giống ngẫu nhiên.")
        parser.add_argument(
            "--keep", action="store_true", help="Giữ lại cơ sở dữ liệu tạm sau khi đo."
        )

    def handle(self, *args, activities: int, repeat: int, seed: int, keep: bool, **options):
        real_name = connection.settings_dict["NAME"]
        name = scratch_name(connection.settings_dict)
        if name == str(real_name):
            raise CommandError(f"The scratch database would be the real one ({name}).")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
        if connection.vendor == "sqlite":
            _remove_sqlite_leftovers(name)
        # The test-database machinery: a fresh database, migrated, whatever was there before.
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
        try:
            run_benchmark(n=activities, repeat=repeat, seed=seed, stdout=self.stdout)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if keep:
                self.stderr.write(f"Kept the scratch database {name}.")
                connection.close()
            else:
                connection.creation.destroy_test_db(real_name, verbosity=0, keepdb=False)
                if connection.vendor == "sqlite":
                    _remove_sqlite_leftovers(name)

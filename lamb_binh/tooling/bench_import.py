"""The import benchmark: an office-style .xlsx of N activities, imported through the admin's
own confirm path, against a baseline (openpyxl read-only + dict lookups + bulk_create)."""

from __future__ import annotations

import datetime
import io
import random
import resource
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import override_settings
from openpyxl import Workbook, load_workbook

from activities import stats
from activities.figures import FIGURES, typical_values
from activities.imports.admin import kind_resource, sheet_format
from activities.imports.kinds import ActivityImport
from activities.models import (
    Activity,
    ActivityType,
    ActivityVillage,
    Assignment,
    Commune,
    PartyUnit,
    Village,
)
from activities.periods import MERGER_DATE
from lamb_binh.tooling.bench import bench_reference_load

START = datetime.date(2021, 1, 2)
# The old communes the rows name stopped existing on 01/07/2025.
DAYS = (MERGER_DATE - START).days


def build_workbook(n: int, *, seed: int) -> bytes:
    """N rows the way offices write them: names, text dates, 1.780, 25 triệu, a title."""
    rng = random.Random(seed)
    assignments = list(
        Assignment.objects.filter(end__lt=MERGER_DATE)
        .order_by("id")
        .values_list("unit__short_name", "commune__name", "commune_id")
    )
    villages: dict[int, list[str]] = {}
    for commune_id, name in Village.objects.values_list("commune_id", "name"):
        villages.setdefault(commune_id, []).append(name)
    kinds = list(ActivityType.objects.values_list("name", "default_unit"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Dữ liệu")
    sheet.append(["BÁO CÁO KẾT QUẢ HOẠT ĐỘNG “3 CÙNG”"])
    sheet.append([])
    sheet.append([column.title for column in ActivityImport.columns])
    for index in range(n):
        unit, commune, commune_id = rng.choice(assignments)
        day = START + datetime.timedelta(days=rng.randrange(DAYS))
        kind, default_unit = rng.choice(kinds)
        people = rng.randint(0, 2000)
        cells = {
            "date": day.strftime("%d/%m/%Y")
            if index % 2
            else datetime.datetime(day.year, day.month, day.day),
            "unit": unit,
            "commune": commune,
            "villages": "; ".join(rng.sample(villages[commune_id], rng.randint(1, 3))),
            "activity_type": kind,
            "description": f"Hoạt động số {index + 1}",
            "cadre_participations": rng.randint(1, 40),
            "people_participations": f"{people:,}".replace(",", ".") if people >= 1000 else people,
            "workdays": rng.randint(1, 80),
            "output_quantity": rng.randint(1, 300) if default_unit else None,
            "output_unit": default_unit or None,
            "money_contributed": f"{rng.randint(0, 30) * 100_000:,}".replace(",", "."),
            "money_mobilised": f"{rng.randint(0, 5)} triệu",
        }
        # Any other figure (activities.figures): typical for one outing.
        cells |= typical_values(rng.randint, given=cells)
        sheet.append([cells.get(column.key) for column in ActivityImport.columns])
    sheet.append(["Tổng cộng"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _baseline_figures(cells: dict) -> dict:
    """The figures of a row of build_workbook(), read the quick way it wrote them: the cell
    as it is, or its default when empty, except the office-style lượt and money."""
    figures = {}
    for figure in FIGURES:
        value = cells.get(figure.field)
        figures[figure.field] = figure.default if value is None else value
    return figures | {
        "people_participations": int(str(cells["people_participations"]).replace(".", "")),
        "output_unit": cells["output_unit"] or "",
        "money_contributed": int(cells["money_contributed"].replace(".", "")),
        "money_mobilised": int(cells["money_mobilised"].split()[0]) * 1_000_000,
    }


def baseline(data: bytes) -> int:
    """The least a loader must do: read the cells, look names up in dicts, bulk insert."""
    units = {u.short_name: u.pk for u in PartyUnit.objects.all()}
    communes = {c.name: c.pk for c in Commune.objects.filter(valid_from__isnull=True)}
    villages = {(v.commune_id, v.name): v.pk for v in Village.objects.all()}
    kinds = {k.name: k.pk for k in ActivityType.objects.all()}
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    keys = [column.key for column in ActivityImport.columns]
    activities, links = [], []
    for row in sheet.iter_rows(min_row=4, values_only=True):
        if len(row) < 2 or row[1] is None:  # the total row
            continue
        # The cells build_workbook() wrote, so their types are known here.
        cells: dict[str, Any] = dict(zip(keys, row, strict=False))
        day = cells["date"]
        if isinstance(day, str):
            day = datetime.datetime.strptime(day, "%d/%m/%Y")
        commune_id = communes[cells["commune"]]
        activities.append(
            Activity(
                date=day.date(),
                unit_id=units[cells["unit"]],
                commune_id=commune_id,
                activity_type_id=kinds[cells["activity_type"]],
                description=cells["description"],
                **_baseline_figures(cells),
            )
        )
        links.append([villages[(commune_id, name)] for name in cells["villages"].split("; ")])
    Activity.objects.bulk_create(activities, batch_size=1000)
    ActivityVillage.objects.bulk_create(
        [
            ActivityVillage(activity_id=a.pk, village_id=v)
            for a, vs in zip(activities, links, strict=True)
            for v in vs
        ],
        batch_size=2000,
    )
    return len(activities)


def _clear() -> None:
    with stats.suspended(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM activities_activityvillage")
        cursor.execute("DELETE FROM activities_activity")


def _peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_Result = TypeVar("_Result")


def _timed(action: Callable[[], _Result]) -> tuple[float, float, _Result]:
    """Seconds, growth of the process's peak memory (MB), and the result."""
    before = _peak_mb()
    began = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - began
    return seconds, _peak_mb() - before, result


def run_import_benchmark(
    *, rows: int, seed: int, stdout: io.TextIOBase, preview_rows: int = 10_000
):
    def say(line: str) -> None:
        stdout.write(line + "\n")

    say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    bench_reference_load()
    user = get_user_model().objects.create_user("bench-import", is_staff=True, is_superuser=True)
    data = build_workbook(rows, seed=seed)
    say(f"file: {rows} rows, {len(data) / 1024 / 1024:.1f} MB")

    fmt = sheet_format(ActivityImport)()
    resource_ = kind_resource(ActivityImport)()

    def confirm():
        # The admin's confirm step, without its row cap (larger files go to import_data,
        # which runs the same checks and writes).
        with override_settings(IMPORT_ADMIN_MAX_ROWS=max(rows, preview_rows)):
            dataset = fmt.create_dataset(data)
            return resource_.import_data(dataset, dry_run=False, user=user, file_name="bench.xlsx")

    # Ours first, so that its peak memory is not hidden under the baseline's.
    ours_s, ours_mb, result = _timed(confirm)
    if result.has_validation_errors():
        first = result.invalid_rows[0]
        raise RuntimeError(f"Row {first.number} was refused: {first.error_dict}")
    if Activity.objects.count() != rows:
        raise RuntimeError("The import did not write every row.")
    say(f"import: {ours_s:.2f} s, {rows / ours_s:.0f} rows/s, peak memory growth {ours_mb:.0f} MB")
    _clear()

    base_s, base_mb, count = _timed(lambda: baseline(data))
    if count != rows:
        raise RuntimeError("The baseline did not write every row.")
    say(f"baseline: {base_s:.2f} s, {rows / base_s:.0f} rows/s")

    preview = build_workbook(preview_rows, seed=seed + 1)
    preview_s, _, _ = _timed(
        lambda: resource_.import_data(
            fmt.create_dataset(preview), dry_run=True, user=user, file_name="preview.xlsx"
        )
    )
    say(f"admin_preview_{preview_rows}_rows_s: {preview_s:.2f}")
    say(f"import_vs_baseline_ratio: {ours_s / base_s:.2f}")
    return ours_s / base_s

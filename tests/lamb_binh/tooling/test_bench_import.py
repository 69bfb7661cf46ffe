"""bench_import: the same rows through the admin's import path and through the baseline."""

import io
import re

from activities.imports.kinds import ActivityImport
from activities.imports.sheets import read_sheet
from activities.models import Activity, ActivityVillage
from lamb_binh.tooling.bench import bench_reference_load
from lamb_binh.tooling.bench_import import baseline, build_workbook, run_import_benchmark


def test_it_prints_speed_memory_and_ends_with_the_ratio(db):
    out = io.StringIO()
    run_import_benchmark(rows=120, seed=5, stdout=out, preview_rows=30)
    lines = out.getvalue().splitlines()
    assert any(
        re.match(r"^import: \d+\.\d\d s, \d+ rows/s, peak memory growth \d+ MB$", line)
        for line in lines
    )
    assert any(re.match(r"^baseline: \d+\.\d\d s, \d+ rows/s$", line) for line in lines)
    assert any(re.match(r"^admin_preview_30_rows_s: \d+\.\d\d$", line) for line in lines)
    assert re.match(r"^import_vs_baseline_ratio: \d+\.\d\d$", lines[-1])
    # The baseline's rows are what is left: as many as the file has.
    assert Activity.objects.count() == 120


def test_the_generated_file_reads_like_an_office_file(db):
    bench_reference_load()
    data = build_workbook(40, seed=9)
    sheet = read_sheet(data, filename="bench.xlsx", expected_headers=ActivityImport().headers())
    assert len(sheet.rows) == 40
    assert {reason for _, reason in sheet.skipped} >= {"dòng tiêu đề", "dòng tổng cộng"}
    assert baseline(data) == 40
    links = ActivityVillage.objects.select_related("activity", "village")
    assert all(link.village.commune_id == link.activity.commune_id for link in links)

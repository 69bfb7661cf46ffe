"""The reports benchmark: synthetic activities in bulk, then the dashboard timed against raw SQL.

`run_benchmark()` assumes it is connected to a scratch database (the `bench_reports` command
creates and destroys one; the tests use theirs). Generation is seeded, so a seed gives the same
rows on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from io import TextIOBase
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from activities.figures import FIELDS, TOTALLED, Figure, typical_values
from activities.models import (
    Activity,
    ActivityType,
    ActivityVillage,
    Assignment,
    Commune,
    PartyUnit,
    Village,
)
from activities.periods import MERGER_DATE, PROGRAMME_START, is_weekend, weekend_sql
from activities.services import communes_load, village_communes_follow_merger
from activities.stats import suspended as stats_suspended
from activities.text import nfc
from lamb_binh.demo.activities import DESCRIPTIONS, TYPE_MIX, UNITS

SUMMARY_TABLES = "rebuilt by activities.stats.suspended() after the load"

START = datetime.date(2021, 1, 1)
END = datetime.date(2025, 12, 31)
BEFORE_MERGER = MERGER_DATE - datetime.timedelta(days=1)
PROVINCE = "Tuyên Quang"
DISTRICT = "Lâm Bình"
VILLAGES_PER_COMMUNE = 10
WEEKEND_SHARE = 0.8  # most outings are on the weekend, as the monthly rule asks
OUTPUT_SHARE = 0.8  # of the activities whose type measures an output
CHUNK = 20_000  # activities generated and written per round trip
DASHBOARD_QUERY = {"ky": "tu-dau"}  # the whole period since the start
# What "tu-dau" covers: from the programme start to the last activity (END at the latest).
PERIOD = (max(START, PROGRAMME_START), END)

ACTIVITY_COLUMNS = (
    "id",
    "unit_id",
    "commune_id",
    "date",
    "activity_type_id",
    "description",
    *FIELDS,
    "created_by_id",
    "created_at",
    "updated_at",
)
LINK_COLUMNS = ("activity_id", "village_id")
CONTRIBUTED = (0, 0, 0, 500_000, 1_000_000, 2_000_000)
MOBILISED = (0, 0, 1_000_000, 3_000_000, 5_000_000)


# --- Reference data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """What activities are drawn from: units with their commune and its villages, and types."""

    units: list[tuple[int, int, list[int]]]  # (unit id, commune id, village ids of the commune)
    units_after: list[tuple[int, int, list[int]]]  # the same from 01/07/2025, on the new map
    types: list[tuple[int, str, str, tuple[int, int] | None]]  # (id, description, unit, range)
    type_pool: list[int] = field(default_factory=list)  # indexes into types, repeated by weight


def bench_reference_load() -> Reference:
    """The 10 communes, 10 villages each, the 17 units assigned to all 10 since 01/01/2021."""
    communes_load(province=PROVINCE, district=DISTRICT)
    communes = {
        c.code: c
        for c in Commune.objects.filter(
            province=PROVINCE, district=DISTRICT, valid_from__isnull=True
        )
    }
    communes_by_id = {c.pk: c for c in communes.values()}
    if len(communes) != 10:
        raise RuntimeError(f"Expected the 10 pre-2025 communes of {DISTRICT}, got {len(communes)}.")
    Village.objects.bulk_create(
        Village(commune=commune, name=f"Số {i}", kind=Village.Kind.THON)
        for commune in communes.values()
        for i in range(1, VILLAGES_PER_COMMUNE + 1)
    )
    village_communes_follow_merger()
    units = PartyUnit.objects.bulk_create(
        PartyUnit(code=code, name=name, short_name=short, kind=kind)
        for code, name, short, kind, _ in UNITS
    )
    # Each unit works in its commune until the merger, then in what that commune became.
    paired = {
        (unit, communes[commune_code])
        for unit, (*_, commune_codes) in zip(units, UNITS, strict=True)
        for commune_code in commune_codes
    }
    Assignment.objects.bulk_create(
        [
            Assignment(unit=unit, commune=commune, start=START, end=BEFORE_MERGER)
            for unit, commune in paired
        ]
        + [
            Assignment(unit=unit, commune_id=successor_id, start=MERGER_DATE)
            for unit, successor_id in {(unit, c.successor_id) for unit, c in paired}
        ]
    )
    villages: dict[int, list[int]] = {}
    for commune_id, village_id in Village.objects.order_by("id").values_list("commune_id", "id"):
        villages.setdefault(commune_id, []).append(village_id)
    unit_rows = [
        (unit_id, commune_id, villages[commune_id])
        for unit_id, commune_id in Assignment.objects.filter(end=BEFORE_MERGER)
        .order_by("unit_id", "commune_id")
        .values_list("unit_id", "commune_id")
    ]
    # After the merger the same villages, in the commune each is in then.
    after: dict[tuple[int, int], list[int]] = {}
    for unit_id, commune_id, village_ids in unit_rows:
        successor_id = communes_by_id[commune_id].successor_id
        after.setdefault((unit_id, successor_id), []).extend(village_ids)
    unit_rows_after = [(unit_id, commune_id, ids) for (unit_id, commune_id), ids in after.items()]
    types, pool = activity_types()
    return Reference(units=unit_rows, units_after=unit_rows_after, types=types, type_pool=pool)


def activity_types() -> tuple[list[tuple[int, str, str, tuple[int, int] | None]], list[int]]:
    """The activity types as `Reference.types`, and the pool that draws them by TYPE_MIX's
    weights."""
    mix = {code: (weight, output) for code, weight, output in TYPE_MIX}
    types, pool = [], []
    for index, kind in enumerate(ActivityType.objects.order_by("id")):
        weight, output = mix.get(kind.code, (1, (1, 100)))
        # A quantity needs a unit of measure (a database check says so).
        types.append(
            (
                kind.id,
                nfc(DESCRIPTIONS.get(kind.code, kind.name)),
                kind.default_unit,
                output if kind.default_unit else None,
            )
        )
        pool.extend([index] * weight)
    return types, pool


# --- Activities in bulk -----------------------------------------------------------------


def _days() -> tuple[list[str], list[str]]:
    weekend: list[str] = []
    weekdays: list[str] = []
    day = START
    while day <= END:
        (weekend if is_weekend(day) else weekdays).append(day.isoformat())
        day += datetime.timedelta(days=1)
    return weekend, weekdays


def _chunks(
    *, n: int, first_id: int, reference: Reference, rng: random.Random, stamp: str
) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """Rows of activities and of their village links, CHUNK activities at a time.

    Values are already in their database text form (dates as ISO strings, decimals as
    strings), so the same rows go to COPY and to SQLite's executemany.
    """
    weekend, weekdays = _days()
    before, after = reference.units, reference.units_after
    merger = MERGER_DATE.isoformat()
    types, pool = reference.types, reference.type_pool
    randrange, rand, sample, choice = rng.randrange, rng.random, rng.sample, rng.choice
    randint = rng.randint
    last_id = first_id + n
    for chunk_start in range(first_id, last_id, CHUNK):
        activities, links = [], []
        for activity_id in range(chunk_start, min(chunk_start + CHUNK, last_id)):
            day = (
                weekend[randrange(len(weekend))]
                if rand() < WEEKEND_SHARE
                else weekdays[randrange(len(weekdays))]
            )
            units = before if day < merger else after
            unit_id, commune_id, villages = units[randrange(len(units))]
            type_id, description, output_unit, output = types[pool[randrange(len(pool))]]
            cadres = randrange(1, 16)
            people = randrange(0, 61)
            tenths = (cadres + people) * 10 + 5 * randrange(0, 2)
            quantity = None
            if output is not None and rand() < OUTPUT_SHARE:
                hundredths = randrange(output[0] * 100, output[1] * 100 + 1)
                quantity = f"{hundredths // 100}.{hundredths % 100:02d}"
            figures = {
                "cadre_participations": cadres,
                "people_participations": people,
                "workdays": f"{tenths // 10}.{tenths % 10}",
                "output_quantity": quantity,
                "output_unit": output_unit if quantity is not None else "",
                "money_contributed": choice(CONTRIBUTED),
                "money_mobilised": choice(MOBILISED),
            }
            # Any other figure (activities.figures): typical for one outing.
            figures |= typical_values(randint, given=figures)
            activities.append(
                (
                    activity_id,
                    unit_id,
                    commune_id,
                    day,
                    type_id,
                    description,
                    *(figures[name] for name in FIELDS),
                    None,
                    stamp,
                    stamp,
                )
            )
            for village_id in sample(villages, randrange(1, 4)):
                links.append((activity_id, village_id))
        yield activities, links


def _copy(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows
        )


@dataclass
class Generated:
    activities: int
    links: int
    writing: float  # seconds to generate and write the rows
    closing: float  # rebuilding the summary tables, deferred foreign-key checks, commit
    analyzing: float

    @property
    def seconds(self) -> float:
        return self.writing + self.closing + self.analyzing


def bench_activities_load(*, n: int, reference: Reference, rng: random.Random) -> Generated:
    """Insert n activities with 1–3 villages of their commune each, as fast as the database
    takes them: COPY on PostgreSQL, executemany on SQLite, one transaction, summary-table
    triggers suspended (and the tables rebuilt once) if they exist."""
    write = _copy if connection.vendor == "postgresql" else _insert
    now = timezone.now()
    stamp = (
        now.isoformat()
        if connection.vendor == "postgresql"
        else str(connection.ops.adapt_datetimefield_value(now))
    )
    links = 0
    started = time.perf_counter()
    with stats_suspended():
        with transaction.atomic():
            # Ids are ours so that the village links can go in bulk too.
            last = Activity.objects.order_by("-id").values_list("id", flat=True).first()
            for activity_rows, link_rows in _chunks(
                n=n, first_id=(last or 0) + 1, reference=reference, rng=rng, stamp=stamp
            ):
                write(Activity._meta.db_table, ACTIVITY_COLUMNS, activity_rows)
                write(ActivityVillage._meta.db_table, LINK_COLUMNS, link_rows)
                links += len(link_rows)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Activity]):
                    cursor.execute(sql)
        written = time.perf_counter()
    closed = time.perf_counter()
    with connection.cursor() as cursor:
        # Fresh statistics (and, outside a transaction, a visibility map for index-only scans),
        # as autovacuum would leave a table that grew over years.
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return Generated(
        activities=n,
        links=links,
        writing=written - started,
        closing=closed - written,
        analyzing=time.perf_counter() - closed,
    )


def generation_lines(generated: Generated) -> list[str]:
    """What the load took, as the benchmark prints it."""
    rows = generated.activities + generated.links
    return [
        f"generated: {generated.activities} activities, {generated.links} village links "
        f"in {generated.seconds:.1f} s (writing {generated.writing:.1f} s, summary rebuild "
        f"and commit {generated.closing:.1f} s, analyze {generated.analyzing:.1f} s)",
        f"generation_rows_per_s: {generated.activities / generated.seconds:.0f} activities/s, "
        f"{rows / generated.seconds:.0f} rows/s with the village links",
    ]


# --- The same aggregates as the dashboard, in hand-written SQL --------------------------

# The activities and each figure the dashboard totals (activities.figures), in their order.
_SUMS = ", ".join(["COUNT(*)", *(f"COALESCE(SUM(a.{f.field}), 0)" for f in TOTALLED)])


@dataclass(frozen=True)
class RawScope:
    """What the hand-written SQL covers: a period and the dashboard's filters."""

    period: tuple[datetime.date, datetime.date] = PERIOD
    # xa: this commune and the communes merged into it (their main successor is it).
    commune: int | None = None
    # gop_xa: a former commune's figures counted in the commune it became.
    merged: bool = False
    unit: int | None = None  # don_vi
    # The dashboard's unit table shows the villages each unit reached (the district's
    # benchmark has always left them out, so its figures stay comparable over time).
    villages_per_unit: bool = False

    def where(self) -> str:
        """The condition on the activities `a`; its parameters are `params()`."""
        condition = "a.date BETWEEN %s AND %s"
        if self.commune is not None:
            condition += (
                f" AND a.commune_id IN (SELECT f.id FROM {Commune._meta.db_table} f "
                "WHERE f.id = %s OR f.successor_id = %s)"
            )
        if self.unit is not None:
            condition += " AND a.unit_id = %s"
        return condition

    def params(self) -> list:
        values: list = list(self.period)
        if self.commune is not None:
            values += [self.commune, self.commune]
        if self.unit is not None:
            values.append(self.unit)
        return values


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _weekend(column: str) -> str:
    # '%%' because these strings go through the parameter style.
    return weekend_sql(vendor=connection.vendor, column=column).replace("%", "%%")


def raw_queries(scope: RawScope = RawScope()) -> dict[str, str]:
    """Each query takes `scope.params()`: the period's first and last day, then the filters'."""
    a = f"{Activity._meta.db_table} a"
    av = f"{ActivityVillage._meta.db_table} av"
    where = scope.where()
    # Merged, a commune's figures go to what it became: its successor, or itself.
    commune, communes = "a.commune_id", a
    if scope.merged:
        commune = "COALESCE(c.successor_id, a.commune_id)"
        communes = f"{a} JOIN {Commune._meta.db_table} c ON c.id = a.commune_id"

    def distinct_villages_per(key: str, source: str) -> str:
        # Distinct (key, village) pairs first, then count them: half the time of
        # COUNT(DISTINCT village) over the join (MEASURED.md).
        return (
            "SELECT pairs.k, COUNT(*) FROM ("
            f"SELECT DISTINCT {key} AS k, av.village_id FROM {source} "
            f"JOIN {av} ON av.activity_id = a.id WHERE {where}"
            ") pairs GROUP BY pairs.k ORDER BY pairs.k"
        )

    queries = {
        "totals": f"SELECT {_SUMS} FROM {a} WHERE {where}",
        "per_commune": (
            f"SELECT {commune} AS k, {_SUMS} FROM {communes} WHERE {where} GROUP BY 1 ORDER BY 1"
        ),
        "villages_per_commune": distinct_villages_per(commune, communes),
        "per_unit": f"SELECT a.unit_id, {_SUMS} FROM {a} WHERE {where} GROUP BY 1 ORDER BY 1",
        "per_type": (
            f"SELECT a.activity_type_id, {_SUMS} FROM {a} WHERE {where} GROUP BY 1 ORDER BY 1"
        ),
        "output_per_type": (
            f"SELECT a.activity_type_id, a.output_unit, SUM(a.output_quantity) FROM {a} "
            f"WHERE {where} AND a.output_quantity IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        "per_month": (
            f"SELECT {_month('a.date')} AS month, {_SUMS} FROM {a} WHERE {where} "
            "GROUP BY 1 ORDER BY 1"
        ),
        "weekend_per_unit_month": (
            f"SELECT a.unit_id, {_month('a.date')} AS month, COUNT(*) FROM {a} "
            f"WHERE {where} AND {_weekend('a.date')} GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        "villages": (
            f"SELECT COUNT(DISTINCT av.village_id) FROM {a} "
            f"JOIN {av} ON av.activity_id = a.id WHERE {where}"
        ),
    }
    if scope.villages_per_unit:
        queries["villages_per_unit"] = distinct_villages_per("a.unit_id", a)
    return queries


def _sums(row: Sequence) -> tuple:
    """(count, then each totalled figure: cadres, people, workdays...) in Python types."""
    count, *totals = row
    return (int(count), *(_total(f, v) for f, v in zip(TOTALLED, totals, strict=True)))


def _total(figure: Figure, value) -> int | Decimal:
    return _decimal(value, f"{Decimal(1).scaleb(-figure.places)}") if figure.places else int(value)


def _decimal(value, places: str) -> Decimal:
    # SQLite sums decimals as floats; PostgreSQL returns exact numerics.
    return Decimal(str(value)).quantize(Decimal(places))


def _day(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def raw_aggregates(
    *,
    period: tuple[datetime.date, datetime.date] = PERIOD,
    scope: RawScope | None = None,
    timings: dict | None = None,
) -> dict[str, list[tuple]]:
    """Run every query over the scope (or the whole of `period`) and return its rows in
    Python types.

    Each query's seconds are appended to `timings[name]` when given.
    """
    scope = scope or RawScope(period=period)
    params = scope.params()
    rows: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        for name, sql in raw_queries(scope).items():
            began = time.perf_counter()
            cursor.execute(sql, params)
            rows[name] = cursor.fetchall()
            if timings is not None:
                timings.setdefault(name, []).append(time.perf_counter() - began)
    result = {
        "totals": [_sums(rows["totals"][0])],
        "per_commune": [(key, *_sums(rest)) for key, *rest in rows["per_commune"]],
        "villages_per_commune": [(key, int(n)) for key, n in rows["villages_per_commune"]],
        "per_unit": [(key, *_sums(rest)) for key, *rest in rows["per_unit"]],
        "per_type": [(key, *_sums(rest)) for key, *rest in rows["per_type"]],
        "output_per_type": [
            (key, unit, _decimal(total, "0.01")) for key, unit, total in rows["output_per_type"]
        ],
        "per_month": [(_day(month), *_sums(rest)) for month, *rest in rows["per_month"]],
        "weekend_per_unit_month": [
            (unit, _day(month), int(n)) for unit, month, n in rows["weekend_per_unit_month"]
        ],
        "villages": [(int(rows["villages"][0][0]),)],
    }
    if "villages_per_unit" in rows:
        result["villages_per_unit"] = [(key, int(n)) for key, n in rows["villages_per_unit"]]
    return result


# --- Timing -----------------------------------------------------------------------------


def median_ms(measure: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` runs after one warm-up run, in milliseconds."""
    measure()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        measure()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def dashboard_fetcher(
    query: dict[str, str] = DASHBOARD_QUERY, *, user=None
) -> tuple[str, Callable[[], None]]:
    """A function that GETs the dashboard with `query` (the whole period by default) as
    `user`, a superuser unless given."""
    url = reverse("dashboard")
    if user is None:
        user, _ = get_user_model().objects.get_or_create(
            username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
        )
    client = Client()
    client.force_login(user)

    def fetch() -> None:
        response = client.get(url, query)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not 200.")
        _ = response.content

    return url, fetch


# --- The whole run ----------------------------------------------------------------------


@dataclass
class BenchmarkResult:
    generated: Generated
    raw_ms: float
    raw_query_ms: dict[str, float]
    raw: dict[str, list[tuple]]
    dashboard_ms: float | None = None
    dashboard_queries: int | None = None

    @property
    def ratio(self) -> float | None:
        if self.dashboard_ms is None:
            return None
        return self.dashboard_ms / self.raw_ms


def run_benchmark(*, n: int, repeat: int, seed: int, stdout: TextIOBase) -> BenchmarkResult:
    """Fill the (scratch) database with n activities, then time the dashboard and the raw SQL.

    The last line written is `dashboard_vs_raw_sql_ratio: X.XX`.
    """

    def say(line: str) -> None:
        stdout.write(line + "\n")

    if Activity.objects.exists():
        raise RuntimeError("run_benchmark() needs a database without activities (a scratch one).")
    say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    say(f"summary_tables: {SUMMARY_TABLES}")
    rng = random.Random(seed)
    reference = bench_reference_load()
    generated = bench_activities_load(n=n, reference=reference, rng=rng)
    for line in generation_lines(generated):
        say(line)

    timings: dict[str, list[float]] = {}
    raw: dict[str, list[tuple]] = {}

    def measure_raw() -> None:
        raw.update(raw_aggregates(timings=timings))

    raw_ms = median_ms(measure_raw, repeat)
    result = BenchmarkResult(
        generated=generated,
        raw_ms=raw_ms,
        raw_query_ms={name: statistics.median(t[1:]) * 1000 for name, t in timings.items()},
        raw=raw,
    )
    say(
        f"raw_sql_median_ms: {raw_ms:.1f} ({repeat} runs after 1 warm-up, {len(timings)} "
        f"queries, {PERIOD[0]:%d/%m/%Y}–{PERIOD[1]:%d/%m/%Y})"
    )
    say(
        "raw_sql_query_median_ms: "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in result.raw_query_ms.items())
    )

    # The test client's host name, without the rest of the test environment (its template
    # instrumentation would copy every context and inflate the render time).
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        url, fetch = dashboard_fetcher()
        with CaptureQueriesContext(connection) as queries:
            fetch()
        result.dashboard_queries = len(queries)
        result.dashboard_ms = median_ms(fetch, repeat)
    say(f"dashboard_queries: {result.dashboard_queries}")
    say(
        f"dashboard_median_ms: {result.dashboard_ms:.1f} ({repeat} runs after 1 warm-up, "
        f"GET {url}?ky={DASHBOARD_QUERY['ky']})"
    )
    say(f"dashboard_vs_raw_sql_ratio: {result.ratio:.2f}")
    return result


# --- A scratch database for benchmarks ---------------------------------------------------


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


@contextmanager
def scratch_database(*, keep: bool, stderr: TextIOBase, reuse: bool = False):
    """A fresh, migrated database beside the real one, dropped afterwards unless `keep`.

    With `reuse`, a scratch database kept by an earlier run is migrated and used as it is."""
    real_name = connection.settings_dict["NAME"]
    name = scratch_name(connection.settings_dict)
    if name == str(real_name):
        raise RuntimeError(f"The scratch database would be the real one ({name}).")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    if connection.vendor == "sqlite" and not reuse:
        _remove_sqlite_leftovers(name)
    # The test-database machinery: a fresh database, migrated, whatever was there before
    # (or, with keepdb, the one that is there).
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=reuse)
    try:
        yield name
    finally:
        if keep:
            stderr.write(f"Kept the scratch database {name}.\n")
            connection.close()
        else:
            connection.creation.destroy_test_db(real_name, verbosity=0, keepdb=False)
            if connection.vendor == "sqlite":
                _remove_sqlite_leftovers(name)

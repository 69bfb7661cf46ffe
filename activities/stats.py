"""Summary tables kept exact by database triggers, for reports that stay fast at scale.

The tables (models in activities/models.py), each per month and again per day:
- the sums of the activities per unit, commune, type and unit of measure (the cube), and
  the narrower sums per unit and commune, and per type and unit of measure, which a
  province's reports read when they need no more (the cube is as large as the activities);
- how many activities reached each village, per unit, commune and type; and across types
  in a row per year with a column per month, and a row per month with a column per day, so
  that the villages reached in any period are read from one row per village, unit and
  commune and year (plus the period's edge months);
- how many weekend activities a unit had in a commune (the monthly rule).
Reports read whole months from the monthly tables and the days at the edges of a period
from the daily ones. Row triggers on activities_activity and activities_activityvillage add
and subtract each change, so the tables are exact after every write, whichever path it
takes. The same statements are written for SQLite and PostgreSQL; the only differences are
the date functions.

Bulk loads wrap their inserts in `suspended()`: triggers off, then one exact rebuild.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from activities.figures import FIGURES, SUMMED, Figure
from activities.models import part_column
from activities.periods import weekend_sql

MONTH_STAT = "activities_activitymonthstat"
VILLAGE_STAT = "activities_villagemonthstat"
DAY_STAT = "activities_activitydaystat"
VILLAGE_DAY_STAT = "activities_villagedaystat"
WEEKEND_STAT = "activities_weekenddaystat"
AREA_MONTH_STAT = "activities_areamonthstat"
AREA_DAY_STAT = "activities_areadaystat"
TYPE_MONTH_STAT = "activities_typemonthstat"
TYPE_DAY_STAT = "activities_typedaystat"
WEEKEND_MONTH_STAT = "activities_weekendmonthstat"
VILLAGE_YEAR_STAT = "activities_villageyearstat"
VILLAGE_MONTH_DAYS_STAT = "activities_villagemonthdaysstat"
ACTIVITY = "activities_activity"
LINK = "activities_activityvillage"


@dataclass(frozen=True)
class _Table:
    """A summary table: its period column (month, date, year), the activity's columns it is
    keyed by after the period and, for a village table spread over columns, the prefix and
    count of its parts (m01–m12 of a year, d01–d31 of a month)."""

    name: str
    period: str
    keys: tuple[str, ...]
    parts: tuple[str, int] | None = None

    def key(self, *, village: bool = False) -> str:
        return ", ".join([self.period, *self.keys, *(["village_id"] if village else [])])


_UNIT_COMMUNE = ("unit_id", "commune_id")
_CUBE = (*_UNIT_COMMUNE, "activity_type_id", "output_unit")
_TYPE = ("activity_type_id", "output_unit")
# Sums of the activities: the whole cube, units × communes, types.
SUMS_TABLES = (
    _Table(MONTH_STAT, "month", _CUBE),
    _Table(DAY_STAT, "date", _CUBE),
    _Table(AREA_MONTH_STAT, "month", _UNIT_COMMUNE),
    _Table(AREA_DAY_STAT, "date", _UNIT_COMMUNE),
    _Table(TYPE_MONTH_STAT, "month", _TYPE),
    _Table(TYPE_DAY_STAT, "date", _TYPE),
)
# How many weekend activities.
WEEKEND_TABLES = (
    _Table(WEEKEND_STAT, "date", _UNIT_COMMUNE),
    _Table(WEEKEND_MONTH_STAT, "month", _UNIT_COMMUNE),
)
# How many activities reached a village: by type, and across types in one row per year
# (a column per month) or per month (a column per day).
VILLAGE_TABLES = (
    _Table(VILLAGE_STAT, "month", (*_UNIT_COMMUNE, "activity_type_id")),
    _Table(VILLAGE_DAY_STAT, "date", (*_UNIT_COMMUNE, "activity_type_id")),
    _Table(VILLAGE_YEAR_STAT, "year", _UNIT_COMMUNE, parts=("m", 12)),
    _Table(VILLAGE_MONTH_DAYS_STAT, "month", _UNIT_COMMUNE, parts=("d", 31)),
)
TABLES = tuple(t.name for t in (*SUMS_TABLES, *VILLAGE_TABLES, *WEEKEND_TABLES))
# The same tables as model labels ("activities.activitymonthstat"), for whatever copies data
# and must leave them out (backup_data): rebuild() recreates them from the activities.
SUMMARY_MODELS = tuple(table.replace("_", ".", 1) for table in TABLES)

# The sums tables' figure columns: the activities counted, then one per figure
# (activities/figures.py).
_SUMS = ["activities", *SUMMED]


# The summary tables that exist: a database migrated to an earlier state (a migration
# test, a rollback) has only some; the triggers and the rebuild write those.
Present = frozenset[str]


def present_tables(conn=connection) -> Present:
    return frozenset(conn.introspection.table_names()) & frozenset(TABLES)


def _kept(tables: tuple[_Table, ...], present: Present) -> list[_Table]:
    return [t for t in tables if t.name in present]


def _month(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _part_of(vendor: str, column: str, what: str) -> str:
    """The year, the month of the year or the day of the month of a date, as an integer."""
    if vendor == "postgresql":
        return f"CAST(EXTRACT({what.upper()} FROM {column}) AS INTEGER)"
    pattern = {"year": "%Y", "month": "%m", "day": "%d"}[what]
    return f"CAST(strftime('{pattern}', {column}) AS INTEGER)"


def _period(vendor: str, table: _Table, day: str) -> str:
    """The value of the table's period column for an activity's `day`."""
    if table.period == "month":
        return _month(vendor, day)
    if table.period == "year":
        return _part_of(vendor, day, "year")
    return day


def _weekend(vendor: str, column: str) -> str:
    return weekend_sql(vendor=vendor, column=column)


def _whole(expression: str, factor: int) -> str:
    return f"CAST(ROUND(COALESCE({expression}, 0) * {factor}) AS BIGINT)"


def _stored(figure: Figure, row: str) -> str:
    """What a figure's summary column adds for one activity `row` (NEW, OLD, a): the value
    itself, or a decimal as a whole number of tenths or hundredths."""
    value = f"{row}.{figure.field}"
    return _whole(value, figure.scale) if figure.scale != 1 else value


def _add_up(table: str, columns: list[str]) -> str:
    return ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)


def _counted(vendor: str, table: _Table, day: str, count: str) -> tuple[list[str], list[str]]:
    """A village table's count columns, and what one activity on `day` adds to each:
    `count` to the total and to its own month's (or day's) column."""
    if table.parts is None:
        return ["activities"], [count]
    prefix, number = table.parts
    part = _part_of(vendor, day, "month" if prefix == "m" else "day")
    columns = [part_column(prefix, n) for n in range(1, number + 1)]
    values = [f"CASE WHEN {part} = {n} THEN {count} ELSE 0 END" for n in range(1, number + 1)]
    return ["activities", *columns], [count, *values]


def _activity_statements(
    vendor: str, row: str, sign: int, *, villages: bool, present: Present
) -> list[str]:
    """Add (sign 1) or take away (sign -1) one activity row (NEW or OLD) from the tables."""
    s = "" if sign > 0 else "-"
    values = ", ".join(f"{s}{_stored(figure, row)}" for figure in FIGURES)
    day = f"{row}.date"
    statements = [
        f"INSERT INTO {t.name} ({t.key()}, {', '.join(_SUMS)}) "
        f"SELECT {_period(vendor, t, day)}, {', '.join(f'{row}.{k}' for k in t.keys)}, "
        f"{s}1, {values} WHERE 1 = 1 "
        f"ON CONFLICT ({t.key()}) DO UPDATE SET {_add_up(t.name, _SUMS)}"
        for t in _kept(SUMS_TABLES, present)
    ]
    statements.extend(
        f"INSERT INTO {t.name} ({t.key()}, activities) "
        f"SELECT {_period(vendor, t, day)}, {', '.join(f'{row}.{k}' for k in t.keys)}, {s}1 "
        f"WHERE {_weekend(vendor, day)} "
        f"ON CONFLICT ({t.key()}) DO UPDATE SET {_add_up(t.name, ['activities'])}"
        for t in _kept(WEEKEND_TABLES, present)
    )
    if villages:
        statements.extend(
            _village_statement(vendor, t, activity=row, link="link", sign=sign)
            + f" FROM {LINK} link WHERE link.activity_id = {row}.id"
            + _on_village_conflict(vendor, t)
            for t in _kept(VILLAGE_TABLES, present)
        )
    return statements


def _village_statement(vendor: str, table: _Table, *, activity: str, link: str, sign: int) -> str:
    """INSERT ... SELECT of one village link's count, without its FROM."""
    s = "" if sign > 0 else "-"
    columns, values = _counted(vendor, table, f"{activity}.date", f"{s}1")
    keys = ", ".join(f"{activity}.{k}" for k in table.keys)
    return (
        f"INSERT INTO {table.name} ({table.key(village=True)}, {', '.join(columns)}) "
        f"SELECT {_period(vendor, table, f'{activity}.date')}, {keys}, {link}.village_id, "
        f"{', '.join(values)}"
    )


def _on_village_conflict(vendor: str, table: _Table) -> str:
    columns, _ = _counted(vendor, table, "date", "1")
    return f" ON CONFLICT ({table.key(village=True)}) DO UPDATE SET {_add_up(table.name, columns)}"


def _link_statements(vendor: str, row: str, sign: int, present: Present) -> list[str]:
    """Count (or uncount) one village link of an activity."""
    return [
        _village_statement(vendor, t, activity="a", link=row, sign=sign)
        + f" FROM {ACTIVITY} a WHERE a.id = {row}.activity_id"
        + _on_village_conflict(vendor, t)
        for t in _kept(VILLAGE_TABLES, present)
    ]


def _sqlite_triggers(present: Present) -> list[str]:
    def trigger(name: str, event: str, table: str, statements: list[str]) -> str:
        body = ";\n  ".join(statements)
        return f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN\n  {body};\nEND"

    v = "sqlite"
    return [
        trigger(
            "activity_stats_insert",
            "INSERT",
            ACTIVITY,
            _activity_statements(v, "NEW", 1, villages=False, present=present),
        ),
        trigger(
            "activity_stats_delete",
            "DELETE",
            ACTIVITY,
            _activity_statements(v, "OLD", -1, villages=True, present=present),
        ),
        trigger(
            "activity_stats_update",
            "UPDATE",
            ACTIVITY,
            _activity_statements(v, "OLD", -1, villages=True, present=present)
            + _activity_statements(v, "NEW", 1, villages=True, present=present),
        ),
        trigger("link_stats_insert", "INSERT", LINK, _link_statements(v, "NEW", 1, present)),
        trigger("link_stats_delete", "DELETE", LINK, _link_statements(v, "OLD", -1, present)),
        trigger(
            "link_stats_update",
            "UPDATE",
            LINK,
            _link_statements(v, "OLD", -1, present) + _link_statements(v, "NEW", 1, present),
        ),
    ]


# The names _sqlite_triggers() gives: <table>_stats_<event>.
SQLITE_TRIGGER_NAMES = [
    f"{table}_stats_{event}"
    for table in ("activity", "link")
    for event in ("insert", "delete", "update")
]


# A bulk load in this transaction asked for the triggers to stand aside (see suspended()).
_SKIP_WHEN_SUSPENDED = (
    "IF current_setting('lamb_binh.stats_suspended', true) = 'on' THEN RETURN NULL; END IF;"
)


def _postgresql_triggers(present: Present) -> list[str]:
    v = "postgresql"

    def body(statements: list[str]) -> str:
        return ";\n    ".join(statements) + ";"

    activity_function = f"""
CREATE OR REPLACE FUNCTION activity_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_SKIP_WHEN_SUSPENDED}
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {body(_activity_statements(v, "OLD", -1, villages=True, present=present))}
  END IF;
  IF TG_OP = 'UPDATE' THEN
    {body(_activity_statements(v, "NEW", 1, villages=True, present=present))}
  ELSIF TG_OP = 'INSERT' THEN
    {body(_activity_statements(v, "NEW", 1, villages=False, present=present))}
  END IF;
  RETURN NULL;
END $$"""
    link_function = f"""
CREATE OR REPLACE FUNCTION link_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_SKIP_WHEN_SUSPENDED}
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {body(_link_statements(v, "OLD", -1, present))}
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    {body(_link_statements(v, "NEW", 1, present))}
  END IF;
  RETURN NULL;
END $$"""
    return [
        activity_function,
        link_function,
        f"DROP TRIGGER IF EXISTS activity_stats ON {ACTIVITY}",
        f"CREATE TRIGGER activity_stats AFTER INSERT OR UPDATE OR DELETE ON {ACTIVITY} "
        "FOR EACH ROW EXECUTE FUNCTION activity_stats()",
        f"DROP TRIGGER IF EXISTS link_stats ON {LINK}",
        f"CREATE TRIGGER link_stats AFTER INSERT OR UPDATE OR DELETE ON {LINK} "
        "FOR EACH ROW EXECUTE FUNCTION link_stats()",
    ]


def install_triggers(conn=connection) -> None:
    present = present_tables(conn)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            for statement in _postgresql_triggers(present):
                cursor.execute(statement)
        else:
            drop_triggers(conn)
            for statement in _sqlite_triggers(present):
                cursor.execute(statement)


def triggers_installed(conn=connection) -> bool:
    """Whether every trigger that keeps the tables is in the database."""
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname IN "
                "('activity_stats', 'link_stats')"
            )
            expected = 2
        else:
            names = ", ".join(f"'{name}'" for name in SQLITE_TRIGGER_NAMES)
            cursor.execute(
                f"SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})"
            )
            expected = len(SQLITE_TRIGGER_NAMES)
        return cursor.fetchone()[0] == expected


def drop_triggers(conn=connection) -> None:
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS activity_stats ON {ACTIVITY}")
            cursor.execute(f"DROP TRIGGER IF EXISTS link_stats ON {LINK}")
            cursor.execute("DROP FUNCTION IF EXISTS activity_stats()")
            cursor.execute("DROP FUNCTION IF EXISTS link_stats()")
        else:
            for name in SQLITE_TRIGGER_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild(conn=connection) -> None:
    """Recompute the tables from the activities (exact; used after bulk loads)."""
    v = conn.vendor
    present = present_tables(conn)
    sums = ", ".join(f"SUM({_stored(figure, 'a')})" for figure in FIGURES)
    with conn.cursor() as cursor:
        for table in sorted(present):
            cursor.execute(f"DELETE FROM {table}")
        for t in _kept(SUMS_TABLES, present):
            group = ", ".join([_period(v, t, "a.date"), *(f"a.{k}" for k in t.keys)])
            cursor.execute(
                f"INSERT INTO {t.name} ({t.key()}, {', '.join(_SUMS)}) "
                f"SELECT {group}, COUNT(*), {sums} FROM {ACTIVITY} a GROUP BY {group} "
                # In period order, as the triggers write them day by day: a few days' rows
                # then sit together on disk.
                f"ORDER BY {_period(v, t, 'a.date')}"
            )
        for t in _kept(VILLAGE_TABLES, present):
            group = ", ".join([_period(v, t, "a.date"), *(f"a.{k}" for k in t.keys)])
            columns, values = _counted(v, t, "a.date", "1")
            cursor.execute(
                f"INSERT INTO {t.name} ({t.key(village=True)}, {', '.join(columns)}) "
                f"SELECT {group}, link.village_id, {', '.join(f'SUM({x})' for x in values)} "
                f"FROM {ACTIVITY} a JOIN {LINK} link ON link.activity_id = a.id "
                f"GROUP BY {group}, link.village_id ORDER BY {_period(v, t, 'a.date')}"
            )
        for t in _kept(WEEKEND_TABLES, present):
            group = ", ".join([_period(v, t, "a.date"), *(f"a.{k}" for k in t.keys)])
            cursor.execute(
                f"INSERT INTO {t.name} ({t.key()}, activities) "
                f"SELECT {group}, COUNT(*) FROM {ACTIVITY} a "
                f"WHERE {_weekend(v, 'a.date')} GROUP BY {group} "
                f"ORDER BY {_period(v, t, 'a.date')}"
            )
        if v == "postgresql":
            # Every row changed: fresh statistics now, not when autovacuum comes round, so
            # that the planner reads the tables for what they are (small, indexed by period).
            for table in sorted(present):
                cursor.execute(f"ANALYZE {table}")


@contextmanager
def suspended():
    """Bulk-load activities without per-row triggers; rebuild the tables exactly at the end.

    On PostgreSQL a transaction-local setting tells this session's triggers to stand aside
    (other sessions keep theirs); SQLite, with one writer at a time, drops and restores them.
    """
    with transaction.atomic():
        _set_suspended(True)
        try:
            yield
        finally:
            _set_suspended(False)
        rebuild()


def _set_suspended(on: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lamb_binh.stats_suspended', %s, true)", ["on" if on else "off"]
            )
    elif on:
        drop_triggers()
    else:
        install_triggers()

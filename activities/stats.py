"""Summary tables kept exact by database triggers, for reports that stay fast at scale.

Five tables (models in activities/models.py) hold, per month and again per day, unit,
commune and type, the sums of activities; per month and again per day, unit, commune, type
and village, how many activities reached the village; and per weekend day, unit and commune,
how many activities took place. Reports read whole months from the monthly tables and the
days at the edges of a period from the daily ones. Row
triggers on activities_activity and activities_activityvillage add and subtract each change,
so the tables are exact after every write, whichever path it takes. The same statements are
written for SQLite and PostgreSQL; the only differences are the month and weekday functions.

Bulk loads wrap their inserts in `suspended()`: triggers off, then one exact rebuild.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction

from activities.figures import FIGURES, SUMMED, Figure
from activities.periods import weekend_sql

MONTH_STAT = "activities_activitymonthstat"
VILLAGE_STAT = "activities_villagemonthstat"
DAY_STAT = "activities_activitydaystat"
VILLAGE_DAY_STAT = "activities_villagedaystat"
WEEKEND_STAT = "activities_weekenddaystat"
TABLES = (MONTH_STAT, VILLAGE_STAT, DAY_STAT, VILLAGE_DAY_STAT, WEEKEND_STAT)
# The same tables as model labels ("activities.activitymonthstat"), for whatever copies data
# and must leave them out (backup_data): rebuild() recreates them from the activities.
SUMMARY_MODELS = tuple(table.replace("_", ".", 1) for table in TABLES)
ACTIVITY = "activities_activity"
LINK = "activities_activityvillage"

_MONTH_KEY = "month, unit_id, commune_id, activity_type_id, output_unit"
_VILLAGE_KEY = "month, unit_id, commune_id, activity_type_id, village_id"
_DAY_KEY = "date, unit_id, commune_id, activity_type_id, output_unit"
_VILLAGE_DAY_KEY = "date, unit_id, commune_id, activity_type_id, village_id"
_WEEKEND_KEY = "date, unit_id, commune_id"
# The sums tables' columns: the activities counted, then one per figure (activities/figures.py).
_SUMS = ["activities", *SUMMED]


def _month(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


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


def _sums_tables(vendor: str, day: str) -> list[tuple[str, str, str]]:
    """(table, key columns, period value) of the sums tables, for an activity's `day`."""
    return [(MONTH_STAT, _MONTH_KEY, _month(vendor, day)), (DAY_STAT, _DAY_KEY, day)]


def _village_tables(vendor: str, day: str) -> list[tuple[str, str, str]]:
    return [
        (VILLAGE_STAT, _VILLAGE_KEY, _month(vendor, day)),
        (VILLAGE_DAY_STAT, _VILLAGE_DAY_KEY, day),
    ]


def _activity_statements(vendor: str, row: str, sign: int, *, villages: bool) -> list[str]:
    """Add (sign 1) or take away (sign -1) one activity row (NEW or OLD) from the tables."""
    s = "" if sign > 0 else "-"
    values = ", ".join(f"{s}{_stored(figure, row)}" for figure in FIGURES)
    statements = [
        f"INSERT INTO {table} ({key}, {', '.join(_SUMS)}) "
        f"SELECT {period}, {row}.unit_id, {row}.commune_id, "
        f"{row}.activity_type_id, {row}.output_unit, {s}1, {values} WHERE 1 = 1 "
        f"ON CONFLICT ({key}) DO UPDATE SET {_add_up(table, _SUMS)}"
        for table, key, period in _sums_tables(vendor, f"{row}.date")
    ]
    statements.append(
        f"INSERT INTO {WEEKEND_STAT} ({_WEEKEND_KEY}, activities) "
        f"SELECT {row}.date, {row}.unit_id, {row}.commune_id, {s}1 "
        f"WHERE {_weekend(vendor, f'{row}.date')} "
        f"ON CONFLICT ({_WEEKEND_KEY}) DO UPDATE SET {_add_up(WEEKEND_STAT, ['activities'])}"
    )
    if villages:
        statements.extend(
            f"INSERT INTO {table} ({key}, activities) "
            f"SELECT {period}, {row}.unit_id, {row}.commune_id, "
            f"{row}.activity_type_id, link.village_id, {s}1 FROM {LINK} link "
            f"WHERE link.activity_id = {row}.id "
            f"ON CONFLICT ({key}) DO UPDATE SET {_add_up(table, ['activities'])}"
            for table, key, period in _village_tables(vendor, f"{row}.date")
        )
    return statements


def _link_statements(vendor: str, row: str, sign: int) -> list[str]:
    """Count (or uncount) one village link of an activity."""
    s = "" if sign > 0 else "-"
    return [
        f"INSERT INTO {table} ({key}, activities) "
        f"SELECT {period}, a.unit_id, a.commune_id, a.activity_type_id, "
        f"{row}.village_id, {s}1 FROM {ACTIVITY} a WHERE a.id = {row}.activity_id "
        f"ON CONFLICT ({key}) DO UPDATE SET {_add_up(table, ['activities'])}"
        for table, key, period in _village_tables(vendor, "a.date")
    ]


def _sqlite_triggers() -> list[str]:
    def trigger(name: str, event: str, table: str, statements: list[str]) -> str:
        body = ";\n  ".join(statements)
        return f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN\n  {body};\nEND"

    v = "sqlite"
    return [
        trigger(
            "activity_stats_insert",
            "INSERT",
            ACTIVITY,
            _activity_statements(v, "NEW", 1, villages=False),
        ),
        trigger(
            "activity_stats_delete",
            "DELETE",
            ACTIVITY,
            _activity_statements(v, "OLD", -1, villages=True),
        ),
        trigger(
            "activity_stats_update",
            "UPDATE",
            ACTIVITY,
            _activity_statements(v, "OLD", -1, villages=True)
            + _activity_statements(v, "NEW", 1, villages=True),
        ),
        trigger("link_stats_insert", "INSERT", LINK, _link_statements(v, "NEW", 1)),
        trigger("link_stats_delete", "DELETE", LINK, _link_statements(v, "OLD", -1)),
        trigger(
            "link_stats_update",
            "UPDATE",
            LINK,
            _link_statements(v, "OLD", -1) + _link_statements(v, "NEW", 1),
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


def _postgresql_triggers() -> list[str]:
    v = "postgresql"

    def body(statements: list[str]) -> str:
        return ";\n    ".join(statements) + ";"

    activity_function = f"""
CREATE OR REPLACE FUNCTION activity_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_SKIP_WHEN_SUSPENDED}
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {body(_activity_statements(v, "OLD", -1, villages=True))}
  END IF;
  IF TG_OP = 'UPDATE' THEN
    {body(_activity_statements(v, "NEW", 1, villages=True))}
  ELSIF TG_OP = 'INSERT' THEN
    {body(_activity_statements(v, "NEW", 1, villages=False))}
  END IF;
  RETURN NULL;
END $$"""
    link_function = f"""
CREATE OR REPLACE FUNCTION link_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_SKIP_WHEN_SUSPENDED}
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {body(_link_statements(v, "OLD", -1))}
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    {body(_link_statements(v, "NEW", 1))}
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
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            for statement in _postgresql_triggers():
                cursor.execute(statement)
        else:
            drop_triggers(conn)
            for statement in _sqlite_triggers():
                cursor.execute(statement)


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
    with conn.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table}")
        sums = ", ".join(f"SUM({_stored(figure, 'a')})" for figure in FIGURES)
        for table, key, period in _sums_tables(v, "a.date"):
            cursor.execute(
                f"INSERT INTO {table} ({key}, {', '.join(_SUMS)}) "
                f"SELECT {period}, a.unit_id, a.commune_id, a.activity_type_id, a.output_unit, "
                f"COUNT(*), {sums} "
                f"FROM {ACTIVITY} a GROUP BY {period}, a.unit_id, a.commune_id, "
                "a.activity_type_id, a.output_unit "
                # In period order, as the triggers write them day by day: a few days' rows
                # then sit together on disk.
                f"ORDER BY {period}"
            )
        for table, key, period in _village_tables(v, "a.date"):
            cursor.execute(
                f"INSERT INTO {table} ({key}, activities) "
                f"SELECT {period}, a.unit_id, a.commune_id, a.activity_type_id, "
                f"link.village_id, COUNT(*) FROM {ACTIVITY} a "
                f"JOIN {LINK} link ON link.activity_id = a.id "
                f"GROUP BY {period}, a.unit_id, a.commune_id, a.activity_type_id, link.village_id "
                f"ORDER BY {period}"
            )
        cursor.execute(
            f"INSERT INTO {WEEKEND_STAT} ({_WEEKEND_KEY}, activities) "
            f"SELECT a.date, a.unit_id, a.commune_id, COUNT(*) FROM {ACTIVITY} a "
            f"WHERE {_weekend(v, 'a.date')} GROUP BY a.date, a.unit_id, a.commune_id "
            "ORDER BY a.date"
        )
        if v == "postgresql":
            # Every row changed: fresh statistics now, not when autovacuum comes round, so
            # that the planner reads the tables for what they are (small, indexed by period).
            for table in TABLES:
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

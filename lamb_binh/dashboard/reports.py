"""Aggregations for the dashboard, the printed report and the exports (selectors).

Every figure is summed in SQL from the summary tables kept by activities/stats.py: whole
months from the monthly tables, the days of a period outside whole months from the daily
ones; the two partial results are added together. An activity with several villages
counts once in every total; villages reached are counted distinct; lượt are never
de-duplicated.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.db import connections, models
from django.db.models import (
    BigIntegerField,
    BooleanField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth

from activities.access import Reach, province_reach
from activities.figures import FIGURES, MONEY, SUMMED, WORK
from activities.filters import DEFAULT_KIND, PeriodForm, ReportFilter
from activities.models import (
    Activity,
    ActivityDayStat,
    ActivityMonthStat,
    ActivityType,
    AreaDayStat,
    AreaMonthStat,
    Assignment,
    Commune,
    MonthReport,
    PartyUnit,
    TypeDayStat,
    TypeMonthStat,
    VillageDayStat,
    VillageMonthDaysStat,
    VillageMonthStat,
    VillageYearStat,
    WeekendDayStat,
    WeekendMonthStat,
    commune_kinds_text,
    part_column,
)
from activities.periods import Period, month_end

# The sums of a summary table (monthly or daily): the activities, each figure's column. As
# bigints: PostgreSQL sums a bigint column to a numeric, which takes its driver ten times as
# long to read (a province's tables read tens of thousands).
STAT_SUMS = {column: Cast(Sum(column), BigIntegerField()) for column in ("activities", *SUMMED)}


class Totals:
    """The activities counted, each figure's total by its name (totals.cadres,
    totals.workdays: activities.figures) and, where a table shows them, the villages
    reached (set by the caller)."""

    def __init__(self) -> None:
        self.activities = 0
        self.villages = 0
        self.figures: dict[str, int | Decimal] = dict(_ZEROS)

    def __getattr__(self, name: str) -> int | Decimal:
        # Asked only for what is not an attribute: a figure's total.
        figures = self.__dict__.get("figures", {})
        if name in figures:
            return figures[name]
        raise AttributeError(name)

    def value(self, name: str) -> int | Decimal:
        """A column's number by its name (TotalColumn.name), without getattr's detour through
        __getattr__: a province's tables read tens of thousands."""
        figures = self.figures
        return figures[name] if name in figures else self.__dict__[name]

    def add(self, other: Totals) -> None:
        self.activities += other.activities
        for name, value in other.figures.items():
            self.figures[name] += value

    def add_sums(self, activities: int | None, sums) -> None:
        """A summary table's sums (STAT_SUMS): the activities, then each figure's column
        (SUMMED)."""
        self.activities += activities or 0
        figures = self.figures
        for f, stored in zip(FIGURES, sums, strict=True):
            if stored:  # a sum of nothing is None; most rows have no money, a zero
                figures[f.name] += f.from_column(stored)


# Every figure at zero (ints and Decimals, never changed in place): a new Totals' copy.
_ZEROS: dict[str, int | Decimal] = {f.name: f.zero() for f in FIGURES}


@dataclass(frozen=True)
class TotalColumn:
    """A column of a report table after the row's label: its header, the Totals attribute
    it shows and that number's format in Excel."""

    header: str
    name: str
    excel_format: str = "#,##0"


def total_columns(*, villages: bool) -> list[TotalColumn]:
    """The activities, the work done, the villages reached (where the table shows them),
    then the money: the page's tables, the print view and the exports alike."""

    def of(figures) -> list[TotalColumn]:
        return [TotalColumn(f.label, f.name, f.excel_format) for f in figures]

    reached = [TotalColumn("Thôn đã đến", "villages")] if villages else []
    return [TotalColumn("Hoạt động", "activities"), *of(WORK), *reached, *of(MONEY)]


@dataclass
class Row:
    """One line of a report table: what it is about, and its totals."""

    key: object
    label: str
    totals: Totals = field(default_factory=Totals)
    extra: dict = field(default_factory=dict)


@dataclass
class Headline:
    totals: Totals
    villages_reached: int
    communes_reached: int
    communes_total: int
    units_active: int
    last_activity: datetime.date | None


@dataclass(frozen=True)
class RuleCell:
    state: str  # met, missed, not_reported, not_assigned

    LABELS = {
        "met": "Đạt",
        "missed": "Không thực hiện",
        "not_reported": "Chưa báo cáo",
        "not_assigned": "Không phân công",
    }
    SHORT = {"met": "Đ", "missed": "K", "not_reported": "C", "not_assigned": "–"}

    @property
    def label(self) -> str:
        return self.LABELS[self.state]

    @property
    def short(self) -> str:
        return self.SHORT[self.state]


# One cell per state, shared by every row (a province's matrix has thousands of cells).
RULE_CELLS = {state: RuleCell(state) for state in RuleCell.LABELS}


@dataclass
class RuleMatrix:
    months: list[datetime.date]
    rows: list[tuple[Unit, list[RuleCell]]]
    focus_month: datetime.date | None
    missed: list[Unit]
    not_reported: list[Unit]
    # The period's months before those shown (the page shows the last RULE_MONTHS_SHOWN;
    # the export, every month).
    earlier_months: int = 0

    # Above this many rows the page folds each organisation's group (a province has hundreds).
    FOLD_ABOVE = 30

    @property
    def groups(self) -> list[RuleGroup]:
        """The rows by the organisation above each unit (Đảng ủy xã Bình An, Đảng bộ Ủy ban
        nhân dân tỉnh, Huyện ủy Lâm Bình), in its name's order; units at the top of the
        tree together under "Tổ chức trực thuộc Tỉnh ủy"."""
        focus = self.months.index(self.focus_month) if self.focus_month in self.months else -1
        grouped: dict[str, list] = {}
        for unit, cells in self.rows:
            grouped.setdefault(unit.group, []).append((unit, cells))
        return [
            RuleGroup(
                label=label,
                rows=rows,
                missed=sum(1 for _, cells in rows if focus >= 0 and cells[focus].state == "missed"),
                not_reported=sum(
                    1 for _, cells in rows if focus >= 0 and cells[focus].state == "not_reported"
                ),
            )
            for label, rows in sorted(grouped.items())
        ]

    @property
    def folded(self) -> bool:
        return len(self.rows) > self.FOLD_ABOVE


TOP_GROUP = "Tổ chức trực thuộc Tỉnh ủy"


class Unit(NamedTuple):
    """An organisation as the unit table, the rule and their exports read it: a province
    lists hundreds, read as values rather than as model instances."""

    pk: int
    name: str
    short_name: str
    is_active: bool
    group: str  # the heading it is listed under: the organisation above it


class CommuneRow(NamedTuple):
    """A commune as the commune table reads it: a province lists 454, read as values."""

    pk: int
    kind: str
    name: str
    district: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None


@dataclass
class RuleGroup:
    label: str
    rows: list[tuple[Unit, list[RuleCell]]]
    missed: int  # in the focus month
    not_reported: int


class Scope:
    """A period and filters, parsed from the URL; every selector below takes one."""

    def __init__(self, data, *, today: datetime.date, reach: Reach | None = None):
        self.today = today
        # What the reader's organisation reaches (activities.access.reach_of): every figure,
        # row and choice below stays inside it. Without one, the whole province.
        self.reach = reach or province_reach()
        if not data.get("ky"):
            data = data.copy()
            data["ky"] = DEFAULT_KIND
        self.period_form = PeriodForm(data, today=today)
        self.filterset = ReportFilter(data, queryset=Activity.objects.none())
        # The filters offer only what is in reach: an id typed by hand for a commune or a
        # unit outside it is refused like any unknown one.
        self.filterset.filters["xa"].queryset = Commune.objects.filter(
            self.reach.commune_q()
        ).order_by("valid_from", "name")
        self.filterset.filters["don_vi"].queryset = self.reach_units().order_by("name")
        self.filterset.is_valid()  # invalid filters are reported and ignored
        self.period: Period = self.period_form.period()
        self.period_form.show(self.period)
        self.merged = data.get("gop_xa") in ("1", "on", "true")

    @property
    def errors(self) -> list[str]:
        messages: list[str] = []
        for form in (self.period_form, self.filterset.form):
            if form.is_bound and not form.is_valid():
                for errors in form.errors.values():
                    messages.extend(str(error) for error in errors)
        return messages

    @cached_property
    def commune_kinds(self) -> str:
        """What the report's communes are, as their kinds name them ("xã, phường")."""
        return commune_kinds_text(row.kind for row in self.communes)

    @property
    def filters_text(self) -> str:
        """The filters applied, in words, for titles of exports and prints."""
        data = self.filterset.form.cleaned_data
        parts = [
            f"{label}: {data[name]}"
            for name, label in (("xa", "Xã"), ("don_vi", "Đơn vị"), ("loai", "Loại hoạt động"))
            if data.get(name)
        ]
        if self.merged:
            parts.append("gộp xã cũ vào xã mới")
        if self.reach.whole and parts:
            return "; ".join(parts)
        return "; ".join([self.reach.label, *parts])

    def reach_units(self) -> QuerySet[PartyUnit]:
        """The organisations in reach, and those that worked in its communes."""
        if self.reach.whole:
            return PartyUnit.objects.all()
        worked_there = Assignment.objects.filter(commune__in=self.reach.communes or ())
        return PartyUnit.objects.filter(self.reach.unit_q() | Q(pk__in=worked_there.values("unit")))

    @cached_property
    def units(self) -> list[Unit]:
        """The organisations in reach that were in charge of a commune of the area during the
        period or worked in it (only the one chosen, if one is), by name, with the
        organisation above each: the unit table and the rule list them. A commune's page
        lists the organisations paired with it, not the province's 600."""
        units = self.reach_units().order_by("name")
        chosen = self.filterset.form.cleaned_data.get("don_vi")
        if chosen:
            units = units.filter(pk=chosen.pk)
        # Those in charge, and those that worked there without being in charge (an admin's
        # entry, an assignment deleted since): told apart here, not by a list of hundreds
        # of ids in the query.
        worked = self.sums_by("unit")
        rows = units.annotate(
            in_charge=ExpressionWrapper(
                Q(pk=chosen.pk) if chosen else self._in_charge(), BooleanField()
            )
        ).values_list("pk", "name", "short_name", "is_active", "parent__name", "in_charge")
        return [
            Unit(pk, name, short_name, is_active, parent or TOP_GROUP)
            for pk, name, short_name, is_active, parent, in_charge in rows
            if in_charge or pk in worked
        ]

    def in_charge_between(
        self, start: datetime.date, end: datetime.date
    ) -> tuple[QuerySet[Assignment], QuerySet[PartyUnit]]:
        """Who is in charge of a commune of the area on a day of [start, end]: the
        assignments, and the organisations working in their own commune."""
        assigned = self.filtered(Assignment.objects.overlapping(start, end), types=False)
        own = PartyUnit.objects.in_own_commune_during(start, end).filter(
            commune__in=self.area_communes()
        )
        return assigned, own

    def _in_charge(self) -> Q:
        """The organisations in charge of a commune of the area on a day of the period."""
        assigned, own = self.in_charge_between(self.period.start, self.period.end)
        return Q(pk__in=assigned.values("unit")) | Q(pk__in=own.values("pk"))

    def area_communes(self) -> QuerySet[Commune]:
        """The communes of the reach (all for the province or an organisation's own work)
        and of the commune filter (the commune and those merged into it)."""
        communes = Commune.objects.filter(self.reach.commune_q() if self.reach.communes else Q())
        chosen = self.filterset.form.cleaned_data.get("xa")
        if chosen:
            communes = communes.filter(Q(pk=chosen.pk) | Q(successor=chosen))
        return communes

    def filtered(self, queryset: QuerySet, *, types: bool = True) -> QuerySet:
        """`queryset` (activities, summary rows, assignments: anything with a unit and a
        commune) inside the reach and the filters chosen."""
        queryset = queryset.filter(self.reach.q())
        data = self.filterset.form.cleaned_data
        for name in ("xa", "don_vi") + (("loai",) if types else ()):
            if data.get(name):
                queryset = self.filterset.filters[name].filter(queryset, data[name])
        return queryset

    @cached_property
    def typed(self) -> bool:
        """A type is chosen: figures come from the tables keyed by type."""
        return bool(self.filterset.form.cleaned_data.get("loai"))

    @cached_property
    def everywhere(self) -> bool:
        """The whole province, no commune and no unit chosen: figures by type need neither."""
        data = self.filterset.form.cleaned_data
        return self.reach.whole and not data.get("xa") and not data.get("don_vi")

    def _edge_condition(self) -> Q | None:
        """The days outside whole months (None if there are none)."""
        edges = self.period.edges()
        if not edges:
            return None
        condition = Q()
        for start, end in edges:
            condition |= Q(date__range=(start, end))
        return condition

    def sums_by(self, by: str) -> dict:
        """Totals per commune, unit, month or (type, unit of measure), summed in SQL: whole
        months from a monthly table, edge days from the daily one, in one UNION. The
        narrowest tables that hold the key and the filters (activities/stats.py); communes
        and units from the same sums by (commune, unit)."""
        cache = vars(self).setdefault("_sums", {})
        if by not in cache:
            if by in ("commune", "unit"):
                # Both from one query by (commune, unit): the pairs a province's units work
                # in are a few hundred, and the table is read once.
                communes: defaultdict = defaultdict(Totals)
                units: defaultdict = defaultdict(Totals)
                for (commune, unit), totals in self._sums_by("pair").items():
                    communes[commune].add(totals)
                    units[unit].add(totals)
                cache["commune"], cache["unit"] = dict(communes), dict(units)
            else:
                cache[by] = self._sums_by(by)
        return cache[by]

    def _sums_by(self, by: str) -> dict:
        months: type[models.Model]
        days: type[models.Model]
        if by in ("type", "month") and self.everywhere:
            # The whole province: the tables by type are a hundred times smaller than those
            # by commune and unit.
            months, days = TypeMonthStat, TypeDayStat
        elif by == "type" or self.typed:
            months, days = ActivityMonthStat, ActivityDayStat
        else:
            months, days = AreaMonthStat, AreaDayStat

        def keys(period: str) -> dict:
            if by == "type":
                return {"k": F("activity_type_id"), "o": F("output_unit")}
            if by == "month":
                return {"k": F("month") if period == "month" else TruncMonth("date")}
            return {"k": self.commune_key(), "u": F("unit_id")}

        full, edges = self.period.full_months(), self._edge_condition()
        parts = []
        if full is not None:
            parts.append((self.filtered(months.objects.filter(month__range=full)), "month"))
        if edges is not None:
            parts.append((self.filtered(days.objects.filter(edges)), "date"))
        queries = [
            rows.values(**keys(period)).annotate(**STAT_SUMS).order_by() for rows, period in parts
        ]
        if not queries:
            return {}
        # Fetched at once rather than through the ORM's converters, cell by cell: a
        # province's commune and unit sums are thousands of rows of ten numbers.
        names, rows = _fetch_all(queries[0].union(*queries[1:], all=True))
        # The key (a month, or two parts: type and unit of measure, commune and unit), then
        # the sums in STAT_SUMS's order.
        at = names.index("activities")
        result: defaultdict = defaultdict(Totals)
        for row in rows:
            key = _as_date(row[0]) if by == "month" else (row[0], row[1])
            result[key].add_sums(row[at], row[at + 1 :])
        return dict(result)

    @cached_property
    def _village_counts(self) -> dict[str, Counter]:
        """Villages reached per commune ("commune"), per unit ("unit") and in all ("all",
        under the key None), each village counted once: counted in SQL over the (commune,
        unit, village) reached in the period, one query. Those come from a row per year (a
        column per month) and, for the edge days, a row per month (a column per day); with a
        type chosen, from the tables by type."""
        commune = self.commune_key()
        if self.typed:
            sources = self._typed_village_sources()
        else:
            sources = [
                self.filtered(model.objects.filter(condition), types=False)
                for model, condition in (
                    (VillageYearStat, _months_reached(self.period.full_months())),
                    (VillageMonthDaysStat, _days_reached(self.period.edges())),
                )
                if condition is not None
            ]
        counts: dict[str, Counter] = {"commune": Counter(), "unit": Counter(), "all": Counter()}
        queries = [rows.values_list(commune, "unit_id", "village_id") for rows in sources]
        if not queries:
            return counts
        if self.typed:
            # A row per type and month or day: made distinct first.
            queries = [query.distinct() for query in queries]
        # A province's tens of thousands of rows stay in the database: what comes back is a
        # count per commune and per unit.
        _, rows = _fetch_all(queries[0].union(*queries[1:], all=True), around=_VILLAGE_COUNTS_SQL)
        for what, key, villages in rows:
            counts[what][key] = villages
        return counts

    def _typed_village_sources(self) -> list[QuerySet]:
        full, edges = self.period.full_months(), self._edge_condition()
        sources = []
        if full is not None:
            sources.append(
                self.filtered(VillageMonthStat.objects.filter(month__range=full, activities__gt=0))
            )
        if edges is not None:
            sources.append(self.filtered(VillageDayStat.objects.filter(edges, activities__gt=0)))
        return sources

    def villages_by(self, what: str) -> Counter:
        """How many villages each commune or unit reached, each village counted once."""
        return self._village_counts[what]

    @cached_property
    def villages_reached(self) -> int:
        """Villages reached, each once whichever commune it was in: Nà Cóoc visited before
        and after the 2025 merger is one village."""
        return self._village_counts["all"][None]

    def commune_key(self):
        return Coalesce("commune__successor_id", "commune_id") if self.merged else F("commune_id")

    @cached_property
    def types(self) -> list[ActivityType]:
        return list(ActivityType.objects.order_by("order", "name"))

    @cached_property
    def communes(self) -> list[CommuneRow]:
        """The rows of the per-commune table: the communes the programme covers in reach on
        any day of the period, or, merged, the communes they became (a commune never merged
        stands for itself). A commune is covered while an organisation is assigned to it or
        its own party committee is in the system; the headline's "x/y xã" counts these."""
        start, end = self.period.start, self.period.end
        assigned = Assignment.objects.overlapping(start, end)
        own = PartyUnit.objects.in_own_commune_during(start, end)
        if not self.reach.whole and not self.reach.communes:
            # An organisation's own work: the communes its units are in charge of.
            assigned = assigned.filter(unit__in=self.reach.units or ())
            own = own.filter(pk__in=self.reach.units or ())
        chosen_unit = self.filterset.form.cleaned_data.get("don_vi")
        if chosen_unit:
            # One organisation's report: the communes it is in charge of (the province's 124
            # would be rows of zeros), and, through commune_rows, any it worked in besides.
            assigned = assigned.filter(unit=chosen_unit)
            own = own.filter(pk=chosen_unit.pk)
        valid = Commune.objects.valid_during(start, end).filter(
            self.reach.commune_q() if self.reach.communes else Q(),
            Q(pk__in=assigned.values("commune")) | Q(pk__in=own.values("commune")),
        )
        chosen = self.filterset.form.cleaned_data.get("xa")
        if chosen:
            valid = valid.filter(Q(pk=chosen.pk) | Q(successor=chosen))
        if self.merged:
            groups = valid.values(group=Coalesce("successor_id", "id"))
            communes = Commune.objects.filter(pk__in=groups)
        else:
            communes = valid
        # Before the merger by former district, then commune; after it by commune.
        return _commune_rows_of(communes)


# The villages reached per commune, per unit and in all, from the (commune, unit, village)
# of the period (a UNION ALL of the ORM's); a village is counted once per key.
_VILLAGE_COUNTS_SQL = """
WITH reached (commune, unit, village) AS ({query}),
pairs AS (SELECT DISTINCT commune, village FROM reached)
SELECT 'commune', commune, COUNT(*) FROM pairs GROUP BY commune
UNION ALL
SELECT 'unit', unit, COUNT(*) FROM (SELECT DISTINCT unit, village FROM reached) u GROUP BY unit
UNION ALL
SELECT 'all', NULL, COUNT(*) FROM (SELECT DISTINCT village FROM pairs) v
"""


def _fetch_all(queryset: QuerySet, *, around: str = "{query}") -> tuple[list[str], list[tuple]]:
    """The column names and rows of a queryset's SQL, set in `around` where it reads
    "{query}": fetched at once, rather than through the ORM's converters cell by cell."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(around.format(query=sql), params)
        return [column[0] for column in cursor.description], cursor.fetchall()


# The communes' rows: the former ones first, by former district, then today's; what their
# labels read.
COMMUNE_ORDER = (F("valid_from").asc(nulls_first=True), "district", "name")


def _commune_rows_of(communes: QuerySet[Commune]) -> list[CommuneRow]:
    rows = communes.values_list(*CommuneRow._fields).order_by(*COMMUNE_ORDER)
    return [CommuneRow(*row) for row in rows]


def _as_date(value) -> datetime.date:
    """A month as a date: a database's cursor gives a date, a datetime (the first of a month
    truncated on some databases) or, SQLite's, text."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def _any_part(prefix: str, first: int, last: int) -> Q:
    """Some activity in one of the columns first..last (months m01–m12, days d01–d31)."""
    condition = Q()
    for number in range(first, last + 1):
        condition |= Q(**{f"{part_column(prefix, number)}__gt": 0})
    return condition


def _months_reached(full: tuple[datetime.date, datetime.date] | None) -> Q | None:
    """The rows of VillageYearStat with an activity in the whole months `full`: every year
    between its first and last whole, the months of the others."""
    if full is None:
        return None
    first, last = full
    condition = Q()
    whole = range(first.year + (first.month != 1), last.year - (last.month != 12) + 1)
    if whole:
        condition |= Q(year__range=(whole[0], whole[-1]), activities__gt=0)
    for year in {first.year, last.year} - set(whole):
        start = first.month if year == first.year else 1
        end = last.month if year == last.year else 12
        condition |= Q(year=year) & _any_part("m", start, end)
    return condition


def _days_reached(edges: list[tuple[datetime.date, datetime.date]]) -> Q | None:
    """The rows of VillageMonthDaysStat with an activity on the days of `edges`, month by
    month."""
    condition = Q()
    for start, end in edges:
        while start <= end:
            last = min(end, month_end(start))
            condition |= Q(month=start.replace(day=1)) & _any_part("d", start.day, last.day)
            start = last + datetime.timedelta(days=1)
    return condition if edges else None


def headline(scope: Scope) -> Headline:
    totals = Totals()
    # The months add up to the period.
    for month_totals in scope.sums_by("month").values():
        totals.add(month_totals)
    communes = commune_rows(scope)
    last = scope.filtered(Activity.objects.in_period(scope.period.start, scope.period.end))
    last_day = last.order_by("-date").values_list("date", flat=True).first()
    totals.villages = scope.villages_reached
    return Headline(
        totals=totals,
        villages_reached=totals.villages,
        communes_reached=sum(1 for row in communes if row.totals.activities),
        communes_total=len(communes),
        units_active=sum(1 for row in unit_rows(scope) if row.totals.activities),
        last_activity=last_day,
    )


def commune_rows(scope: Scope) -> list[Row]:
    cached = getattr(scope, "_commune_rows", None)
    if cached is not None:
        return cached
    totals = scope.sums_by("commune")
    villages = scope.villages_by("commune")
    rows = []
    communes = scope.communes
    # A commune worked in without being covered (an admin's entry, an assignment deleted
    # since) still has its row, so that the rows add up to the headline: one query more,
    # only then.
    uncovered = set(totals) - {c.pk for c in communes}
    if uncovered:
        shown = uncovered.union(c.pk for c in communes)
        communes = _commune_rows_of(Commune.objects.filter(pk__in=shown))
    # Former communes of several former districts say which one they were in.
    districts = {c.district for c in communes if c.valid_to and c.district}
    for commune in communes:
        label = Commune.label_of(commune.kind, commune.name, None, None)  # "Xã Bình An"
        if len(districts) > 1 and commune.valid_to and commune.district:
            label = f"{label} ({commune.district} cũ)"
        row = Row(commune, label, totals.get(commune.pk) or Totals())
        row.totals.villages = villages[commune.pk]
        rows.append(row)
    vars(scope)["_commune_rows"] = rows
    return rows


def unit_rows(scope: Scope) -> list[Row]:
    cached = getattr(scope, "_unit_rows", None)
    if cached is not None:
        return cached
    totals = scope.sums_by("unit")
    villages = scope.villages_by("unit")
    rows = []
    # By the organisation above each unit, as the page groups them.
    for unit in sorted(scope.units, key=lambda u: (u.group, u.name)):
        row = Row(unit, unit.name, totals.get(unit.pk) or Totals(), {"group": unit.group})
        row.totals.villages = villages[unit.pk]
        if unit.is_active or row.totals.activities:
            rows.append(row)
    vars(scope)["_unit_rows"] = rows
    return rows


def type_rows(scope: Scope) -> list[Row]:
    totals: dict[int, Totals] = {}
    for (kind, _), by_unit in scope.sums_by("type").items():
        totals.setdefault(kind, Totals()).add(by_unit)
    return [
        Row(kind, kind.name, totals[kind.pk])
        for kind in scope.types
        if kind.pk in totals and totals[kind.pk].activities
    ]


def month_rows(scope: Scope) -> list[Row]:
    stats = scope.sums_by("month")
    return [
        Row(month, f"{month:%m/%Y}", stats.get(month) or Totals()) for month in scope.period.months
    ]


def output_rows(scope: Scope) -> list[Row]:
    """Physical output per type and unit of measure (m of road, bridges, kg of waste...)."""
    names = {kind.pk: kind.name for kind in scope.types}
    rows = [
        Row((kind, unit), names.get(kind, ""), t, {"unit": unit})
        for (kind, unit), t in scope.sums_by("type").items()
        if unit and t.output
    ]
    return sorted(rows, key=lambda r: (r.label, r.extra["unit"]))


# --- The monthly rule -------------------------------------------------------------------


# The months of the rule a page shows: a year's, the last of the period. A province's
# hundreds of units over five years would be a table no one reads on a phone; the export
# has every month.
RULE_MONTHS_SHOWN = 12


def rule_matrix(scope: Scope, *, last_months: int | None = None) -> RuleMatrix:
    """Each unit × month (the last `last_months` of the period, or all): met (a weekend
    activity in a commune it was in charge of that day), missed (reported without one), not
    yet reported, or not assigned. A unit in charge of nothing in those months has no row
    (a former district unit in 2026, a commune's committee before 07/2025)."""
    today_month = scope.today.replace(day=1)
    months = [m for m in scope.period.months if m <= today_month]
    if not months:
        return RuleMatrix([], [], None, [], [])
    earlier = 0
    if last_months is not None and len(months) > last_months:
        earlier = len(months) - last_months
        months = months[earlier:]
    first, last = months[0], month_end(months[-1])
    units = [unit for unit in scope.units if unit.is_active]
    spans = _spans_in_charge(scope, {unit.pk for unit in units}, first, last)
    covered = _months_in_charge(spans, months)
    in_charge = [unit for unit in units if covered.get(unit.pk)]
    met = _weekend_months(scope, spans, first, last)
    reported = {
        (unit_id, datetime.date(year, month, 1))
        for unit_id, year, month in MonthReport.objects.filter(
            _report_months(first, last),
            state__in=[MonthReport.State.SUBMITTED, MonthReport.State.NO_ACTIVITY],
        ).values_list("unit_id", "year", "month")
    }

    def state(unit: Unit, month: datetime.date) -> RuleCell:
        if month not in covered[unit.pk]:
            return RULE_CELLS["not_assigned"]
        if (unit.pk, month) in met:
            return RULE_CELLS["met"]
        if (unit.pk, month) in reported:
            return RULE_CELLS["missed"]
        return RULE_CELLS["not_reported"]

    rows = [(unit, [state(unit, month) for month in months]) for unit in in_charge]
    focus = months[-1]
    index = months.index(focus)
    return RuleMatrix(
        months=months,
        rows=rows,
        focus_month=focus,
        missed=[unit for unit, cells in rows if cells[index].state == "missed"],
        not_reported=[unit for unit, cells in rows if cells[index].state == "not_reported"],
        earlier_months=earlier,
    )


def _report_months(first: datetime.date, last: datetime.date) -> Q:
    """The month reports of the months from `first` to `last` (the rule's shown months, not
    their whole years)."""
    if first.year == last.year:
        return Q(year=first.year, month__range=(first.month, last.month))
    return (
        Q(year=first.year, month__gte=first.month)
        | Q(year__gt=first.year, year__lt=last.year)
        | Q(year=last.year, month__lte=last.month)
    )


# (unit, commune, first day, last day) a unit was in charge of a commune; None: open.
Span = tuple[int, int, datetime.date | None, datetime.date | None]


def _spans_in_charge(
    scope: Scope, units: set[int], first: datetime.date, last: datetime.date
) -> list[Span]:
    """When each unit was in charge of a commune of the report's area between `first` and
    `last`: by an assignment, or as the commune's own party committee (both valid)."""
    assigned, own = scope.in_charge_between(first, last)
    spans: list[Span] = list(assigned.values_list("unit_id", "commune_id", "start", "end"))
    for unit_id, commune_id, unit_from, unit_to, commune_from, commune_to in own.values_list(
        "pk", "commune_id", "valid_from", "valid_to", "commune__valid_from", "commune__valid_to"
    ):
        if unit_id not in units:
            continue
        starts = [d for d in (unit_from, commune_from) if d is not None]
        ends = [d for d in (unit_to, commune_to) if d is not None]
        spans.append((unit_id, commune_id, max(starts, default=None), min(ends, default=None)))
    return spans


def _months_in_charge(
    spans: list[Span], months: list[datetime.date]
) -> dict[int, set[datetime.date]]:
    """The months of `months` each unit was in charge of a commune on at least one day.
    Worked out once per period of validity, not per cell."""
    bounds = [(m, month_end(m)) for m in months]
    covered: dict[int, set[datetime.date]] = {}
    for unit_id, _, start, end in spans:
        covered.setdefault(unit_id, set()).update(
            m
            for m, last in bounds
            if (start is None or start <= last) and (end is None or end >= m)
        )
    return covered


def _flag(value: bool) -> Value:
    return Value(value, output_field=BooleanField())


def _weekend_months(
    scope: Scope, spans: list[Span], first: datetime.date, last: datetime.date
) -> set[tuple[int, datetime.date]]:
    """(unit, month) with a weekend activity in a commune the unit was in charge of that
    day. A month a unit was in charge of a commune from its first day to its last is read
    from the monthly table; the days of the months some unit took charge of a commune or
    gave it up in, from the daily one: one UNION."""
    by_pair: dict[tuple[int, int], list[Span]] = {}
    partial = set()
    for span in spans:
        by_pair.setdefault(span[:2], []).append(span)
        _, _, start, end = span
        if start is not None and start.day != 1:
            partial.add(start.replace(day=1))
        if end is not None and end != month_end(end):
            partial.add(end.replace(day=1))
    partial = {month for month in partial if first <= month <= last}
    rows = scope.filtered(
        WeekendMonthStat.objects.filter(month__range=(first, last), activities__gt=0),
        types=False,
    ).values_list("unit_id", "commune_id", "month", _flag(False))
    if partial:
        days = Q()
        for month in partial:
            days |= Q(date__range=(month, month_end(month)))
        rows = rows.union(
            scope.filtered(
                WeekendDayStat.objects.filter(days, activities__gt=0), types=False
            ).values_list("unit_id", "commune_id", "date", _flag(True)),
            all=True,
        )

    def in_charge(unit_id: int, commune_id: int, since: datetime.date, until: datetime.date):
        return any(
            (start is None or start <= since) and (end is None or end >= until)
            for _, _, start, end in by_pair.get((unit_id, commune_id), ())
        )

    # The pairs in charge from `first` to `last`: every row of theirs counts.
    throughout = {pair for pair in by_pair if in_charge(*pair, first, last)}
    ends: dict[datetime.date, datetime.date] = {}
    met: set[tuple[int, datetime.date]] = set()
    for unit_id, commune_id, day, daily in rows:
        # A weekend day counts where the unit was in charge that day; a month's count,
        # where it was in charge all month.
        if (unit_id, commune_id) not in throughout:
            until = day if daily else ends.get(day) or ends.setdefault(day, month_end(day))
            if not in_charge(unit_id, commune_id, day, until):
                continue
        met.add((unit_id, day.replace(day=1) if daily else day))
    return met

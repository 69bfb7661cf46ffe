"""The rules an activity follows, whichever way it comes in: the form or a spreadsheet.

`activity_rules_check()` says what is wrong with an activity's values, keyed by the form's
field names; the form's service raises its result, the import puts each message under the
matching column. What it needs to know about the database comes in as `assignments` (when a
unit is in charge of a commune: by an assignment, or as the commune's own party committee),
so that the form asks the database and an import of 10.000 rows asks once. The
possible-duplicate rule (`duplicate_key`, `possible_duplicates`) is one too: the form asks
"Vẫn lưu", the import preview refuses the row until "Vẫn nhập" is ticked.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from activities.figures import FIGURES
from activities.models import Activity, ActivityType, Assignment, Commune, PartyUnit, Village


class Assignments(Protocol):
    """When a unit is in charge of which commune."""

    def first_start(self, unit_id: int) -> datetime.date | None: ...

    def in_force(self, *, unit_id: int, commune_id: int, day: datetime.date) -> bool: ...


def _earliest(*days: datetime.date | None) -> datetime.date | None:
    return min((d for d in days if d is not None), default=None)


class QueriedAssignments:
    """Asks the database each time (one activity: the form)."""

    def first_start(self, unit_id: int) -> datetime.date | None:
        starts = Assignment.objects.filter(unit_id=unit_id).order_by("start")
        unit = PartyUnit.objects.select_related("commune").get(pk=unit_id)
        return _earliest(starts.values_list("start", flat=True).first(), unit.own_commune_start())

    def in_force(self, *, unit_id: int, commune_id: int, day: datetime.date) -> bool:
        assigned = Assignment.objects.filter(unit_id=unit_id, commune_id=commune_id).active_on(day)
        own = PartyUnit.objects.filter(pk=unit_id, commune_id=commune_id).in_own_commune_on(day)
        return assigned.exists() or own.exists()


class LoadedAssignments:
    """Every assignment and every organisation with a commune of its own read once (a whole
    file); `in_force` asks `Assignment.covers` and `PartyUnit.in_own_commune_on`."""

    def __init__(self) -> None:
        self.periods: dict[tuple[int, int], list[Assignment]] = defaultdict(list)
        self.starts: dict[int, datetime.date] = {}
        for assignment in Assignment.objects.only("unit", "commune", "start", "end"):
            unit_id, start = assignment.unit_id, assignment.start
            self.periods[(unit_id, assignment.commune_id)].append(assignment)
            if unit_id not in self.starts or start < self.starts[unit_id]:
                self.starts[unit_id] = start
        self.own: dict[int, PartyUnit] = {
            unit.pk: unit
            for unit in PartyUnit.objects.filter(commune__isnull=False).select_related("commune")
        }

    def first_start(self, unit_id: int) -> datetime.date | None:
        unit = self.own.get(unit_id)
        return _earliest(self.starts.get(unit_id), unit.own_commune_start() if unit else None)

    def in_force(self, *, unit_id: int, commune_id: int, day: datetime.date) -> bool:
        unit = self.own.get(unit_id)
        if unit is not None and unit.commune_id == commune_id and unit.in_own_commune_on(day):
            return True
        return any(a.covers(day) for a in self.periods.get((unit_id, commune_id), ()))


def output_unit_for(*, quantity: Decimal | None, unit: str, kind: ActivityType | None) -> str:
    """The unit a quantity is counted in: the one written, else the type's usual unit; none
    without a quantity."""
    if quantity is None:
        return ""
    return unit or (kind.default_unit if kind else "")


def village_of_commune(village: Village, commune: Commune, day: datetime.date | None) -> bool:
    """The village belongs to the commune on the activity's day (`Village.belongs_during`;
    its memberships prefetched); without a day (said already), on any day."""
    start, end = (day, day) if day is not None else (datetime.date.min, datetime.date.max)
    return village.belongs_during(commune.pk, start, end)


def _on(day: datetime.date | None) -> str:
    return f" vào ngày {day:%d/%m/%Y}" if day is not None else ""


def activity_rules_check(
    *,
    unit: PartyUnit | None,
    day: datetime.date | None,
    commune: Commune | None,
    villages: Sequence[Village],
    figures: Mapping[str, int | Decimal | None],
    output_quantity: Decimal | None,
    output_unit: str,
    today: datetime.date,
    assignments: Assignments,
) -> dict[str, list[str]]:
    """What is wrong with an activity, by field; empty when it may be saved. `figures` holds
    the figures' values by Activity field; values the caller could not read are None (or
    missing) and are not judged again."""
    errors: dict[str, list[str]] = defaultdict(list)
    if day:
        if day > today:
            errors["date"].append("Ngày hoạt động không được ở tương lai.")
        first = assignments.first_start(unit.pk) if unit is not None else day
        if first is None:
            errors["commune"].append("Đơn vị chưa được phân công phụ trách xã nào.")
        elif day < first:
            errors["date"].append(
                f"Ngày hoạt động trước ngày đơn vị được phân công ({first:%d/%m/%Y})."
            )
    if (
        day is not None
        and unit is not None
        and commune is not None
        and "date" not in errors
        and not assignments.in_force(unit_id=unit.pk, commune_id=commune.pk, day=day)
    ):
        errors["commune"].append(
            f"Đơn vị không được phân công phụ trách {commune.full_name} vào ngày {day:%d/%m/%Y}."
        )
    if not villages:
        errors["villages"].append("Chọn ít nhất một thôn, bản.")
    elif commune:
        outside = [v for v in villages if not village_of_commune(v, commune, day)]
        if outside:
            names = ", ".join(str(v) for v in outside)
            errors["villages"].append(f"{names} không thuộc {commune.full_name}{_on(day)}.")
    # Each figure's sane upper bound for one outing of one unit (activities.figures).
    for figure in FIGURES:
        value = figures.get(figure.field)
        if figure.maximum is not None and value is not None and value > figure.maximum:
            errors[figure.field].append(figure.too_large_message())
    if output_quantity is not None and not output_unit:
        errors["output_unit"].append("Nhập đơn vị tính của khối lượng.")
    return dict(errors)


# --- Possible duplicates: the same unit, day, commune and type ----------------------------

DuplicateKey = tuple[int, datetime.date, int, int]


def duplicate_key(
    *, unit_id: int, day: datetime.date, commune_id: int, activity_type_id: int
) -> DuplicateKey:
    """Two activities with the same key may be one outing entered twice."""
    return (unit_id, day, commune_id, activity_type_id)


def possible_duplicates(
    keys: Iterable[DuplicateKey], *, exclude_pks: Iterable[int] = ()
) -> dict[DuplicateKey, Activity]:
    """A stored activity for each key that has one (the earliest), leaving out `exclude_pks`
    (the activity being edited, the rows a file updates)."""
    wanted = set(keys)
    excluded = set(exclude_pks)
    first: dict[DuplicateKey, int] = {}
    units = sorted({key[0] for key in wanted})
    days = sorted({key[1] for key in wanted})
    # The days of a file, a slice at a time (an IN list small enough for every database).
    for start in range(0, len(days), 2000):
        stored = Activity.objects.filter(
            unit_id__in=units, date__in=days[start : start + 2000]
        ).values_list("pk", "unit_id", "date", "commune_id", "activity_type_id")
        for pk, *values in stored.order_by("pk"):
            key = duplicate_key(
                unit_id=values[0], day=values[1], commune_id=values[2], activity_type_id=values[3]
            )
            if key in wanted and key not in first and pk not in excluded:
                first[key] = pk
    found = Activity.objects.select_related("unit", "commune").in_bulk(list(first.values()))
    return {key: found[pk] for key, pk in first.items()}


def form_duplicate_message(*, kind: ActivityType, commune: Commune, day: datetime.date) -> str:
    return (
        f"Đơn vị đã có một hoạt động “{kind}” tại {commune.full_name} ngày {day:%d/%m/%Y}. "
        "Nếu đây là hoạt động khác, đánh dấu “Vẫn lưu” rồi lưu lại."
    )


def import_duplicate_message(*, activity: Activity, confirm_header: str) -> str:
    return (
        f"Có thể trùng với hoạt động đã có (ngày {activity.date:%d/%m/%Y}, "
        f"{activity.commune.full_name}, đơn vị {activity.unit.short_name}). Nếu đây là hoạt "
        f"động khác, ghi “x” vào cột “{confirm_header}” rồi tải tệp lên lại."
    )


def import_sibling_message(*, number: int, confirm_header: str) -> str:
    return (
        f"Có thể trùng với dòng {number} trong cùng tệp (cùng ngày, xã, đơn vị và loại hoạt "
        f"động). Nếu đây là hoạt động khác, ghi “x” vào cột “{confirm_header}” rồi tải tệp "
        "lên lại."
    )

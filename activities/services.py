"""Writes for the activities app: each function validates and runs in one transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from activities import access, rules, selectors
from activities.figures import FIELDS, FIGURES
from activities.gso import OfficialCommune, province_communes
from activities.models import (
    Activity,
    Commune,
    MonthReport,
    PartyUnit,
    Village,
    VillageCommune,
    memberships_following,
)
from activities.text import clean_text


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@transaction.atomic
def communes_load(*, province: str, district: str | None = None) -> LoadResult:
    """Create or update a province's communes (before and after the 2025 merger), or one
    former district's (activities.gso.province_communes says which).

    A commune is matched on its code and the start of its validity period, so the old
    Thổ Bình (02296 until 30/06/2025) and the new Bình An (02296 from 01/07/2025) stay two
    rows. A former commune points at its main successor (`successor`) and at every commune
    it went into (`successors`). The stored rows are read in one query; only what differs
    is written, so running it again changes nothing.
    """
    official = province_communes(province=province, district=district)
    stored = _stored_communes(official)
    result = LoadResult()
    saved: dict[tuple[str, bool], Commune] = {}
    # Successors first, so the old communes can point at them.
    for item in sorted(official, key=lambda c: c.valid_from is None):
        commune, outcome = _commune_save(item, stored.get((item.code, item.valid_from)), saved)
        getattr(result, outcome).append(f"{item.code} {item.name}")
        saved[(item.code, item.valid_from is None)] = commune
    return result


def _stored_communes(official: list[OfficialCommune]) -> dict[tuple, Commune]:
    """The stored rows of these codes, by (code, valid_from), with their successors' ids."""
    codes = {item.code for item in official}
    rows = Commune.objects.filter(code__in=codes).prefetch_related(
        models.Prefetch("successors", queryset=Commune.objects.only("id"))
    )
    return {(c.code, c.valid_from): c for c in rows}


def _commune_save(
    item: OfficialCommune, commune: Commune | None, saved: dict
) -> tuple[Commune, str]:
    """Create, update or keep one commune; returns it and "created", "updated" or "unchanged"."""
    successors = [saved[(code, False)] for code in item.successor_codes]
    values = {
        "name": item.name,
        "kind": item.kind,
        "district": item.district,
        "province": item.province,
        "valid_to": item.valid_to,
        # The id, not the object: comparing objects would fetch each stored successor.
        "successor_id": successors[0].pk if successors else None,
    }
    outcome = "unchanged"
    if commune is None:
        commune = Commune(code=item.code, valid_from=item.valid_from, **values)
        commune.full_clean()
        commune.save()
        outcome = "created"
    elif any(getattr(commune, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(commune, key, value)
        commune.full_clean()
        commune.save()
        outcome = "updated"
    wanted = {s.pk for s in successors}
    if outcome == "created":
        if wanted:
            commune.successors.set(wanted)
    elif {s.pk for s in commune.successors.all()} != wanted:
        commune.successors.set(wanted)
        outcome = "updated"
    return commune, outcome


# --- Villages ---------------------------------------------------------------------------


@transaction.atomic
def village_communes_follow_merger(villages: models.QuerySet[Village] | None = None) -> int:
    """Give each village without membership rows its communes over time (the one it is
    recorded in, then what it merged into: `memberships_following`); the rows made. Villages
    saved one by one get them on creation; this is for those written in bulk."""
    chosen = Village.objects.all() if villages is None else villages
    bare = chosen.filter(memberships__isnull=True).select_related("commune__successor")
    rows = [row for village in bare for row in memberships_following(village)]
    VillageCommune.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --- Activities and monthly reports -----------------------------------------------------


def local_today() -> datetime.date:
    return timezone.localdate()


def month_of(day: datetime.date) -> tuple[int, int]:
    return day.year, day.month


def month_report_for(unit: PartyUnit, year: int, month: int) -> MonthReport | None:
    return MonthReport.objects.filter(unit=unit, year=year, month=month).first()


def _ensure_month_open(*, user: access.AnyUser, unit: PartyUnit, day: datetime.date) -> None:
    """Staff cannot change a month once it is reported; an admin must reopen it first."""
    report = month_report_for(unit, *month_of(day))
    if report and report.is_locked and not access.is_admin(user):
        raise ValidationError(
            f"Tháng {day:%m/%Y} của đơn vị đã gửi báo cáo nên không thể thay đổi. "
            "Liên hệ quản trị nếu cần mở lại."
        )


def _validate_activity(
    *, unit: PartyUnit, data: dict, exclude_pk: int | None, confirm_duplicate: bool
) -> None:
    """The activity rules (activities.rules, shared with the import), then the possible
    duplicate, which the user may confirm with "Vẫn lưu"."""
    day: datetime.date | None = data.get("date")
    commune: Commune | None = data.get("commune")
    errors = rules.activity_rules_check(
        unit=unit,
        day=day,
        commune=commune,
        villages=list(data.get("villages") or []),
        figures={figure.field: data.get(figure.field) for figure in FIGURES},
        output_quantity=data.get("output_quantity"),
        output_unit=data.get("output_unit") or "",
        today=local_today(),
        assignments=rules.QueriedAssignments(),
    )
    if errors:
        raise ValidationError(errors)
    kind = data.get("activity_type")
    if confirm_duplicate or day is None or commune is None or kind is None:
        return
    key = rules.duplicate_key(
        unit_id=unit.pk, day=day, commune_id=commune.pk, activity_type_id=kind.pk
    )
    if rules.possible_duplicates([key], exclude_pks=[exclude_pk] if exclude_pk else []):
        raise ValidationError(
            {"confirm_duplicate": rules.form_duplicate_message(kind=kind, commune=commune, day=day)}
        )


# The form's fields stored on the activity: what it is, then each figure (activities.figures)
# with its unit of measure where it has one.
ACTIVITY_FIELDS = (
    "commune",
    "date",
    "activity_type",
    "description",
    *FIELDS,
)


def _save_activity(activity: Activity, *, data: dict) -> Activity:
    for name in ACTIVITY_FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    for figure in FIGURES:
        if figure.unit_field and getattr(activity, figure.field) is None:
            setattr(activity, figure.unit_field, "")  # no quantity, no unit
    activity.full_clean()
    activity.save()
    activity.villages.set(data["villages"])
    return activity


@transaction.atomic
def activity_create(
    *, user: access.AnyUser, unit: PartyUnit, data: dict, confirm_duplicate: bool = False
) -> Activity:
    """Record a unit's outing. `data` holds the form's cleaned fields (villages as a list)."""
    if not user.is_authenticated or not access.editable_units(user).filter(pk=unit.pk).exists():
        raise PermissionDenied("Bạn không được nhập hoạt động cho đơn vị này.")
    _ensure_month_open(user=user, unit=unit, day=data["date"])
    _validate_activity(unit=unit, data=data, exclude_pk=None, confirm_duplicate=confirm_duplicate)
    return _save_activity(Activity(unit=unit, created_by=user), data=data)


# --- Versions: a save based on an older copy is refused, whatever the path -------------


def version_claim(*, model: type[models.Model], pk: int, version: int, noun: str) -> int:
    """The version the next save of the row must carry, if `version` (the one the form was
    opened on) is still the current one; otherwise refuse, saying when it was changed.

    The row stays locked until the end of the caller's transaction, so two saves of the
    same version cannot both pass. `noun` names the row in the message ("hoạt động").
    """
    current = (
        model._default_manager.select_for_update()
        .filter(pk=pk)
        .values_list("version", "updated_at")
        .first()
    )
    if current is None:
        raise ValidationError(f"{noun.capitalize()} này vừa bị xóa.")
    if current[0] != version:
        when = timezone.localtime(current[1])
        raise ValidationError(
            f"Đã có người sửa {noun} này lúc {when:%H:%M %d/%m/%Y}, sau khi bạn mở trang. "
            "Thay đổi của bạn chưa được lưu: hãy mở lại trang để xem bản mới rồi sửa lại.",
            code="stale",
        )
    return current[0] + 1


def version_bump(obj: models.Model) -> None:
    """Count a change stored in another table (a link, a funding row) as a save of `obj`, so
    that a form opened before it cannot put the old state back."""
    type(obj)._default_manager.filter(pk=obj.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


@transaction.atomic
def activity_update(
    *,
    user: access.AnyUser,
    activity: Activity,
    data: dict,
    confirm_duplicate: bool = False,
    version: int | None = None,
) -> Activity:
    """Save changes made to the copy of `version`; if someone saved since, refuse.

    Without `version` the check uses the version `activity` was read at, so a caller holding
    an old copy is refused too: no path skips the check.
    """
    if not access.editable_units(user).filter(pk=activity.unit_id).exists():
        raise PermissionDenied("Bạn không được sửa hoạt động của đơn vị này.")
    activity.version = version_claim(
        model=Activity,
        pk=activity.pk,
        version=activity.version if version is None else version,
        noun="hoạt động",
    )
    _ensure_month_open(user=user, unit=activity.unit, day=activity.date)
    _ensure_month_open(user=user, unit=activity.unit, day=data["date"])
    _validate_activity(
        unit=activity.unit, data=data, exclude_pk=activity.pk, confirm_duplicate=confirm_duplicate
    )
    return _save_activity(activity, data=data)


@transaction.atomic
def activity_delete(*, user: access.AnyUser, activity: Activity) -> None:
    if not access.editable_units(user).filter(pk=activity.unit_id).exists():
        raise PermissionDenied("Bạn không được xóa hoạt động của đơn vị này.")
    _ensure_month_open(user=user, unit=activity.unit, day=activity.date)
    activity.delete()


def _check_month(
    *, user: access.AnyUser, unit: PartyUnit, year: int, month: int
) -> MonthReport | None:
    if not access.editable_units(user).filter(pk=unit.pk).exists():
        raise PermissionDenied("Bạn không được báo cáo cho đơn vị này.")
    today = local_today()
    if (year, month) > (today.year, today.month):
        raise ValidationError(f"Tháng {month:02d}/{year} chưa đến, chưa thể báo cáo.")
    if not unit.assignments.overlapping(*selectors.month_bounds(year, month)).exists():
        # A month report speaks for the communes the unit is in charge of that month.
        raise ValidationError(
            f"Trong tháng {month:02d}/{year} đơn vị không được phân công phụ trách xã nào "
            "(phân công đã kết thúc hoặc chưa bắt đầu), nên không có báo cáo tháng."
        )
    report = (
        MonthReport.objects.select_for_update().filter(unit=unit, year=year, month=month).first()
    )
    if report and report.is_locked:
        raise ValidationError(
            f"Tháng {month:02d}/{year} đã được báo cáo ({report.get_state_display().lower()})."
        )
    return report


def _record_month(
    report: MonthReport | None,
    *,
    user: access.AnyUser,
    unit: PartyUnit,
    year: int,
    month: int,
    state: str,
) -> MonthReport:
    report = report or MonthReport(unit=unit, year=year, month=month)
    report.state = state
    report.submitted_by = user
    report.submitted_at = timezone.now()
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def month_submit(*, user: access.AnyUser, unit: PartyUnit, year: int, month: int) -> MonthReport:
    """Send the month's report: its activities are locked for staff from now on."""
    report = _check_month(user=user, unit=unit, year=year, month=month)
    if not Activity.objects.filter(unit=unit, date__year=year, date__month=month).exists():
        raise ValidationError(
            f"Tháng {month:02d}/{year} chưa có hoạt động nào. Nếu đơn vị không có hoạt động, "
            "chọn “Không có hoạt động”."
        )
    return _record_month(
        report, user=user, unit=unit, year=year, month=month, state=MonthReport.State.SUBMITTED
    )


@transaction.atomic
def month_declare_no_activity(
    *, user: access.AnyUser, unit: PartyUnit, year: int, month: int
) -> MonthReport:
    """Report that the unit did nothing this month (the monthly rule is then missed)."""
    report = _check_month(user=user, unit=unit, year=year, month=month)
    count = Activity.objects.filter(unit=unit, date__year=year, date__month=month).count()
    if count:
        raise ValidationError(
            f"Tháng {month:02d}/{year} đã có {count} hoạt động; hãy gửi báo cáo tháng thay vì "
            "báo “không có hoạt động”."
        )
    return _record_month(
        report, user=user, unit=unit, year=year, month=month, state=MonthReport.State.NO_ACTIVITY
    )


@transaction.atomic
def month_reopen(
    *, user: access.AnyUser, unit: PartyUnit, year: int, month: int, reason: str
) -> MonthReport:
    """An admin reopens a reported month so staff can correct it; the reason is kept."""
    access.require_admin(user)
    reason = clean_text(reason or "", multiline=True)  # invisible-only text is no reason
    if not reason:
        raise ValidationError({"reason": "Nhập lý do mở lại tháng."})
    report = (
        MonthReport.objects.select_for_update().filter(unit=unit, year=year, month=month).first()
    )
    if report is None or not report.is_locked:
        raise ValidationError(f"Tháng {month:02d}/{year} chưa được báo cáo, không cần mở lại.")
    report.state = MonthReport.State.REOPENED
    report.reopened_by = user
    report.reopened_at = timezone.now()
    report.reopen_reason = reason
    report.full_clean()
    report.save()
    return report

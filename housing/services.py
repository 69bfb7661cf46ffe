"""Writes for housing-support cases: create, edit, move through the steps, fund, link activities.

Each function validates the whole row (full_clean) before saving and runs in one transaction,
so a refused change writes nothing. Errors are ValidationErrors in Vietnamese, keyed by the
form field they belong to when there is one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format

from activities.models import Activity, PartyUnit, Village
from activities.services import version_bump, version_claim
from activities.text import nfc
from housing.models import Funding, HousingCase, Programme

STATUSES: list[str] = list(HousingCase.STEP_DATES)

# What the edit form may change, in form order; the status and its dates move only through
# advance and step back.
EDITABLE_FIELDS: tuple[str, ...] = (
    "household_head",
    "birth_year",
    "gender",
    "ethnicity",
    "village",
    "category",
    "programme",
    "work_kind",
    "support_amount",
    "expected_completion",
    "workdays",
    "notes",
)


def step_date_label(status: str) -> str:
    """ "ngày phê duyệt": the verbose name of the date a step records."""
    field = HousingCase._meta.get_field(HousingCase.STEP_DATES[status])
    return str(field.verbose_name) if isinstance(field, models.Field) else status


def _dmy(day: datetime.date) -> str:
    return date_format(day, "d/m/Y")


def next_status(case: HousingCase) -> str | None:
    """The step after the case's current one, or None once it has been handed over."""
    index = STATUSES.index(case.status)
    return STATUSES[index + 1] if index + 1 < len(STATUSES) else None


def previous_status(case: HousingCase) -> str | None:
    index = STATUSES.index(case.status)
    return STATUSES[index - 1] if index > 0 else None


def _refuse_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: "Ngày không được sau hôm nay."})


def _lock(case: HousingCase) -> HousingCase:
    """The case re-read under a row lock, so two clicks cannot move it twice."""
    return HousingCase.objects.select_for_update().get(pk=case.pk)


def _save(case: HousingCase) -> None:
    """Save a locked, validated case as its next version."""
    case.version += 1
    case.save()


# How the version check names a case in its message: "Đã có người sửa hồ sơ hộ này lúc …".
CASE_NOUN = "hồ sơ hộ"


@transaction.atomic
def housing_case_create(
    *,
    created_by: User | None,
    household_head: str,
    village: Village,
    programme: Programme,
    category: str = HousingCase.Category.POOR,
    work_kind: str = HousingCase.WorkKind.NEW_BUILD,
    support_amount: int = 0,
    birth_year: int | None = None,
    gender: str = "",
    ethnicity: str = "",
    surveyed_on: datetime.date | None = None,
    expected_completion: datetime.date | None = None,
    workdays: Decimal | int = 0,
    notes: str = "",
    helping_units: Iterable[PartyUnit] = (),
) -> HousingCase:
    """A new case at its first step (surveyed), with the survey date if known."""
    _refuse_future(surveyed_on, "surveyed_on")
    case = HousingCase(
        household_head=household_head,
        village=village,
        programme=programme,
        category=category,
        work_kind=work_kind,
        support_amount=support_amount,
        birth_year=birth_year,
        gender=gender,
        ethnicity=ethnicity,
        status=HousingCase.Status.SURVEYED,
        surveyed_on=surveyed_on,
        expected_completion=expected_completion,
        workdays=workdays,
        notes=notes,
        created_by=created_by,
    )
    case.full_clean()
    case.save()
    units = list(helping_units)
    if units:
        case.helping_units.set(units)
    return case


@transaction.atomic
def housing_case_update(
    *,
    case: HousingCase,
    data: dict[str, Any],
    helping_units: Iterable[PartyUnit] | None = None,
    version: int | None = None,
) -> HousingCase:
    """Change the household's details made on the copy of `version`; if someone saved the case
    since, refuse. `helping_units`, when given, replaces the units.

    Without `version` the check uses the version `case` was read at, so a caller holding an
    old copy is refused too.
    """
    unknown = set(data).difference(EDITABLE_FIELDS)
    if unknown:
        # A programming error, not bad input: the status only moves through its own services.
        raise ValueError(f"Fields not editable here: {sorted(unknown)}")
    expected = case.version if version is None else version
    version_claim(model=HousingCase, pk=case.pk, version=expected, noun=CASE_NOUN)
    case = _lock(case)
    changed = [name for name, value in data.items() if getattr(case, name) != value]
    for name in changed:
        setattr(case, name, data[name])
    case.full_clean()
    units = None if helping_units is None else list(helping_units)
    units_changed = units is not None and {u.pk for u in units} != set(
        case.helping_units.values_list("pk", flat=True)
    )
    if changed or units_changed:
        _save(case)
    if units is not None and units_changed:
        case.helping_units.set(units)
    return case


@transaction.atomic
def housing_case_advance(
    *, case: HousingCase, date: datetime.date, to_status: str | None = None
) -> HousingCase:
    """Move the case exactly one step forward, recording that step's date.

    `to_status` is the step the user saw on the page: if the case has moved meanwhile (another
    tab, a double click), the request is refused instead of skipping a step.
    """
    case = _lock(case)
    target = next_status(case)
    if target is None:
        raise ValidationError("Hộ đã được bàn giao nhà, không còn bước nào tiếp theo.")
    if to_status and to_status != target:
        raise ValidationError(
            "Chỉ được chuyển từng bước một: bước tiếp theo là "
            f"“{HousingCase.Status(target).label}”."
        )
    if date > timezone.localdate():
        raise ValidationError({"date": "Ngày không được sau hôm nay."})
    # The nearest earlier step that has a date (the survey date may be unknown).
    for earlier in reversed(STATUSES[: STATUSES.index(target)]):
        earlier_date = getattr(case, HousingCase.STEP_DATES[earlier])
        if earlier_date is not None:
            if date < earlier_date:
                raise ValidationError(
                    {
                        "date": f"{step_date_label(target).capitalize()} không được trước "
                        f"{step_date_label(earlier)} ({_dmy(earlier_date)})."
                    }
                )
            break
    case.status = target
    setattr(case, HousingCase.STEP_DATES[target], date)
    case.full_clean()
    _save(case)
    return case


@transaction.atomic
def housing_case_step_back(
    *, case: HousingCase, reason: str, by: User | None = None
) -> HousingCase:
    """Undo the last step (an admin's correction): clear its date, keep the reason in the notes.

    The notes are part of the audited row, so the reason sits in the history next to the
    status change.
    """
    reason = nfc(reason or "")  # one line, without invisible characters
    if not reason:
        raise ValidationError({"reason": "Cần ghi lý do lùi bước."})
    case = _lock(case)
    target = previous_status(case)
    if target is None:
        raise ValidationError("Hộ đang ở bước đầu tiên (đã khảo sát), không thể lùi.")
    who = ""
    if by is not None:
        who = f" ({by.get_full_name() or by.get_username()})"
    line = (
        f"{_dmy(timezone.localdate())}: lùi từ “{case.get_status_display()}” "
        f"về “{HousingCase.Status(target).label}”{who}. Lý do: {reason}"
    )
    setattr(case, HousingCase.STEP_DATES[case.status], None)
    case.status = target
    case.notes = f"{case.notes}\n{line}" if case.notes else line
    case.full_clean()
    _save(case)
    return case


@transaction.atomic
def funding_add(
    *, case: HousingCase, source: str, year: int, amount: int, note: str = ""
) -> Funding:
    """One more funding row; one row per source and year for a case."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Số tiền phải lớn hơn 0."})
    funding = Funding(case=case, source=source, year=year, amount=amount, note=note)
    funding.full_clean()
    try:
        with transaction.atomic():
            funding.save()
    except IntegrityError:
        # Someone added the same row between the check above and the insert.
        raise ValidationError("Hộ này đã có khoản kinh phí từ nguồn này trong năm.") from None
    # The funding rows are part of the case (its admin page edits them with it).
    version_bump(case)
    return funding


@transaction.atomic
def funding_delete(*, funding: Funding) -> None:
    funding.delete()
    version_bump(funding.case)


def _same_commune(*, case: HousingCase, activity: Activity, field: str) -> None:
    """The case's village belongs to the activity's commune on the activity's date (a
    village carried over by the 2025 merger is in the new commune from 01/07/2025)."""
    of_commune = Village.objects.of_commune_on(activity.commune_id, activity.date)
    if not of_commune.filter(pk=case.village_id).exists():
        raise ValidationError({field: "Chỉ liên kết được hoạt động ở cùng xã với hộ được hỗ trợ."})


@transaction.atomic
def housing_case_link_activity(
    *, case: HousingCase, activity: Activity, link: bool = True, field: str = "activity"
) -> None:
    """Record (or remove) that an activity helped the case; only activities of its commune.
    A refusal is keyed by `field`, the form field that chose the link."""
    if not link:
        case.activities.remove(activity)
        version_bump(case)
        return
    _same_commune(case=case, activity=activity, field=field)
    case.activities.add(activity)
    version_bump(case)


def activity_form_case_link(
    *, activity: Activity, cleaned_data: dict[str, Any], initial: dict[str, Any]
) -> None:
    """The activity form's "Hộ được hỗ trợ nhà ở" (housing.forms.ActivityCasePart):
    the old case let go, the chosen one linked, with the same-commune rule beside the field.

    A link changed counts as a save of its case (housing_case_link_activity), so a case form
    opened before cannot put the old links back; a kept link is checked again, the activity
    may have moved to another commune."""
    case = cleaned_data.get("housing_case")
    previous = initial.get("housing_case")
    if previous is not None and previous != case:
        housing_case_link_activity(case=previous, activity=activity, link=False)
    if case is None:
        return
    if case == previous:
        _same_commune(case=case, activity=activity, field="housing_case")
    else:
        housing_case_link_activity(case=case, activity=activity, field="housing_case")

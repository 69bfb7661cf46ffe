"""Reading the audit trail (django-auditlog) for an object's history, in Vietnamese."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model, QuerySet
from django.utils import formats, timezone

ACTION_LABELS = {
    LogEntry.Action.CREATE: "Tạo mới",
    LogEntry.Action.UPDATE: "Sửa",
    LogEntry.Action.DELETE: "Xóa",
    LogEntry.Action.ACCESS: "Xem",
}
M2M_OPERATIONS = {"add": "thêm", "delete": "bỏ"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: str
    action: str
    changes: list[Change] = field(default_factory=list)


def _display(model: type[Model], name: str, value) -> str:
    """A stored value as a reader expects it: 15/06/2024, 25.000.000, 12,5, a choice's label."""
    if value in (None, "None", ""):
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    choices = dict(getattr(model_field, "choices", None) or [])
    if value in choices:
        return str(choices[value])
    kind = model_field.get_internal_type() if isinstance(model_field, Field) else ""
    try:
        if kind == "DateField":
            return formats.date_format(datetime.date.fromisoformat(value), "d/m/Y")
        if kind == "DateTimeField":
            moment = timezone.localtime(datetime.datetime.fromisoformat(value))
            return formats.date_format(moment, "H:i d/m/Y")
        if kind in ("PositiveBigIntegerField", "BigIntegerField"):
            return formats.number_format(int(value), force_grouping=True)
        if kind == "DecimalField":
            return formats.number_format(Decimal(value), force_grouping=True)
    except (ValueError, TypeError, ArithmeticError):
        pass
    return str(value)


def _hidden(model: type[Model], name: str) -> bool:
    """Ids and reverse relations say nothing to a reader."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return getattr(field, "primary_key", False) or not hasattr(field, "verbose_name")


def _label(model: type[Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(field.verbose_name) if isinstance(field, Field) else name


def history_for(
    obj: Model, *, children: QuerySet[LogEntry] | None = None, limit: int = 200
) -> list[HistoryEntry]:
    """The object's changes, newest first: who, when, and each field's old → new value.

    `children` adds the entries of rows that belong to it (a case's funding rows), each
    labelled with the row it concerns.
    """
    entries = LogEntry.objects.get_for_object(obj)
    if children is not None:
        entries = entries | children
    entries = entries.select_related("actor", "content_type").order_by("-timestamp", "-id")[:limit]
    result = []
    for entry in entries:
        model = entry.content_type.model_class() or type(obj)
        actor = entry.actor
        who = (actor.get_full_name() or actor.username) if actor else "Hệ thống"
        action = ACTION_LABELS.get(entry.action, "")
        if model is not type(obj):
            action = f"{action} {model._meta.verbose_name} “{entry.object_repr}”"
        item = HistoryEntry(when=entry.timestamp, who=who, action=action)
        for name, values in (entry.changes_dict or {}).items():
            if _hidden(model, name):
                continue
            if isinstance(values, dict) and values.get("type") == "m2m":
                operation = values.get("operation") or ""
                verb = M2M_OPERATIONS.get(operation, operation)
                item.changes.append(
                    Change(_label(model, name), verb, ", ".join(values.get("objects", [])))
                )
                continue
            old, new = (list(values) + [None, None])[:2]
            item.changes.append(
                Change(_label(model, name), _display(model, name, old), _display(model, name, new))
            )
        result.append(item)
    return result

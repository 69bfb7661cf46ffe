"""Reading the audit trail (django-auditlog) for an object's history, in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model

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
    if value in (None, "None", ""):
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    choices = dict(getattr(model_field, "choices", None) or [])
    return str(choices.get(value, value))


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
    return str(field.verbose_name)


def history_for(obj: Model, *, limit: int = 200) -> list[HistoryEntry]:
    """The object's changes, newest first: who, when, and each field's old → new value."""
    model = type(obj)
    entries = (
        LogEntry.objects.get_for_object(obj)
        .select_related("actor")
        .order_by("-timestamp", "-id")[:limit]
    )
    result = []
    for entry in entries:
        actor = entry.actor
        who = (actor.get_full_name() or actor.username) if actor else "Hệ thống"
        item = HistoryEntry(
            when=entry.timestamp, who=who, action=ACTION_LABELS.get(entry.action, "")
        )
        for name, values in (entry.changes_dict or {}).items():
            if _hidden(model, name):
                continue
            if isinstance(values, dict) and values.get("type") == "m2m":
                verb = M2M_OPERATIONS.get(values.get("operation"), values.get("operation"))
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

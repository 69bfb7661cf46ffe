"""Spreadsheet imports: read, check every row, then write all of it or nothing.

Each kind of data (activities, villages, units...) is an `ImportKind` that knows its columns,
how to read a row into field values, how to find the row already in the database (its
natural key) and how to write rows in bulk. `import_rows()` runs a kind over a sheet: every
bad row is reported with its number, column, value and a Vietnamese explanation; if any row
is bad, or on a dry run, nothing is written. A confirmed import is an `ImportBatch` that
records what it created and what it replaced, so it can be undone whole, and each change
goes to the audit trail like any other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from activities.imports import registry
from activities.imports.matching import MatchError
from activities.imports.sheets import Sheet, SheetRow
from activities.imports.values import CellError
from activities.models import ImportBatch, ImportBatchItem
from activities.text import NFCCharField, NFCTextField, too_long_message

NEW, UPDATE, SKIP, ERROR = "new", "update", "skip", "error"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    example: object = ""
    help: str = ""

    @property
    def title(self) -> str:
        """The header as the template writes it: required columns end with "*"."""
        return f"{self.header}*" if self.required else self.header


@dataclass
class Problem:
    column: str
    value: object
    message: str

    def __str__(self) -> str:
        quoted = f"“{self.value}”"
        if self.value in (None, "") or quoted in self.message:
            return self.message
        return f"{quoted}: {self.message}"


class RowErrors(Exception):
    """Everything wrong with one row (a row is checked whole, not up to its first error)."""

    def __init__(self) -> None:
        super().__init__("row errors")
        self.problems: list[Problem] = []

    def add(self, column: str, value, message: str) -> None:
        self.problems.append(Problem(column, value, str(message)))


@dataclass
class RowOutcome:
    number: int
    action: str
    values: dict
    problems: list[Problem] = field(default_factory=list)
    key: str = ""  # check_rows fills in key and data from the kind's parse
    data: dict = field(default_factory=dict)
    existing: models.Model | None = None
    changes: dict = field(default_factory=dict)

    @property
    def stored(self) -> models.Model:
        """The stored object an update or unchanged row matched; new and bad rows have none."""
        if self.existing is None:
            raise ValueError(f"Row {self.number} matched no stored object.")
        return self.existing


@dataclass
class ImportReport:
    kind: ImportKind
    rows: list[RowOutcome]
    skipped_lines: list[tuple[int, str]]
    batch: ImportBatch | None = None

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def errors(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.action == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportKind:
    """One kind of data that can be imported. Subclasses fill in the hooks."""

    slug: str = ""
    label: str = ""
    model: type[models.Model]
    columns: list[Column] = []
    # Fields compared to tell an update from an unchanged row, and kept for undo.
    tracked_fields: list[str] = []
    instructions: list[str] = []

    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def required_headers(self) -> list[str]:
        return [column.header for column in self.columns if column.required]

    def prepare(self) -> None:
        """Load what matching needs (in a few queries, before the rows)."""

    def parse(self, row: SheetRow, errors: RowErrors) -> tuple[str, dict]:
        """The row's natural key and field values; problems go to `errors`."""
        raise NotImplementedError

    def existing(self, keys: list[str]) -> dict[str, models.Model]:
        raise NotImplementedError

    def review(self, rows: list[RowOutcome]) -> None:
        """Checks that need the whole file and what is stored, after each row is matched to
        its stored object (`existing`, `changes`): a problem appended to a row's `problems`
        makes it a bad row."""

    def create(self, rows: list[RowOutcome], *, user: User | None) -> list[models.Model]:
        raise NotImplementedError

    def update(self, rows: list[RowOutcome], *, user: User | None) -> None:
        """Write the changed fields of existing objects (bulk)."""
        objects = []
        for row in rows:
            for name, value in row.data.items():
                if name in self.tracked_fields:
                    setattr(row.stored, name, value)
            objects.append(row.stored)
        self.model._default_manager.bulk_update(objects, self.tracked_fields, batch_size=1000)

    # Values compared and stored for undo, as JSON-friendly text.
    def snapshot(self, obj: models.Model) -> dict:
        return {name: _plain(getattr(obj, name)) for name in self.tracked_fields}

    def changes(self, obj: models.Model, data: dict) -> dict:
        return {
            name: (_plain(getattr(obj, name)), _plain(data[name]))
            for name in self.tracked_fields
            if name in data and _plain(getattr(obj, name)) != _plain(data[name])
        }

    def describe(self, obj: models.Model) -> str:
        """The audit trail's label for a row (kinds override it to avoid a query per row)."""
        return str(obj)

    def delete(self, queryset) -> None:
        queryset.delete()

    def stored(self, pks: list[int]) -> models.QuerySet:
        """The objects an import changed, as undo reads them to put their values back."""
        return self.model._default_manager.filter(pk__in=pks)

    def export_rows(self, queryset) -> Iterable[list]:
        """The rows of `queryset` laid out as the template's columns, so an export imports
        back unchanged."""
        raise NotImplementedError

    def cell(
        self, row: SheetRow, errors: RowErrors, header: str, parser, *, required=False, **options
    ):
        """A parsed cell; a missing required value or a bad one is noted in `errors`."""
        raw = row.values.get(header)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                errors.add(header, None, f"Cột “{header}” không được để trống.")
            return None
        try:
            value = parser(raw, **options)
        except (CellError, MatchError) as exc:
            errors.add(header, raw, str(exc))
            return None
        limit = self.text_limit(header)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            # Refused, not cut: the rest of what was written would be lost unseen. The value
            # is not quoted back, it may be thousands of characters.
            errors.add(header, None, too_long_message(limit, len(value)))
            return None
        return value

    def text_limit(self, header: str) -> int | None:
        """The longest text the column's field stores (what a form would accept)."""
        limits = self.__dict__.get("_text_limits")
        if limits is None:
            limits = {}
            fields = {f.name: f for f in self.model._meta.concrete_fields}
            for column in self.columns:
                field_ = fields.get(column.key)
                if isinstance(field_, NFCCharField | NFCTextField) and field_.max_length:
                    limits[column.header] = field_.max_length
            self._text_limits = limits
        return limits.get(header)

    def restore(self, obj: models.Model, old: dict) -> None:
        for name, value in old.items():
            field_ = self.model._meta.get_field(name)
            if not isinstance(field_, models.Field):
                raise TypeError(f"{name!r} is not a stored field of {self.model.__name__}.")
            setattr(obj, field_.attname, field_.to_python(value) if value is not None else None)
        obj.save()


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 12.50 and 12.5 are the same value
    if isinstance(value, list | tuple | set):
        return sorted(_plain(v) for v in value)
    return str(value)


def batched(iterable, size: int):
    """Lists of `size` items (itertools.batched arrives only in Python 3.12)."""
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def in_chunks(values: list, size: int = 5000):
    """Slices small enough for an IN (...) on every database."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def find_by_keys(queryset, keys: list[str]) -> dict:
    """Rows by their import key; "#123" is a row typed in on the site, exported with its id."""
    found = {}
    for chunk in in_chunks([k for k in keys if not k.startswith("#")]):
        for obj in queryset.filter(import_key__in=chunk):
            found[obj.import_key] = obj
    ids = [int(k[1:]) for k in keys if k.startswith("#") and k[1:].isdigit()]
    for chunk in in_chunks(ids):
        for obj in queryset.filter(pk__in=chunk):
            found[f"#{obj.pk}"] = obj
    return found


def digest(*parts) -> str:
    """A stable key for a row without an id of its own."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_rows(
    kind: ImportKind, sheet: Sheet, progress=None, *, keep_values: bool = True
) -> ImportReport:
    """Read every row and decide new / update / skip / error, writing nothing.

    Without `keep_values` only bad rows keep the cells they were read from (what a
    preview shows); a large confirmed file then holds much less memory.
    """
    kind.prepare()
    outcomes: list[RowOutcome] = []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        if progress is not None:
            progress(1)
        errors = RowErrors()
        key, data = kind.parse(row, errors)
        outcome = RowOutcome(number=row.number, action=ERROR, values=row.values, key=key, data=data)
        if not errors.problems and key in seen:
            errors.add("", None, f"Trùng với dòng {seen[key]} trong cùng tệp.")
        if errors.problems:
            outcome.problems = errors.problems
        else:
            seen[key] = row.number
            outcome.action = NEW
        outcomes.append(outcome)
    valid = [o for o in outcomes if o.action != ERROR]
    found = kind.existing([o.key for o in valid])
    for outcome in valid:
        outcome.existing = found.get(outcome.key)
        if outcome.existing is not None:
            outcome.changes = kind.changes(outcome.existing, outcome.data)
            outcome.action = UPDATE if outcome.changes else SKIP
    kind.review(valid)
    for outcome in valid:
        if outcome.problems:
            outcome.action = ERROR
        elif not keep_values:
            outcome.values = {}
    return ImportReport(kind=kind, rows=outcomes, skipped_lines=sheet.skipped)


def import_rows(
    *,
    kind: ImportKind,
    sheet: Sheet,
    user: User | None,
    file_name: str,
    file_hash: str,
    dry_run: bool,
    progress=None,
) -> ImportReport:
    """Check the whole sheet; unless it is a dry run or any row is bad, write it in one go."""
    report = check_rows(kind, sheet, progress, keep_values=dry_run)
    if dry_run or not report.ok:
        return report
    with transaction.atomic():
        report.batch = _write(kind, report, user=user, file_name=file_name, file_hash=file_hash)
    return report


def _write(
    kind: ImportKind, report: ImportReport, *, user: User | None, file_name: str, file_hash: str
) -> ImportBatch:
    """Write the checked rows, and record what each did: in the batch (for undo) and in the
    audit trail."""
    new = [row for row in report.rows if row.action == NEW]
    changed = [row for row in report.rows if row.action == UPDATE]
    batch = _open_batch(kind, report, user=user, file_name=file_name, file_hash=file_hash)
    old_values = {row.stored.pk: kind.snapshot(row.stored) for row in changed}
    created = kind.create(new, user=user)
    kind.update(changed, user=user)
    content_type = ContentType.objects.get_for_model(kind.model)
    items = _batch_items(batch, content_type, created, changed, old_values)
    _bulk_create_in_slices(ImportBatchItem, items)
    entries = _audit_entries(kind, batch, content_type, created, changed, user=user)
    _bulk_create_in_slices(LogEntry, entries)
    return batch


def _open_batch(
    kind: ImportKind, report: ImportReport, *, user: User | None, file_name: str, file_hash: str
) -> ImportBatch:
    """The batch that the rows written will belong to, with the counts the history shows."""
    return ImportBatch.objects.create(
        kind=kind.slug,
        file_name=file_name[:255],
        file_hash=file_hash,
        created_by=user,
        rows_total=len(report.rows),
        rows_new=report.count(NEW),
        rows_updated=report.count(UPDATE),
        rows_skipped=report.count(SKIP),
    )


def _batch_items(
    batch: ImportBatch,
    content_type: ContentType,
    created: list[models.Model],
    changed: list[RowOutcome],
    old_values: dict,
) -> Iterator[ImportBatchItem]:
    """What undo needs: the objects created (to delete), the objects updated with the
    values they had (to put back)."""
    for obj in created:
        yield ImportBatchItem(
            batch=batch,
            content_type=content_type,
            object_id=obj.pk,
            action=ImportBatchItem.Action.CREATED,
        )
    for row in changed:
        yield ImportBatchItem(
            batch=batch,
            content_type=content_type,
            object_id=row.stored.pk,
            action=ImportBatchItem.Action.UPDATED,
            old_values=old_values[row.stored.pk],
        )


def _audit_entries(
    kind: ImportKind,
    batch: ImportBatch,
    content_type: ContentType,
    created: list[models.Model],
    changed: list[RowOutcome],
    *,
    user: User | None,
) -> Iterator[LogEntry]:
    """The audit trail of the rows written, old → new: bulk writes skip its signals."""
    for obj in created:
        yield _log(
            content_type,
            obj,
            LogEntry.Action.CREATE,
            kind.snapshot(obj),
            None,
            user,
            batch,
            kind.describe(obj),
        )
    for row in changed:
        yield _log(
            content_type,
            row.stored,
            LogEntry.Action.UPDATE,
            None,
            row.changes,
            user,
            batch,
            kind.describe(row.stored),
        )


def _bulk_create_in_slices(model: type[models.Model], objects: Iterable[models.Model]) -> None:
    """In slices, so that a 50.000-row file never holds 100.000 more objects at once."""
    for chunk in batched(objects, 2000):
        model._default_manager.bulk_create(chunk)


def _log(content_type, obj, action, created_values, changes, user, batch, label=None) -> LogEntry:
    if changes is None:
        changes = {name: [None, value] for name, value in created_values.items()}
    else:
        changes = {name: [old, new] for name, (old, new) in changes.items()}
    return LogEntry(
        content_type=content_type,
        object_pk=str(obj.pk),
        object_id=obj.pk,
        object_repr=(label or str(obj))[:200],
        action=action,
        changes=changes,
        actor=user,
        timestamp=timezone.now(),
        additional_data={"import_batch": batch.pk},
    )


@transaction.atomic
def import_undo(*, batch: ImportBatch, user: User | None) -> None:
    """Take a whole import back: delete what it created, restore what it changed."""
    if batch.state == ImportBatch.State.UNDONE:
        raise ValidationError("Lần nhập này đã được hoàn tác.")
    kind = registry.kinds()[batch.kind]()
    items = list(batch.items.select_related("content_type"))
    created_ids = [i.object_id for i in items if i.action == ImportBatchItem.Action.CREATED]
    updated = {i.object_id: i.old_values for i in items if i.action == "updated"}
    content_type = ContentType.objects.get_for_model(kind.model)
    entries = []
    for obj in kind.stored(list(updated)):
        entries.append(
            _log(
                content_type,
                obj,
                LogEntry.Action.UPDATE,
                None,
                {k: (kind.snapshot(obj).get(k), v) for k, v in updated[obj.pk].items()},
                user,
                batch,
            )
        )
        kind.restore(obj, updated[obj.pk])
    doomed = kind.model._default_manager.filter(pk__in=created_ids)
    entries += [
        _log(content_type, obj, LogEntry.Action.DELETE, {}, None, user, batch) for obj in doomed
    ]
    try:
        kind.delete(doomed)
    except ProtectedError as exc:
        used = sorted({str(o) for o in exc.protected_objects})[:5]
        raise ValidationError(
            "Không thể hoàn tác: một số dòng đã nhập đang được dữ liệu khác dùng ("
            + "; ".join(used)
            + ")."
        ) from exc
    LogEntry.objects.bulk_create(entries, batch_size=2000)
    batch.state = ImportBatch.State.UNDONE
    batch.undone_by = user
    batch.undone_at = timezone.now()
    batch.save(update_fields=["state", "undone_by", "undone_at"])


def describe_problems(report: ImportReport) -> list[str]:
    """One line per problem: row, column, value and what is wrong (pages and commands)."""
    lines = []
    for row in report.errors:
        for problem in row.problems:
            where = f"Dòng {row.number}" + (f", cột “{problem.column}”" if problem.column else "")
            lines.append(f"{where}: {problem}")
    return lines

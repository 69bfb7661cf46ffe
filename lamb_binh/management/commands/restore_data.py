"""Load a backup made by backup_data into an empty, migrated database: all of it or nothing."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import cast

from auditlog.context import disable_auditlog
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.serializers import xml_serializer
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Exists, OuterRef

from activities import stats
from activities.models import Activity, Commune
from housing.models import HousingCase
from lamb_binh.management.commands.backup_data import (
    BackupFileError,
    backup_compressed,
    backup_file_check,
    backup_open,
    record_name,
)

# How Django's deserializer says which value of a record it could not resolve.
_WITH_DATA = re.compile(
    r"^(?P<why>.*): \((?P<label>[\w.]+):pk=(?P<pk>.*?)\) field_value was '(?P<value>.*)'$",
    re.DOTALL,
)


class Command(BaseCommand):
    help = (
        "Khôi phục dữ liệu từ tệp của backup_data vào một cơ sở dữ liệu trống (đã chạy "
        "migrate). Tất cả hoặc không có gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Tệp sao lưu (.xml hoặc .xml.gz).")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        if Activity.objects.exists() or Commune.objects.exists() or HousingCase.objects.exists():
            raise CommandError(
                "Cơ sở dữ liệu này đã có dữ liệu: chỉ khôi phục vào một cơ sở dữ liệu trống "
                "(tạo mới rồi chạy migrate)."
            )
        try:
            compressed = backup_compressed(file)
            # The whole file first: a damaged one is refused before anything is written, and
            # the message can name the record where it breaks.
            backup_file_check(path=file, compressed=compressed)
            # One transaction; the summary tables are rebuilt once at the end; the audit
            # trail is restored as it was, not added to (loading m2m rows would log them).
            # The inner savepoint takes back a failed insert, so that suspended() can still
            # put the triggers back (PostgreSQL runs nothing more in a failed transaction)
            # before the whole transaction is undone.
            with (
                transaction.atomic(),
                stats.suspended(),
                disable_auditlog(),
                transaction.atomic(),
            ):
                count, loaded = _load(file, compressed=compressed)
                _check_references()
                _reset_sequences(loaded)
        except BackupFileError as exc:
            raise CommandError(
                f"Không khôi phục được từ {file}: {exc}. Cơ sở dữ liệu vẫn trống như trước."
            ) from exc
        count_vi = f"{count:,}".replace(",", ".")
        self.stdout.write(f"Đã khôi phục {count_vi} bản ghi từ {file}.")


class _Records(xml_serializer.Deserializer):
    """Django's XML deserializer, naming the record (model and pk) it could not read."""

    def _handle_object(self, node):
        try:
            # A private hook of Django's deserializer, absent from django-stubs.
            return super()._handle_object(node)  # type: ignore[misc]
        except (DeserializationError, ValidationError, FieldDoesNotExist, LookupError) as exc:
            name = record_name(node.getAttribute("model"), node.getAttribute("pk"))
            raise BackupFileError(f"{name} không đọc được ({_reason(exc)})") from exc


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    if isinstance(exc, FieldDoesNotExist):
        return f"phần mềm này không có trường đó: {exc}"
    return str(exc)


def _load(path: Path, *, compressed: bool) -> tuple[int, set[type[models.Model]]]:
    """Save every record of the file as loaddata would, naming the one that fails."""
    loaded: set[type[models.Model]] = set()
    waiting: list[DeserializedObject] = []  # records whose references come later in the file
    count = 0
    with backup_open(path, compressed=compressed) as stream:
        for record in _Records(stream, handle_forward_references=True):
            _save(record, record.save)
            loaded.add(type(record.object))
            count += 1
            if record.deferred_fields:
                waiting.append(record)
    for record in waiting:
        _save(record, record.save_deferred_fields)
    return count, loaded


def _natural_key(value: str) -> str:
    """“khong-ai” for the deserializer's "['khong-ai']"."""
    try:
        parts = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value
    if not isinstance(parts, list | tuple):
        return value
    return "“" + ", ".join(str(part) for part in parts) + "”"


def _save(record: DeserializedObject, save: Callable[[], None]) -> None:
    name = record_name(record.object._meta.label_lower, record.object.pk)
    try:
        save()
    except DeserializationError as exc:
        # A natural key (a user name, a content type) that no record of the file has.
        match = _WITH_DATA.match(str(exc))
        value = _natural_key(match["value"]) if match else str(exc)
        if isinstance(exc.__context__, ObjectDoesNotExist):
            raise BackupFileError(f"{name} trỏ tới {value}, không có trong tệp sao lưu") from exc
        raise BackupFileError(f"{name} không đọc được ({exc})") from exc
    # psycopg raises ValueError for a NUL character; the database, for whatever it refuses.
    except (DatabaseError, ValueError) as exc:
        raise BackupFileError(f"{name} không ghi được vào cơ sở dữ liệu ({exc})") from exc


def _check_references() -> None:
    """Every foreign key points at a row that is there, or the first one that does not.

    The database would refuse the same at commit, but without naming the record; one
    anti-join per foreign key (NOT EXISTS, fast at any size) finds it first.
    """
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey):  # one-to-one fields are ForeignKeys
                continue
            # No constraint: the summary tables' keys, rebuilt at the end. (django-stubs does
            # not declare the attribute.)
            if not getattr(field, "db_constraint", True):
                continue
            # A model class once the apps are ready, never the "self" of the declaration.
            target = cast(type[models.Model], field.related_model)
            to = field.target_field.attname
            missing = (
                model._base_manager.filter(**{f"{field.attname}__isnull": False})
                .filter(~Exists(target._base_manager.filter(**{to: OuterRef(field.attname)})))
                .order_by()
                .values_list("pk", field.attname)[:1]
            )
            for pk, value in missing:
                raise BackupFileError(
                    f"{record_name(model._meta.label_lower, pk)}: trường “{field.name}” trỏ tới "
                    f"{record_name(target._meta.label_lower, value)}, không có trong tệp "
                    "sao lưu"
                )


def _reset_sequences(loaded: set[type[models.Model]]) -> None:
    # The loaded rows kept their ids: new rows must be numbered after them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(loaded)):
            cursor.execute(sql)

"""Dump the whole database (every record and every audit entry) to one file, or to nothing."""

from __future__ import annotations

import errno
import gzip
import os
import re
import tempfile
import traceback
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast
from xml.etree import ElementTree
from xml.parsers.expat import errors as expat_errors

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from activities.stats import SUMMARY_MODELS

# Rebuilt or recreated by the application; never worth copying.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "axes",
    *SUMMARY_MODELS,
]

# The names a backup may have, and whether the file is gzip-compressed. dumpdata and our
# readers both go by the name, so anything else would be written in one format and read in
# another.
SUFFIXES = {".xml.gz": True, ".xml": False}

_OS_PROBLEMS: dict[int | None, str] = {
    errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không có quyền ghi",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EDQUOT: "đã hết hạn mức dung lượng",
    errno.ENOENT: "không tạo được tệp ở đó",
}

_XML_PROBLEMS_EMPTY = expat_errors.codes[expat_errors.XML_ERROR_NO_ELEMENTS]
_XML_PROBLEMS = {
    expat_errors.codes[expat_errors.XML_ERROR_INVALID_TOKEN]: "có ký tự không hợp lệ trong XML",
    expat_errors.codes[expat_errors.XML_ERROR_NO_ELEMENTS]: "tệp bị cắt cụt (dừng giữa chừng)",
    expat_errors.codes[expat_errors.XML_ERROR_UNCLOSED_TOKEN]: "tệp bị cắt cụt (dừng giữa chừng)",
    expat_errors.codes[expat_errors.XML_ERROR_SYNTAX]: "không phải nội dung XML",
    expat_errors.codes[expat_errors.XML_ERROR_TAG_MISMATCH]: "các thẻ XML không khớp nhau",
    expat_errors.codes[expat_errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]: (
        "có dữ liệu thừa sau phần kết thúc"
    ),
}

# What Django's XML serializer says when a text holds a character XML 1.0 cannot carry.
_UNSERIALIZABLE = re.compile(r"(\w+)\.(\w+) \(pk:(.*?)\) contains unserializable characters")


class BackupFileError(Exception):
    """What is wrong with a backup file, in Vietnamese, naming the record where there is one."""


def backup_compressed(path: Path) -> bool:
    """Whether the backup at `path` is gzip-compressed; BackupFileError for any other name."""
    for suffix, compressed in SUFFIXES.items():
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            return compressed
    raise BackupFileError(
        f"tên tệp sao lưu phải kết thúc bằng .xml hoặc .xml.gz (ví dụ sao-luu.xml.gz), "
        f"không phải “{path.name}”"
    )


def backup_open(path: Path, *, compressed: bool) -> IO[bytes]:
    if compressed:
        # A binary file, though typeshed does not declare GzipFile a typing.IO.
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def record_name(label: str | None, pk: str | None) -> str:
    return f"bản ghi {label} khóa {pk}"


def backup_file_check(*, path: Path, compressed: bool) -> int:
    """Read the whole file as restore_data will and return how many records it holds.

    A streaming parse (memory stays flat at any size) by the same expat parser that Django's
    XML deserializer uses, so a file that passes is one that restore_data can read: complete
    (the root element closes), well-formed, every character one XML allows, every record of
    a model this application has. Raises BackupFileError saying what and where.
    """
    current: tuple[str | None, str | None] | None = None  # the record being read
    last: tuple[str | None, str | None] | None = None  # the last record read whole
    count = depth = 0
    root = None
    try:
        with backup_open(path, compressed=compressed) as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth == 1:
                        if element.tag != "django-objects":
                            raise BackupFileError(
                                "đây không phải tệp của backup_data (thiếu <django-objects>)"
                            )
                        root = element
                    elif depth == 2:
                        current = (element.get("model"), element.get("pk"))
                        _known_model(*current)
                    continue
                depth -= 1
                if depth == 1:
                    count += 1
                    last, current = current, None
                    # Records already read are not needed again: keep memory flat.
                    if root is not None:  # always: records close inside the root
                        root.clear()
    except ElementTree.ParseError as exc:
        line, column = exc.position
        problem = _XML_PROBLEMS.get(exc.code, f"XML không hợp lệ ({exc})")
        if (line, column) == (1, 0) and exc.code == _XML_PROBLEMS_EMPTY:
            raise BackupFileError("tệp trống") from exc
        where = f"dòng {_number(line)}, cột {_number(column + 1)}"
        raise BackupFileError(f"{problem} ở {where}{_where(current, last)}") from exc
    except EOFError as exc:
        raise BackupFileError(
            f"tệp .gz bị cắt cụt (dừng giữa chừng){_where(current, last)}"
        ) from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise BackupFileError(
            f"tệp bị hỏng hoặc không phải tệp nén .gz{_where(current, last)}"
        ) from exc
    except OSError as exc:
        raise BackupFileError(f"không đọc được tệp ({_os_problem(exc)})") from exc
    return count


def _number(value: int) -> str:
    """1.234.567: the Vietnamese thousands separator."""
    return f"{value:,}".replace(",", ".")


def _known_model(label: str | None, pk: str | None) -> None:
    try:
        apps.get_model(label or "")
    except (LookupError, ValueError) as exc:
        raise BackupFileError(
            f"{record_name(label, pk)}: phần mềm này không có loại dữ liệu “{label}”"
        ) from exc


def _where(
    current: tuple[str | None, str | None] | None, last: tuple[str | None, str | None] | None
) -> str:
    if current:
        return f", trong {record_name(*current)}"
    if last:
        return f", sau {record_name(*last)}"
    return ""


def _os_problem(exc: OSError) -> str:
    return _OS_PROBLEMS.get(exc.errno, exc.strerror or str(exc))


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """On PostgreSQL, read every table from one snapshot: the file is one moment of the
    database even while people keep saving (no activity without its villages). A test's
    outer transaction has already begun, so there it reads as it is."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _fsync(path: Path) -> None:
    # The rename must not reach the disk before the data do (a crash would leave an empty
    # file under the backup's name).
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Command(BaseCommand):
    help = (
        "Sao lưu toàn bộ dữ liệu (kể cả lịch sử thay đổi) ra một tệp XML (.xml hoặc .xml.gz). "
        "Tệp chỉ xuất hiện khi đã ghi xong và đọc lại được trọn vẹn."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Tệp sao lưu, ví dụ sao-luu-2026-11-29.xml.gz")

    def handle(self, *args, file: Path, **options):
        compressed = self._checked_destination(file)
        temporary = self._temporary_beside(file)
        try:
            self._dump(temporary, file)
            try:
                records = backup_file_check(path=temporary, compressed=compressed)
            except BackupFileError as exc:
                raise self._failure(
                    file,
                    f"tệp vừa ghi không đọc lại được: {exc}. Sửa bản ghi đó rồi sao lưu lại",
                ) from exc
            _fsync(temporary)
            os.replace(temporary, file)
            _fsync(file.parent)
        except BaseException:
            # Whatever stopped us (an error, Ctrl-C), no half-written file stays behind.
            temporary.unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"Đã sao lưu {_number(records)} bản ghi vào {file} "
            f"({_number(file.stat().st_size)} byte)."
        )

    def _failure(self, file: Path, why: str) -> CommandError:
        return CommandError(
            f"Không sao lưu được: {why}. Chưa ghi gì ra {file} (tệp cũ cùng tên, nếu có, "
            "vẫn giữ nguyên)."
        )

    def _checked_destination(self, file: Path) -> bool:
        try:
            compressed = backup_compressed(file)
        except BackupFileError as exc:
            raise self._failure(file, str(exc)) from exc
        if not file.parent.exists():
            raise self._failure(file, f"thư mục {file.parent} không tồn tại")
        if not file.parent.is_dir():
            raise self._failure(file, f"{file.parent} không phải là thư mục")
        if file.is_dir():
            raise self._failure(file, f"{file} là một thư mục")
        return compressed

    def _temporary_beside(self, file: Path) -> Path:
        # Beside the destination, so the final rename is atomic (same file system); hidden,
        # and ending in the destination's own suffix so that dumpdata compresses it alike.
        suffix = ".gz" if file.name.endswith(".gz") else ".xml"
        try:
            descriptor, name = tempfile.mkstemp(
                prefix=f".{file.name}.", suffix=f".tam{suffix}", dir=file.parent
            )
        except OSError as exc:
            raise self._failure(
                file, f"không ghi được vào thư mục {file.parent} ({_os_problem(exc)})"
            ) from exc
        os.close(descriptor)
        return Path(name)

    def _dump(self, temporary: Path, file: Path) -> None:
        with _one_snapshot():
            try:
                # XML keeps timestamps to the microsecond (JSON would round them to ms).
                call_command(
                    "dumpdata",
                    format="xml",
                    exclude=EXCLUDED,
                    natural_foreign=True,
                    output=str(temporary),
                    verbosity=0,
                )
            except CommandError as exc:
                why = _dump_problem(exc, temporary)
                # dumpdata's half-read querysets (server-side cursors on PostgreSQL) live on
                # in the traceback's frames: let them close now, while their transaction is
                # still there, not whenever they are collected (in whatever transaction).
                for error in (exc, exc.__context__):
                    if error is not None:
                        traceback.clear_frames(error.__traceback__)
                raise self._failure(file, why) from None


def _dump_problem(exc: CommandError, temporary: Path) -> str:
    """What stopped dumpdata, in Vietnamese (it wraps every error in an English one)."""
    cause = exc.__context__
    if isinstance(cause, OSError):
        return f"không ghi được tệp tạm {temporary.name} ({_os_problem(cause)})"
    if isinstance(cause, DatabaseError):
        return f"cơ sở dữ liệu báo lỗi khi đọc (đã chạy migrate chưa?): {cause}"
    if match := _UNSERIALIZABLE.search(str(exc)):
        model, field, pk = match.groups()
        return (
            f"{record_name(_label(model), pk)} có ký tự điều khiển trong trường “{field}”, "
            "không ghi được vào XML. Sửa bản ghi đó rồi sao lưu lại"
        )
    return str(exc)


def _label(model_name: str) -> str:
    """The app label of a model known by its class name only (as the serializer names it)."""
    for model in apps.get_models():
        if model.__name__ == model_name:
            return model._meta.label_lower
    return model_name

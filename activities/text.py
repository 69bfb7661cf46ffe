"""Vietnamese text helpers: the one cleaner every text passes through, comparison keys, and
model and form fields that store clean NFC text.

What is removed, and why removal rather than refusal. Everything below is invisible or
cannot be stored in a backup (XML 1.0) or a workbook cell, and none of it is ever typed on
purpose in this project's Vietnamese text: it arrives by copy and paste from Word, web pages
and chat apps (a zero-width space, a left-to-right mark, a byte-order mark), or from a
careless or hostile client (a vertical tab, \\x01, U+FFFE). A person asked to remove a
character they cannot see cannot do it, so these are removed silently:

- C0 and C1 control characters and DEL; the line-breaking ones (CR, VT, FF, NEL, U+2028,
  U+2029) become a line break in multi-line text and a space elsewhere, so that words
  they separated stay apart; tab and newline are kept only in multi-line text;
- Unicode noncharacters (U+FDD0–U+FDEF and the last two code points of every plane, such as
  U+FFFE and U+FFFF) and lone surrogates: no UTF-8 or XML can carry them;
- every format character (category Cf): zero-width space/joiners (U+200B–U+200D), word
  joiner, byte-order mark, soft hyphen, and the bidirectional marks, embeddings, overrides
  and isolates (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069). Removing them never
  changes what Vietnamese text says; keeping them lets "Nà Cóoc" and "Nà\u200bCóoc" be two
  villages and lets a direction override show text in another order than it is stored.

What is refused instead: text longer than its field allows (model `max_length`, also on the
long text fields, so that every value fits in an exported cell), with a Vietnamese message
next to the field, since cutting it would silently lose what the person wrote.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from django import forms
from django.core import validators
from django.db import models
from django.db.models.query_utils import DeferredAttribute

# Longest multi-line texts: a few thousand characters, far below a workbook cell's 32.767,
# so that every stored text exports and imports back whole.
LONG_TEXT_MAX = 4000
SHORT_TEXT_MAX = 1000

_SPACES = re.compile(r"\s+")
# Characters that end a line in some convention; in multi-line text they all become "\n".
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_TRAILING = re.compile(r"[ \t]+\n")


def _is_removed(char: str, multiline: bool) -> bool:
    code = ord(char)
    if char in "\t\n":
        return not multiline
    category = unicodedata.category(char)
    return (
        category in ("Cc", "Cf", "Cs")
        or 0xFDD0 <= code <= 0xFDEF
        or (code & 0xFFFE) == 0xFFFE  # U+FFFE, U+FFFF, U+1FFFE, ... U+10FFFF
    )


def _ranges(codes: list[int]) -> str:
    """A regular-expression character class body for the code points, as ranges."""
    parts, start = [], None
    for index, code in enumerate(codes):
        if start is None:
            start = code
        if index + 1 == len(codes) or codes[index + 1] != code + 1:
            parts.append(
                re.escape(chr(start)) + ("-" + re.escape(chr(code)) if code > start else "")
            )
            start = None
    return "".join(parts)


_REMOVED_BMP = [code for code in range(0x10000) if _is_removed(chr(code), multiline=True)]
# Finds, in C, whether a text holds anything to remove (most texts hold nothing).
_SUSPECT = re.compile(f"[{_ranges(_REMOVED_BMP)}\\U00010000-\\U0010ffff]")


def _build_table(multiline: bool) -> dict[int, str | None]:
    """str.translate tables for the Basic Multilingual Plane's removed characters."""
    table: dict[int, str | None] = dict.fromkeys(_REMOVED_BMP)
    if multiline:
        # clean_text has made every line break "\n" before; strip_unsafe keeps "\r\n".
        del table[ord("\r")]
    else:
        # Separators become spaces first, so that "a\tb" is "a b", not "ab".
        for char in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029":
            table[ord(char)] = " "
    return table


_TABLES = {True: _build_table(True), False: _build_table(False)}
# Outside the BMP (emoji, old scripts): rare, so looked at one by one.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Single-line text that clean_text would change apart from NFC: whitespace at an end, a run
# of it, whitespace other than a space, or a character to remove. Text read back from the
# database is already clean, and every instance loaded passes through clean_text.
_UNCLEAN_LINE = re.compile(f"^\\s|\\s$|\\s\\s|[^\\S ]|{_SUSPECT.pattern}")


def _astral(match: re.Match) -> str:
    return "" if _is_removed(match.group(), multiline=True) else match.group()


def _drop(value: str, multiline: bool) -> str:
    if not _SUSPECT.search(value):
        return value  # the common case, untouched
    return _ASTRAL.sub(_astral, value.translate(_TABLES[multiline]))


def strip_unsafe(value: str) -> str:
    """The text without the characters listed above, and nothing else changed (no NFC, no
    whitespace rules): for values that must stay as they are, such as audit entries and
    cells on their way into a file. Tab, newline and carriage return are kept."""
    return _drop(value, True)


def clean_text(value: str, *, multiline: bool) -> str:
    """Text as it is stored: NFC, without the removed characters, ends trimmed.

    Single-line text has every run of whitespace (line breaks and tabs included) collapsed
    to one space. Multi-line text keeps tabs and line breaks ("\\r\\n" and the other line
    separators become "\\n") and loses the spaces at the ends of its lines.
    """
    if (
        not multiline
        and not _UNCLEAN_LINE.search(value)
        and unicodedata.is_normalized("NFC", value)
    ):
        return value  # already clean: what the steps below would return
    if multiline:
        value = _drop(_LINE_BREAKS.sub("\n", value), True)
        return _TRAILING.sub("\n", unicodedata.normalize("NFC", value)).strip()
    value = unicodedata.normalize("NFC", _drop(value, False))
    return _SPACES.sub(" ", value).strip()


def nfc(value: str) -> str:
    """Single-line text as stored: clean, NFC, runs of whitespace collapsed, ends trimmed."""
    return clean_text(value, multiline=False)


def name_key(value: str) -> str:
    """The key two names are compared by: NFC, collapsed whitespace, case-folded.

    "Nà Cóoc", "NÀ CÓOC" and the NFD spelling of "Nà Cóoc" share one key; "Nà Coóc"
    (another tone placement) does not: such variants are kept as aliases.
    """
    return unicodedata.normalize("NFC", nfc(value).casefold())


def too_long_message(limit: int, length: int) -> str:
    from activities.numbers import vn_number

    return (
        f"Nội dung dài {vn_number(length)} ký tự, vượt quá giới hạn {vn_number(limit)} ký tự. "
        "Hãy rút gọn."
    )


class _TooLong(validators.MaxLengthValidator):
    """Django's length check with the message in this project's words."""

    def __call__(self, value):
        length = self.clean(value)
        if length > self.limit_value:
            from django.core.exceptions import ValidationError

            raise ValidationError(too_long_message(self.limit_value, length), code="max_length")


class CleanTextFormField(forms.CharField):
    """A form field whose text is cleaned before any validator sees it.

    Cleaning first means a NUL or a zero-width space never reaches Django's English "Null
    characters are not allowed", and the length is that of the text as it will be stored.
    """

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)
        self.validators = [
            _TooLong(v.limit_value) if type(v) is validators.MaxLengthValidator else v
            for v in self.validators
        ]

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str):
            value = clean_text(value, multiline=self.multiline)
        return value


class _CleanOnSet(DeferredAttribute):
    """Cleans text as it is set on an instance, whoever sets it (a service, the admin, an
    import, a row loaded from the database), so that what is saved, compared and copied into
    the audit trail is always the clean text."""

    field: _NFCMixin

    def __set__(self, instance, value):
        if isinstance(value, str):
            value = self.field.normalise(value)
        instance.__dict__[self.field.attname] = value


# The mixin is checked as the model field it is mixed into.
if TYPE_CHECKING:
    _FieldMixinBase = models.Field
else:
    _FieldMixinBase = object


class _NFCMixin(_FieldMixinBase):
    """Cleans text on the way in: forms, instances, saves, bulk inserts and lookups."""

    descriptor_class = _CleanOnSet
    multiline = False

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalise(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return self.normalise(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        # Keep the instance in step with what the database stores.
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = self.normalise(value)
            setattr(model_instance, self.attname, value)
        return value

    def normalise(self, value: str) -> str:
        return clean_text(value, multiline=self.multiline)

    def formfield(self, *args, **kwargs):
        defaults = {"form_class": CleanTextFormField, "multiline": self.multiline}
        if self.choices is not None:
            defaults = {}
        return super().formfield(*args, **{**defaults, **kwargs})


class NFCCharField(_NFCMixin, models.CharField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators[:] = [
            _TooLong(v.limit_value) if type(v) is validators.MaxLengthValidator else v
            for v in self.validators
        ]


class NFCTextField(_NFCMixin, models.TextField):
    """Long text: keeps its line breaks and tabs. A `max_length` here is checked by forms
    and by `full_clean()` (a plain TextField checks it in forms only); the column stays
    unbounded text."""

    multiline = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(_TooLong(self.max_length))


class NameKeyField(models.CharField):
    """A read-only comparison key kept in step with another field of the same row.

    Lets the database enforce "unique after NFC and case folding" on SQLite, whose
    LOWER() only folds ASCII letters.
    """

    def __init__(self, *args, source: str = "name", **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        if kwargs.get("max_length") == 255:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = name_key(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def clean_stored_rows(model, *, using: str = "default") -> int:
    """Clean the text already stored in `model`'s NFC fields (data migrations); returns the
    number of rows changed.

    Reads with values_list(): an instance would clean its text on load and hide the dirt.
    A name that cleaning makes equal to another one of the same scope (a village written
    once with a zero-width space) gets " (2)", " (3)"... rather than stopping the migration;
    the admin shows both and one can be merged by hand.
    """
    from django.db import IntegrityError, transaction

    fields = [f for f in model._meta.concrete_fields if isinstance(f, _NFCMixin)]
    keys = [f for f in model._meta.concrete_fields if isinstance(f, NameKeyField)]
    if not fields:
        return 0
    manager = model._base_manager.db_manager(using)
    names = [f.attname for f in fields]
    pending = []
    for pk, *values in manager.values_list("pk", *names).iterator(chunk_size=2000):
        changes = {}
        for field, value in zip(fields, values, strict=True):
            if isinstance(value, str):
                cleaned = clean_text(value, multiline=field.multiline)
                if cleaned != value:
                    changes[field.attname] = cleaned
        if changes:
            pending.append((pk, changes))
    for pk, changes in pending:
        for attempt in range(1, 100):
            values = dict(changes)
            if attempt > 1:
                for key in keys:
                    if key.source in values:
                        values[key.source] = f"{values[key.source]} ({attempt})"
            for key in keys:
                if key.source in values:
                    values[key.attname] = name_key(values[key.source])
            try:
                with transaction.atomic(using=using):
                    manager.filter(pk=pk).update(**values)
                break
            except IntegrityError:
                if not keys or attempt == 99:
                    raise
    return len(pending)


def strip_unsafe_json(value):
    """`strip_unsafe` over every text inside decoded JSON, keys included."""
    if isinstance(value, str):
        return strip_unsafe(value)
    if isinstance(value, list):
        return [strip_unsafe_json(item) for item in value]
    if isinstance(value, dict):
        return {strip_unsafe_json(k): strip_unsafe_json(v) for k, v in value.items()}
    return value

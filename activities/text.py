"""Vietnamese text helpers: NFC storage, comparison keys, and model fields that store NFC."""

import re
import unicodedata

from django.db import models

_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Return the text in Unicode NFC with runs of whitespace collapsed and ends trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def name_key(value: str) -> str:
    """The key two names are compared by: NFC, collapsed whitespace, case-folded.

    "Nà Cóoc", "NÀ CÓOC" and the NFD spelling of "Nà Cóoc" share one key; "Nà Coóc"
    (another tone placement) does not: such variants are kept as aliases.
    """
    return unicodedata.normalize("NFC", nfc(value).casefold())


class _NFCMixin:
    """Normalises text to NFC on the way in (forms, saves, bulk inserts and lookups)."""

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

    @staticmethod
    def normalise(value: str) -> str:
        return nfc(value)


class NFCCharField(_NFCMixin, models.CharField):
    pass


class NFCTextField(_NFCMixin, models.TextField):
    @staticmethod
    def normalise(value: str) -> str:
        # Long text keeps its line breaks; only the code points are normalised.
        return unicodedata.normalize("NFC", value).strip()


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

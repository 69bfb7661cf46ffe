"""Form fields for numbers as Vietnamese offices write them, and small helpers for forms."""

from __future__ import annotations

import re
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

_MONEY_NOISE = re.compile(r"[\s.\u00a0]|đồng$|đ$|vnđ$|vnd$", re.IGNORECASE)


class MoneyField(forms.IntegerField):
    """Whole đồng, typed as 25000000, 25.000.000 or "25.000.000 đ"."""

    default_error_messages = {
        "invalid": "Nhập số tiền bằng chữ số, ví dụ 25.000.000.",
    }

    def __init__(self, *, max_value: int = 10**12, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(max_value=max_value, **kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "data-money": ""})
        self.widget.attrs.pop("min", None)
        self.widget.attrs.pop("max", None)
        self.validators = [
            v for v in self.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
        ]
        self.validators += [
            MinValueValidator(0, "Số tiền không được âm."),
            MaxValueValidator(max_value, "Số tiền quá lớn, hãy kiểm tra lại."),
        ]

    def to_python(self, value):
        if isinstance(value, str):
            value = _MONEY_NOISE.sub("", value.strip())
        return super().to_python(value)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError beside the fields it names, the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


_Field = TypeVar("_Field", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """The form's field `name` as the kind it is: `form.fields` holds them as plain Fields, so
    setting a choice field's queryset or choices needs the field's own type."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"The field {name!r} is a {type(field).__name__}, not a {kind.__name__}.")
    return field

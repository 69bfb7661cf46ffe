"""Posting a Django admin change form back the way a browser would, for tests."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper


def _form_data(form: forms.BaseForm) -> dict:
    data: dict = {}
    for bound in form:
        field, widget = bound.field, bound.field.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        value = bound.value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None:
            data[bound.html_name] = ""
            continue
        shown = widget.format_value(field.prepare_value(value))
        if isinstance(widget, forms.SelectMultiple | forms.CheckboxSelectMultiple):
            data[bound.html_name] = [str(v) for v in shown]
        elif isinstance(shown, list):
            data[bound.html_name] = shown[0] if shown else ""
        else:
            data[bound.html_name] = "" if shown is None else shown
    return data


def change_form_data(response) -> dict:
    """What the admin change form of `response` (a GET) posts when saved unchanged: its
    fields, hidden ones included, and its inlines with their management forms."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _form_data(formset.management_form)
        for form in formset.forms:
            data |= _form_data(form)
    return data

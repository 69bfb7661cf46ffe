"""The activity form: one column, for a phone; the rules themselves live in services."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string

from activities import rules, selectors
from activities.fields import MoneyField, form_field
from activities.figures import FIELDS, FIGURES, Figure
from activities.models import Activity, ActivityType, PartyUnit, Village, commune_kinds_text
from activities.numbers import vn_number
from activities.services import ACTIVITY_FIELDS, local_today
from activities.text import LONG_TEXT_MAX, CleanTextFormField


def form_parts() -> list:
    """The other apps' parts of the activity form, named in `settings.ACTIVITY_FORM_PARTS`
    (the project knows every app; this one imports none of them). A part gives `fields(form)`
    and `initial(activity)`, and `save(form=, activity=)` runs in the form's transaction,
    after the activity's service, through its own app's service."""
    return [import_string(path)() for path in settings.ACTIVITY_FORM_PARTS]


class DatePicker(forms.DateInput):
    """The browser's date picker; it submits yyyy-mm-dd, typed dates may be dd/mm/yyyy."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _count_field(figure: Figure, **kwargs) -> forms.IntegerField:
    maximum = figure.maximum
    messages = {"invalid": "Nhập một số nguyên, ví dụ 12.", "min_value": "Không được là số âm."}
    if maximum is not None:
        messages["max_value"] = f"Tối đa {vn_number(maximum)} {figure.unit}."
    return forms.IntegerField(
        min_value=0,
        max_value=maximum,
        error_messages=messages,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        **kwargs,
    )


def _decimal_field(figure: Figure, **kwargs) -> forms.DecimalField:
    # Without a bound of its own, as many digits as the column stores.
    if figure.maximum is not None:
        kwargs["max_value"] = figure.maximum
    else:
        column = Activity._meta.get_field(figure.field)
        if isinstance(column, models.DecimalField):
            kwargs["max_digits"] = column.max_digits
    return forms.DecimalField(
        min_value=0,
        decimal_places=figure.places,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": figure.invalid_message},
        **kwargs,
    )


def figure_field(figure: Figure) -> forms.Field:
    """A figure's field: money in whole đồng, decimals with a comma, counts as whole numbers;
    required, or starting at its default (0) and, unless the form requires it, empty
    meaning the default."""
    options: dict = {"label": figure.form_label}
    if figure.default is not None:
        options["initial"] = figure.default
    if not (figure.required or figure.form_required):
        options["required"] = False
    if figure.is_money:
        return MoneyField(**options)
    if figure.places:
        return _decimal_field(figure, **options)
    return _count_field(figure, **options)


# The figures' fields, before the form's own (the template places them, see figure_rows).
# Built from FIGURES when the module loads; mypy checks the form as the Form it is.
if TYPE_CHECKING:
    _FigureFields = forms.Form
else:
    _FigureFields = type(
        "_FigureFields", (forms.Form,), {figure.field: figure_field(figure) for figure in FIGURES}
    )


MISSING_VERSION = (
    "Trang gửi lên thiếu phiên bản của bản ghi nên chưa lưu gì. Hãy mở lại trang rồi sửa lại."
)


class VersionField(forms.IntegerField):
    """The version of the row an edit form was opened on, hidden; a save without it (or with
    a broken one) is refused: see services.version_claim."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        messages = {"required": MISSING_VERSION, "invalid": MISSING_VERSION}
        messages["min_value"] = MISSING_VERSION
        super().__init__(min_value=1, error_messages=messages, **kwargs)


def version_errors_above(form: forms.BaseForm) -> None:
    """A hidden field's errors have no place beside it: show the version's above the form.
    Call from the form's clean()."""
    errors = form.errors.pop("version", None)
    if errors:
        form.add_error(None, errors.as_data())


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name[:1].upper() + obj.full_name[1:]


class ActivityForm(_FigureFields):
    date = forms.DateField(label="Ngày", widget=DatePicker())
    commune = CommuneChoiceField(label="Xã, thị trấn", queryset=None, empty_label="— Chọn xã —")
    villages: forms.ModelMultipleChoiceField[Village] = forms.ModelMultipleChoiceField(
        label="Thôn, bản", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    activity_type: forms.ModelChoiceField[ActivityType] = forms.ModelChoiceField(
        label="Loại hoạt động", queryset=None, empty_label="— Chọn loại —"
    )
    # The figures' fields come from _FigureFields; an output's unit of measure is no figure.
    output_unit = CleanTextFormField(label="Đơn vị tính", required=False, max_length=30)
    description = CleanTextFormField(
        multiline=True,
        label="Nội dung",
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The version of the activity the form was opened on (see services.activity_update).
    version = VersionField(required=False)
    confirm_duplicate = forms.BooleanField(
        label="Vẫn lưu (đây là một hoạt động khác)", required=False
    )
    field_order = [
        "date",
        "commune",
        "villages",
        "activity_type",
        *FIELDS,
        "description",
        "version",
        "confirm_duplicate",
    ]

    def __init__(self, *args, unit: PartyUnit, instance: Activity | None = None, **kwargs):
        self.unit = unit
        self.instance = instance
        self.parts = form_parts()
        if instance is not None:
            initial = self.initial_from(instance)
            for part in self.parts:
                initial |= part.initial(instance)
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.part_names: list[str] = []
        for part in self.parts:
            added = part.fields(self)
            self.fields.update(added)
            self.part_names.extend(added)
        self.fields["version"].required = instance is not None
        communes = selectors.unit_communes(unit)
        commune = form_field(self, "commune", forms.ModelChoiceField)
        commune.queryset = communes
        # "Xã" for a commune's committee, "Xã, thị trấn" for a former district's unit.
        commune.label = commune_kinds_text(communes.values_list("kind", flat=True)).capitalize()
        villages = form_field(self, "villages", forms.ModelMultipleChoiceField)
        villages.queryset = selectors.unit_villages(unit)
        types = ActivityType.objects.filter(is_active=True)
        if instance is not None:
            types = ActivityType.objects.filter(pk=instance.activity_type_id) | types
        kinds = form_field(self, "activity_type", forms.ModelChoiceField)
        kinds.queryset = types.order_by("order", "name")
        if instance is None:
            self.fields["date"].initial = selectors.last_weekend_day(local_today())
            only = list(communes[:2])
            if len(only) == 1:
                self.fields["commune"].initial = only[0].pk
        self.fields["date"].widget.attrs["max"] = local_today().isoformat()

    @property
    def part_fields(self) -> list:
        """The other apps' fields, shown after the figures."""
        return [self[name] for name in self.part_names]

    @staticmethod
    def initial_from(activity: Activity) -> dict:
        initial = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
        initial["version"] = activity.version
        initial["villages"] = list(activity.villages.all())
        return initial

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        version_errors_above(self)
        # A figure left empty is its default (0); one not read is not in cleaned_data.
        for figure in FIGURES:
            if figure.default is not None and cleaned.get(figure.field, 0) is None:
                cleaned[figure.field] = figure.default
        # A quantity without a unit takes the type's usual unit.
        if cleaned.get("output_quantity") is not None:
            cleaned["output_unit"] = rules.output_unit_for(
                quantity=cleaned["output_quantity"],
                unit=cleaned.get("output_unit") or "",
                kind=cleaned.get("activity_type"),
            )
        return cleaned

    def figure_rows(self) -> list[list[forms.BoundField]]:
        """The figures' fields as the form lays them out on a phone: an output beside its
        unit of measure, two whole-number counts side by side, anything else on its own."""
        rows: list[list[forms.BoundField]] = []
        pairing = False  # the last row holds one count that another may join
        for figure in FIGURES:
            count = not (figure.places or figure.is_money or figure.unit_field)
            if count and pairing:
                rows[-1].append(self[figure.field])
                pairing = False
                continue
            row = [self[figure.field]]
            if figure.unit_field:
                row.append(self[figure.unit_field])
            rows.append(row)
            pairing = count
        return rows

    def villages_by_commune(self) -> list[tuple]:
        """(commune, [(offered village, checked, shown)]) for the grouped checkboxes: shown
        when the village is in the commune on the date the form holds (the page's script
        follows the date as it is typed)."""
        chosen = set()
        for value in self["villages"].value() or []:
            pk = str(getattr(value, "pk", value))
            if pk.isdigit():
                chosen.add(int(pk))
        day = self.chosen_day()
        return [
            (
                commune,
                [(offered, offered.village.pk in chosen, offered.on(day)) for offered in villages],
            )
            for commune, villages in selectors.unit_village_groups(self.unit)
        ]

    def chosen_day(self) -> datetime.date | None:
        """The date the form holds (sent, or the one it opened with), if it reads as one: the
        villages offered are those of that day."""
        try:
            return self.fields["date"].clean(self["date"].value())
        except forms.ValidationError:
            return None


class ReopenForm(forms.Form):
    reason = CleanTextFormField(
        multiline=True,
        label="Lý do mở lại",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Nhập lý do mở lại tháng."},
    )

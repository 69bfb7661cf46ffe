"""The activity form: one column, for a phone; the rules themselves live in services."""

from __future__ import annotations

from django import forms

from activities import rules, selectors
from activities.fields import MoneyField
from activities.models import Activity, ActivityType, PartyUnit
from activities.numbers import vn_number
from activities.rules import MAX_CADRES, MAX_PEOPLE
from activities.services import ACTIVITY_FIELDS, local_today
from activities.text import LONG_TEXT_MAX, CleanTextFormField


class DatePicker(forms.DateInput):
    """The browser's date picker; it submits yyyy-mm-dd, typed dates may be dd/mm/yyyy."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _count_field(label: str, maximum: int, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=maximum,
        error_messages={
            "invalid": "Nhập một số nguyên, ví dụ 12.",
            "min_value": "Không được là số âm.",
            "max_value": f"Tối đa {vn_number(maximum)} lượt.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        **kwargs,
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


class ActivityForm(forms.Form):
    date = forms.DateField(label="Ngày", widget=DatePicker())
    commune = CommuneChoiceField(label="Xã, thị trấn", queryset=None, empty_label="— Chọn xã —")
    villages = forms.ModelMultipleChoiceField(
        label="Thôn, bản", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    activity_type = forms.ModelChoiceField(
        label="Loại hoạt động", queryset=None, empty_label="— Chọn loại —"
    )
    cadre_participations = _count_field("Lượt cán bộ, đảng viên", MAX_CADRES)
    people_participations = _count_field("Lượt nhân dân", MAX_PEOPLE, initial=0)
    workdays = forms.DecimalField(
        label="Ngày công",
        min_value=0,
        max_value=1_000_000,
        decimal_places=1,
        initial=0,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": "Nhập số ngày công, ví dụ 12 hoặc 12,5."},
    )
    output_quantity = forms.DecimalField(
        label="Khối lượng",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": "Nhập khối lượng bằng số, ví dụ 120 hoặc 327,65."},
    )
    output_unit = CleanTextFormField(label="Đơn vị tính", required=False, max_length=30)
    money_contributed = MoneyField(label="Tiền đóng góp (đồng)", required=False, initial=0)
    money_mobilised = MoneyField(label="Tiền vận động (đồng)", required=False, initial=0)
    housing_case = forms.ModelChoiceField(
        label="Hộ được hỗ trợ nhà ở (nếu có)",
        queryset=None,
        required=False,
        empty_label="— Không —",
    )
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

    def __init__(self, *args, unit: PartyUnit, instance: Activity | None = None, **kwargs):
        self.unit = unit
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", self.initial_from(instance))
        super().__init__(*args, **kwargs)
        self.fields["version"].required = instance is not None
        communes = selectors.unit_communes(unit)
        self.fields["commune"].queryset = communes
        self.fields["villages"].queryset = selectors.unit_villages(unit)
        types = ActivityType.objects.filter(is_active=True)
        if instance is not None:
            types = ActivityType.objects.filter(pk=instance.activity_type_id) | types
        self.fields["activity_type"].queryset = types.order_by("order", "name")
        self.fields["housing_case"].queryset = self.housing_cases()
        if instance is None:
            self.fields["date"].initial = selectors.last_weekend_day(local_today())
            only = list(communes[:2])
            if len(only) == 1:
                self.fields["commune"].initial = only[0].pk
        self.fields["date"].widget.attrs["max"] = local_today().isoformat()

    def housing_cases(self):
        """Cases of the unit's communes, reached through the reverse relation so that this
        app does not import housing (housing depends on activities, not the other way)."""
        relation = Activity._meta.fields_map.get("housing_cases")
        if relation is None:
            return Activity.objects.none()
        return (
            relation.related_model.objects.filter(
                village__commune__in=selectors.unit_communes(self.unit).values("pk")
            )
            .select_related("village__commune")
            .order_by("village__commune__name", "household_head")
        )

    @staticmethod
    def initial_from(activity: Activity) -> dict:
        initial = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
        initial["version"] = activity.version
        initial["villages"] = list(activity.villages.all())
        relation = Activity._meta.fields_map.get("housing_cases")
        if relation is not None:
            initial["housing_case"] = activity.housing_cases.first()
        return initial

    def clean_money_contributed(self):
        return self.cleaned_data.get("money_contributed") or 0

    def clean_money_mobilised(self):
        return self.cleaned_data.get("money_mobilised") or 0

    def clean(self):
        cleaned = super().clean()
        version_errors_above(self)
        # A quantity without a unit takes the type's usual unit.
        if cleaned.get("output_quantity") is not None:
            cleaned["output_unit"] = rules.output_unit_for(
                quantity=cleaned["output_quantity"],
                unit=cleaned.get("output_unit") or "",
                kind=cleaned.get("activity_type"),
            )
        return cleaned

    def villages_by_commune(self) -> list[tuple]:
        """(commune, [(village, checked)]) for the grouped checkboxes."""
        chosen = set()
        for value in self["villages"].value() or []:
            pk = str(getattr(value, "pk", value))
            if pk.isdigit():
                chosen.add(int(pk))
        groups: dict = {}
        for village in self.fields["villages"].queryset:
            groups.setdefault(village.commune, []).append((village, village.pk in chosen))
        return list(groups.items())


class ReopenForm(forms.Form):
    reason = CleanTextFormField(
        multiline=True,
        label="Lý do mở lại",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Nhập lý do mở lại tháng."},
    )

"""Forms of the housing-case pages: they parse input; the rules live in housing.services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format

from activities import selectors as activity_selectors
from activities.access import AnyUser, writable_communes
from activities.fields import MoneyField, form_field
from activities.forms import VersionField, version_errors_above
from activities.models import Activity, PartyUnit, Village
from activities.periods import RECORD_YEARS
from activities.text import CleanTextFormField
from housing import services
from housing.models import Funding, HousingCase
from housing.services import EDITABLE_FIELDS

REQUIRED = "Trường này không được để trống."


def _date_input() -> forms.DateInput:
    # The browser's picker submits yyyy-mm-dd; DATE_INPUT_FORMATS also read dd/mm/yyyy.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _GroupedVillageField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Village) -> str:
        return f"{obj.commune.name} — {obj}"


class _DottedMoneyField(MoneyField):
    """Shows a stored amount as 25.000.000, the way it is typed."""

    def prepare_value(self, value):
        if isinstance(value, int):
            return number_format(value, force_grouping=True)
        return value


class HousingCaseForm(forms.ModelForm):
    """The household's details. The status and its dates move only through the step buttons."""

    village = _GroupedVillageField(
        label="Thôn, bản", queryset=Village.objects.none(), empty_label="— Chọn thôn —"
    )
    support_amount = _DottedMoneyField(
        label="Mức hỗ trợ (đồng)",
        required=False,
        help_text="Ví dụ 50.000.000 (xây mới) hoặc 25.000.000 (sửa chữa).",
    )
    helping_units = forms.ModelMultipleChoiceField(
        label="Đơn vị giúp đỡ",
        queryset=PartyUnit.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The version of the case the form was opened on (see services.housing_case_update).
    version: VersionField | None = VersionField()  # HousingCaseCreateForm drops it

    class Meta:
        model = HousingCase
        fields = [*EDITABLE_FIELDS, "helping_units"]
        localized_fields = ["workdays"]
        widgets = {
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "expected_completion": _date_input(),
            "workdays": forms.TextInput(attrs={"inputmode": "decimal"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"household_head": {"required": REQUIRED}}

    def __init__(self, *args, user: AnyUser, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" in self.fields:
            self.initial.setdefault("version", self.instance.version)
        # Only where the user may write today: a commune whose assignment ended stays readable.
        villages: QuerySet[Village] = Village.objects.filter(
            commune__in=writable_communes(user)
        ).select_related("commune")
        village = form_field(self, "village", forms.ModelChoiceField)
        village.queryset = villages.order_by("commune__name", "name")
        form_field(self, "programme", forms.ModelChoiceField).empty_label = "— Chọn chương trình —"
        form_field(self, "gender", forms.ChoiceField).choices = [
            ("", "— Không ghi —"),
            *HousingCase.Gender.choices,
        ]
        self.fields["birth_year"].error_messages.update(
            invalid="Nhập năm sinh bằng chữ số, ví dụ 1965."
        )
        self.fields["birth_year"].validators += [
            MinValueValidator(1900, "Năm sinh phải trong khoảng 1900–2100."),
            MaxValueValidator(2100, "Năm sinh phải trong khoảng 1900–2100."),
        ]
        for name in ("village", "programme"):
            self.fields[name].error_messages.update(
                required=REQUIRED,
                invalid_choice="Lựa chọn không hợp lệ, hãy chọn trong danh sách.",
            )

    def clean_support_amount(self) -> int:
        return self.cleaned_data.get("support_amount") or 0

    def clean(self):
        cleaned = super().clean()
        version_errors_above(self)
        return cleaned

    def _post_clean(self):
        # The services validate the whole row; the form only parses the fields and leaves
        # the instance untouched, so a refused edit never shows on the page.
        pass


class HousingCaseCreateForm(HousingCaseForm):
    version = None  # a new case has no earlier copy
    surveyed_on = forms.DateField(
        label="Ngày khảo sát",
        required=False,
        widget=_date_input(),
        help_text="Hộ mới bắt đầu ở bước “Đã khảo sát”.",
    )

    class Meta(HousingCaseForm.Meta):
        fields = ["surveyed_on", *HousingCaseForm.Meta.fields]


class AdvanceForm(forms.Form):
    date = forms.DateField(
        label="Ngày",
        widget=_date_input(),
        error_messages={
            "required": "Cần nhập ngày của bước này.",
            "invalid": "Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy.",
        },
    )
    # The step the user saw: a second click or another tab cannot skip a step.
    status = forms.ChoiceField(
        choices=HousingCase.Status.choices,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Bước không hợp lệ, hãy tải lại trang."},
    )


class StepBackForm(forms.Form):
    reason = CleanTextFormField(
        multiline=True,
        label="Lý do lùi bước",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Cần ghi lý do lùi bước."},
    )


class FundingForm(forms.Form):
    source = forms.ChoiceField(
        label="Nguồn",
        choices=[("", "— Chọn nguồn —"), *Funding.Source.choices],
        error_messages={
            "required": "Cần chọn nguồn kinh phí.",
            "invalid_choice": "Lựa chọn không hợp lệ, hãy chọn trong danh sách.",
        },
    )
    year = forms.IntegerField(
        label="Năm",
        min_value=RECORD_YEARS[0],
        max_value=RECORD_YEARS[1],
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Cần nhập năm.",
            "invalid": "Nhập năm bằng chữ số, ví dụ 2024.",
            "min_value": "Năm phải trong khoảng 2000–2100.",
            "max_value": "Năm phải trong khoảng 2000–2100.",
        },
    )
    amount = MoneyField(
        label="Số tiền (đồng)",
        error_messages={"required": "Cần nhập số tiền."},
    )
    note = CleanTextFormField(label="Ghi chú", max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise ValidationError("Số tiền phải lớn hơn 0.")
        return amount


class ActivityLinkForm(forms.Form):
    activity = forms.IntegerField(
        label="Hoạt động",
        error_messages={
            "required": "Cần chọn hoạt động.",
            "invalid": "Cần chọn hoạt động.",
        },
    )
    action = forms.ChoiceField(
        choices=[("link", "Liên kết"), ("unlink", "Bỏ liên kết")],
        error_messages={"invalid_choice": "Thao tác không hợp lệ."},
    )


class ActivityCasePart:
    """The activity form's "Hộ được hỗ trợ nhà ở" (settings.ACTIVITY_FORM_PARTS): a case of
    the unit's communes, linked through housing's service and its same-commune rule."""

    def fields(self, form) -> dict[str, forms.Field]:
        cases = (
            HousingCase.objects.filter(
                village__commune__in=activity_selectors.unit_communes(form.unit).values("pk")
            )
            .select_related("village__commune")
            .order_by("village__commune__name", "household_head")
        )
        return {
            "housing_case": forms.ModelChoiceField(
                label="Hộ được hỗ trợ nhà ở (nếu có)",
                queryset=cases,
                required=False,
                empty_label="— Không —",
            )
        }

    def initial(self, activity: Activity) -> dict:
        return {"housing_case": activity.housing_cases.first()}

    def save(self, *, form, activity: Activity) -> None:
        services.activity_form_case_link(
            activity=activity, cleaned_data=form.cleaned_data, initial=form.initial
        )

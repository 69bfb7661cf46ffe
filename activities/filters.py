"""Report filters, in the URL so that a view can be bookmarked and shared."""

from __future__ import annotations

import datetime
import html
import itertools

import django_filters
from django import forms
from django.db.models import Max, Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString

from activities import periods
from activities.models import Activity, ActivityType, Commune, PartyUnit

PERIOD_KINDS = [
    ("thang", "Tháng"),
    ("quy", "Quý"),
    ("6thang", "6 tháng"),
    ("nam", "Năm"),
    ("tuy-chon", "Tùy chọn"),
    ("tu-dau", "Từ đầu"),
]
DEFAULT_KIND = "tu-dau"


class LongSelect(forms.Select):
    """A select written in Python: the same markup as Django's template, which takes a tenth
    of a second or more per thousand options (a province's communes, its organisations) and
    a few milliseconds for each short one. `labels(queryset)` gives (pk, label) read as
    values, so that no instance is built per option."""

    def __init__(self, attrs=None, choices=(), *, labels=None):
        super().__init__(attrs, choices)
        self.labels = labels

    def _options(self):
        choices = self.choices
        if self.labels is None or not isinstance(choices, ModelChoiceIterator):
            return ((str(value), label) for value, label in choices)
        queryset, empty = choices.queryset, choices.field.empty_label
        first = [("", empty)] if empty is not None else []
        return itertools.chain(first, ((str(pk), label) for pk, label in self.labels(queryset)))

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        # Escaped as format_html would (html.escape), without its lazy-text wrapper per call.
        options = "".join(
            f'<option value="{html.escape(key)}"{" selected" if key in chosen else ""}>'
            f"{html.escape(str(label))}</option>"
            for key, label in self._options()
        )
        attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            "<select{}>{}</select>", flatatt({"name": name, **attrs}), SafeString(options)
        )


def commune_labels(communes: QuerySet[Commune]):
    """The options of a commune select: str(commune) of each, from its values."""
    rows = communes.values_list("pk", "kind", "name", "valid_from", "valid_to")
    for pk, kind, name, valid_from, valid_to in rows:
        yield pk, Commune.label_of(kind, name, valid_from, valid_to)


def unit_labels(units: QuerySet[PartyUnit]):
    """The options of an organisation select: str(unit) of each, from its values."""
    for pk, short_name, name in units.values_list("pk", "short_name", "name"):
        yield pk, short_name or name


class CommuneFilter(django_filters.ModelChoiceFilter):
    """A commune, or a post-2025 commune together with the communes merged into it."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        # A subquery of the few communes, not a join to every commune: the tables' commune
        # indexes then answer (a province's summary tables are large).
        return qs.filter(commune__in=Commune.objects.filter(Q(pk=value.pk) | Q(successor=value)))


class ReportFilter(django_filters.FilterSet):
    xa = CommuneFilter(
        field_name="commune",
        queryset=Commune.objects.order_by("valid_from", "name"),
        label="Xã, thị trấn",
        empty_label="Tất cả",
        widget=LongSelect(labels=commune_labels),
        error_messages={"invalid_choice": "Không có xã, thị trấn này; hãy chọn trong danh sách."},
    )
    don_vi = django_filters.ModelChoiceFilter(
        field_name="unit",
        queryset=PartyUnit.objects.order_by("name"),
        label="Đơn vị",
        empty_label="Tất cả",
        widget=LongSelect(labels=unit_labels),
        error_messages={"invalid_choice": "Không có đơn vị này; hãy chọn trong danh sách."},
    )
    loai = django_filters.ModelChoiceFilter(
        field_name="activity_type",
        queryset=ActivityType.objects.order_by("order", "name"),
        label="Loại hoạt động",
        empty_label="Tất cả",
        widget=LongSelect,
        error_messages={"invalid_choice": "Không có loại hoạt động này; hãy chọn trong danh sách."},
    )

    class Meta:
        model = Activity
        fields: list[str] = []


MONTH_FORMAT = "Tháng phải có dạng năm-tháng, ví dụ 2024-06."

# The parameters each kind of period reads; links carry these and no others.
KIND_PARAMS = {
    "thang": ("thang",),
    "quy": ("quy", "nam"),
    "6thang": ("nua", "nam"),
    "nam": ("nam",),
    "tuy-chon": ("tu", "den"),
    "tu-dau": (),
}


def _quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def _half_of(day: datetime.date) -> int:
    return 1 if day.month <= 6 else 2


class PeriodForm(forms.Form):
    """Which period: its kind and the month, quarter, half, year or dates it needs. Every
    part must lie in periods.report_years(today); anything else is refused with a message."""

    ky = forms.ChoiceField(
        label="Kỳ báo cáo",
        choices=PERIOD_KINDS,
        required=False,
        widget=LongSelect,
        error_messages={
            "invalid_choice": (
                "Kỳ báo cáo không hợp lệ: hãy chọn tháng, quý, 6 tháng, năm, tùy chọn hoặc từ đầu."
            )
        },
    )
    thang = forms.CharField(
        label="Tháng", required=False, max_length=7, error_messages={"max_length": MONTH_FORMAT}
    )
    quy = forms.TypedChoiceField(
        label="Quý",
        choices=[(q, f"Quý {periods.ROMAN[q]}") for q in range(1, 5)],
        coerce=int,
        required=False,
        widget=LongSelect,
        error_messages={"invalid_choice": "Quý phải là 1, 2, 3 hoặc 4."},
    )
    nua = forms.TypedChoiceField(
        label="Nửa năm",
        choices=[(1, "6 tháng đầu năm"), (2, "6 tháng cuối năm")],
        coerce=int,
        required=False,
        widget=LongSelect,
        error_messages={
            "invalid_choice": "Nửa năm phải là 1 (6 tháng đầu năm) hoặc 2 (6 tháng cuối năm)."
        },
    )
    nam = forms.IntegerField(
        label="Năm",
        required=False,
        error_messages={"invalid": "Năm phải là một số, ví dụ 2024."},
    )
    tu = forms.DateField(
        label="Từ ngày",
        required=False,
        error_messages={
            "invalid": "“Từ ngày” phải có dạng ngày/tháng/năm, ví dụ 05/06/2024 (5 tháng 6)."
        },
    )
    den = forms.DateField(
        label="Đến ngày",
        required=False,
        error_messages={
            "invalid": "“Đến ngày” phải có dạng ngày/tháng/năm, ví dụ 05/06/2024 (5 tháng 6)."
        },
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        self.today = today
        self.years = periods.report_years(today)
        super().__init__(*args, **kwargs)
        self.fields["nam"].widget.attrs.update(min=self.years[0], max=self.years[-1])

    def _within_years(self, year: int, what: str) -> None:
        if year not in self.years:
            raise forms.ValidationError(
                f"{what} phải trong các năm {periods.report_years_text(self.today)}."
            )

    def clean_thang(self):
        value = self.cleaned_data.get("thang")
        if not value:
            return None
        try:
            month = datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(MONTH_FORMAT) from None
        self._within_years(month.year, "Tháng")
        return month

    def clean_nam(self):
        year = self.cleaned_data.get("nam")
        if year is not None:
            self._within_years(year, "Năm")
        return year

    def clean_tu(self):
        day = self.cleaned_data.get("tu")
        if day is not None:
            self._within_years(day.year, "“Từ ngày”")
        return day

    def clean_den(self):
        day = self.cleaned_data.get("den")
        if day is not None:
            self._within_years(day.year, "“Đến ngày”")
        return day

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("tu"), cleaned.get("den")
        if (cleaned.get("ky") or DEFAULT_KIND) == "tuy-chon" and not self.errors:
            if not start or not end:
                raise forms.ValidationError("Kỳ tùy chọn cần cả “Từ ngày” và “Đến ngày”.")
            if end < start:
                raise forms.ValidationError("“Đến ngày” phải sau hoặc bằng “Từ ngày”.")
        return cleaned

    def url_params(self) -> dict[str, str]:
        """The period as URL parameters, rebuilt from what was accepted: the kind and the
        parts it reads; nothing when the form was refused (the default period is shown)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        kind = data.get("ky") or DEFAULT_KIND
        params = {"ky": kind}
        for name in KIND_PARAMS[kind]:
            value = data.get(name)
            if value is None:
                continue
            if name == "thang":
                params[name] = f"{value:%Y-%m}"
            elif name in ("tu", "den"):
                params[name] = f"{value:%d/%m/%Y}"
            else:
                params[name] = str(value)
        return params

    def show(self, period: periods.Period) -> None:
        """Fill the parts the URL left out with those of `period`, the one shown ("Năm nay"
        reads its year in the Năm field), so that the fields say what the page shows."""
        if not self.is_bound or not self.is_valid():
            return
        start = period.start
        shown = {
            "thang": f"{start:%Y-%m}",
            "quy": str(_quarter_of(start)),
            "nua": str(_half_of(start)),
            "nam": str(start.year),
            "tu": f"{start:%d/%m/%Y}",
            "den": f"{period.end:%d/%m/%Y}",
        }
        data = QueryDict(mutable=True)
        data.update(self.data)
        for name in KIND_PARAMS[self.cleaned_data.get("ky") or DEFAULT_KIND]:
            if not data.get(name):
                data[name] = shown[name]
        self.data = data

    def period(self) -> periods.Period:
        """The chosen period; parts that are missing or invalid fall back to today's."""
        data = self.cleaned_data if self.is_valid() else {}
        kind = data.get("ky") or DEFAULT_KIND
        today = self.today
        year = data.get("nam") or today.year
        if kind == "thang":
            month = data.get("thang") or today
            return periods.month_period(month.year, month.month)
        if kind == "quy":
            return periods.quarter_period(year, data.get("quy") or _quarter_of(today))
        if kind == "6thang":
            return periods.half_year_period(year, data.get("nua") or _half_of(today))
        if kind == "nam":
            return periods.year_period(year)
        if kind == "tuy-chon" and data.get("tu") and data.get("den"):
            return periods.range_period(data["tu"], data["den"])
        last = Activity.objects.aggregate(last=Max("date"))["last"]
        return periods.since_start_period(today, last)

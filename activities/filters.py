"""Report filters, in the URL so that a view can be bookmarked and shared."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Max, Q

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


class CommuneFilter(django_filters.ModelChoiceFilter):
    """A commune, or a post-2025 commune together with the communes merged into it."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return qs.filter(Q(commune=value) | Q(commune__successor=value))


class ReportFilter(django_filters.FilterSet):
    xa = CommuneFilter(
        field_name="commune",
        queryset=Commune.objects.order_by("valid_from", "name"),
        label="Xã, thị trấn",
        empty_label="Tất cả",
    )
    don_vi = django_filters.ModelChoiceFilter(
        field_name="unit",
        queryset=PartyUnit.objects.order_by("name"),
        label="Đơn vị",
        empty_label="Tất cả",
    )
    loai = django_filters.ModelChoiceFilter(
        field_name="activity_type",
        queryset=ActivityType.objects.order_by("order", "name"),
        label="Loại hoạt động",
        empty_label="Tất cả",
    )

    class Meta:
        model = Activity
        fields: list[str] = []


class PeriodForm(forms.Form):
    """Which period: its kind and the month, quarter, half, year or dates it needs."""

    ky = forms.ChoiceField(label="Kỳ báo cáo", choices=PERIOD_KINDS, required=False)
    thang = forms.CharField(label="Tháng", required=False, max_length=7)
    quy = forms.TypedChoiceField(
        label="Quý",
        choices=[(q, f"Quý {periods.ROMAN[q]}") for q in range(1, 5)],
        coerce=int,
        required=False,
    )
    nua = forms.TypedChoiceField(
        label="Nửa năm",
        choices=[(1, "6 tháng đầu năm"), (2, "6 tháng cuối năm")],
        coerce=int,
        required=False,
    )
    nam = forms.IntegerField(label="Năm", min_value=2000, max_value=2100, required=False)
    tu = forms.DateField(label="Từ ngày", required=False)
    den = forms.DateField(label="Đến ngày", required=False)

    def __init__(self, *args, today: datetime.date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def clean_thang(self):
        value = self.cleaned_data.get("thang")
        if not value:
            return None
        try:
            return datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError("Tháng phải có dạng năm-tháng, ví dụ 2024-06.") from None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("tu"), cleaned.get("den")
        if (cleaned.get("ky") or DEFAULT_KIND) == "tuy-chon":
            if not start or not end:
                raise forms.ValidationError("Kỳ tùy chọn cần cả “Từ ngày” và “Đến ngày”.")
            if end < start:
                raise forms.ValidationError("“Đến ngày” phải sau hoặc bằng “Từ ngày”.")
        return cleaned

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
            return periods.quarter_period(year, data.get("quy") or (today.month - 1) // 3 + 1)
        if kind == "6thang":
            return periods.half_year_period(year, data.get("nua") or (1 if today.month <= 6 else 2))
        if kind == "nam":
            return periods.year_period(year)
        if kind == "tuy-chon" and data.get("tu") and data.get("den"):
            return periods.range_period(data["tu"], data["den"])
        last = Activity.objects.aggregate(last=Max("date"))["last"]
        return periods.since_start_period(today, last)

"""The filters of the housing-case list; the selector applies them (housing.selectors)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from activities.access import staff_communes
from activities.models import Commune
from activities.text import nfc
from housing.models import HousingCase, Programme

INVALID_CHOICE = "Lựa chọn “%(value)s” không hợp lệ, hãy chọn trong danh sách."
INVALID_OBJECT = "Lựa chọn không hợp lệ, hãy chọn trong danh sách."


def _choice(label: str, choices) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        label=label,
        choices=choices,
        empty_label="Tất cả",
        error_messages={"invalid_choice": INVALID_CHOICE},
    )


def _user_communes(request) -> QuerySet[Commune]:
    if request is None:
        return Commune.objects.none()
    return staff_communes(request.user).order_by("name", "valid_from")


class HousingCaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Tên chủ hộ", method="filter_household_head", max_length=150
    )
    commune = django_filters.ModelChoiceFilter(
        label="Xã",
        field_name="village__commune",
        queryset=_user_communes,
        empty_label="Tất cả",
        error_messages={"invalid_choice": INVALID_OBJECT},
    )
    status = _choice("Tình trạng", HousingCase.Status.choices)
    programme = django_filters.ModelChoiceFilter(
        label="Chương trình",
        queryset=Programme.objects.all(),
        empty_label="Tất cả",
        error_messages={"invalid_choice": INVALID_OBJECT},
    )
    category = _choice("Đối tượng", HousingCase.Category.choices)
    work_kind = _choice("Hình thức", HousingCase.WorkKind.choices)

    class Meta:
        model = HousingCase
        fields = ["q", "commune", "status", "programme", "category", "work_kind"]

    def filter_household_head(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Names are stored in NFC; old keyboards and files may send NFD.
        value = nfc(value)
        return queryset.filter(household_head__icontains=value) if value else queryset

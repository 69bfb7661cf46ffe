"""Reads for housing-support cases: what a user may see, the filtered list, one case's page."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, QueryDict

from activities.access import (
    editable_units,
    is_admin,
    require_admin,
    staff_communes,
    writable_communes,
)
from activities.models import Activity
from housing.filters import HousingCaseFilter
from housing.models import Funding, HousingCase

# How many of the commune's recent activities the "link an activity" select offers.
LINKABLE_LIMIT = 60


def visible_cases(user) -> QuerySet[HousingCase]:
    """All cases for officials and admins; the cases of their units' communes for staff."""
    return HousingCase.objects.in_communes(staff_communes(user))


def can_write_case(*, user, case: HousingCase) -> bool:
    """Whether the user may change the case today: admins always; staff while one of their
    units is assigned to its commune (afterwards the case stays readable); officials never."""
    return writable_communes(user).filter(pk=case.village.commune_id).exists()


def with_funding_total(cases: QuerySet[HousingCase]) -> QuerySet[HousingCase]:
    return cases.annotate(funding_total=Coalesce(Sum("funding__amount"), Value(0)))


def housing_case_list(
    *, request: HttpRequest, data: QueryDict | dict
) -> tuple[HousingCaseFilter, QuerySet[HousingCase]]:
    """The filter (to render, with its errors) and the cases it selects.

    A filter the user broke by hand (?status=xyz) selects nothing, rather than silently
    showing a list that looks filtered and is not.
    """
    cases = with_funding_total(
        visible_cases(request.user).select_related("village__commune", "programme")
    ).order_by("village__commune__name", "village__name", "household_head", "pk")
    filterset = HousingCaseFilter(data or None, queryset=cases, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, cases.none()
    return filterset, filterset.qs


def housing_case_get(
    *, user, pk: int, write: bool = False, admin_only: bool = False
) -> HousingCase:
    """The case with what its page shows in one query; 404 when the user may not see it.

    Found first, so that staff get 404 for another commune's case (never a hint that it
    exists); then 403 when the user may not change it today (`write`), or is not an admin
    for an `admin_only` action (admins change every case).
    """
    case = (
        with_funding_total(
            visible_cases(user).select_related("village__commune", "programme", "created_by")
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("Không tìm thấy hộ được hỗ trợ.")
    if admin_only:
        require_admin(user)
    if write and not can_write_case(user=user, case=case):
        raise PermissionDenied(
            "Đơn vị của bạn không còn được phân công phụ trách "
            f"{case.village.commune.full_name} nên chỉ được xem hộ này, không được sửa."
        )
    return case


def case_funding(case: HousingCase) -> QuerySet[Funding]:
    return case.funding.order_by("year", "source", "pk")


def case_activities(case: HousingCase) -> QuerySet[Activity]:
    return case.activities.select_related("unit", "commune", "activity_type").order_by(
        "-date", "-pk"
    )


def linkable_activities(*, user, case: HousingCase) -> QuerySet[Activity]:
    """Activities the user may link to the case: its commune's, and for staff their units'."""
    activities = Activity.objects.filter(commune_id=case.village.commune_id)
    if not is_admin(user):
        activities = activities.filter(unit__in=editable_units(user))
    return activities


def linkable_choices(*, user, case: HousingCase) -> QuerySet[Activity]:
    """The recent linkable activities not yet linked, for the select on the case page."""
    return (
        linkable_activities(user=user, case=case)
        .exclude(housing_cases=case)
        .select_related("unit", "activity_type")
        .order_by("-date", "-pk")[:LINKABLE_LIMIT]
    )


def funding_log(case: HousingCase) -> QuerySet[LogEntry]:
    """Audit entries of the case's funding rows, including rows since deleted."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Funding),
        additional_data__case_id=case.pk,
    )

"""Staff pages for housing-support cases: list, create, edit, steps, funding, linked activities.

Views parse input and call housing.selectors (reads) and housing.services (writes). Access
(see tests/lamb_binh/test_permissions.py): staff see and edit the cases of their units'
communes (others' are 404), officials read everything and may not write (403), admins do
everything, anyone else gets 403; a page says who it is for with an `access` decorator, and
gets its case from `selectors.housing_case_get`, which refuses (404 or 403). The buttons of
the case page (steps, funding, links) post and come back to it, with the outcome or the
reason for a refusal as a message at the top.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST, require_safe

from activities import access
from activities.audit import history_for
from activities.fields import add_service_errors
from activities.models import Activity
from activities.pagination import page_of
from housing import selectors, services
from housing.forms import (
    ActivityLinkForm,
    AdvanceForm,
    FundingForm,
    HousingCaseCreateForm,
    HousingCaseForm,
    StepBackForm,
)
from housing.models import HousingCase


def _refused(request: HttpRequest, case: HousingCase, errors: list[str]) -> HttpResponseRedirect:
    """Back to the case page, saying why nothing was changed."""
    for message in errors:
        messages.error(request, message)
    return _to_detail(case)


def _form_errors(form: Form) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


def _to_detail(case: HousingCase) -> HttpResponseRedirect:
    return redirect("housing:case_detail", pk=case.pk)


def _steps(case: HousingCase) -> list[dict]:
    current = services.STATUSES.index(case.status)
    return [
        {
            "label": HousingCase.Status(status).label,
            "date": getattr(case, field),
            "done": index <= current,
            "current": index == current,
        }
        for index, (status, field) in enumerate(HousingCase.STEP_DATES.items())
    ]


def _render_detail(request: HttpRequest, case: HousingCase) -> HttpResponse:
    user = request.user
    can_edit = selectors.can_write_case(user=user, case=case)
    next_status = services.next_status(case)
    context = {
        "case": case,
        "steps": _steps(case),
        "helping_units": case.helping_units.order_by("name"),
        "funding": selectors.case_funding(case),
        "activities": selectors.case_activities(case),
        "history": history_for(case, children=selectors.funding_log(case)),
        "can_edit": can_edit,
        "can_step_back": access.is_admin(user) and services.previous_status(case) is not None,
    }
    if can_edit:
        if next_status is not None:
            context["next_status"] = HousingCase.Status(next_status)
            context["next_date_label"] = services.step_date_label(next_status)
            context["advance_form"] = AdvanceForm(initial={"status": next_status})
        context["funding_form"] = FundingForm()
        context["linkable"] = selectors.linkable_choices(user=user, case=case)
    if context["can_step_back"]:
        context["step_back_form"] = StepBackForm()
    return render(request, "housing/case_detail.html", context)


@require_safe
@access.role_required
def case_list(request: HttpRequest) -> HttpResponse:
    filterset, cases = selectors.housing_case_list(request=request, data=request.GET)
    page = page_of(cases, request.GET)
    context = {
        "filter": filterset,
        "page": page,
        "can_edit": access.can_edit(request.user),
        "today": timezone.localdate(),
        "open_statuses": services.STATUSES[:3],
    }
    return render(request, "housing/case_list.html", context)


@require_safe
@access.role_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, selectors.housing_case_get(user=request.user, pk=pk))


@access.editors_only
def case_create(request: access.SignedInRequest) -> HttpResponse:
    form = HousingCaseCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("helping_units")
        try:
            case = services.housing_case_create(
                created_by=request.user, helping_units=units, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Đã thêm hộ {case.household_head}.")
            return _to_detail(case)
    return render(request, "housing/case_form.html", {"form": form})


@access.editors_only
def case_update(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.housing_case_get(user=request.user, pk=pk, write=True)
    form = HousingCaseForm(request.POST or None, instance=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("helping_units")
        version = data.pop("version")
        try:
            services.housing_case_update(case=case, data=data, helping_units=units, version=version)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu thay đổi.")
            return _to_detail(case)
    return render(request, "housing/case_form.html", {"form": form, "case": case})


@require_POST
@access.editors_only
def case_advance(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.housing_case_get(user=request.user, pk=pk, write=True)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        try:
            case = services.housing_case_advance(
                case=case,
                date=form.cleaned_data["date"],
                to_status=form.cleaned_data["status"] or None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Đã chuyển sang bước “{step}” ngày {day}.".format(
                    step=case.get_status_display(),
                    day=date_format(form.cleaned_data["date"], "d/m/Y"),
                ),
            )
            return _to_detail(case)
    return _refused(request, case, _form_errors(form))


@require_POST
@access.editors_only
def case_step_back(request: access.SignedInRequest, pk: int) -> HttpResponse:
    case = selectors.housing_case_get(user=request.user, pk=pk, admin_only=True)
    form = StepBackForm(request.POST)
    if form.is_valid():
        try:
            case = services.housing_case_step_back(
                case=case, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Đã lùi về bước “{case.get_status_display()}”. "
                "Lý do đã được ghi vào phần ghi chú.",
            )
            return _to_detail(case)
    return _refused(request, case, _form_errors(form))


@require_POST
@access.editors_only
def funding_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.housing_case_get(user=request.user, pk=pk, write=True)
    form = FundingForm(request.POST)
    if form.is_valid():
        try:
            services.funding_add(case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Đã thêm khoản kinh phí.")
            return _to_detail(case)
    return _refused(request, case, _form_errors(form))


@require_POST
@access.editors_only
def funding_delete(request: HttpRequest, pk: int, funding_id: int) -> HttpResponse:
    case = selectors.housing_case_get(user=request.user, pk=pk, write=True)
    funding = get_object_or_404(case.funding, pk=funding_id)
    services.funding_delete(funding=funding)
    messages.success(request, "Đã xóa khoản kinh phí.")
    return _to_detail(case)


@require_POST
@access.editors_only
def case_activities(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.housing_case_get(user=request.user, pk=pk, write=True)
    form = ActivityLinkForm(request.POST)
    if form.is_valid():
        link = form.cleaned_data["action"] == "link"
        # Staff link and unlink only their own units' activities; admins any.
        candidates = Activity.objects.filter(unit__in=access.editable_units(request.user))
        if not link:
            candidates = candidates.filter(housing_cases=case)
        activity = candidates.filter(pk=form.cleaned_data["activity"]).first()
        if activity is None:
            form.add_error(
                "activity", "Không tìm thấy hoạt động này trong các hoạt động bạn được sửa."
            )
        else:
            try:
                services.housing_case_link_activity(case=case, activity=activity, link=link)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    "Đã liên kết hoạt động với hộ." if link else "Đã bỏ liên kết hoạt động.",
                )
                return _to_detail(case)
    return _refused(request, case, _form_errors(form))

"""Staff pages: a unit's month, its activities, and the monthly report."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from activities import access, selectors, services
from activities.audit import history_for
from activities.fields import add_service_errors
from activities.forms import ActivityForm, ReopenForm
from activities.models import Activity, PartyUnit
from activities.pagination import requested_page
from activities.periods import RECORD_YEARS


def _month_or_404(year: int, month: int) -> None:
    if not (1 <= month <= 12 and RECORD_YEARS[0] <= year <= RECORD_YEARS[1]):
        raise Http404("Tháng không hợp lệ.")


def _month_url(unit: PartyUnit, year: int, month: int) -> str:
    return reverse("activities:month", args=[unit.pk, year, month])


def _visible_activity(request: HttpRequest, pk: int) -> Activity:
    """The activity if the user may read it (staff: their units'; readers: in their
    reach); 404 otherwise, never its data."""
    return get_object_or_404(
        access.readable_activities(
            request.user,
            Activity.objects.select_related("unit", "commune", "activity_type", "created_by"),
        ),
        pk=pk,
    )


@require_safe
@access.role_required
def month_redirect(request: HttpRequest) -> HttpResponse:
    """/thang/?don_vi=ID&thang=YYYY-MM: that unit and month; by default the user's first unit,
    this month. A unit the user may not see is not found; a bad month falls back to this one."""
    unit_id = request.GET.get("don_vi", "")
    unit: PartyUnit | None
    if unit_id:
        if not unit_id.isdigit():
            raise Http404("Đơn vị không hợp lệ.")
        unit = access.get_unit(request.user, int(unit_id))
    else:
        unit = (
            access.editable_units(request.user).order_by("name").first()
            or access.readable_units(request.user).order_by("name").first()
        )
    if unit is None:
        raise Http404("Tài khoản chưa gắn với đơn vị nào. Liên hệ quản trị.")
    today = services.local_today()
    year, month = today.year, today.month
    chosen = request.GET.get("thang", "")
    if chosen:
        try:
            picked = datetime.datetime.strptime(chosen, "%Y-%m").date()
        except ValueError:
            messages.error(request, f"Tháng “{chosen}” không hợp lệ; đang xem tháng này.")
        else:
            if RECORD_YEARS[0] <= picked.year <= RECORD_YEARS[1]:
                year, month = picked.year, picked.month
            else:
                messages.error(request, f"Tháng “{chosen}” không hợp lệ; đang xem tháng này.")
    return redirect(_month_url(unit, year, month))


@require_safe
@access.role_required
def month_view(request: HttpRequest, unit_id: int, year: int, month: int) -> HttpResponse:
    _month_or_404(year, month)
    unit = access.get_unit(request.user, unit_id)
    summary = selectors.month_summary(unit, year, month, page=requested_page(request.GET))
    can_edit, assigned = selectors.month_write_state(
        editable=access.editable_units(request.user), unit=unit, year=year, month=month
    )
    is_admin = access.is_admin(request.user)
    prev_year, prev_month = selectors.shift_month(year, month, -1)
    next_year, next_month = selectors.shift_month(year, month, 1)
    today = services.local_today()
    context = {
        "summary": summary,
        "unit": unit,
        "units": access.readable_units(request.user).order_by("name"),
        "can_edit": can_edit and (not summary.locked or is_admin),
        "can_report": can_edit
        and assigned
        and not summary.locked
        and (year, month) <= (today.year, today.month),
        "can_reopen": is_admin and summary.locked,
        "this_month": today,
        "prev_url": _month_url(unit, prev_year, prev_month),
        "next_url": _month_url(unit, next_year, next_month),
        "show_next": (next_year, next_month) <= (today.year, today.month),
        "reopen_form": ReopenForm(),
        "history": history_for(summary.report)
        if summary.report and access.can_read_everything(request.user)
        else None,
    }
    return render(request, "activities/month.html", context)


@require_POST
@access.editors_only
def month_submit(request: HttpRequest, unit_id: int, year: int, month: int) -> HttpResponse:
    _month_or_404(year, month)
    unit = access.get_unit(request.user, unit_id, write=True)
    action = request.POST.get("action")
    try:
        if action == "submit":
            services.month_submit(user=request.user, unit=unit, year=year, month=month)
            messages.success(request, f"Đã gửi báo cáo tháng {month:02d}/{year}.")
        elif action == "no_activity":
            services.month_declare_no_activity(user=request.user, unit=unit, year=year, month=month)
            messages.success(request, f"Đã báo tháng {month:02d}/{year} không có hoạt động.")
        else:
            messages.error(request, "Yêu cầu không hợp lệ.")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(_month_url(unit, year, month))


@require_POST
@access.admins_only
def month_reopen(request: HttpRequest, unit_id: int, year: int, month: int) -> HttpResponse:
    _month_or_404(year, month)
    unit = access.get_unit(request.user, unit_id, write=True)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect(_month_url(unit, year, month))
    try:
        services.month_reopen(
            user=request.user,
            unit=unit,
            year=year,
            month=month,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"Đã mở lại tháng {month:02d}/{year}.")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(_month_url(unit, year, month))


def _save_form(form: ActivityForm, save) -> Activity | None:
    """Run the service, then let the other apps save their part of the form (the housing
    case, through housing's service), in one transaction, so that a refusal or a failure
    half-way (the database going away included) leaves nothing behind; put the services'
    errors next to the fields they concern."""
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    data["villages"] = list(data["villages"])
    version = data.pop("version", None)
    extra = {"version": version} if form.instance is not None else {}
    try:
        with transaction.atomic():
            activity = save(
                data=data, confirm_duplicate=data.pop("confirm_duplicate", False), **extra
            )
            for part in form.parts:
                part.save(form=form, activity=activity)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    return activity


def _locked_for(request: HttpRequest, activity: Activity) -> bool:
    report = services.month_report_for(activity.unit, activity.date.year, activity.date.month)
    return bool(report and report.is_locked) and not access.is_admin(request.user)


def _editable_activity(request: HttpRequest, pk: int, *, verb: str):
    """(activity, unit, None) when the user may change it now; else a response to return."""
    activity = _visible_activity(request, pk)
    unit = access.get_unit(request.user, activity.unit_id, write=True)
    if _locked_for(request, activity):
        messages.error(request, f"Tháng này đã gửi báo cáo nên không thể {verb} hoạt động.")
        return activity, unit, redirect("activities:activity_detail", pk=activity.pk)
    return activity, unit, None


@access.editors_only
def activity_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit(request.user, unit_id, write=True)
    form = ActivityForm(request.POST or None, unit=unit)
    if request.method == "POST":
        activity = _save_form(
            form, lambda **kw: services.activity_create(user=request.user, unit=unit, **kw)
        )
        if activity is not None:
            messages.success(request, f"Đã lưu hoạt động ngày {activity.date:%d/%m/%Y}.")
            return redirect(_month_url(unit, activity.date.year, activity.date.month))
    return render(
        request, "activities/activity_form.html", {"form": form, "unit": unit, "activity": None}
    )


@require_safe
@access.role_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _visible_activity(request, pk)
    can_edit = access.editable_units(request.user).filter(pk=activity.unit_id).exists()
    context = {
        "activity": activity,
        "villages": list(activity.villages.all()),
        "can_edit": can_edit and not _locked_for(request, activity),
        "history": history_for(activity),
        "month_url": _month_url(activity.unit, activity.date.year, activity.date.month),
    }
    return render(request, "activities/activity_detail.html", context)


@access.editors_only
def activity_update(request: HttpRequest, pk: int) -> HttpResponse:
    activity, unit, refused = _editable_activity(request, pk, verb="sửa")
    if refused:
        return refused
    form = ActivityForm(request.POST or None, unit=unit, instance=activity)
    if request.method == "POST":
        saved = _save_form(
            form,
            lambda **kw: services.activity_update(user=request.user, activity=activity, **kw),
        )
        if saved is not None:
            messages.success(request, f"Đã sửa hoạt động ngày {saved.date:%d/%m/%Y}.")
            return redirect(_month_url(unit, saved.date.year, saved.date.month))
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "unit": unit, "activity": activity},
    )


@access.editors_only
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity, unit, refused = _editable_activity(request, pk, verb="xóa")
    if refused:
        return refused
    month_url = _month_url(unit, activity.date.year, activity.date.month)
    if request.method == "POST":
        try:
            services.activity_delete(user=request.user, activity=activity)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(month_url)
        messages.success(request, f"Đã xóa hoạt động ngày {activity.date:%d/%m/%Y}.")
        return redirect(month_url)
    return render(
        request,
        "activities/activity_confirm_delete.html",
        {"activity": activity, "month_url": month_url},
    )

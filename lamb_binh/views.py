"""Site-wide views: the home page sends each role where its work is."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from activities.access import can_read_everything, role_required


@require_safe
@role_required
def home(request: HttpRequest) -> HttpResponse:
    # Officials and admins land on the dashboard; staff on their unit's current month.
    if can_read_everything(request.user):
        return redirect("dashboard")
    return redirect("activities:month_redirect")

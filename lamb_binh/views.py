"""Site-wide views: the home page sends each role where its work is."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
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


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For the load balancer and the monitoring: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "loi", "database": "khong_ket_noi"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})

"""Site-wide views: the home page, the health check, logout, and the error pages."""

import sys

from django.contrib.auth import views as auth_views
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as default_server_error

from activities import access


@require_safe
@access.role_required
def home(request: HttpRequest) -> HttpResponse:
    # Officials and admins land on the dashboard; staff on their unit's current month.
    if access.can_read_everything(request.user):
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


# How long a browser or a proxy is told to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. When the database went away or could not be reached (the error being
    handled is an OperationalError or InterfaceError), say so with a 503 the user can retry;
    otherwise Django's own 500 page. Neither page touches the database."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return default_server_error(request)


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (a link could log anyone out); a GET, e.g. an old bookmark of
    /dang-xuat/, gets a page with the button instead of a blank 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return render(request, "registration/logout_confirm.html")


logout = LogoutView.as_view()


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page that is too old (the token changed with a
    new login) or without cookies. Says what to do; the reason is for the log, not the user."""
    return render(request, "403_csrf.html", status=403)

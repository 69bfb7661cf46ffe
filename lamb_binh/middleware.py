"""Middleware of our own: the health check answered whatever the Host header says."""

from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

from lamb_binh.views import health

HEALTH_PATH = "/suc-khoe/"


class HealthCheckMiddleware:
    """A load balancer probes gunicorn by IP address (Host: 10.0.0.5:8000), which is not in
    ALLOWED_HOSTS, so CommonMiddleware would answer 400 before the health view is reached.
    Placed first, this answers that one path itself when the Host is not allowed; the view
    never reads the Host, so nothing can be poisoned with it. Requests with an allowed Host,
    and every other path, go through the whole stack as usual (a bad Host still gets 400)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH:
            try:
                request.get_host()
            except DisallowedHost:
                response = health(request)
                response["X-Content-Type-Options"] = "nosniff"
                return response
        return self.get_response(request)

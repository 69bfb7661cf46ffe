"""Site-wide views: the home page every role lands on after login."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from activities.access import role_required
from activities.models import Activity, Commune, PartyUnit, Village


@require_safe
@role_required
def home(request: HttpRequest) -> HttpResponse:
    # A placeholder until the dashboard and the unit's month page exist.
    context = {
        "commune_count": Commune.objects.count(),
        "village_count": Village.objects.count(),
        "unit_count": PartyUnit.objects.count(),
        "activity_count": Activity.objects.count(),
    }
    return render(request, "home.html", context)

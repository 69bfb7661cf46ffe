"""Site-wide views: the home page every role lands on after login."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from activities.models import Activity, Commune, PartyUnit, Village


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # A placeholder until the dashboard and the unit's month page exist.
    context = {
        "commune_count": Commune.objects.count(),
        "village_count": Village.objects.count(),
        "unit_count": PartyUnit.objects.count(),
        "activity_count": Activity.objects.count(),
    }
    return render(request, "home.html", context)

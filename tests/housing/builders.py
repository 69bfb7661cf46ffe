"""Small builders for housing tests."""

from __future__ import annotations

import datetime

from activities.models import Activity, ActivityType, Commune, PartyUnit, Village
from housing.models import HousingCase, Programme

D = datetime.date


def make_case(village: Village, programme: Programme, **overrides) -> HousingCase:
    values = {
        "household_head": "Ma Thị Sinh",
        "village": village,
        "programme": programme,
        "support_amount": 25_000_000,
        "surveyed_on": D(2024, 1, 15),
    }
    return HousingCase.objects.create(**(values | overrides))


def make_activity(unit: PartyUnit, commune: Commune, day: datetime.date, **extra) -> Activity:
    values = {
        "unit": unit,
        "commune": commune,
        "date": day,
        "activity_type": ActivityType.objects.get(code="duong-thon-ban"),
        "cadre_participations": 12,
        "people_participations": 30,
    }
    return Activity.objects.create(**(values | extra))

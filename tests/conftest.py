"""Shared fixtures: the Lâm Bình communes and small builders for the rest."""

import datetime

import pytest

from activities.models import ActivityType, Assignment, Commune, PartyUnit, Village
from activities.services import communes_load


@pytest.fixture
def communes(db) -> dict[str, Commune]:
    """The 10 pre-2025 communes of Lâm Bình, by GSO code."""
    communes_load(province="Tuyên Quang", district="Lâm Bình")
    return {c.code: c for c in Commune.objects.filter(valid_from__isnull=True)}


@pytest.fixture
def binh_an(communes) -> Commune:
    return communes["02290"]


@pytest.fixture
def unit(db) -> PartyUnit:
    return PartyUnit.objects.create(
        code="db-chinh-quyen", name="Đảng bộ cơ quan chính quyền huyện", short_name="ĐB CQ"
    )


@pytest.fixture
def village(binh_an) -> Village:
    return Village.objects.create(commune=binh_an, name="Nà Cóoc")


@pytest.fixture
def road(db) -> ActivityType:
    return ActivityType.objects.get(code="duong-thon-ban")


@pytest.fixture
def assignment(unit, binh_an) -> Assignment:
    return Assignment.objects.create(unit=unit, commune=binh_an, start=datetime.date(2021, 9, 10))

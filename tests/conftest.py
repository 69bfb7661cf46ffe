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


# --- The roles: staff of unit A, staff of unit B, an official, an admin, an outsider. ---


def make_user(username: str, group: str | None = None, **extra):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password="mat-khau-thu", **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def unit_b(communes) -> PartyUnit:
    """Another unit, in charge of Thổ Bình."""
    other = PartyUnit.objects.create(
        code="db-quan-su", name="Đảng bộ Quân sự huyện", short_name="ĐB Quân sự"
    )
    Assignment.objects.create(
        unit=other, commune=communes["02296"], start=datetime.date(2021, 9, 10)
    )
    return other


@pytest.fixture
def staff_a(assignment, unit):
    from activities import roles

    user = make_user("canbo_a", roles.STAFF, first_name="Hoàng Thị Lan")
    unit.staff.add(user)
    return user


@pytest.fixture
def staff_b(unit_b):
    from activities import roles

    user = make_user("canbo_b", roles.STAFF)
    unit_b.staff.add(user)
    return user


@pytest.fixture
def official(db):
    from activities import roles

    return make_user("lanhdao", roles.OFFICIALS)


@pytest.fixture
def admin_user(db):
    from activities import roles

    return make_user("quantri", roles.ADMINS, is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    """Logged in, but in no role group."""
    return make_user("nguoila")


@pytest.fixture(autouse=True)
def _exact_summary_tables(request):
    """Transactional tests start from a flush; on SQLite the flush deletes activities row by
    row after emptying the summary tables (the triggers then leave negative rows), and with
    serialized_rollback no post_migrate rebuilds them. Rebuild here, as migrate would."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from activities import stats

        stats.rebuild()

"""Shared fixtures: the Lâm Bình communes, the roles, the demo data and a fixed today. The
builders they use live in tests/factories.py."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from activities import roles
from activities.models import ActivityType, Assignment, Commune, PartyUnit, Village
from activities.services import communes_load
from housing.models import Programme
from tests.factories import PRESENT, make_user


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "today(day): the day the `today` fixture fixes (01/12/2026 by default)"
    )


def pytest_collection_modifyitems(items):
    """A test marked `today` gets the fixture even when it does not name it, set up first."""
    for item in items:
        if item.get_closest_marker("today") and "today" not in item.fixturenames:
            item.fixturenames.insert(0, "today")


@pytest.fixture
def today(request):
    """Fix the calendar: timezone.localdate() (and so activities.services.local_today) is
    this day for the whole test, the live server included; the clock still runs from noon,
    so saves keep their order. PRESENT unless `@pytest.mark.today(day)` or an indirect
    parameter says another day."""
    marker = request.node.get_closest_marker("today")
    day = getattr(request, "param", None) or (marker.args[0] if marker else PRESENT)
    noon = datetime.datetime.combine(
        day, datetime.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )
    with time_machine.travel(noon, tick=True):
        assert timezone.localdate() == day
        yield day


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


@pytest.fixture
def programme(db) -> Programme:
    """The province's 2021–2025 scheme (seeded by migration housing/0002)."""
    return Programme.objects.get(code="de-an-tinh-2021-2025")


# --- The roles: staff of unit A, staff of unit B, an official, an admin, an outsider. ---


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
    user = make_user("canbo_a", roles.STAFF, first_name="Hoàng Thị Lan")
    unit.staff.add(user)
    return user


@pytest.fixture
def staff_b(unit_b):
    user = make_user("canbo_b", roles.STAFF)
    unit_b.staff.add(user)
    return user


@pytest.fixture
def official(db):
    return make_user("lanhdao", roles.OFFICIALS)


@pytest.fixture
def admin_user(db):
    return make_user("quantri", roles.ADMINS, is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    """Logged in, but in no role group."""
    return make_user("nguoila")


@pytest.fixture
def demo(db):
    """The demo data: Lâm Bình's history (17 units, the article's figures up to 30/06/2024),
    Tuyên Quang's 124 communes, and the four new communes' organisations and work from
    07/2025 up to today (the `today` fixture's day when a test uses it); accounts quantri,
    lanhdao, nhaplieu, binhan_lanhdao, binhan_nhaplieu. load_demo refuses to run without
    DEBUG."""
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=io.StringIO())


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

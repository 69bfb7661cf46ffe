"""One definition each of "in force on a day", "overlapping a period" and "in a period",
pinned at their edges, in SQL (the QuerySet methods) and in Python (the model's predicates).
"""

import datetime

import pytest

from activities.models import Activity, Assignment, Commune, Village
from tests.factories import make_activity

D = datetime.date

# A spring assignment: 1 March to 31 May 2024, both days included.
SPRING = (D(2024, 3, 1), D(2024, 5, 31))

# (day, in force for the spring assignment, in force for one from 1 March with no end)
DAYS = [
    (D(2024, 2, 29), False, False),  # the day before the start
    (D(2024, 3, 1), True, True),  # the first day
    (D(2024, 5, 31), True, True),  # the last day
    (D(2024, 6, 1), False, True),  # the day after the end
    (D(2099, 12, 31), False, True),  # far ahead: only the open-ended one
]

# (first, last, overlaps the spring assignment, overlaps the open-ended one)
PERIODS = [
    (D(2024, 2, 1), D(2024, 2, 29), False, False),  # February, just before
    (D(2024, 2, 1), D(2024, 3, 1), True, True),  # ends on the first day
    (D(2024, 5, 31), D(2024, 6, 30), True, True),  # starts on the last day
    (D(2024, 6, 1), D(2024, 6, 30), False, True),  # June, just after
    (D(2024, 1, 1), D(2024, 12, 31), True, True),  # the whole year around it
    (D(2024, 4, 10), D(2024, 4, 10), True, True),  # one day inside
]


@pytest.fixture
def spring(unit, binh_an) -> Assignment:
    return Assignment.objects.create(unit=unit, commune=binh_an, start=SPRING[0], end=SPRING[1])


@pytest.fixture
def open_ended(unit, communes) -> Assignment:
    return Assignment.objects.create(unit=unit, commune=communes["02296"], start=SPRING[0])


@pytest.mark.parametrize(("day", "spring_expected", "open_expected"), DAYS)
def test_in_force_on_a_day(spring, open_ended, day, spring_expected, open_expected):
    found = set(Assignment.objects.active_on(day))
    assert (spring in found, open_ended in found) == (spring_expected, open_expected)
    assert (spring.covers(day), open_ended.covers(day)) == (spring_expected, open_expected)


@pytest.mark.parametrize(("first", "last", "spring_expected", "open_expected"), PERIODS)
def test_overlapping_a_period(spring, open_ended, first, last, spring_expected, open_expected):
    found = set(Assignment.objects.overlapping(first, last))
    assert (spring in found, open_ended in found) == (spring_expected, open_expected)
    assert (spring.overlaps(first, last), open_ended.overlaps(first, last)) == (
        spring_expected,
        open_expected,
    )


def test_activities_in_a_period_include_both_ends(unit, binh_an):
    for day in (D(2024, 5, 31), D(2024, 6, 1), D(2024, 6, 30), D(2024, 7, 1)):
        make_activity(unit, binh_an, day)
    found = Activity.objects.in_period(D(2024, 6, 1), D(2024, 6, 30))
    assert sorted(a.date for a in found) == [D(2024, 6, 1), D(2024, 6, 30)]


@pytest.fixture
def merged(db) -> tuple[Commune, Commune]:
    """An old commune valid until 30/06/2025 and the one that replaced it from 01/07/2025."""
    old = Commune.objects.create(
        code="99001", name="Cũ", province="Tuyên Quang", valid_to=D(2025, 6, 30)
    )
    new = Commune.objects.create(
        code="99002", name="Mới", province="Tuyên Quang", valid_from=D(2025, 7, 1)
    )
    return old, new


def _names(queryset) -> set[str]:
    return set(queryset.filter(code__in=["99001", "99002"]).values_list("name", flat=True))


def test_a_commune_is_valid_up_to_its_last_day_and_from_its_first(merged):
    assert _names(Commune.objects.valid_on(D(2025, 6, 30))) == {"Cũ"}
    assert _names(Commune.objects.valid_on(D(2025, 7, 1))) == {"Mới"}
    assert _names(Commune.objects.valid_on(D(1990, 1, 1))) == {"Cũ"}  # open start
    assert _names(Commune.objects.valid_on(D(2099, 1, 1))) == {"Mới"}  # open end


def test_a_period_across_the_merger_has_both_communes(merged):
    assert _names(Commune.objects.valid_during(D(2025, 6, 1), D(2025, 7, 31))) == {"Cũ", "Mới"}
    assert _names(Commune.objects.valid_during(D(2025, 6, 30), D(2025, 7, 1))) == {"Cũ", "Mới"}
    assert _names(Commune.objects.valid_during(D(2025, 7, 1), D(2025, 12, 31))) == {"Mới"}
    assert _names(Commune.objects.valid_during(D(2025, 1, 1), D(2025, 6, 30))) == {"Cũ"}


def test_a_village_with_both_bounds(binh_an):
    village = Village.objects.create(
        commune=binh_an, name="Tạm", valid_from=D(2024, 1, 1), valid_to=D(2024, 12, 31)
    )
    days = [D(2023, 12, 31), D(2024, 1, 1), D(2024, 12, 31), D(2025, 1, 1)]
    valid = [Village.objects.valid_on(day).filter(pk=village.pk).exists() for day in days]
    assert valid == [False, True, True, False]

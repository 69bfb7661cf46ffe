"""The database itself refuses bad rows: every constraint is tried with a raw save."""

import datetime
import unicodedata

import pytest
from django.db import connection

from activities.models import Activity, Assignment, Commune, Village
from tests.factories import refused


def activity_kwargs(unit, binh_an, road, **overrides):
    values = {
        "unit": unit,
        "commune": binh_an,
        "date": datetime.date(2024, 6, 15),
        "activity_type": road,
        "cadre_participations": 5,
        "people_participations": 20,
    }
    return values | overrides


@pytest.mark.parametrize(
    "overrides",
    [
        {"cadre_participations": -1},
        {"people_participations": -3},
        {"workdays": -0.5},
        {"money_contributed": -1},
        {"money_mobilised": -1000},
        {"output_quantity": -2, "output_unit": "m"},
        {"output_quantity": 120, "output_unit": ""},
    ],
    ids=lambda o: ",".join(o),
)
def test_activity_with_negative_or_unitless_figures_is_refused(unit, binh_an, road, overrides):
    assert refused(Activity.objects.create, **activity_kwargs(unit, binh_an, road, **overrides))
    assert not Activity.objects.exists()


def test_a_sound_activity_is_stored(unit, binh_an, road):
    Activity.objects.create(
        **activity_kwargs(unit, binh_an, road, output_quantity=120, output_unit="m")
    )
    assert Activity.objects.count() == 1


def test_assignment_ending_before_it_starts_is_refused(unit, binh_an):
    assert refused(
        Assignment.objects.create,
        unit=unit,
        commune=binh_an,
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2023, 12, 31),
    )


def test_commune_validity_must_be_ordered(db):
    assert refused(
        Commune.objects.create,
        code="09999",
        name="Thử",
        province="Tuyên Quang",
        valid_from=datetime.date(2025, 7, 1),
        valid_to=datetime.date(2025, 6, 30),
    )


def test_a_code_is_unique_within_a_period_but_may_be_reused_in_another(communes):
    # 02296 was Thổ Bình until 30/06/2025 and is the new Bình An from 01/07/2025.
    assert Commune.objects.filter(code="02296").count() == 2
    assert refused(
        Commune.objects.create, code="02296", name="Trùng", province="Tuyên Quang", valid_from=None
    )
    assert refused(
        Commune.objects.create,
        code="02296",
        name="Trùng",
        province="Tuyên Quang",
        valid_from=datetime.date(2025, 7, 1),
    )
    Commune.objects.create(
        code="02296", name="Sau này", province="Tuyên Quang", valid_from=datetime.date(2030, 1, 1)
    )


def test_a_commune_cannot_succeed_itself(binh_an):
    binh_an.successor = binh_an
    assert refused(binh_an.save)


def test_village_names_are_unique_in_a_commune_after_nfc_and_case_folding(binh_an, communes):
    Village.objects.create(commune=binh_an, name="Nà Cóoc")
    decomposed_upper = unicodedata.normalize("NFD", "NÀ CÓOC")
    assert decomposed_upper != "NÀ CÓOC"
    assert refused(Village.objects.create, commune=binh_an, name=decomposed_upper)
    assert refused(Village.objects.create, commune=binh_an, name="  nà   cóoc ")
    # The same name in another commune is another village.
    Village.objects.create(commune=communes["02296"], name="Nà Cóoc")
    assert Village.objects.filter(name="Nà Cóoc").count() == 2


def test_text_is_stored_in_nfc(binh_an):
    decomposed = unicodedata.normalize("NFD", "Khuổi Củng")
    Village.objects.create(commune=binh_an, name=decomposed, aliases="Khuôi Cung\nKhuổi Củng")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM activities_village")
        (stored,) = cursor.fetchone()
    assert stored == unicodedata.normalize("NFC", "Khuổi Củng")
    assert unicodedata.is_normalized("NFC", stored)
    # Lookups normalise too, so an NFD query finds the NFC row.
    assert Village.objects.filter(name=decomposed).count() == 1


def test_a_village_reached_twice_by_one_activity_is_refused(unit, binh_an, road, village):
    activity = Activity.objects.create(**activity_kwargs(unit, binh_an, road))
    activity.villages.add(village)
    from activities.models import ActivityVillage

    assert refused(ActivityVillage.objects.create, activity=activity, village=village)


def test_activities_on_weekends_are_saturdays_and_sundays(unit, binh_an, road):
    friday, saturday, sunday, monday = (datetime.date(2024, 6, d) for d in (14, 15, 16, 17))
    for day in (friday, saturday, sunday, monday):
        Activity.objects.create(**activity_kwargs(unit, binh_an, road, date=day))
    weekend_days = set(Activity.objects.on_weekends().values_list("date", flat=True))
    assert weekend_days == {day for day in (friday, saturday, sunday, monday) if day.weekday() >= 5}

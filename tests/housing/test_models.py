"""Housing cases: the database refuses impossible progress and negative money."""

import datetime

import pytest

from housing.models import Funding, HousingCase, Programme
from tests.factories import refused

D = datetime.date


def case_kwargs(village, programme, **overrides):
    values = {"household_head": "Ma Thị Sinh", "village": village, "programme": programme}
    return values | overrides


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": "completed", "started_on": D(2024, 6, 15)},  # no completion date
        {"status": "approved"},  # no approval date
        {"status": "handed_over", "completed_on": D(2024, 6, 30)},  # no hand-over date
        {"started_on": D(2024, 6, 15), "completed_on": D(2024, 6, 1), "status": "completed"},
        {"surveyed_on": D(2024, 3, 1), "approved_on": D(2024, 2, 1), "status": "approved"},
        {"workdays": -1},
        {"birth_year": 1850},
        {"support_amount": -25_000_000},
    ],
    ids=lambda o: ",".join(o),
)
def test_impossible_cases_are_refused(village, programme, overrides):
    assert refused(HousingCase.objects.create, **case_kwargs(village, programme, **overrides))
    assert not HousingCase.objects.exists()


def test_a_completed_case_with_ordered_dates_is_stored(village, programme):
    HousingCase.objects.create(
        **case_kwargs(
            village,
            programme,
            status="completed",
            surveyed_on=D(2024, 1, 15),
            approved_on=D(2024, 3, 20),
            started_on=D(2024, 6, 15),
            completed_on=D(2024, 6, 30),
        )
    )
    assert HousingCase.objects.filter(status="completed").count() == 1


def test_funding_rows_refuse_negative_amounts_and_duplicates(village, programme):
    case = HousingCase.objects.create(**case_kwargs(village, programme))
    assert refused(Funding.objects.create, case=case, source="tinh", year=2024, amount=-1)
    Funding.objects.create(case=case, source="tinh", year=2024, amount=25_000_000)
    assert refused(Funding.objects.create, case=case, source="tinh", year=2024, amount=1)
    assert refused(Funding.objects.create, case=case, source="xa_hoi_hoa", year=1999, amount=1)
    assert Funding.objects.get().amount == 25_000_000


def test_programmes_carry_their_amounts(db):
    # The province's scheme: 50 triệu to build, 25 triệu to repair (MISSION.md);
    # the 2025 national campaign: 60 and 30.
    scheme = Programme.objects.get(code="de-an-tinh-2021-2025")
    campaign = Programme.objects.get(code="phong-trao-2024-2025")
    assert (scheme.new_build_amount, scheme.repair_amount) == (50_000_000, 25_000_000)
    assert (campaign.new_build_amount, campaign.repair_amount) == (60_000_000, 30_000_000)

"""Demo housing-support cases: bà Ma Thị Sinh's (from the news report) and a realistic spread."""

from __future__ import annotations

import datetime
import random

from activities.models import Activity, Assignment, PartyUnit, Village
from housing.models import Funding, HousingCase, Programme
from lamb_binh.demo.activities import SINH_ACTIVITY_DATE, SINH_VILLAGE, STAFF_UNIT_CODE

SINH = {
    "household_head": "Ma Thị Sinh",
    "gender": HousingCase.Gender.FEMALE,
    "ethnicity": "Tày",
    "category": HousingCase.Category.POOR,
    "work_kind": HousingCase.WorkKind.REPAIR,
    "support_amount": 25_000_000,
    "status": HousingCase.Status.STARTED,
    "surveyed_on": datetime.date(2024, 1, 15),
    "approved_on": datetime.date(2024, 3, 20),
    "started_on": datetime.date(2024, 6, 15),
    "expected_completion": datetime.date(2024, 6, 30),
    "notes": "Nhà thường bị dột, tốc mái khi mưa bão; được hỗ trợ sửa chữa nhà ở và di chuyển "
    "đến nơi ở mới.",
}

SURNAMES = ["Ma", "Hoàng", "Nông", "Lý", "Triệu", "Bàn", "Giàng", "Sùng", "Vàng", "Lục", "Quan"]
GIVEN = {
    HousingCase.Gender.MALE: ["Văn Thắng", "Văn Páo", "Seo Lử", "Văn Tiến", "Đức Minh", "Văn Hùng"],
    HousingCase.Gender.FEMALE: ["Thị Mai", "Thị Dung", "Thị Pham", "Thị Lả", "Thị Hoa", "Thị Sâm"],
}
ETHNICITIES = ["Tày", "Tày", "Dao", "Dao", "Mông", "Mông", "Kinh", "Pà Thẻn"]
STEPS = list(HousingCase.STEP_DATES.values())
STATUSES = list(HousingCase.STEP_DATES)


def load_cases(seed: int = 2024, count: int = 40) -> int:
    """bà Ma Thị Sinh's case plus `count - 1` others across the communes and programmes."""
    rng = random.Random(seed)
    province_scheme = Programme.objects.get(code="de-an-tinh-2021-2025")
    staff_unit = PartyUnit.objects.get(code=STAFF_UNIT_CODE)

    sinh_village = Village.objects.get(commune__code=SINH_VILLAGE[0], name=SINH_VILLAGE[1])
    sinh = HousingCase.objects.create(village=sinh_village, programme=province_scheme, **SINH)
    Funding.objects.create(case=sinh, source=Funding.Source.PROVINCE, year=2024, amount=25_000_000)
    sinh.helping_units.add(staff_unit)
    sinh.activities.add(
        *Activity.objects.filter(
            unit=staff_unit, date=SINH_ACTIVITY_DATE, commune=sinh_village.commune
        )
    )

    load_random_cases(rng, count - 1)
    return count


def load_random_cases(rng: random.Random, count: int) -> None:
    """`count` cases in random villages, at every step of the work, with their funding rows,
    helping units and a few of the commune's activities."""
    programmes = list(Programme.objects.order_by("code"))
    villages = list(Village.objects.select_related("commune").order_by("id"))
    units_by_commune: dict[int, list[int]] = {}
    for commune_id, unit_id in Assignment.objects.values_list("commune_id", "unit_id"):
        units_by_commune.setdefault(commune_id, []).append(unit_id)

    for _ in range(count):
        village = rng.choice(villages)
        gender = rng.choice(list(HousingCase.Gender))
        programme = rng.choice(programmes)
        work_kind = rng.choice(list(HousingCase.WorkKind))
        amount = (
            programme.new_build_amount
            if work_kind == HousingCase.WorkKind.NEW_BUILD
            else programme.repair_amount
        )
        year = rng.randint(max(programme.start_year, 2022), min(programme.end_year, 2024))
        surveyed = datetime.date(year, rng.randint(1, 4), rng.randint(1, 28))
        # Older cases are further along; a few stall before completion (overdue).
        last_step = (
            rng.choice([4, 4, 4, 3, 3, 2, 2, 1, 0]) if year < 2024 else rng.choice([3, 2, 1, 0])
        )
        dates = {}
        day = surveyed
        for index in range(last_step + 1):
            dates[STEPS[index]] = day
            day += datetime.timedelta(days=rng.randint(20, 75))
        case = HousingCase.objects.create(
            household_head=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN[gender])}",
            birth_year=rng.randint(1950, 1995),
            gender=gender,
            ethnicity=rng.choice(ETHNICITIES),
            village=village,
            category=rng.choice(
                [HousingCase.Category.POOR] * 5
                + [HousingCase.Category.NEAR_POOR] * 2
                + [HousingCase.Category.MERIT, HousingCase.Category.HARDSHIP]
            ),
            programme=programme,
            work_kind=work_kind,
            support_amount=amount,
            status=STATUSES[last_step],
            expected_completion=surveyed + datetime.timedelta(days=180),
            workdays=rng.randint(10, 120) if last_step >= 2 else 0,
            **dates,
        )
        Funding.objects.create(case=case, source=Funding.Source.PROVINCE, year=year, amount=amount)
        if rng.random() < 0.5:
            Funding.objects.create(
                case=case,
                source=rng.choice([Funding.Source.SOCIAL, Funding.Source.HOUSEHOLD]),
                year=year,
                amount=rng.choice([5, 10, 15, 20]) * 1_000_000,
            )
        unit_ids = units_by_commune.get(village.commune_id, [])
        if last_step >= 2 and unit_ids:
            case.helping_units.add(*unit_ids)
            case.activities.add(
                *Activity.objects.filter(
                    commune=village.commune_id,
                    activity_type__code="xoa-nha-tam",
                    date__range=(
                        dates["started_on"],
                        dates.get("completed_on", dates["started_on"])
                        + datetime.timedelta(days=30),
                    ),
                )[:2]
            )

"""Synthetic demo data whose totals are exactly the district's reported figures.

From 10/09/2021 to 30/06/2024 the district reported 1.780 participations of cadres and
party members and 9.340 participations of the people, in 100 villages of 10/10 communes
(source-article.vi.txt). The generator is seeded, so every run builds the same data.
"""

from __future__ import annotations

import calendar
import datetime
import random
from dataclasses import dataclass, field
from itertools import cycle

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from activities import roles
from activities.figures import typical_values
from activities.models import (
    Activity,
    ActivityType,
    ActivityVillage,
    Assignment,
    Commune,
    MonthReport,
    PartyUnit,
    Village,
)
from activities.periods import is_weekend
from lamb_binh.demo.villages import VILLAGES

START = datetime.date(2021, 9, 10)  # Hướng dẫn số 02 of the province's Ban Dân vận
END = datetime.date(2024, 6, 30)
ASSIGNMENT_END = datetime.date(2025, 6, 30)  # the district level was abolished next day
CADRE_TOTAL = 1_780
PEOPLE_TOTAL = 9_340
DEMO_PASSWORD = "lambinh-demo"
STAFF_UNIT_CODE = "db-co-quan-chinh-quyen"
SINH_VILLAGE = ("02290", "Nà Cóoc")
# bà Ma Thị Sinh's house: the unit dismantled it and moved the materials on this Saturday.
SINH_ACTIVITY_DATE = datetime.date(2024, 6, 15)

# (code, name, short name, kind, commune codes it is in charge of)
UNITS = [
    (
        STAFF_UNIT_CODE,
        "Đảng bộ cơ quan chính quyền huyện",
        "ĐB cơ quan chính quyền",
        "dang_bo",
        ["02290"],
    ),
    (
        "cb-van-phong-huyen-uy",
        "Chi bộ Văn phòng Huyện ủy",
        "CB Văn phòng Huyện ủy",
        "chi_bo",
        ["02266"],
    ),
    (
        "cb-cac-ban-dang",
        "Chi bộ các Ban xây dựng Đảng huyện",
        "CB các Ban Đảng",
        "chi_bo",
        ["02266"],
    ),
    (
        "cb-mttq-doan-the",
        "Chi bộ Ủy ban MTTQ và các đoàn thể huyện",
        "CB MTTQ – đoàn thể",
        "chi_bo",
        ["02242"],
    ),
    ("db-quan-su", "Đảng bộ Quân sự huyện", "ĐB Quân sự", "dang_bo", ["02296"]),
    ("db-cong-an", "Đảng bộ Công an huyện", "ĐB Công an", "dang_bo", ["02233"]),
    ("cb-trung-tam-y-te", "Chi bộ Trung tâm Y tế huyện", "CB Trung tâm Y tế", "chi_bo", ["02251"]),
    ("cb-thpt-lam-binh", "Chi bộ Trường THPT Lâm Bình", "CB THPT Lâm Bình", "chi_bo", ["02293"]),
    (
        "cb-thpt-thuong-lam",
        "Chi bộ Trường THPT Thượng Lâm",
        "CB THPT Thượng Lâm",
        "chi_bo",
        ["02269"],
    ),
    ("cb-kho-bac", "Chi bộ Kho bạc Nhà nước huyện", "CB Kho bạc", "chi_bo", ["02299"]),
    ("cb-thue", "Chi bộ Đội Thuế huyện", "CB Đội Thuế", "chi_bo", ["02302"]),
    (
        "cb-ngan-hang-csxh",
        "Chi bộ Phòng giao dịch Ngân hàng Chính sách xã hội huyện",
        "CB Ngân hàng CSXH",
        "chi_bo",
        ["02290"],
    ),
    (
        "cb-agribank",
        "Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn huyện",
        "CB Agribank",
        "chi_bo",
        ["02242"],
    ),
    (
        "cb-vien-kiem-sat",
        "Chi bộ Viện Kiểm sát nhân dân huyện",
        "CB Viện Kiểm sát",
        "chi_bo",
        ["02251"],
    ),
    ("cb-toa-an", "Chi bộ Tòa án nhân dân huyện", "CB Tòa án", "chi_bo", ["02269"]),
    (
        "cb-thi-hanh-an",
        "Chi bộ Chi cục Thi hành án dân sự huyện",
        "CB Thi hành án",
        "chi_bo",
        ["02293"],
    ),
    (
        "cb-van-hoa-truyen-thong",
        "Chi bộ Trung tâm Văn hóa, Truyền thông và Thể thao huyện",
        "CB Trung tâm VHTT&TT",
        "chi_bo",
        ["02302"],
    ),
]

# Months a unit did nothing on a weekend; (unit code, year, month). "weekday" months have a
# weekday activity only, which does not count toward the monthly rule.
MISSED = {
    ("db-cong-an", 2022, 2),
    ("db-cong-an", 2023, 1),
    ("cb-kho-bac", 2023, 7),
    ("cb-kho-bac", 2023, 8),
    ("cb-vien-kiem-sat", 2024, 2),
    ("cb-van-hoa-truyen-thong", 2024, 5),
    ("cb-van-hoa-truyen-thong", 2024, 6),
    ("cb-thue", 2022, 9),
    ("cb-toa-an", 2024, 1),
    ("cb-agribank", 2023, 12),
}
WEEKDAY_ONLY = {("cb-ngan-hang-csxh", 2024, 4), ("cb-thi-hanh-an", 2023, 3)}

# (type code, weight, output range per activity or None)
TYPE_MIX = [
    ("xoa-nha-tam", 12, (1, 1)),
    ("duong-thon-ban", 18, (20, 150)),
    ("duong-noi-dong", 12, (30, 200)),
    ("cau-qua-suoi", 4, (1, 1)),
    ("kenh-muong", 10, (20, 120)),
    ("cham-soc-cay-trong", 10, (1, 5)),
    ("ve-sinh-moi-truong", 18, None),
    ("thu-gom-rac-nhua", 12, (50, 400)),
    ("khac", 4, None),
]

DESCRIPTIONS = {
    "xoa-nha-tam": "Giúp hộ nghèo dỡ nhà cũ, vận chuyển vật liệu, dựng nhà mới",
    "duong-thon-ban": "Cùng nhân dân đổ bê tông đường thôn",
    "duong-noi-dong": "Cùng nhân dân làm đường bê tông nội đồng",
    "cau-qua-suoi": "Làm cầu qua suối cho học sinh và bà con đi lại",
    "kenh-muong": "Lắp đặt cấu kiện kênh mương đúc sẵn",
    "cham-soc-cay-trong": "Chăm sóc cây trồng cùng các hộ gia đình",
    "ve-sinh-moi-truong": "Phát quang, vệ sinh đường làng, ngõ xóm",
    "thu-gom-rac-nhua": "Thu gom rác thải nhựa, tạo cảnh quan xanh, sạch, đẹp",
    "khac": "Tuyên truyền, vận động nhân dân thực hiện các phong trào thi đua",
}

DEMO_USERS = [
    # (username, full name, group, is admin)
    ("quantri", "Quản trị hệ thống", roles.ADMINS, True),
    ("nhaplieu", "Hoàng Thị Lan", roles.STAFF, False),
    ("lanhdao", "Ma Văn Thành", roles.OFFICIALS, False),
]


@dataclass
class DemoResult:
    villages: int = 0
    units: int = 0
    activities: int = 0
    users: list[str] = field(default_factory=list)


def months_between(start: datetime.date, end: datetime.date) -> list[tuple[int, int]]:
    year, month, result = start.year, start.month, []
    while (year, month) <= (end.year, end.month):
        result.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def _days_in(year: int, month: int, *, weekend: bool) -> list[datetime.date]:
    days = [
        datetime.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)
    ]
    return [d for d in days if START <= d <= END and is_weekend(d) == weekend]


def spread_to_total(values: list[int], total: int, minimum: int, rng: random.Random) -> list[int]:
    """Nudge values one by one until they add up to `total`, none below `minimum`."""
    values = list(values)
    order = list(range(len(values)))
    rng.shuffle(order)
    diff = total - sum(values)
    step = 1 if diff > 0 else -1
    positions = cycle(order)
    while diff:
        i = next(positions)
        if step < 0 and values[i] <= minimum:
            continue
        values[i] += step
        diff -= step
    return values


def load_reference(village_kinds: dict | None = None) -> dict[str, Commune]:
    """Villages, units and assignments for the 10 pre-2025 communes (already loaded)."""
    communes = {
        c.code: c for c in Commune.objects.filter(district="Lâm Bình", valid_from__isnull=True)
    }
    missing = set(VILLAGES) - set(communes)
    if missing:
        raise RuntimeError(
            "Chưa có đủ 10 xã, thị trấn của huyện Lâm Bình: hãy chạy load_communes trước."
        )
    for code, names in VILLAGES.items():
        for name, kind in names:
            Village.objects.get_or_create(
                commune=communes[code], name=name, defaults={"kind": kind}
            )
    for code, name, short, kind, commune_codes in UNITS:
        unit, _ = PartyUnit.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": short, "kind": kind}
        )
        for commune_code in commune_codes:
            Assignment.objects.get_or_create(
                unit=unit,
                commune=communes[commune_code],
                start=START,
                defaults={
                    "end": ASSIGNMENT_END,
                    "decision_number": "125-QĐ/HU",
                    "decision_date": datetime.date(2021, 9, 1),
                },
            )
    return communes


def load_users() -> list[str]:
    User = get_user_model()
    created = []
    for username, full_name, group_name, is_admin in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": full_name, "is_staff": is_admin, "is_superuser": is_admin},
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append(username)
        user.groups.add(Group.objects.get(name=group_name))
    PartyUnit.objects.get(code=STAFF_UNIT_CODE).staff.add(User.objects.get(username="nhaplieu"))
    return created


def _figures(
    rng: random.Random, others: random.Random, *, cadre: int, folk: int, quantity: int | None
) -> dict:
    """An outing's figures by Activity field: workdays follow the lượt, money is one of the
    usual amounts, and any other figure (activities.figures) is typical for one outing."""
    values = {
        "cadre_participations": cadre,
        "people_participations": folk,
        "workdays": cadre + folk,
        "output_quantity": quantity,
        "money_contributed": rng.choice([0, 0, 0, 500_000, 1_000_000, 2_000_000]),
        "money_mobilised": rng.choice([0, 0, 1_000_000, 3_000_000, 5_000_000]),
    }
    return values | typical_values(others.randint, given=values)


def load_activities(seed: int = 2021) -> int:
    """Build the activities; their totals are exactly CADRE_TOTAL, PEOPLE_TOTAL, 100 villages."""
    rng = random.Random(seed)
    rings = _village_rings(rng)
    plan = _plan_outings(rng)  # [unit, commune_id, date, type code, village ids]
    _choose_types_and_villages(plan, rings, rng)
    staff_unit = PartyUnit.objects.get(code=STAFF_UNIT_CODE)
    plan.append(_sinh_outing(staff_unit))
    cadres, people = _participations(len(plan), rng)
    # Figures the demo tells no story of come from a generator of their own, so that the
    # demo's other draws stay as they were.
    others = random.Random(seed + 1)
    activities = _activities(plan, cadres, people, staff_unit=staff_unit, rng=rng, others=others)
    _save(activities, plan)
    return len(plan)


def _village_rings(rng: random.Random) -> dict[int, tuple[list[int], cycle]]:
    """Each commune's villages, shuffled, in a ring: outings reach them all in turn."""
    rings = {}
    for commune_id in Village.objects.values_list("commune_id", flat=True).distinct():
        ids = list(
            Village.objects.filter(commune_id=commune_id)
            .order_by("id")
            .values_list("id", flat=True)
        )
        rng.shuffle(ids)
        rings[commune_id] = (ids, cycle(ids))
    return rings


def _plan_outings(rng: random.Random) -> list[list]:
    """The outings of every assignment, month by month: [unit, commune_id, date, None, None]
    (the type and villages are chosen next)."""
    plan = []
    assignments = Assignment.objects.filter(start=START).select_related("unit")
    for assignment in assignments.order_by("unit__code", "id"):
        for year, month in months_between(START, END):
            plan += _month_outings(assignment, year, month, rng)
    return plan


def _month_outings(assignment: Assignment, year: int, month: int, rng: random.Random) -> list:
    """One outing on a weekend, sometimes two; none in a MISSED month, a weekday one in a
    WEEKDAY_ONLY month; and now and then an extra weekday outing."""
    key = (assignment.unit.code, year, month)
    if key in MISSED:
        return []
    weekend = key not in WEEKDAY_ONLY
    outings = 2 if weekend and rng.random() < 0.15 else 1
    days = [rng.choice(_days_in(year, month, weekend=weekend)) for _ in range(outings)]
    # An occasional extra weekday outing (a weekday never counts toward the rule).
    if rng.random() < 0.04:
        days.append(rng.choice(_days_in(year, month, weekend=False)))
    return [[assignment.unit, assignment.commune_id, day, None, None] for day in days]


def _choose_types_and_villages(plan: list[list], rings: dict, rng: random.Random) -> None:
    """Each outing's type, by TYPE_MIX's weights, and its one to three villages: the next
    ones of its commune's ring."""
    type_codes = [code for code, _, _ in TYPE_MIX]
    type_weights = [weight for _, weight, _ in TYPE_MIX]
    for item in plan:
        ids, ring = rings[item[1]]
        count = min(rng.choice([1, 1, 2, 2, 3]), len(ids))
        chosen: list[int] = []
        while len(chosen) < count:
            village_id = next(ring)
            if village_id not in chosen:
                chosen.append(village_id)
        item[3] = rng.choices(type_codes, type_weights)[0]
        item[4] = chosen


def _sinh_outing(staff_unit: PartyUnit) -> list:
    """bà Ma Thị Sinh's house, by the district government's party committee."""
    village = Village.objects.get(commune__code=SINH_VILLAGE[0], name=SINH_VILLAGE[1])
    return [staff_unit, village.commune_id, SINH_ACTIVITY_DATE, "xoa-nha-tam", [village.id]]


def _participations(n: int, rng: random.Random) -> tuple[list[int], list[int]]:
    """The lượt of cadres and of the people of `n` outings, adding up to the article's."""
    cadres = spread_to_total(
        [max(1, round(rng.gauss(CADRE_TOTAL / n, 1.2))) for _ in range(n)], CADRE_TOTAL, 1, rng
    )
    people = spread_to_total(
        [max(0, round(rng.gauss(PEOPLE_TOTAL / n, 5))) for _ in range(n)], PEOPLE_TOTAL, 0, rng
    )
    return cadres, people


def _activities(
    plan: list[list],
    cadres: list[int],
    people: list[int],
    *,
    staff_unit: PartyUnit,
    rng: random.Random,
    others: random.Random,
) -> list[Activity]:
    """The planned outings as activities (not saved yet), with their figures."""
    types = {t.code: t for t in ActivityType.objects.all()}
    output_ranges = {code: low_high for code, _, low_high in TYPE_MIX}
    nhaplieu = get_user_model().objects.filter(username="nhaplieu").first()
    activities = []
    for (unit, commune_id, day, type_code, _), cadre, folk in zip(
        plan, cadres, people, strict=True
    ):
        low_high = output_ranges[type_code]
        quantity = rng.randint(*low_high) if low_high else None
        activities.append(
            Activity(
                unit=unit,
                commune_id=commune_id,
                date=day,
                activity_type=types[type_code],
                description=(
                    "Giúp gia đình bà Ma Thị Sinh, thôn Nà Cóoc, dỡ nhà và di chuyển vật liệu "
                    "đến nơi ở mới"
                    if day == SINH_ACTIVITY_DATE and unit == staff_unit
                    else DESCRIPTIONS[type_code]
                ),
                output_unit=types[type_code].default_unit if quantity is not None else "",
                **_figures(rng, others, cadre=cadre, folk=folk, quantity=quantity),
                created_by=nhaplieu if unit == staff_unit else None,
            )
        )
    return activities


def _save(activities: list[Activity], plan: list[list]) -> None:
    """The activities, then the villages each reached, in bulk."""
    Activity.objects.bulk_create(activities, batch_size=500)
    ActivityVillage.objects.bulk_create(
        [
            ActivityVillage(activity=activity, village_id=village_id)
            for activity, (_, _, _, _, village_ids) in zip(activities, plan, strict=True)
            for village_id in village_ids
        ],
        batch_size=1000,
    )


def load_month_reports() -> int:
    """Every unit reported every month up to May 2024 (June 2024 is still open): submitted
    when it had activities, "không có hoạt động" otherwise."""
    User = get_user_model()
    reporter = User.objects.filter(username="nhaplieu").first()
    active = {
        (unit_id, day.year, day.month)
        for unit_id, day in Activity.objects.values_list("unit_id", "date")
    }
    submitted_at = timezone.make_aware(datetime.datetime(2024, 6, 1, 20, 0))
    reports = [
        MonthReport(
            unit_id=unit_id,
            year=year,
            month=month,
            state=MonthReport.State.SUBMITTED
            if (unit_id, year, month) in active
            else MonthReport.State.NO_ACTIVITY,
            submitted_by=reporter if unit_id == staff_unit_id else None,
            submitted_at=submitted_at,
        )
        for staff_unit_id in [PartyUnit.objects.get(code=STAFF_UNIT_CODE).pk]
        for unit_id in PartyUnit.objects.filter(code__in=[u[0] for u in UNITS]).values_list(
            "pk", flat=True
        )
        for year, month in months_between(START, END)[:-1]
    ]
    MonthReport.objects.bulk_create(reports)
    return len(reports)

"""The demo after the 2025 merger: the province of Tuyên Quang, its party organisations, and
the work in Lâm Bình's four new communes from 01/07/2025 up to today.

The district's history (lamb_binh.demo.activities) is loaded first and left as it is; this
part adds the Tỉnh ủy and its Ban Tuyên giáo và Dân vận, the former Huyện ủy Lâm Bình over
the district's 17 units, the Đảng ủy xã of the four communes with a few chi bộ, and
provincial bodies paired with those communes. Their activities take place in the villages
carried over from the ten former communes (VillageCommune from 01/07/2025), month by month
up to today, with month reports up to last month. Seeded: a run on the same day builds the
same data.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from activities import roles
from activities.models import (
    Account,
    Activity,
    ActivityType,
    ActivityVillage,
    Assignment,
    Commune,
    MonthReport,
    PartyUnit,
    Village,
    VillageCommune,
)
from activities.periods import is_weekend
from activities.services import local_today
from lamb_binh.demo import activities as history

MERGER = datetime.date(2025, 7, 1)  # the district level was abolished, the communes merged
PROVINCE = "Tuyên Quang"
K = PartyUnit.Kind

TINH_UY = "tinh-uy"
BAN = "ban-tgdv"
HUYEN_UY = "huyen-uy-lam-binh"
STAFF_UNIT_CODE = "cb-so-nn-mt"  # nhaplieu's provincial chi bộ, paired with xã Bình An
BINH_AN = "Bình An"

# (code, name, short name, kind, parent code)
PROVINCIAL = [
    (TINH_UY, "Tỉnh ủy Tuyên Quang", "Tỉnh ủy", K.TINH_UY, None),
    (BAN, "Ban Tuyên giáo và Dân vận Tỉnh ủy", "Ban TG&DV Tỉnh ủy", K.BAN, TINH_UY),
    (
        "db-co-quan-dang-tinh",
        "Đảng bộ các cơ quan Đảng tỉnh",
        "ĐB các cơ quan Đảng tỉnh",
        K.DANG_BO_TINH,
        TINH_UY,
    ),
    (
        "db-ubnd-tinh",
        "Đảng bộ Ủy ban nhân dân tỉnh",
        "ĐB UBND tỉnh",
        K.DANG_BO_TINH,
        TINH_UY,
    ),
    (
        STAFF_UNIT_CODE,
        "Chi bộ Sở Nông nghiệp và Môi trường",
        "CB Sở NN&MT",
        K.CHI_BO,
        "db-ubnd-tinh",
    ),
    (
        "cb-so-van-hoa",
        "Chi bộ Sở Văn hóa, Thể thao và Du lịch",
        "CB Sở VHTT&DL",
        K.CHI_BO,
        "db-ubnd-tinh",
    ),
    (
        "cb-ban-tgdv",
        "Chi bộ Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "CB Ban TG&DV",
        K.CHI_BO,
        "db-co-quan-dang-tinh",
    ),
    (
        "cb-van-phong-tinh-uy",
        "Chi bộ Văn phòng Tỉnh ủy",
        "CB Văn phòng Tỉnh ủy",
        K.CHI_BO,
        "db-co-quan-dang-tinh",
    ),
]
# The provincial chi bộ and the new commune each is paired with from 01/07/2025.
PAIRS = {
    STAFF_UNIT_CODE: "Bình An",
    "cb-so-van-hoa": "Lâm Bình",
    "cb-ban-tgdv": "Thượng Lâm",
    "cb-van-phong-tinh-uy": "Minh Quang",
}
# The chi bộ under each Đảng ủy xã: its own office's, and those of its first villages.
VILLAGE_CHI_BO = 2

# Months a new organisation did nothing on a weekend (code, year, month), for the rule matrix.
MISSED = {
    ("cb-so-van-hoa", 2025, 9),
    ("cb-ban-tgdv", 2026, 2),
    ("dux-minh-quang", 2026, 1),
    (STAFF_UNIT_CODE, 2026, 4),
}

# (username, full name, group, is admin, organisation code of the account)
ACCOUNTS = [
    ("quantri", "Quản trị hệ thống", roles.ADMINS, True, BAN),
    ("lanhdao", "Ma Văn Thành", roles.OFFICIALS, False, BAN),
    ("nhaplieu", "Hoàng Thị Lan", roles.STAFF, False, STAFF_UNIT_CODE),
    ("binhan_lanhdao", "Chẩu Văn Hùng", roles.OFFICIALS, False, "dux-binh-an"),
    ("binhan_nhaplieu", "Ma Thị Hoa", roles.STAFF, False, "dux-binh-an"),
]
# Staff enter for these units (nhaplieu keeps the former district unit too).
STAFF_OF = {
    "nhaplieu": [history.STAFF_UNIT_CODE, STAFF_UNIT_CODE],
    "binhan_nhaplieu": ["dux-binh-an"],
}

COMMUNE_SLUGS = {
    "Bình An": "binh-an",
    "Lâm Bình": "lam-binh",
    "Thượng Lâm": "thuong-lam",
    "Minh Quang": "minh-quang",
}


def new_communes() -> dict[str, Commune]:
    """The communes that replaced Lâm Bình's ten on 01/07/2025, by name."""
    olds = Commune.objects.filter(district="Lâm Bình", valid_from__isnull=True)
    news = Commune.objects.filter(main_predecessors__in=olds, valid_from=MERGER).distinct()
    result = {c.name: c for c in news}
    if set(result) != set(COMMUNE_SLUGS):
        raise RuntimeError(
            "Chưa có đủ 4 xã mới thay cho 10 xã, thị trấn cũ của huyện Lâm Bình: hãy chạy "
            f'load_communes --province "{PROVINCE}" trước.'
        )
    return result


def _unit(code, name, short, kind, *, parent=None, commune=None, valid_from=None, valid_to=None):
    unit, _ = PartyUnit.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "short_name": short,
            "kind": kind,
            "parent": parent,
            "commune": commune,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    return unit


def load_organisations() -> dict[str, PartyUnit]:
    """The province's tree: Tỉnh ủy, Ban, provincial bodies and their chi bộ (paired with the
    new communes), the former Huyện ủy over the district's units, the Đảng ủy xã and their
    chi bộ. The units by code."""
    units: dict[str, PartyUnit] = {}
    for code, name, short, kind, parent in PROVINCIAL:
        units[code] = _unit(code, name, short, kind, parent=units[parent] if parent else None)
    huyen_uy = _unit(
        HUYEN_UY,
        "Huyện ủy Lâm Bình",
        "Huyện ủy Lâm Bình",
        K.HUYEN_UY,
        parent=units[TINH_UY],
        valid_to=history.ASSIGNMENT_END,
    )
    units[HUYEN_UY] = huyen_uy
    # The district's units ended with it, as the migration ends those nothing continues.
    PartyUnit.objects.filter(code__in=[u[0] for u in history.UNITS], parent__isnull=True).update(
        parent=huyen_uy, valid_to=history.ASSIGNMENT_END
    )
    communes = new_communes()
    for name, commune in sorted(communes.items()):
        slug = COMMUNE_SLUGS[name]
        dux = _unit(
            f"dux-{slug}",
            f"Đảng ủy xã {name}",
            f"ĐU xã {name}",
            K.DANG_UY_XA,
            parent=units[TINH_UY],
            commune=commune,
            valid_from=MERGER,
        )
        units[dux.code] = dux
        chi_bo = [(f"cb-co-quan-{slug}", f"Chi bộ cơ quan Đảng ủy xã {name}")]
        for i, village in enumerate(_villages_of(commune)[:VILLAGE_CHI_BO], start=1):
            kind = village.get_kind_display().lower()
            chi_bo.append((f"cb-thon-{slug}-{i}", f"Chi bộ {kind} {village.name}, xã {name}"))
        for code, unit_name in chi_bo:
            units[code] = _unit(
                code,
                unit_name,
                unit_name.replace("Chi bộ", "CB"),
                K.CHI_BO,
                parent=dux,
                commune=commune,
                valid_from=MERGER,
            )
    for code, commune_name in PAIRS.items():
        Assignment.objects.get_or_create(
            unit=units[code],
            commune=communes[commune_name],
            start=MERGER,
            defaults={
                "decision_number": "2025-QĐ/TU",
                "decision_date": datetime.date(2025, 7, 1),
            },
        )
    return units


def _villages_of(commune: Commune):
    """The villages in `commune` from the merger (carried over from the former communes)."""
    ids = VillageCommune.objects.filter(commune=commune, valid_from=MERGER).values("village_id")
    return list(Village.objects.filter(pk__in=ids).order_by("pk"))


def load_accounts() -> list[str]:
    """The demo accounts with their organisations; the names created."""
    User = get_user_model()
    created = []
    for username, full_name, group_name, is_admin, organisation in ACCOUNTS:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": full_name, "is_staff": is_admin, "is_superuser": is_admin},
        )
        if was_created:
            user.set_password(history.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append(username)
        user.groups.add(Group.objects.get(name=group_name))
        Account.objects.update_or_create(
            user=user, defaults={"organisation": PartyUnit.objects.get(code=organisation)}
        )
        for code in STAFF_OF.get(username, []):
            PartyUnit.objects.get(code=code).staff.add(user)
    return created


def _working_units(units: dict[str, PartyUnit]) -> list[tuple[PartyUnit, Commune]]:
    """Each organisation that works in a new commune, with that commune: the paired
    provincial chi bộ, and the commune's own organisations."""
    working = []
    for code in sorted(PAIRS):
        assignment = Assignment.objects.get(unit=units[code], start=MERGER)
        working.append((units[code], assignment.commune))
    for code in sorted(units):
        unit = units[code]
        if unit.commune is not None:
            working.append((unit, unit.commune))
    return working


def _month_days(year: int, month: int, today: datetime.date) -> list[datetime.date]:
    day, days = datetime.date(year, month, 1), []
    while day.month == month and day <= today:
        days.append(day)
        day += datetime.timedelta(days=1)
    return days


def load_present(units: dict[str, PartyUnit], seed: int = 2025) -> tuple[int, int]:
    """Activities from 07/2025 up to today and month reports up to last month; their
    numbers."""
    today = local_today()
    rng = random.Random(seed)
    others = random.Random(seed + 1)
    types = {t.code: t for t in ActivityType.objects.all()}
    type_codes = [code for code, _, _ in history.TYPE_MIX]
    weights = [weight for _, weight, _ in history.TYPE_MIX]
    ranges = {code: low_high for code, _, low_high in history.TYPE_MIX}
    User = get_user_model()
    entered_by = {
        STAFF_UNIT_CODE: User.objects.filter(username="nhaplieu").first(),
        "dux-binh-an": User.objects.filter(username="binhan_nhaplieu").first(),
    }
    villages = {c.pk: _villages_of(c) for c in new_communes().values()}
    activities, reached = [], []
    months = history.months_between(MERGER, today)
    for unit, commune in _working_units(units):
        ring = villages[commune.pk]
        rng.shuffle(ring)
        position = 0
        for year, month in months:
            if (unit.code, year, month) in MISSED:
                continue
            days = _month_days(year, month, today)
            weekend = [d for d in days if is_weekend(d)]
            # This month so far may have no weekend yet: a weekday outing then.
            outings = 2 if weekend and rng.random() < 0.15 else 1
            for day in [rng.choice(weekend or days) for _ in range(outings)]:
                type_code = rng.choices(type_codes, weights)[0]
                low_high = ranges[type_code]
                quantity = rng.randint(*low_high) if low_high else None
                cadre, folk = rng.randint(4, 14), rng.randint(10, 60)
                activities.append(
                    Activity(
                        unit=unit,
                        commune=commune,
                        date=day,
                        activity_type=types[type_code],
                        description=history.DESCRIPTIONS[type_code],
                        output_unit=types[type_code].default_unit if quantity is not None else "",
                        **history._figures(rng, others, cadre=cadre, folk=folk, quantity=quantity),
                        created_by=entered_by.get(unit.code),
                    )
                )
                count = min(rng.choice([1, 1, 2, 3]), len(ring))
                reached.append([ring[(position + i) % len(ring)].pk for i in range(count)])
                position += count
    Activity.objects.bulk_create(activities, batch_size=500)
    ActivityVillage.objects.bulk_create(
        [
            ActivityVillage(activity=activity, village_id=village_id)
            for activity, village_ids in zip(activities, reached, strict=True)
            for village_id in village_ids
        ],
        batch_size=1000,
    )
    return len(activities), _month_reports(units, months[:-1], entered_by)


def _month_reports(units: dict[str, PartyUnit], months, entered_by: dict) -> int:
    """Every working organisation reported each month before this one: submitted when it
    had activities, "không có hoạt động" otherwise, on the 1st of the next month."""
    working = {unit.pk: unit for unit, _ in _working_units(units)}
    active = {
        (unit_id, day.year, day.month)
        for unit_id, day in Activity.objects.filter(
            unit_id__in=working, date__gte=MERGER
        ).values_list("unit_id", "date")
    }
    reports = []
    for unit_id, unit in working.items():
        for year, month in months:
            next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
            reports.append(
                MonthReport(
                    unit_id=unit_id,
                    year=year,
                    month=month,
                    state=MonthReport.State.SUBMITTED
                    if (unit_id, year, month) in active
                    else MonthReport.State.NO_ACTIVITY,
                    submitted_by=entered_by.get(unit.code),
                    submitted_at=min(
                        timezone.now(),
                        timezone.make_aware(
                            datetime.datetime.combine(next_month, datetime.time(8, 0))
                        ),
                    ),
                )
            )
    MonthReport.objects.bulk_create(reports)
    return len(reports)

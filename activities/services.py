"""Writes for the activities app: each function validates and runs in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from activities.gso import district_communes
from activities.models import Commune


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@transaction.atomic
def communes_load(*, province: str, district: str) -> LoadResult:
    """Create or update a district's communes (before and after the 2025 merger).

    A commune is matched on its code and the start of its validity period, so the old
    Thổ Bình (02296 until 30/06/2025) and the new Bình An (02296 from 01/07/2025) stay two
    rows. Running it again changes nothing.
    """
    official = district_communes(province=province, district=district)
    result = LoadResult()
    saved: dict[tuple, Commune] = {}
    # Successors first, so the old communes can point at them.
    for item in sorted(official, key=lambda c: c.successor_code is not None):
        values = {
            "name": item.name,
            "kind": item.kind,
            "district": item.district,
            "province": item.province,
            "valid_to": item.valid_to,
            "successor": saved.get((item.successor_code, "new")),
        }
        commune = Commune.objects.filter(code=item.code, valid_from=item.valid_from).first()
        label = f"{item.code} {item.name}"
        if commune is None:
            commune = Commune(code=item.code, valid_from=item.valid_from, **values)
            commune.full_clean()
            commune.save()
            result.created.append(label)
        elif any(getattr(commune, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(commune, key, value)
            commune.full_clean()
            commune.save()
            result.updated.append(label)
        else:
            result.unchanged.append(label)
        saved[(item.code, "new" if item.valid_from else "old")] = commune
    return result

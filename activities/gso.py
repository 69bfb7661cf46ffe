"""Official commune lists (GSO codes) and the 2025 merger, read from `vietnamadminunits`.

The package ships the 63-province list in force until 30/06/2025 (with districts) and the
34-province list from 01/07/2025, plus the mapping from old communes to new ones.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from activities.periods import MERGER_DATE
from activities.text import name_key

_KIND_BY_GSO_TYPE = {"Xã": "xa", "Thị trấn": "thi_tran", "Phường": "phuong", "Đặc khu": "xa"}
_PROVINCE_PREFIXES = ("tỉnh", "thành phố", "tp.", "tp")
_DISTRICT_PREFIXES = ("huyện", "quận", "thị xã", "thành phố", "tp.", "tp")
_DAY_BEFORE_MERGER = MERGER_DATE - datetime.timedelta(days=1)


class DatasetError(Exception):
    """The dataset has no such province or district, or its data cannot be read."""


@dataclass(frozen=True)
class OfficialCommune:
    code: str
    name: str
    kind: str
    district: str
    province: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    # Every commune a former commune went into, the main one first (see _successor_keys).
    successor_codes: tuple[str, ...] = ()

    @property
    def successor_code(self) -> str | None:
        return self.successor_codes[0] if self.successor_codes else None


def _strip_prefix(value: str, prefixes: tuple[str, ...]) -> str:
    key = " ".join(name_key(value).split())
    for prefix in prefixes:
        if key.startswith(prefix + " "):
            return key[len(prefix) + 1 :].strip()
    return key


def _query(sql: str, params: tuple = ()) -> list[dict]:
    import sqlite3

    path = resources.files("vietnamadminunits") / "data" / "dataset.db"
    with resources.as_file(path) as db_path:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            conn.row_factory = sqlite3.Row
            return [dict(row) for row in conn.execute(sql, params)]
        finally:
            conn.close()


@cache
def _converter() -> dict:
    path = resources.files("vietnamadminunits") / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class _Scope:
    """Where to load: the new province and the former provinces (keys) whose communes count."""

    new_province: str
    legacy_provinces: tuple[str, ...]
    whole_new_province: bool


def _scope(province: str) -> _Scope:
    """A name of the 34 provinces loads that province and every former commune of it; else a
    name of the 63 former ones loads that former province and what its communes became."""
    key = _strip_prefix(province, _PROVINCE_PREFIXES)
    groups = _converter()["DICT_PROVINCE"]
    for row in _query("SELECT DISTINCT provinceShort, provinceKey FROM admin_units"):
        if name_key(row["provinceShort"]) == key:
            new = row["provinceKey"]
            return _Scope(new, tuple(groups[new]), whole_new_province=True)
    for row in _query("SELECT DISTINCT provinceShort, provinceKey FROM admin_units_legacy"):
        if name_key(row["provinceShort"]) == key:
            legacy = row["provinceKey"]
            new = next(new for new, olds in groups.items() if legacy in olds)
            return _Scope(new, (legacy,), whole_new_province=False)
    raise DatasetError(
        f"Không tìm thấy tỉnh “{province}” trong dữ liệu (34 tỉnh, thành phố từ 01/07/2025 "
        "và 63 tỉnh, thành phố trước đó)."
    )


def _legacy_rows(scope: _Scope) -> list[dict]:
    marks = ", ".join("?" * len(scope.legacy_provinces))
    return _query(
        "SELECT provinceShort, provinceKey, districtShort, districtKey, wardShort, wardKey,"
        " wardType, wardCode FROM admin_units_legacy"
        f" WHERE wardCode IS NOT NULL AND provinceKey IN ({marks}) ORDER BY wardCode",
        scope.legacy_provinces,
    )


def _in_district(rows: list[dict], *, province: str, district: str) -> list[dict]:
    """The rows of one former district; a name two former provinces share is an error."""
    key = _strip_prefix(district, _DISTRICT_PREFIXES)
    found = [row for row in rows if name_key(row["districtShort"]) == key]
    if not found:
        raise DatasetError(
            f"Không tìm thấy huyện “{district}” của tỉnh “{province}” trong dữ liệu."
        )
    provinces = sorted({row["provinceShort"] for row in found})
    if len(provinces) > 1:
        raise DatasetError(
            f"Huyện “{district}” có ở {len(provinces)} tỉnh cũ ({', '.join(provinces)}): "
            "ghi tên tỉnh cũ để phân biệt."
        )
    return found


def province_communes(*, province: str, district: str | None = None) -> list[OfficialCommune]:
    """A province's communes before the merger and the communes they became on 01/07/2025.

    `province` is a name of the 34 provinces (all of its territory: its communes from
    01/07/2025 and every former commune of the provinces merged into it) or of the 63 former
    ones (its communes and those they went into). `district` narrows it to one former
    district of that territory. Names go with or without "tỉnh", "huyện"..., in any case.
    The former communes come first, by code, then the new ones, by code.
    """
    scope = _scope(province)
    legacy = _legacy_rows(scope)
    if district:
        legacy = _in_district(legacy, province=province, district=district)
    successors = _successor_keys(scope.new_province)
    new_rows = {
        row["wardKey"]: row
        for row in _query(
            "SELECT provinceShort, wardShort, wardKey, wardType, wardCode FROM admin_units"
            " WHERE provinceKey = ? ORDER BY wardCode",
            (scope.new_province,),
        )
    }
    former = [_former(row, successors, new_rows) for row in legacy]
    if scope.whole_new_province and not district:
        wanted = set(new_rows)
    else:
        wanted = {key for row in legacy for key in successors.get(_legacy_key(row), ())}
    new = [_new(row) for key, row in new_rows.items() if key in wanted]
    return former + sorted(new, key=lambda c: c.code)


def _legacy_key(row: dict) -> str:
    return f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"


def _former(row: dict, successors: dict, new_rows: dict) -> OfficialCommune:
    keys = successors.get(_legacy_key(row), ())
    return OfficialCommune(
        code=row["wardCode"],
        name=row["wardShort"],
        kind=_KIND_BY_GSO_TYPE[row["wardType"]],
        district=row["districtShort"],
        province=row["provinceShort"],
        valid_from=None,
        valid_to=_DAY_BEFORE_MERGER,
        successor_codes=tuple(new_rows[key]["wardCode"] for key in keys if key in new_rows),
    )


def _new(row: dict) -> OfficialCommune:
    return OfficialCommune(
        code=row["wardCode"],
        name=row["wardShort"],
        kind=_KIND_BY_GSO_TYPE[row["wardType"]],
        district="",
        province=row["provinceShort"],
        valid_from=MERGER_DATE,
        valid_to=None,
    )


@cache
def _successor_keys(new_province: str) -> dict[str, tuple[str, ...]]:
    """Map "province_district_ward" legacy keys to the new ward keys that took them over.

    A commune that went whole into one new commune (DICT_PROVINCE_WARD_NO_DIVIDED) has one.
    A divided one (DICT_PROVINCE_WARD_DIVIDED) has each new commune it went into, the one the
    dataset marks `isDefaultNewWard` first: the package's own converter sends an address
    of the old commune there when it knows no street, so it is the main successor (the
    reports' "merged" grouping); the others follow in the dataset's order.
    """
    data = _converter()
    mapping: dict[str, tuple[str, ...]] = {}
    for new_ward, legacy_keys in (
        data["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new_province, {}).items()
    ):
        for legacy_key in legacy_keys:
            mapping[legacy_key] = (new_ward,)
    for legacy_key, options in data["DICT_PROVINCE_WARD_DIVIDED"].get(new_province, {}).items():
        ordered = sorted(options, key=lambda o: not o.get("isDefaultNewWard"))
        mapping[legacy_key] = tuple(dict.fromkeys(o["newWardKey"] for o in ordered))
    return mapping

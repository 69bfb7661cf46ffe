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


class DatasetError(Exception):
    """The dataset has no such district, or its data cannot be read."""


@dataclass(frozen=True)
class OfficialCommune:
    code: str
    name: str
    kind: str
    district: str
    province: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    successor_code: str | None = None


def _strip_prefix(value: str, prefixes: tuple[str, ...]) -> str:
    key = name_key(value)
    for prefix in prefixes:
        if key.startswith(prefix + " "):
            return key[len(prefix) + 1 :]
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


def district_communes(*, province: str, district: str) -> list[OfficialCommune]:
    """The district's communes before the merger and the communes they became on 01/07/2025.

    `province` and `district` are names, with or without "tỉnh"/"huyện", any case.
    """
    province_key = _strip_prefix(province, ("tỉnh", "thành phố"))
    district_key = _strip_prefix(district, ("huyện", "quận", "thị xã", "thành phố"))
    legacy = [
        row
        for row in _query(
            "SELECT province, provinceShort, provinceKey, district, districtShort, districtKey,"
            " ward, wardShort, wardKey, wardType, wardCode FROM admin_units_legacy"
            " WHERE wardCode IS NOT NULL ORDER BY wardCode"
        )
        if name_key(row["provinceShort"]) == province_key
        and name_key(row["districtShort"]) == district_key
    ]
    if not legacy:
        raise DatasetError(
            f"Không tìm thấy huyện “{district}” của tỉnh “{province}” trong dữ liệu."
        )

    legacy_province = legacy[0]["provinceKey"]
    new_province = next(
        (new for new, olds in _converter()["DICT_PROVINCE"].items() if legacy_province in olds),
        None,
    )
    successors = _successor_keys(new_province) if new_province else {}
    new_rows = {
        row["wardKey"]: row
        for row in _query(
            "SELECT provinceShort, wardShort, wardKey, wardType, wardCode FROM admin_units"
            " WHERE provinceKey = ?",
            (new_province,),
        )
    }

    day_before = MERGER_DATE - datetime.timedelta(days=1)
    result: list[OfficialCommune] = []
    new_codes: dict[str, OfficialCommune] = {}
    for row in legacy:
        full_key = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"
        new_key = successors.get(full_key)
        successor = None
        if new_key and new_key in new_rows:
            new = new_rows[new_key]
            successor = new_codes.setdefault(
                new["wardCode"],
                OfficialCommune(
                    code=new["wardCode"],
                    name=new["wardShort"],
                    kind=_KIND_BY_GSO_TYPE[new["wardType"]],
                    district="",
                    province=new["provinceShort"],
                    valid_from=MERGER_DATE,
                    valid_to=None,
                ),
            )
        result.append(
            OfficialCommune(
                code=row["wardCode"],
                name=row["wardShort"],
                kind=_KIND_BY_GSO_TYPE[row["wardType"]],
                district=row["districtShort"],
                province=row["provinceShort"],
                valid_from=None,
                valid_to=day_before,
                successor_code=successor.code if successor else None,
            )
        )
    return result + sorted(new_codes.values(), key=lambda c: c.code)


def _successor_keys(new_province: str) -> dict[str, str]:
    """Map "province_district_ward" legacy keys to the new ward key that took them over.

    A legacy commune split between several new ones goes to the one the dataset marks as
    its default successor.
    """
    data = _converter()
    mapping = {}
    for new_ward, legacy_keys in (
        data["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new_province, {}).items()
    ):
        for legacy_key in legacy_keys:
            mapping[legacy_key] = new_ward
    for legacy_key, options in data["DICT_PROVINCE_WARD_DIVIDED"].get(new_province, {}).items():
        default = next((o for o in options if o.get("isDefaultNewWard")), options[0])
        mapping[legacy_key] = default["newWardKey"]
    return mapping

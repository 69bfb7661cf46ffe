"""load_communes: a whole province (the new Tuyên Quang: 124 communes from 330), one former
district (Lâm Bình: 10 → 4), any other province, and nothing twice."""

import datetime
import importlib
import io
import json
import sqlite3
from importlib import resources

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from activities.models import Commune

# The GSO list in force until 30/06/2025 (MISSION.md gives Bình An 02290 and Khuôn Hà 02251).
PRE_2025 = {
    "02233": ("Phúc Yên", "xa"),
    "02242": ("Xuân Lập", "xa"),
    "02251": ("Khuôn Hà", "xa"),
    "02266": ("Lăng Can", "thi_tran"),
    "02269": ("Thượng Lâm", "xa"),
    "02290": ("Bình An", "xa"),
    "02293": ("Hồng Quang", "xa"),
    "02296": ("Thổ Bình", "xa"),
    "02299": ("Phúc Sơn", "xa"),
    "02302": ("Minh Quang", "xa"),
}
# The merger of 01/07/2025 (MISSION.md): new commune ← old communes.
MERGED = {
    "Lâm Bình": {"Lăng Can", "Phúc Yên", "Xuân Lập"},
    "Minh Quang": {"Minh Quang", "Hồng Quang", "Phúc Sơn"},
    "Thượng Lâm": {"Thượng Lâm", "Khuôn Hà"},
    "Bình An": {"Bình An", "Thổ Bình"},
}


def snapshot() -> list[tuple]:
    rows = Commune.objects.order_by("id").values_list(
        "id",
        "code",
        "name",
        "kind",
        "district",
        "province",
        "valid_from",
        "valid_to",
        "successor_id",
    )
    links = Commune.successors.through.objects.order_by("from_commune_id", "to_commune_id")
    return [*rows, *links.values_list("from_commune_id", "to_commune_id")]


@pytest.mark.django_db
def test_it_loads_the_ten_communes_in_force_before_the_merger():
    call_command("load_communes")
    old = Commune.objects.filter(valid_to=datetime.date(2025, 6, 30))
    assert {c.code: (c.name, c.kind) for c in old} == PRE_2025
    assert {(c.district, c.province, c.valid_from) for c in old} == {
        ("Lâm Bình", "Tuyên Quang", None)
    }


@pytest.mark.django_db
def test_it_loads_the_four_new_communes_with_their_predecessors():
    call_command("load_communes")
    new = Commune.objects.filter(valid_from=datetime.date(2025, 7, 1), valid_to__isnull=True)
    assert {c.name: {p.name for p in c.predecessors.all()} for c in new} == MERGED
    # GSO codes were reused: the new Bình An carries 02296, which was Thổ Bình's.
    assert new.get(name="Bình An").code == "02296"
    assert Commune.objects.get(code="02296", valid_from__isnull=True).name == "Thổ Bình"
    assert set(new.values_list("district", flat=True)) == {""}


@pytest.mark.django_db
def test_running_it_twice_changes_nothing():
    call_command("load_communes")
    before = snapshot()
    call_command("load_communes")
    assert snapshot() == before
    assert Commune.objects.count() == 14


@pytest.mark.django_db
def test_it_restores_a_commune_edited_away_from_the_official_data():
    call_command("load_communes")
    Commune.objects.filter(code="02290").update(name="Binh An")
    call_command("load_communes")
    assert Commune.objects.get(code="02290").name == "Bình An"


@pytest.mark.django_db
def test_an_unknown_district_is_a_clear_error_and_writes_nothing():
    with pytest.raises(CommandError, match="Không tìm thấy huyện “Không Có”"):
        call_command("load_communes", district="Không Có")
    assert not Commune.objects.exists()


@pytest.mark.django_db
def test_another_district_loads_the_same_way():
    call_command("load_communes", province="Tuyên Quang", district="huyện Na Hang")
    old = Commune.objects.filter(valid_from__isnull=True)
    assert old.exists()
    assert set(old.values_list("district", flat=True)) == {"Na Hang"}
    assert not old.filter(successor__isnull=True).exists()


# --- The whole province -------------------------------------------------------------------

MERGER, LAST_DAY = datetime.date(2025, 7, 1), datetime.date(2025, 6, 30)


def load(**options) -> str:
    out = io.StringIO()
    call_command("load_communes", stdout=out, **options)
    return out.getvalue()


def official_divided(new_province: str) -> dict[str, tuple[str, set[str]]]:
    """An independent reading of the package's data: each divided former commune's code →
    (the code of the new commune the converter marks as default, every new commune's code)."""
    data = resources.files("vietnamadminunits") / "data"
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    with resources.as_file(data / "dataset.db") as path:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        old_codes = {
            f"{p}_{d}_{w}": code
            for p, d, w, code in conn.execute(
                "SELECT provinceKey, districtKey, wardKey, wardCode FROM admin_units_legacy"
            )
        }
        new_codes = dict(
            conn.execute(
                "SELECT wardKey, wardCode FROM admin_units WHERE provinceKey = ?",
                (new_province,),
            ).fetchall()
        )
        conn.close()
    return {
        old_codes[old_key]: (
            next(new_codes[o["newWardKey"]] for o in options if o["isDefaultNewWard"]),
            {new_codes[o["newWardKey"]] for o in options},
        )
        for old_key, options in converter["DICT_PROVINCE_WARD_DIVIDED"][new_province].items()
    }


@pytest.fixture
def province(db) -> str:
    return load(province="Tuyên Quang")


def test_the_province_has_124_communes_from_01_07_2025(province):
    new = Commune.objects.filter(valid_from=MERGER)
    # 117 xã + 7 phường (the 2025 merger of Tuyên Quang and Hà Giang).
    assert new.filter(kind=Commune.Kind.XA).count() == 117
    assert new.filter(kind=Commune.Kind.PHUONG).count() == 7
    assert new.count() == 124
    assert set(new.values_list("province", "district", "valid_to")) == {("Tuyên Quang", "", None)}


def test_the_province_was_330_communes_until_30_06_2025(province):
    old = Commune.objects.filter(valid_from__isnull=True)
    assert old.filter(province="Tuyên Quang").count() == 137
    assert old.filter(province="Hà Giang").count() == 193
    assert old.count() == 330
    assert set(old.values_list("valid_to", flat=True)) == {LAST_DAY}
    assert not old.filter(district="").exists()
    assert set(old.filter(code="02266").values_list("name", "district")) == {
        ("Lăng Can", "Lâm Bình")
    }


def test_every_former_commune_goes_into_its_main_successor(province):
    old = Commune.objects.filter(valid_from__isnull=True).prefetch_related("successors")
    for commune in old:
        assert commune.successor is not None, commune
        assert commune.successor in commune.successors.all(), commune
    assert set(Commune.objects.filter(predecessors__isnull=False).distinct()) == set(
        Commune.objects.filter(valid_from=MERGER)
    )


def test_a_divided_commune_goes_into_every_commune_it_was_split_between(province):
    divided = official_divided("tinhtuyenquang")
    assert divided
    old = {c.code: c for c in Commune.objects.filter(valid_from__isnull=True)}
    for code, (main, successors) in divided.items():
        commune = old[code]
        assert len(successors) > 1
        assert {c.code for c in commune.successors.all()} == successors, commune
        assert commune.successor.code == main, commune
    for code in set(old) - set(divided):
        assert old[code].successors.count() == 1, old[code]


def test_loading_the_province_twice_changes_nothing(province, django_assert_max_num_queries):
    before = snapshot()
    # The stored rows are read in one query (and their links in another), not row by row.
    with django_assert_max_num_queries(10):
        again = load(province="tỉnh Tuyên Quang")
    assert snapshot() == before
    assert "0 thêm mới, 0 cập nhật, 454 giữ nguyên" in again  # 124 + 330
    assert "454 thêm mới" in province


def test_a_missing_link_to_a_successor_is_restored(province):
    divided = next(iter(official_divided("tinhtuyenquang")))
    commune = Commune.objects.get(code=divided, valid_from__isnull=True)
    commune.successors.set([commune.successor])
    assert "1 cập nhật" in load(province="Tuyên Quang")
    assert commune.successors.count() > 1


def test_the_former_district_after_the_province_keeps_its_ten_communes(province):
    assert "0 thêm mới, 0 cập nhật, 14 giữ nguyên" in load(
        province="Tuyên Quang", district="Lâm Bình"
    )


@pytest.mark.django_db
def test_a_former_district_of_the_new_province_gives_its_ten_communes_and_their_four():
    load(province="Tuyên Quang", district="Lâm Bình")
    old = Commune.objects.filter(valid_from__isnull=True)
    assert {c.code: (c.name, c.kind) for c in old} == PRE_2025
    new = Commune.objects.filter(valid_from=MERGER)
    assert {c.name: {p.name for p in c.predecessors.all()} for c in new} == MERGED


@pytest.mark.django_db
def test_a_district_of_the_other_former_province_loads_too():
    load(province="Tuyên Quang", district="Đồng Văn")
    old = Commune.objects.filter(valid_from__isnull=True)
    assert set(old.values_list("district", "province")) == {("Đồng Văn", "Hà Giang")}


@pytest.mark.django_db
def test_another_province_loads_the_same_way():
    load(province="Thành phố Hà Nội")
    new = Commune.objects.filter(valid_from=MERGER)
    # Hà Nội from 01/07/2025: 126 communes, 51 phường and 75 xã.
    assert new.count() == 126
    assert new.filter(kind=Commune.Kind.PHUONG).count() == 51
    old = Commune.objects.filter(valid_from__isnull=True)
    assert set(old.values_list("province", flat=True)) == {"Hà Nội"}
    assert not old.filter(successor__isnull=True).exists()


@pytest.mark.django_db
def test_a_former_province_loads_its_communes_and_those_they_went_into():
    load(province="Hà Giang")
    old = Commune.objects.filter(valid_from__isnull=True)
    assert old.count() == 193
    assert set(old.values_list("province", flat=True)) == {"Hà Giang"}
    new = Commune.objects.filter(valid_from=MERGER)
    assert set(new.values_list("province", flat=True)) == {"Tuyên Quang"}
    assert not new.filter(predecessors__isnull=True).exists()


@pytest.mark.django_db
def test_an_unknown_province_is_a_clear_error_and_writes_nothing():
    with pytest.raises(CommandError, match="Không tìm thấy tỉnh “Không Có”"):
        load(province="Không Có")
    assert not Commune.objects.exists()


@pytest.mark.django_db
def test_the_migration_links_each_commune_to_its_stored_successor():
    load(province="Tuyên Quang", district="Lâm Bình")
    expected = set(
        Commune.objects.filter(successor__isnull=False).values_list("pk", "successor_id")
    )
    Commune.successors.through.objects.all().delete()
    migration = importlib.import_module("activities.migrations.0012_commune_successors")
    migration.successors_from_successor(apps, None)
    links = Commune.successors.through.objects.values_list("from_commune_id", "to_commune_id")
    assert set(links) == expected
    assert len(expected) == 10


def test_the_admin_shows_every_successor_of_a_divided_commune(province, admin_client):
    code, (_, successors) = next(iter(official_divided("tinhtuyenquang").items()))
    commune = Commune.objects.get(code=code, valid_from__isnull=True)
    names = [
        f"{c.name} ({c.code})"
        for c in Commune.objects.filter(code__in=successors, valid_from=MERGER).order_by("code")
    ]
    listing = admin_client.get(
        reverse("admin:activities_commune_changelist"), {"q": commune.name}
    ).content.decode()
    assert ", ".join(names) in listing
    page = admin_client.get(reverse("admin:activities_commune_change", args=[commune.pk]))
    assert "các xã kế thừa" in page.content.decode().lower()
    assert set(page.context["adminform"].form.initial["successors"]) == set(
        commune.successors.all()
    )

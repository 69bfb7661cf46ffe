"""load_communes: the 10 communes of Lâm Bình before 2025, the 4 after, and nothing twice."""

import datetime

import pytest
from django.core.management import CommandError, call_command

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
    return list(
        Commune.objects.order_by("id").values_list(
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
    )


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
    assert len(before) == 14


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

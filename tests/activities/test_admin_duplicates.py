"""A village or unit name that already exists once NFC-normalised and case-folded is refused
in the admin with a Vietnamese form error, not an error page; nothing is saved."""

import unicodedata

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import PartyUnit, Village
from tests.factories import admin_url, change_form_data, logged_in


@pytest.fixture
def admin(admin_user) -> Client:
    return logged_in(admin_user)


def village_data(commune, name: str) -> dict:
    return {"commune": commune.pk, "name": name, "kind": "thon", "aliases": ""}


def unit_data(name: str, code: str) -> dict:
    return {"code": code, "name": name, "short_name": "ĐB thử", "kind": "chi_bo", "is_active": "on"}


def name_error(response) -> list[str]:
    assert response.status_code == 200
    return response.context["adminform"].form.errors["name"]


@pytest.mark.parametrize(
    "spelling", ["NÀ CÓOC", "nà cóoc", unicodedata.normalize("NFD", "Nà Cóoc"), " Nà  Cóoc "]
)
def test_adding_a_village_whose_name_the_commune_has_is_a_form_error(
    admin, village, binh_an, spelling
):
    response = admin.post(reverse("admin:activities_village_add"), village_data(binh_an, spelling))
    assert name_error(response) == [
        "Xã Bình An đã có thôn “Nà Cóoc” (tên trùng khi không phân biệt chữ hoa, chữ thường)."
    ]
    assert list(Village.objects.values_list("name", flat=True)) == ["Nà Cóoc"]


def test_renaming_a_village_to_a_name_the_commune_has_is_a_form_error(admin, village, binh_an):
    other = Village.objects.create(commune=binh_an, name="Khuổi Củng")
    url = admin_url(other)
    data = change_form_data(admin.get(url)) | {"name": "NÀ CÓOC"}
    assert name_error(admin.post(url, data))[0].startswith("Xã Bình An đã có thôn “Nà Cóoc”")
    other.refresh_from_db()
    assert other.name == "Khuổi Củng"


def test_the_same_village_name_in_another_commune_is_fine(admin, village, communes):
    tho_binh = communes["02296"]
    response = admin.post(
        reverse("admin:activities_village_add"), village_data(tho_binh, "NÀ CÓOC")
    )
    assert response.status_code == 302
    assert Village.objects.filter(commune=tho_binh, name="NÀ CÓOC").exists()


def test_saving_a_village_unchanged_is_fine(admin, village):
    url = admin_url(village)
    assert admin.post(url, change_form_data(admin.get(url))).status_code == 302


def test_adding_a_unit_whose_name_exists_is_a_form_error(admin, unit):
    spelling = unicodedata.normalize("NFD", "ĐẢNG BỘ CƠ QUAN CHÍNH QUYỀN HUYỆN")
    response = admin.post(reverse("admin:activities_partyunit_add"), unit_data(spelling, "moi"))
    assert name_error(response) == [
        "Đã có đơn vị “Đảng bộ cơ quan chính quyền huyện” (tên trùng khi không phân biệt chữ "
        "hoa, chữ thường)."
    ]
    assert list(PartyUnit.objects.values_list("code", flat=True)) == ["db-chinh-quyen"]


def test_renaming_a_unit_to_a_name_that_exists_is_a_form_error(admin, unit, unit_b):
    url = admin_url(unit_b)
    data = change_form_data(admin.get(url)) | {"name": "đảng bộ cơ quan chính quyền huyện"}
    assert name_error(admin.post(url, data))[0].startswith("Đã có đơn vị “Đảng bộ cơ quan")
    unit_b.refresh_from_db()
    assert unit_b.name == "Đảng bộ Quân sự huyện"

"""Matching what spreadsheets write to communes, villages and units: each rule, each message."""

import contextlib
import datetime
import time
import unicodedata

import pytest

from activities.imports.matching import (
    CommuneMatcher,
    MatchError,
    UnitMatcher,
    VillageMatcher,
    match_key,
    strip_accents,
)
from activities.imports.registry import kinds
from activities.models import Assignment, Commune, PartyUnit, Village
from activities.services import communes_load
from tests.factories import import_file, sheet_row, template_file, xlsx

MERGER = datetime.date(2025, 7, 1)
BEFORE = datetime.date(2024, 6, 15)
AFTER = datetime.date(2025, 8, 1)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def error_of(match, *args, **kwargs) -> str:
    """The message of the MatchError that `match(*args, **kwargs)` raises."""
    with pytest.raises(MatchError) as excinfo:
        match(*args, **kwargs)
    return str(excinfo.value)


def assert_lookups_make_no_query(assert_num_queries, make_matcher, calls, queries=1) -> None:
    """`queries` to build the matcher, none for 100 lookups, errors included."""
    with assert_num_queries(queries):
        matcher = make_matcher()
    with assert_num_queries(0):
        for i in range(100):
            value, options = calls[i % len(calls)]
            with contextlib.suppress(MatchError):
                matcher.match(value, **options)


# --- Keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bình An", "Binh An"),
        ("Khuôn Hà", "Khuon Ha"),
        ("Lăng Can", "Lang Can"),
        ("Thượng Lâm", "Thuong Lam"),
        ("Đảng bộ Quân sự", "Dang bo Quan su"),
        (nfd("Nà Cóoc"), "Na Cooc"),
        ("Ðoàn Kết", "Doan Ket"),  # U+00D0, as old encodings write Đ
    ],
)
def test_strip_accents_removes_every_mark_and_writes_d(text, expected):
    assert strip_accents(text) == expected


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [
        ("Hòa", "Hoà"),
        ("Ủy ban", "Uỷ ban"),
        ("Thúy", "Thuý"),
        ("khỏe", "khoẻ"),
        ("Khủyu", "khuỷu"),
        ("Nà Cóoc", "Nà Coóc"),
    ],
)
def test_tone_mark_placements_share_a_key(old_style, new_style):
    assert match_key(old_style) == match_key(new_style) == match_key(nfd(old_style))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  BÌNH   AN ", "bình an"),
        (nfd("Thượng Lâm"), "thượng lâm"),
        ("Hòa Bình", "hoà bình"),
        ("Ðảng", "đảng"),
        # Nothing to move: a final consonant, a shaped vowel, the "u" of qu, the "i" of gi.
        ("Hoàng", "hoàng"),
        ("Người", "người"),
        ("Quý", "quý"),
        ("Giữ", "giữ"),
        ("Gìn", "gìn"),
        ("Huỳnh", "huỳnh"),
    ],
)
def test_match_key_is_nfc_case_folded_with_the_mark_on_the_main_vowel(text, expected):
    assert match_key(text) == unicodedata.normalize("NFC", expected)


# --- Communes -----------------------------------------------------------------------------


@pytest.fixture
def matcher(communes) -> CommuneMatcher:
    return CommuneMatcher()


def old(code: str) -> Commune:
    return Commune.objects.get(code=code, valid_from__isnull=True)


def new(code: str) -> Commune:
    return Commune.objects.get(code=code, valid_from=MERGER)


@pytest.mark.parametrize("value", ["02251", "2251", 2251, 2251.0, " 02251 ", "2251.0"])
def test_a_commune_is_found_by_its_code_with_or_without_the_leading_zero(matcher, value):
    assert matcher.match(value) == old("02251")


@pytest.mark.parametrize(
    "value",
    [
        "Khuôn Hà",
        "xã Khuôn Hà",
        "XÃ KHUÔN HÀ",
        "X.Khuôn Hà",
        "x. khuôn   hà",
        nfd("Xã Khuôn Hà"),
        "Khuon Ha",
        "Xa Khuon Ha",
    ],
)
def test_a_commune_is_found_by_its_name_in_any_writing(matcher, value):
    assert matcher.match(value) == old("02251")


@pytest.mark.parametrize(
    "value",
    [
        "Lăng Can",
        "thị trấn Lăng Can",
        "TT Lăng Can",
        "TT.Lăng Can",
        "Thi tran Lang Can",
        "lang can",
    ],
)
def test_a_town_is_found_with_or_without_thi_tran(matcher, value):
    assert matcher.match(value) == old("02266")


def test_a_reused_code_needs_the_rows_date(matcher):
    assert error_of(matcher.match, "02296") == (
        "Mã ĐVHC 02296 dùng cho 2 xã: Thổ Bình (đến 30/06/2025), Bình An (từ 01/07/2025). "
        "Ghi ngày để phân biệt."
    )


def test_a_match_error_carries_the_candidates_for_a_preview(matcher):
    with pytest.raises(MatchError) as excinfo:
        matcher.match("02296")
    assert excinfo.value.value == "02296"
    assert excinfo.value.candidates == (old("02296"), new("02296"))


def test_the_date_chooses_between_the_communes_of_a_reused_code(matcher):
    assert matcher.match("02296", on=datetime.date(2025, 6, 30)) == old("02296")
    assert matcher.match(2296, on=MERGER) == new("02296")


@pytest.mark.parametrize("value", ["Bình An", "xã Bình An", "BINH AN"])
def test_a_reused_name_needs_the_code_or_the_date(matcher, value):
    assert error_of(matcher.match, value) == (
        "Có 2 xã “Bình An”: 02290 (đến 30/06/2025), 02296 (từ 01/07/2025). "
        "Ghi mã ĐVHC hoặc ngày để phân biệt."
    )


def test_a_name_kept_with_its_code_by_the_merger_needs_the_date(matcher):
    assert error_of(matcher.match, "Thượng Lâm") == (
        "Có 2 xã “Thượng Lâm”: 02269 (đến 30/06/2025), 02269 (từ 01/07/2025). "
        "Ghi ngày để phân biệt."
    )


def test_the_date_chooses_between_the_communes_of_a_reused_name(matcher):
    assert matcher.match("Bình An", on=BEFORE) == old("02290")
    assert matcher.match("xã Bình An", on=MERGER) == new("02296")
    assert matcher.match("Binh An", on=AFTER) == new("02296")
    assert matcher.match("Thượng Lâm", on=AFTER) == new("02269")


def test_a_commune_that_did_not_exist_on_the_rows_date_is_refused(matcher):
    assert error_of(matcher.match, "Thổ Bình", on=AFTER) == (
        "Xã “Thổ Bình” không có hiệu lực vào ngày 01/08/2025: "
        "02296 (đến 30/06/2025, đã sáp nhập vào xã Bình An)."
    )
    assert error_of(matcher.match, "Lâm Bình", on=BEFORE) == (
        "Xã “Lâm Bình” không có hiệu lực vào ngày 15/06/2024: 02266 (từ 01/07/2025)."
    )


def test_a_name_without_diacritics_must_match_one_name_only(communes):
    Commune.objects.create(code="02999", name="Bình Ân", province="Tuyên Quang")
    matcher = CommuneMatcher()
    assert error_of(matcher.match, "Binh An") == (
        "Có 3 xã ghi không dấu là “Binh An”: Bình An (02290), Bình Ân (02999), "
        "Bình An (02296). Ghi tên có dấu hoặc mã ĐVHC để phân biệt."
    )
    assert error_of(matcher.match, "xa binh an", on=BEFORE) == (
        "Có 2 xã ghi không dấu là “xa binh an”: Bình An (02290), Bình Ân (02999). "
        "Ghi tên có dấu hoặc mã ĐVHC để phân biệt."
    )
    # Written with its diacritics, each is found: exact matches win.
    assert matcher.match("Bình An", on=BEFORE) == old("02290")
    assert matcher.match("Bình Ân").code == "02999"


def test_an_unknown_name_suggests_close_ones(matcher):
    assert error_of(matcher.match, "Binh Ann") == (
        "Không tìm thấy xã “Binh Ann”. Gần giống: Bình An (02290), Bình An (02296)."
    )


def test_an_unknown_name_far_from_all_says_so_only(matcher):
    assert error_of(matcher.match, "Hà Nội") == "Không tìm thấy xã “Hà Nội”."


def test_an_unknown_code_is_refused(matcher):
    assert error_of(matcher.match, "2999") == "Không tìm thấy xã có mã ĐVHC 02999."


@pytest.mark.parametrize("value", ["", "   ", None])
def test_an_empty_commune_is_refused(matcher, value):
    assert error_of(matcher.match, value) == "Chưa ghi xã."


def test_only_the_communes_given_are_matched(communes):
    matcher = CommuneMatcher(Commune.objects.filter(valid_from__isnull=True))
    assert matcher.match("Bình An") == old("02290")


def test_a_match_error_is_a_value_error(matcher):
    with pytest.raises(ValueError, match="Không tìm thấy"):
        matcher.match("Hà Nội")


def test_commune_lookups_make_no_query(communes, django_assert_num_queries):
    values = ["02251", 2290, "xã Khuôn Hà", "Binh An", "TT Lăng Can", "Thổ Bình", "Hà Nội"]
    calls = [(value, {"on": day}) for value in values for day in (BEFORE, AFTER)]
    assert_lookups_make_no_query(django_assert_num_queries, CommuneMatcher, calls)


# --- Communes of the whole province -------------------------------------------------------
# Former communes of the new Tuyên Quang that share a name (the GSO list until 30/06/2025):
# Tả Lủng of Đồng Văn (00742) and of Mèo Vạc (00796), both in Hà Giang; Tân Thành of Bắc
# Quang, Hà Giang (01162) and of Hàm Yên, Tuyên Quang (02401); Tân Tiến of Hoàng Su Phì
# (01051, a code the new Tân Tiến keeps) and of Yên Sơn (02461).


@pytest.fixture
def province_matcher(db) -> CommuneMatcher:
    communes_load(province="Tuyên Quang")
    return CommuneMatcher()


def test_a_name_two_former_districts_share_lists_both_with_their_district(province_matcher):
    assert error_of(province_matcher.match, "Tả Lủng") == (
        "Có 2 xã “Tả Lủng”: 00742 (Đồng Văn, đến 30/06/2025), "
        "00796 (Mèo Vạc, đến 30/06/2025). Ghi mã ĐVHC hoặc huyện (cũ) để phân biệt."
    )
    with pytest.raises(MatchError) as excinfo:
        province_matcher.match("xã Tả Lủng", on=BEFORE)
    assert [(c.code, c.district) for c in excinfo.value.candidates] == [
        ("00742", "Đồng Văn"),
        ("00796", "Mèo Vạc"),
    ]


def test_a_name_two_former_provinces_share_names_the_provinces_too(province_matcher):
    assert error_of(province_matcher.match, "Tân Thành", on=BEFORE) == (
        "Có 2 xã “Tân Thành”: 01162 (Bắc Quang, Hà Giang, đến 30/06/2025), "
        "02401 (Hàm Yên, Tuyên Quang, đến 30/06/2025). "
        "Ghi mã ĐVHC hoặc huyện (cũ) để phân biệt."
    )


@pytest.mark.parametrize(
    ("district", "code"),
    [("Mèo Vạc", "00796"), ("huyện Mèo Vạc", "00796"), ("Dong Van", "00742")],
)
def test_the_former_district_chooses_between_former_communes_of_one_name(
    province_matcher, district, code
):
    assert province_matcher.match("Tả Lủng", district=district).code == code
    assert province_matcher.match("Tả Lủng", on=BEFORE, district=district).code == code


def test_the_code_needs_no_district_and_agrees_with_its_own(province_matcher):
    assert province_matcher.match("00742").name == "Tả Lủng"
    assert province_matcher.match("742", district="Đồng Văn").district == "Đồng Văn"


def test_a_district_where_no_commune_of_the_name_was_is_refused(province_matcher):
    assert error_of(province_matcher.match, "Tả Lủng", district="Bắc Mê") == (
        "Không có xã “Tả Lủng” thuộc huyện (cũ) “Bắc Mê”: có 00742 (Đồng Văn), 00796 (Mèo Vạc)."
    )


def test_a_commune_formed_in_2025_is_not_judged_by_the_district(province_matcher):
    before = province_matcher.match("Tân Tiến", on=BEFORE, district="Hoàng Su Phì")
    assert (before.code, before.valid_from) == ("01051", None)
    assert province_matcher.match("Tân Tiến", on=BEFORE, district="Yên Sơn").code == "02461"
    after = province_matcher.match("Tân Tiến", on=AFTER, district="Yên Sơn")
    assert (after.code, after.valid_from) == ("01051", MERGER)


def test_an_ambiguous_commune_in_an_import_row_lists_the_candidates(province_matcher, db):
    PartyUnit.objects.create(code="cb-a", name="Chi bộ A", short_name="CB A")
    row = {"Đơn vị": "cb-a", "Xã, thị trấn": "Tả Lủng", "Từ ngày": "01/01/2024"}
    titles = [c.title for c in kinds()["phan-cong"].columns]
    report = import_file(
        template_file(sheet_row(row, "phan-cong"), kind="phan-cong"), kind="phan-cong"
    )
    [bad] = report.errors
    assert [(p.column, p.message) for p in bad.problems] == [
        (
            "Xã, thị trấn",
            "Có 2 xã “Tả Lủng”: 00742 (Đồng Văn, đến 30/06/2025), "
            "00796 (Mèo Vạc, đến 30/06/2025). Ghi mã ĐVHC hoặc huyện (cũ) để phân biệt.",
        )
    ]
    # The optional column tells them apart; a file without it (the old layout) still
    # imports a commune its name finds alone.
    row["Huyện (cũ)"] = "Mèo Vạc"
    report = import_file(
        template_file(sheet_row(row, "phan-cong"), kind="phan-cong"), kind="phan-cong"
    )
    assert report.ok, [str(p) for r in report.errors for p in r.problems]
    assert Assignment.objects.get().commune.code == "00796"
    old_layout = [t for t in titles if t != "Huyện (cũ)"]
    report = import_file(
        xlsx(old_layout, ["cb-a", "02401", None, None, "01/02/2024", None]), kind="phan-cong"
    )
    assert report.ok, [str(p) for r in report.errors for p in r.problems]
    assert Assignment.objects.filter(commune__code="02401").exists()


# --- Villages -----------------------------------------------------------------------------


@pytest.fixture
def villages(communes) -> dict[str, Village]:
    binh_an, thuong_lam, tho_binh = old("02290"), old("02269"), old("02296")
    rows = [
        Village(commune=binh_an, name="Nà Cóoc", aliases="Nà Cốc\n"),
        Village(commune=binh_an, name="Hoà Bình"),
        Village(commune=binh_an, name="Số 1"),
        Village(commune=tho_binh, name="Số 1"),
        Village(commune=thuong_lam, name="Nà Va"),
        Village(commune=thuong_lam, name="Bản Chợ"),
        Village(commune=thuong_lam, name="Nà Lầu"),
        Village(commune=thuong_lam, name="Nà Lâu"),
        Village(commune=old("02266"), name="Đoàn Kết", kind=Village.Kind.TO_DAN_PHO),
    ]
    for row in rows:
        row.save()
    return {f"{v.commune.code} {v.name}": v for v in rows}


@pytest.fixture
def village_matcher(villages) -> VillageMatcher:
    return VillageMatcher()


@pytest.mark.parametrize(
    "value",
    [
        "Nà Cóoc",
        "thôn Nà Cóoc",
        "Bản Nà Cóoc",
        "THÔN NÀ CÓOC",
        nfd("Thôn Nà Cóoc"),
        "Nà Coóc",  # the other tone placement
        "Na Cooc",
        "Thon Na Cooc",
        "Nà Cốc",  # an alias
        "na coc",
    ],
)
def test_a_village_is_found_in_its_commune_in_any_writing(village_matcher, villages, value):
    assert village_matcher.match(value, commune=old("02290")) == villages["02290 Nà Cóoc"]


def test_tone_mark_placement_needs_no_alias(village_matcher, villages):
    assert village_matcher.match("Hòa Bình", commune=old("02290")) == villages["02290 Hoà Bình"]


@pytest.mark.parametrize("value", ["Bản Chợ", "thôn Bản Chợ", "Ban Cho"])
def test_a_name_that_starts_like_a_kind_keeps_it(village_matcher, villages, value):
    assert village_matcher.match(value, commune=old("02269")) == villages["02269 Bản Chợ"]


@pytest.mark.parametrize(
    "value", ["Đoàn Kết", "Tổ dân phố Đoàn Kết", "TDP Đoàn Kết", "tổ Doan Ket"]
)
def test_a_residential_group_is_found_with_or_without_to_dan_pho(village_matcher, villages, value):
    assert village_matcher.match(value, commune=old("02266")) == villages["02266 Đoàn Kết"]


def test_each_commune_finds_its_own_village_of_a_shared_name(village_matcher, villages):
    assert village_matcher.match("Số 1", commune=old("02290")) == villages["02290 Số 1"]
    assert village_matcher.match("Số 1", commune=old("02296")) == villages["02296 Số 1"]


def test_a_village_of_another_commune_says_where_it_is(village_matcher):
    assert (
        error_of(village_matcher.match, "Nà Va", commune=old("02290"))
        == "Thôn “Nà Va” không thuộc xã Bình An; có ở xã Thượng Lâm."
    )
    assert (
        error_of(village_matcher.match, "Na Va", commune=old("02290"))
        == "Thôn “Nà Va” không thuộc xã Bình An; có ở xã Thượng Lâm."
    )


def test_a_name_without_diacritics_must_match_one_village_only(village_matcher, villages):
    assert error_of(village_matcher.match, "Na Lau", commune=old("02269")) == (
        "Có 2 thôn, bản “Na Lau” ở xã Thượng Lâm: Nà Lâu, Nà Lầu. Ghi tên có dấu để phân biệt."
    )
    assert village_matcher.match("Nà Lầu", commune=old("02269")) == villages["02269 Nà Lầu"]


def test_an_alias_shared_by_two_villages_is_ambiguous(communes):
    binh_an = old("02290")
    Village.objects.create(commune=binh_an, name="Khuổi Hóp", aliases="Khuổi Hop")
    Village.objects.create(commune=binh_an, name="Khuổi Hop")
    assert error_of(VillageMatcher().match, "Khuổi Hop", commune=binh_an) == (
        "Có 2 thôn, bản “Khuổi Hop” ở xã Bình An: Khuổi Hop, Khuổi Hóp. "
        "Kiểm tra lại tên khác của các thôn, bản này trong danh mục."
    )


def test_without_a_commune_the_village_must_be_unique(village_matcher, villages):
    assert village_matcher.match("Nà Cóoc") == villages["02290 Nà Cóoc"]
    assert error_of(village_matcher.match, "thôn Số 1") == (
        "Có 2 thôn, bản “Số 1”: Số 1 (xã Bình An), Số 1 (xã Thổ Bình). Ghi xã để phân biệt."
    )


def test_a_merged_commune_finds_the_villages_of_the_communes_merged_into_it(
    village_matcher, villages
):
    new_binh_an = new("02296")
    assert village_matcher.match("Nà Cóoc", commune=new_binh_an) == villages["02290 Nà Cóoc"]
    assert error_of(village_matcher.match, "Số 1", commune=new_binh_an) == (
        "Có 2 thôn, bản “Số 1” ở xã Bình An: Số 1 (xã Bình An), Số 1 (xã Thổ Bình). "
        "Ghi xã trước sáp nhập trong ngoặc để phân biệt, ví dụ “Số 1 (xã Bình An)”."
    )


@pytest.mark.parametrize(
    "value, former",
    [
        ("Số 1 (xã Thổ Bình)", "02296"),
        ("thôn Số 1 (Thổ Bình)", "02296"),
        ("So 1 (xa Tho Binh)", "02296"),
        ("Số 1 (xã Bình An)", "02290"),
    ],
)
def test_a_village_written_with_its_former_commune_is_that_one(
    village_matcher, villages, value, former
):
    found = village_matcher.match(value, commune=new("02296"), on=datetime.date(2025, 7, 5))
    assert found == villages[f"{former} Số 1"]


def test_a_unique_village_may_carry_its_former_commune_or_the_new_one(village_matcher, villages):
    new_binh_an = new("02296")
    for value in ("Nà Cóoc (xã Bình An)", "Nà Cóoc"):
        assert village_matcher.match(value, commune=new_binh_an) == villages["02290 Nà Cóoc"]


def test_a_village_written_with_the_wrong_former_commune_is_refused(village_matcher):
    new_binh_an = new("02296")
    assert error_of(village_matcher.match, "Nà Cóoc (xã Thổ Bình)", commune=new_binh_an) == (
        "“xã Thổ Bình” không phải xã của thôn, bản “Nà Cóoc”: thôn, bản này ghi trong xã Bình An."
    )
    # A commune in brackets that no village of the name has leaves the choice open.
    assert error_of(village_matcher.match, "Số 1 (xã Khuôn Hà)", commune=new_binh_an).startswith(
        "Có 2 thôn, bản “Số 1” ở xã Bình An:"
    )


def test_a_merged_communes_own_village_comes_first(villages):
    own = Village.objects.create(commune=new("02296"), name="Số 1")
    assert VillageMatcher().match("Số 1", commune=new("02296")) == own


def test_an_unknown_village_suggests_close_ones_of_the_commune(village_matcher):
    assert error_of(village_matcher.match, "Nà Cóo", commune=old("02290")) == (
        "Không tìm thấy thôn, bản “Nà Cóo” ở xã Bình An. Gần giống: Nà Cóoc."
    )


def test_an_unknown_village_without_a_commune_suggests_with_their_communes(village_matcher):
    assert error_of(village_matcher.match, "Nà Vaa") == (
        "Không tìm thấy thôn, bản “Nà Vaa”. Gần giống: Nà Va (xã Thượng Lâm)."
    )


@pytest.mark.parametrize("value", ["", None])
def test_an_empty_village_is_refused(village_matcher, value):
    assert error_of(village_matcher.match, value, commune=old("02290")) == "Chưa ghi thôn, bản."


def test_village_lookups_make_no_query(villages, django_assert_num_queries):
    values = ["Nà Cóoc", "thôn Hòa Bình", "Na Coc", "Nà Va", "Số 1", "Không Có"]
    communes = [old("02290"), new("02296"), None]
    days = [None, datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)]
    calls = [
        (value, {"commune": commune, "on": day})
        for value in values
        for commune in communes
        for day in days
    ]
    # The villages, then their communes over time.
    assert_lookups_make_no_query(django_assert_num_queries, VillageMatcher, calls, queries=2)


# --- Party units --------------------------------------------------------------------------


@pytest.fixture
def units(db) -> dict[str, PartyUnit]:
    rows = [
        ("db-quan-su", "Đảng bộ Quân sự huyện", "ĐB Quân sự"),
        ("cb-cong-an", "Chi bộ Công an huyện", "CB Công an"),
        ("db-cong-an", "Đảng bộ Công an huyện", "ĐB Công an"),
        ("cb-kho-bac", "Chi bộ Kho bạc Nhà nước huyện", "CB Kho bạc"),
        ("db-chinh-quyen", "Đảng bộ cơ quan chính quyền huyện", "ĐB CQ"),
    ]
    return {
        code: PartyUnit.objects.create(code=code, name=name, short_name=short)
        for code, name, short in rows
    }


@pytest.fixture
def unit_matcher(units) -> UnitMatcher:
    return UnitMatcher()


@pytest.mark.parametrize(
    "value",
    [
        "db-quan-su",
        "DB-QUAN-SU",
        "Đảng bộ Quân sự huyện",
        "ĐẢNG BỘ QUÂN SỰ HUYỆN",
        nfd("Đảng bộ Quân sự huyện"),
        "ĐB Quân sự",
        "Quân sự huyện",
        "Quân sự",
        "Chi bộ Quân sự huyện",
        "Dang bo Quan su huyen",
        "quan su",
    ],
)
def test_a_unit_is_found_by_code_name_or_short_name(unit_matcher, units, value):
    assert unit_matcher.match(value) == units["db-quan-su"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Kho bạc Nhà nước huyện", "cb-kho-bac"),
        ("kho bac", "cb-kho-bac"),
        ("Cơ quan chính quyền huyện", "db-chinh-quyen"),
        ("Đảng bộ cơ quan chính quyền huyện", "db-chinh-quyen"),
        ("CB Công an", "cb-cong-an"),
        ("Dang bo Cong an huyen", "db-cong-an"),
    ],
)
def test_a_unit_is_found_without_its_prefix_when_that_is_unambiguous(
    unit_matcher, units, value, code
):
    assert unit_matcher.match(value) == units[code]


@pytest.mark.parametrize("value", ["Công an huyện", "Cong an"])
def test_a_name_shared_without_prefix_is_ambiguous(unit_matcher, value):
    assert error_of(unit_matcher.match, value) == (
        f"Có 2 đơn vị ứng với “{value}”: Chi bộ Công an huyện (cb-cong-an), "
        "Đảng bộ Công an huyện (db-cong-an). Ghi tên đầy đủ hoặc mã đơn vị để phân biệt."
    )


def test_an_unknown_unit_suggests_close_ones(unit_matcher):
    assert error_of(unit_matcher.match, "Chi bộ Kho bạc tỉnh") == (
        "Không tìm thấy đơn vị “Chi bộ Kho bạc tỉnh”. "
        "Gần giống: Chi bộ Kho bạc Nhà nước huyện (cb-kho-bac)."
    )


def test_an_empty_unit_is_refused(unit_matcher):
    assert error_of(unit_matcher.match, " ") == "Chưa ghi đơn vị."


def test_unit_lookups_make_no_query(units, django_assert_num_queries):
    values = ["db-quan-su", "ĐB Quân sự", "kho bac", "Công an huyện", "Không Có"]
    calls = [(value, {}) for value in values]
    assert_lookups_make_no_query(django_assert_num_queries, UnitMatcher, calls)


# --- A whole import -------------------------------------------------------------------------


def test_fifty_thousand_lookups_are_dictionary_fast(villages, units, django_assert_num_queries):
    communes, villages_, units_ = CommuneMatcher(), VillageMatcher(), UnitMatcher()
    rows = [
        ("xã Bình An", BEFORE, "Nà Cóoc", "ĐB Quân sự"),
        ("02269", AFTER, "Nà Va", "Chi bộ Kho bạc Nhà nước huyện"),
        ("TT Lăng Can", BEFORE, "TDP Đoàn Kết", "db-chinh-quyen"),
        ("Binh An", AFTER, "Hoa Binh", "kho bac"),
    ]
    started = time.perf_counter()
    with django_assert_num_queries(0):
        for i in range(50_000):
            commune, day, village, unit = rows[i % len(rows)]
            found = communes.match(commune, on=day)
            villages_.match(village, commune=found)
            units_.match(unit)
    # Not a benchmark: a query or a scan per lookup would take far longer than this.
    assert time.perf_counter() - started < 3

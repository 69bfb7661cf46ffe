"""Hostile URL parameters on the report pages, the staff month page and the list pages:
never a 5xx, a Vietnamese message where the input is refused, and a page of bounded size."""

import csv
import datetime
import io

import pytest
from django.db import models
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from activities.models import Village
from tests.factories import PRESENT, logged_in, make_activity, make_user

MAX_BYTES = 3_000_000
REFUSED = "Lựa chọn không hợp lệ đã được bỏ qua"

# None of these is a valid value of any period or filter parameter.
HOSTILE = [
    "abc",
    "99999999999999999999999",
    "-5",
    "0",
    "\x00",
    "2024\x00",
    "二〇二四",
    "💥",
    "1e400",
    "9999-12",
    "0001-01",
    "31/12/9999",
    "01/01/0001",
    "2024-13-45",
    "x" * 5000,
]
# Each period parameter with the kind that reads it (and the other end of a range).
PERIOD_CONTEXT = {
    "ky": {},
    "thang": {"ky": "thang"},
    "quy": {"ky": "quy", "nam": "2024"},
    "nua": {"ky": "6thang", "nam": "2024"},
    "nam": {"ky": "nam"},
    "tu": {"ky": "tuy-chon", "den": "31/12/2024"},
    "den": {"ky": "tuy-chon", "tu": "01/01/2024"},
}
FILTERS = ["xa", "don_vi", "loai"]
REFUSABLE = [*PERIOD_CONTEXT, *FILTERS]
# Parameters with no wrong value: anything else than theirs is simply not that option.
HARMLESS = ["gop_xa", "dinh_dang", "trang", "page", "zzz", "_changelist_filters"]

DASHBOARD = reverse("dashboard")
PRINT = reverse("dashboard_print")
XLSX = reverse("dashboard_export", args=["thang"])
WORKBOOK = reverse("dashboard_export", args=["tong-hop"])
ACTIVITIES = reverse("activity_list")
# The whole workbook (seven sheets) is slow to build; it is swept with the ranges below.
REPORT_PAGES = [DASHBOARD, PRINT, XLSX, "csv", ACTIVITIES]


# Seen from `today` (PRESENT, 01/12/2026): a period may touch 2021 to next year, 2027.
YEARS = "2021–2027"
NEXT_YEAR = 2027
# The default period ("từ đầu"): the programme's start, 10/09/2021, to the world's latest
# activity, 15/06/2024 (today is later).
DEFAULT_LABEL = "Từ 10/09/2021 đến 15/06/2024"


@pytest.fixture
def world(today, unit, binh_an, village, assignment):
    for day, cadres in ((datetime.date(2024, 3, 9), 10), (datetime.date(2024, 6, 15), 4)):
        make_activity(
            unit,
            binh_an,
            day,
            villages=[village],
            cadre_participations=cadres,
            people_participations=20,
        )


@pytest.fixture
def official_client(world, db):
    return logged_in(make_user("lanhdao_thu", "Lãnh đạo"), raise_request_exception=False)


def _get(client, page: str, query: dict):
    if page == "csv":
        return client.get(XLSX, {**query, "dinh_dang": "csv"})
    return client.get(page, query)


def _shows_refusal(page: str, response) -> bool:
    """Whether the answer tells the user, in Vietnamese, that part of the URL was refused."""
    if page in (XLSX, WORKBOOK):
        book = load_workbook(io.BytesIO(response.content))
        notes = [sheet.cell(row=4, column=1).value or "" for sheet in book.worksheets]
        return all(n.startswith("Lưu ý:") and REFUSED in n for n in notes)
    if page == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        return rows[1][0].startswith("Lưu ý:") and REFUSED in rows[1][0]
    text = response.content.decode()
    if page == ACTIVITIES:
        return 'role="alert"' in text
    return REFUSED in text


@pytest.mark.parametrize("page", REPORT_PAGES)
@pytest.mark.parametrize("param", REFUSABLE)
def test_a_hostile_period_or_filter_is_refused_with_a_message(official_client, page, param):
    for value in HOSTILE:
        response = _get(official_client, page, {**PERIOD_CONTEXT.get(param, {}), param: value})
        assert response.status_code == 200, (param, value)
        assert len(response.content) < MAX_BYTES, (param, value)
        assert _shows_refusal(page, response), (param, value)


@pytest.mark.parametrize("page", [DASHBOARD, XLSX, ACTIVITIES])
@pytest.mark.parametrize("param", HARMLESS)
def test_other_parameters_never_break_a_report_page(official_client, page, param):
    for value in HOSTILE:
        response = _get(official_client, page, {param: value})
        assert response.status_code < 500, (param, value)
        assert len(response.content) < MAX_BYTES, (param, value)


@pytest.mark.parametrize("page", [*REPORT_PAGES, WORKBOOK])
@pytest.mark.parametrize(
    ("start", "end"),
    [("01/01/0001", "31/12/9999"), ("01/01/0001", "31/12/2024"), ("01/01/2024", "31/12/9999")],
)
def test_a_range_outside_the_programme_years_is_refused_and_stays_small(
    official_client, page, start, end
):
    response = _get(official_client, page, {"ky": "tuy-chon", "tu": start, "den": end})
    assert response.status_code == 200
    assert len(response.content) < MAX_BYTES
    assert _shows_refusal(page, response)


@pytest.mark.parametrize(
    ("today", "years", "default_label"),
    [
        (PRESENT, YEARS, DEFAULT_LABEL),
        # Before the world's latest activity: the default period ends today.
        (datetime.date(2024, 3, 20), "2021–2025", "Từ 10/09/2021 đến 20/03/2024"),
    ],
    indirect=["today"],
)
def test_the_dashboard_says_which_years_and_shows_the_default_period(
    today, official_client, years, default_label
):
    response = official_client.get(DASHBOARD, {"ky": "thang", "thang": "9999-12"})
    assert response.context["scope"].errors == [f"Tháng phải trong các năm {years}."]
    assert response.context["scope"].period.label == default_label
    page = response.content.decode()
    assert f"{REFUSED}: số liệu dưới đây là của {default_label}" in page

    response = official_client.get(
        DASHBOARD, {"ky": "tuy-chon", "tu": "01/01/0001", "den": "31/12/9999"}
    )
    assert response.context["scope"].errors == [
        f"“Từ ngày” phải trong các năm {years}.",
        f"“Đến ngày” phải trong các năm {years}.",
    ]


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ({"ky": "nam", "nam": "2021"}, "Năm 2021"),
        ({"ky": "nam", "nam": str(NEXT_YEAR)}, f"Năm {NEXT_YEAR}"),
        ({"ky": "thang", "thang": f"{NEXT_YEAR}-12"}, f"Tháng 12/{NEXT_YEAR}"),
        (
            {"ky": "tuy-chon", "tu": "01/01/2021", "den": f"31/12/{NEXT_YEAR}"},
            f"Từ 01/01/2021 đến 31/12/{NEXT_YEAR}",
        ),
        # dd/mm/yyyy: 05/06/2024 is 5 June.
        (
            {"ky": "tuy-chon", "tu": "05/06/2024", "den": "05/06/2024"},
            "Từ 05/06/2024 đến 05/06/2024",
        ),
        # A repeated parameter: the last one counts.
        ({"ky": "nam", "nam": ["abc", "2024"]}, "Năm 2024"),
    ],
)
def test_periods_inside_the_programme_years_are_accepted(official_client, query, label):
    response = official_client.get(DASHBOARD, query)
    assert response.context["scope"].errors == []
    assert response.context["scope"].period.label == label


@pytest.mark.parametrize(
    "query",
    [
        {"ky": "nam", "nam": "2020"},
        {"ky": "nam", "nam": str(NEXT_YEAR + 1)},
        {"ky": "tuy-chon", "tu": "31/12/2020", "den": "31/12/2024"},
        {"ky": "tuy-chon", "tu": "06/31/2024", "den": "31/12/2024"},  # month first
        {"ky": "thang", "thang": "06-2024"},
    ],
)
def test_periods_just_outside_or_month_first_are_refused(official_client, query):
    response = official_client.get(DASHBOARD, query)
    assert response.context["scope"].errors
    assert response.context["scope"].period.label == DEFAULT_LABEL


def test_links_carry_only_what_was_accepted(official_client, binh_an):
    junk = "z" * 20_000
    response = official_client.get(
        DASHBOARD, {"ky": "nam", "nam": "2024", "xa": binh_an.pk, "don_vi": junk, "zzz": junk}
    )
    page = response.content.decode()
    assert junk[:100] not in page
    assert f"{reverse('dashboard_print')}?ky=nam&amp;nam=2024&amp;xa={binh_an.pk}" in page
    assert len(response.content) < 200_000


def test_staff_get_a_403_not_a_5xx_on_the_report_pages(world, staff_a):
    client = logged_in(staff_a, raise_request_exception=False)
    for page in (DASHBOARD, PRINT, XLSX):
        assert client.get(page, {"ky": "thang", "thang": "9999-12"}).status_code == 403


@pytest.mark.parametrize("param", [*REFUSABLE, "trang"])
def test_staff_see_their_activity_list_whatever_the_parameters(world, staff_a, param):
    client = logged_in(staff_a, raise_request_exception=False)
    for value in HOSTILE:
        response = client.get(ACTIVITIES, {**PERIOD_CONTEXT.get(param, {}), param: value})
        assert response.status_code == 200, (param, value)
        assert len(response.content) < MAX_BYTES


def test_the_staff_month_page_refuses_impossible_months_with_a_404(world, staff_a, unit):
    client = logged_in(staff_a, raise_request_exception=False)
    for year, month in (
        (99999999999999999999, 1),
        (2024, 99999999999999999999),
        (1, 1),
        (9999, 12),
        (2024, 0),
        (2024, 13),
    ):
        url = f"/don-vi/{unit.pk}/thang/{year}/{month}/"
        assert client.get(url).status_code == 404, url
    assert client.get("/don-vi/99999999999999999999999/thang/2024/6/").status_code == 404
    month = reverse("activities:month", args=[unit.pk, 2024, 6])
    for value in HOSTILE:
        assert client.get(month, {"page": value}).status_code == 200, value
        response = client.get(
            reverse("activities:month_redirect"), {"thang": value, "don_vi": unit.pk}
        )
        assert response.status_code == 302, value
        assert (
            client.get(reverse("activities:month_redirect"), {"don_vi": value}).status_code == 404
        )


@pytest.mark.parametrize(
    "param", ["page", "q", "commune", "status", "programme", "category", "work_kind"]
)
def test_the_housing_list_never_breaks(official_client, staff_a, param):
    staff = logged_in(staff_a, raise_request_exception=False)
    for client in (official_client, staff):
        for value in HOSTILE:
            response = client.get(reverse("housing:case_list"), {param: value})
            assert response.status_code == 200, (param, value)
            assert len(response.content) < MAX_BYTES


# --- Admin exports: hand-edited list parameters ----------------------------------------


def _export_models() -> list:
    from django.contrib import admin

    models = []
    for model in admin.site._registry:
        opts = model._meta
        try:
            reverse(f"admin:{opts.app_label}_{opts.model_name}_export_sheet", args=["xlsx"])
        except NoReverseMatch:
            continue
        models.append(model)
    return models


def _hostile_lookups(model) -> list[dict]:
    """Lookups a person can type into an admin list's URL, for this model's fields."""
    lookups = [
        {"id__exact": "abc"},
        {"id__in": "1,abc"},
        {"id__gte": "99999999999999999999"},
        {"nope__x": "1"},
        {"_changelist_filters": "%%%"},
        {"_changelist_filters": "commune__id__exact=abc"},
        {"o": "abc"},
        {"o": "99"},
        {"q": "\x00"},
        {"e": "1"},
    ]
    for field in model._meta.concrete_fields:
        if isinstance(field, models.DateField):
            lookups += [
                {f"{field.name}__gte": "xx"},
                {f"{field.name}__gte": "31/12/9999"},
                {f"{field.name}__year": "99999999999999999999"},
            ]
        elif isinstance(field, models.ForeignKey):
            lookups += [{f"{field.name}__id__exact": "abc"}, {f"{field.name}__id__exact": "\x00"}]
        elif isinstance(field, models.CharField):
            lookups.append({f"{field.name}__exact": "\x00"})
    return lookups


@pytest.fixture
def group_admin_client(db, communes):
    from activities import roles

    client = logged_in(
        make_user("quantri_nhom", roles.ADMINS, is_staff=True), raise_request_exception=False
    )
    return client


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("model", _export_models(), ids=lambda m: m.__name__)
def test_admin_exports_never_break_on_hand_edited_lists(group_admin_client, model, fmt):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export_sheet", args=[fmt])
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    for query in [*_hostile_lookups(model), {"p": "99999"}, {"p": "abc"}, {"p": "-1"}]:
        response = group_admin_client.get(url, query)
        assert response.status_code in (200, 302), query
        if response.status_code == 302:
            assert response["Location"] == changelist, query
    # The last refusal is explained on the list it leads back to.
    response = group_admin_client.get(url, {"id__exact": "abc"}, follow=True)
    assert (
        "Chưa xuất được tệp: bộ lọc trong địa chỉ trang không hợp lệ" in response.content.decode()
    )


def test_an_admin_export_ignores_the_page_number(group_admin_client, binh_an):
    for number in range(120):
        Village.objects.create(commune=binh_an, name=f"Thôn Số {number}")
    url = reverse("admin:activities_village_export_sheet", args=["csv"])
    for page in ("99999", "2", "abc"):
        response = group_admin_client.get(url, {"p": page})
        assert response.status_code == 200
        lines = response.content.decode("utf-8-sig").splitlines()
        assert len(lines) - 1 == 120

"""The dashboard, its print view and its Excel exports, as an official sees them."""

import datetime
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from activities.models import ActivityType, Assignment, Commune, MonthReport, PartyUnit, Village
from activities.periods import MERGER_DATE as AFTER
from activities.services import communes_load
from housing.models import Funding, HousingCase
from lamb_binh.dashboard.housing import OVERDUE_SHOWN
from tests.factories import HISTORY, PRESENT, make_activity, make_case

DASHBOARD = reverse("dashboard")
BEFORE = AFTER - datetime.timedelta(days=1)
PRINT = reverse("dashboard_print")


@pytest.fixture
def outing(unit, binh_an, road):
    """Build activities of unit A in Bình An, two villages by default."""
    villages = [
        Village.objects.get_or_create(commune=binh_an, name=name)[0]
        for name in ("Nà Cóoc", "Khuổi Củng")
    ]

    def make(day, cadres, people, *, villages_used=None, **extra):
        return make_activity(
            unit,
            binh_an,
            day,
            villages=villages_used or villages,
            activity_type=extra.pop("kind", road),
            cadre_participations=cadres,
            people_participations=people,
            **extra,
        )

    return make


def test_the_demo_data_read_the_districts_own_sentence(today, client, admin_user, demo):
    client.force_login(admin_user)
    period = {"ky": "tuy-chon", "tu": "10/09/2021", "den": "30/06/2024"}
    summary = client.get(DASHBOARD, period).context["report"].summary
    # The figures of the news report (source-article.vi.txt), over the article's period.
    assert summary.startswith(
        "Từ 10/09/2021 đến 30/06/2024, 17 cơ quan, đơn vị đã huy động 1.780 lượt cán bộ, "
        "đảng viên cùng 9.340 lượt nhân dân tại 100 thôn, bản, tổ dân phố của 10/10 xã, "
        "thị trấn"
    )


def test_officials_land_on_the_dashboard(client, official):
    client.force_login(official)
    assert client.get("/")["Location"] == DASHBOARD


def test_figures_for_a_year_count_each_activity_once(client, official, outing):
    outing(datetime.date(2024, 3, 9), 10, 30)
    outing(datetime.date(2024, 3, 23), 5, 12, villages_used=None)
    outing(datetime.date(2023, 12, 30), 99, 99)  # outside the year
    client.force_login(official)
    response = client.get(DASHBOARD, {"ky": "nam", "nam": "2024"})
    t = response.context["report"].headline.totals
    # Two activities with two villages each: counted twice, not four times.
    assert (t.activities, t.cadres, t.people) == (2, 15, 42)
    assert response.context["report"].headline.villages_reached == 2
    page = response.content.decode()
    assert "<svg" in page and "Lượt tham gia (cán bộ và nhân dân) theo tháng" in page


@pytest.mark.parametrize(
    ("today", "month", "year", "cadres"),
    [(PRESENT, "Tháng 12/2026", "Năm 2026", 0), (HISTORY, "Tháng 06/2024", "Năm 2024", 10)],
    indirect=["today"],
)
def test_this_month_and_this_year_are_todays(today, client, official, outing, month, year, cadres):
    outing(datetime.date(2024, 6, 8), 10, 30)
    client.force_login(official)
    for kind, button, label in (("thang", "Tháng này", month), ("nam", "Năm nay", year)):
        response = client.get(DASHBOARD, {"ky": kind})
        assert response.context["scope"].period.label == label
        assert response.context["report"].headline.totals.cadres == cadres
        active = [b["label"] for b in response.context["quick_periods"] if b["active"]]
        assert active == [button]
    # The fields read the period shown: this year in "Năm", this quarter in "Quý".
    page = client.get(DASHBOARD, {"ky": "nam"}).content.decode()
    assert f'name="nam" value="{today.year}"' in page
    page = client.get(DASHBOARD, {"ky": "quy"}).content.decode()
    quarter = (today.month - 1) // 3 + 1
    assert re.search(rf'<option value="{quarter}" selected>', page)
    assert f'name="nam" value="{today.year}"' in page


@pytest.mark.parametrize(
    "query",
    [
        {"ky": "tuy-chon", "tu": "31/02/2024", "den": "01/03/2024"},
        {"ky": "tuy-chon", "tu": "10/03/2024", "den": "01/03/2024"},
        {"ky": "thang", "thang": "2024-13"},
        {"ky": "nam", "nam": "99999"},
        {"ky": "zzz"},
        {"xa": "abc", "don_vi": "0", "loai": "-1"},
    ],
)
def test_bad_parameters_are_explained_and_never_break_the_page(client, official, query):
    client.force_login(official)
    response = client.get(DASHBOARD, query)
    assert response.status_code == 200
    assert response.context["scope"].errors
    assert 'role="alert"' in response.content.decode()


def test_a_range_reversed_says_so(client, official):
    client.force_login(official)
    response = client.get(DASHBOARD, {"ky": "tuy-chon", "tu": "10/03/2024", "den": "01/03/2024"})
    assert "“Đến ngày” phải sau hoặc bằng “Từ ngày”." in response.context["scope"].errors


def test_the_merger_switch_is_offered_only_across_01_07_2025(client, official):
    client.force_login(official)
    before = client.get(DASHBOARD, {"ky": "nam", "nam": "2024"}).content.decode()
    across = client.get(
        DASHBOARD, {"ky": "tuy-chon", "tu": "01/01/2025", "den": "31/12/2025"}
    ).content.decode()
    assert "Gộp các xã cũ vào xã mới" not in before
    assert "Gộp các xã cũ vào xã mới" in across


def _options(page: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, name
    return [
        (html.unescape(value), html.unescape(label))
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1])
    ]


def test_the_filters_name_each_commune_and_organisation_as_everywhere_else(
    client, official, communes, unit, unit_b
):
    # Read as values for speed; named as str() names an instance (the former communes end
    # on 30/06/2025, their successors start the next day).
    PartyUnit.objects.create(code="ban-tgdv", name="Ban Tuyên giáo và Dân vận Tỉnh ủy")
    client.force_login(official)
    page = client.get(DASHBOARD, {"ky": "nam", "nam": "2025", "xa": str(communes["02290"].pk)})
    page = page.content.decode()
    expected_communes = [
        (str(c.pk), str(c)) for c in Commune.objects.order_by("valid_from", "name")
    ]
    assert "Xã Bình An (đến 30/06/2025)" in {label for _, label in expected_communes}
    assert _options(page, "xa") == [("", "Tất cả"), *expected_communes]
    assert f'<option value="{communes["02290"].pk}" selected>' in page
    units = _options(page, "don_vi")
    assert units == [("", "Tất cả")] + [
        (str(u.pk), str(u)) for u in PartyUnit.objects.order_by("name")
    ]
    # A unit without a short name is listed by its name.
    ban = PartyUnit.objects.get(code="ban-tgdv")
    assert (str(ban.pk), "Ban Tuyên giáo và Dân vận Tỉnh ủy") in units


# A range with part-months at both ends (15–31/01 and 01–20/11), so that every kind of
# query runs: the whole months 02–10/2024 come from the month summary tables, the edge days
# from the day ones.
RANGE = {"ky": "tuy-chon", "tu": "15/01/2024", "den": "20/11/2024"}
# What building the report asks, in order (read once from connection.queries, for RANGE).
# Each sum is one UNION of a monthly table (the whole months) and a daily one (the edges):
#   1-3  the session, the user, the user's groups (the role check);
#   4    the reader's organisation (what the report reaches);
#   5    per month (the headline adds the months up);
#   6    per commune and unit (both tables' sums, added up from the pairs);
#   7    villages reached per commune, per unit and in all: years' and months' rows;
#   8    the communes the programme covers in the period (the rows of that table);
#   9    the latest activity day of the period (where "since the start" ends);
#   10   the units;     11  the activity types;
#   12   per type and unit of measure (the outputs, the type table);
#   13-17 housing cases counted by status, commune, programme, category, kind of work;
#   18   housing money by source;   19  the longest overdue cases (OVERDUE_SHOWN at most;
#        one more query counts them all only when there are more than that);
#   20-23 the monthly rule: the assignments and the communes' own committees (when each
#        unit is in charge of which commune), their weekend months (one UNION with the
#        weekend days of the months someone took or gave up charge in), their month
#        reports (the units are those of 10).
# The print view and the exports show that report: 23 queries. The dashboard adds its filter
# form's choices, 24-26: the communes, the units, the types.
REPORT_QUERIES = 23
DASHBOARD_QUERIES = 26
PAGES = [
    (DASHBOARD, DASHBOARD_QUERIES),
    (PRINT, REPORT_QUERIES),
    (reverse("dashboard_export", args=["xa"]), REPORT_QUERIES),
    (reverse("dashboard_export", args=["tong-hop"]), REPORT_QUERIES),
]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, RANGE).status_code == 200
    return len(captured)


def _a_busier_district(communes, programme) -> None:
    """Many more rows of every kind the report reads: 60 activities of 5 units in all 10
    communes, of every type, with outputs; 30 housing cases (10 overdue) with funding; month
    reports."""
    kinds = list(ActivityType.objects.all())
    units = []
    for n in range(5):
        unit = PartyUnit.objects.create(
            code=f"don-vi-{n}", name=f"Đơn vị {n}", short_name=f"ĐV {n}"
        )
        units.append(unit)
        for commune in communes.values():
            Assignment.objects.create(unit=unit, commune=commune, start=datetime.date(2021, 9, 10))
        MonthReport.objects.create(unit=unit, year=2024, month=3, state="submitted")
    villages = [Village.objects.create(commune=c, name=f"Thôn {c.code}") for c in communes.values()]
    for i in range(60):
        village = villages[i % len(villages)]
        make_activity(
            units[i % len(units)],
            village.commune,
            datetime.date(2024, 1 + i % 11, 1 + i % 28),
            villages=[village],
            activity_type=kinds[i % len(kinds)],
            output_quantity=i or None,
            output_unit="m" if i else "",
        )
    for i in range(30):
        case = make_case(
            villages[i % len(villages)],
            programme,
            household_head=f"Hộ {i}",
            expected_completion=datetime.date(2024, 3, 1) if i < 10 else None,
        )
        Funding.objects.create(case=case, source="tinh", year=2024, amount=1_000_000 + i)


@pytest.mark.parametrize(("url", "expected"), PAGES)
def test_report_pages_make_a_fixed_number_of_queries_whatever_the_data(
    today, client, official, outing, assignment, communes, programme, url, expected
):
    outing(datetime.date(2024, 3, 9), 10, 30)
    client.force_login(official)
    assert _queries(client, url) == expected
    _a_busier_district(communes, programme)
    assert _queries(client, url) == expected


@pytest.mark.parametrize(
    ("today", "dated"),
    [(PRESENT, "ngày 01 tháng 12 năm 2026"), (HISTORY, "ngày 15 tháng 06 năm 2024")],
    indirect=["today"],
)
def test_the_print_view_is_a_party_document(today, client, official, outing, dated):
    outing(datetime.date(2024, 3, 9), 10, 30)
    client.force_login(official)
    page = client.get(PRINT, {"ky": "quy", "quy": "1", "nam": "2024"})
    text = page.content.decode()
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    # An official whose account has no organisation yet reads the province's report.
    assert "BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY" in text
    assert f"Tuyên Quang, {dated}" in text
    assert "Quý I/2024 (01/01/2024 – 31/03/2024)" in text
    assert "T/M" in text and "Nơi nhận" in text
    assert "css/print.css" in text
    assert page.context["report"].headline.totals.cadres == 10


def test_a_table_exports_to_excel_with_title_period_filters_and_formats(
    client, official, outing, unit
):
    outing(datetime.date(2024, 3, 9), 1780, 9340, money_contributed=25_000_000)
    client.force_login(official)
    response = client.get(
        reverse("dashboard_export", args=["xa"]), {"ky": "nam", "nam": "2024", "don_vi": unit.pk}
    )
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment;" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    # The unit is in charge of one xã (Bình An): the table is of xã.
    assert sheet.title == "Theo xã"
    assert sheet["A1"].value == "BÁO CÁO HOẠT ĐỘNG “3 CÙNG” — THEO XÃ"
    assert sheet["A2"].value == "Kỳ báo cáo: Năm 2024 (01/01/2024 – 31/12/2024)"
    assert sheet["A3"].value == f"Phạm vi: Đơn vị: {unit}"
    headers = [cell.value for cell in sheet[5]]
    assert headers[:4] == ["Xã", "Hoạt động", "Lượt cán bộ, đảng viên", "Lượt nhân dân"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=6)}
    binh_an = rows["Xã Bình An"]
    assert [c.value for c in binh_an[1:4]] == [1, 1780, 9340]
    assert binh_an[2].number_format == "#,##0"
    assert binh_an[headers.index("Thôn đã đến")].value == 2
    assert binh_an[headers.index("Đóng góp (đồng)")].value == 25_000_000
    assert rows["Tổng cộng"][2].value == 1780


def test_the_whole_report_exports_one_sheet_per_table(client, official, outing):
    outing(datetime.date(2024, 3, 9), 3, 4)
    client.force_login(official)
    response = client.get(
        reverse("dashboard_export", args=["tong-hop"]), {"ky": "nam", "nam": "2024"}
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Theo tháng",
        "Theo xã",
        "Theo đơn vị",
        "Theo loại hoạt động",
        "Khối lượng thực hiện",
        "Thực hiện quy định hằng tháng",
        "Hỗ trợ nhà ở",
    ]
    months = [row[0].value for row in book["Theo tháng"].iter_rows(min_row=6)]
    assert months == [f"{m:02d}/2024" for m in range(1, 13)] + ["Tổng cộng"]


def test_the_communes_are_named_by_their_kinds_before_and_after_the_merger(
    client, official, unit, communes, outing
):
    """Lâm Bình's former communes were xã and a thị trấn (Lăng Can); since 01/07/2025 the
    province's are xã and phường, the thị trấn gone with the districts."""
    start = datetime.date(2021, 9, 10)
    for code in ("02290", "02266"):  # xã Bình An, thị trấn Lăng Can
        Assignment.objects.create(unit=unit, commune=communes[code], start=start, end=BEFORE)
    outing(datetime.date(2024, 3, 9), 5, 7)
    client.force_login(official)
    page = client.get(DASHBOARD, {"ky": "nam", "nam": "2024"})
    text = page.content.decode()
    assert "<dt>Xã, thị trấn</dt><dd>1/2</dd>" in text
    assert ">Theo xã, thị trấn</h2>" in text
    assert "1/2 xã, thị trấn, thực hiện 1 hoạt động" in page.context["report"].summary

    communes_load(province="Tuyên Quang")
    after = Commune.objects.filter(valid_from=AFTER)
    xa, phuong = after.get(name="Bình An"), after.filter(kind=Commune.Kind.PHUONG).first()
    for commune in (xa, phuong):
        Assignment.objects.create(unit=unit, commune=commune, start=AFTER)
    text = client.get(DASHBOARD, {"ky": "nam", "nam": "2026"}).content.decode()
    assert "<dt>Xã, phường</dt><dd>0/2</dd>" in text
    assert ">Theo xã, phường</h2>" in text
    # A period across the merger has all three.
    text = client.get(DASHBOARD, {"ky": "nam", "nam": "2025"}).content.decode()
    assert "<dt>Xã, phường, thị trấn</dt><dd>0/4</dd>" in text
    book = load_workbook(
        io.BytesIO(
            client.get(
                reverse("dashboard_export", args=["xa"]), {"nam": "2025", "ky": "nam"}
            ).content
        )
    )
    assert book.sheetnames == ["Theo xã, phường, thị trấn"]


def test_an_unknown_table_is_not_found(client, official):
    client.force_login(official)
    assert client.get(reverse("dashboard_export", args=["khong-co"])).status_code == 404


def test_a_communes_figure_links_to_its_activities(client, official, staff_b, outing, binh_an):
    outing(datetime.date(2024, 3, 9), 10, 30)
    outing(datetime.date(2024, 4, 13), 2, 3)
    client.force_login(official)
    page = client.get(DASHBOARD, {"ky": "nam", "nam": "2024"}).content.decode()
    link = f"{reverse('activity_list')}?ky=nam&amp;nam=2024&amp;xa={binh_an.pk}"
    assert link in page
    listing = client.get(
        reverse("activity_list"), {"ky": "thang", "thang": "2024-03", "xa": binh_an.pk}
    )
    assert [a.date for a in listing.context["page"].object_list] == [datetime.date(2024, 3, 9)]
    # Staff see only their own units' activities in the list.
    client.force_login(staff_b)
    listing = client.get(reverse("activity_list"), {"ky": "nam", "nam": "2024"})
    assert listing.context["page"].paginator.count == 0


def test_the_activity_list_queries_do_not_grow_with_its_rows(client, official, outing):
    outing(datetime.date(2024, 3, 9), 1, 1)
    client.force_login(official)
    url = reverse("activity_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"ky": "nam", "nam": "2024"})
    for day in range(1, 29):
        outing(datetime.date(2024, 5, day), 1, 1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"ky": "nam", "nam": "2024"})
    assert response.context["page"].paginator.count == 29
    assert len(many) == len(few)


def test_a_report_table_exports_to_csv_with_formulas_defused(client, official, outing, unit):
    unit.name = "=cmd|' /C calc'!A0"
    unit.save()
    outing(datetime.date(2024, 3, 9), 10, 30)
    client.force_login(official)
    response = client.get(
        reverse("dashboard_export", args=["don-vi"]),
        {"ky": "nam", "nam": "2024", "dinh_dang": "csv"},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Theo đơn vị — Năm 2024")
    assert lines[1].startswith('Đơn vị,Hoạt động,"Lượt cán bộ, đảng viên",Lượt nhân dân')
    assert any(line.startswith("'=cmd") for line in lines)
    assert any(",1,10,30," in line for line in lines)


def started_case(village, programme, name: str, expected: datetime.date) -> HousingCase:
    """A house under construction since 01/02/2024, expected finished on `expected`."""
    return make_case(
        village,
        programme,
        household_head=name,
        status=HousingCase.Status.STARTED,
        started_on=datetime.date(2024, 2, 1),
        expected_completion=expected,
    )


def test_overdue_cases_are_all_counted_though_only_the_longest_overdue_are_listed(
    today, client, official, village, programme
):
    late = OVERDUE_SHOWN + 3
    for i in range(late):
        expected = datetime.date(2024, 3, 1) + datetime.timedelta(days=i)
        started_case(village, programme, f"Hộ quá hạn {i}", expected)
    make_case(village, programme, household_head="Hộ đúng hạn", expected_completion=None)
    client.force_login(official)
    page = client.get(DASHBOARD).content.decode()
    assert f"Quá hạn hoàn thành ({late})" in page
    assert f"{OVERDUE_SHOWN} hộ quá hạn lâu nhất" in page
    # The longest overdue are listed, the most recent three are not.
    assert "Hộ quá hạn 0<" in page and f"Hộ quá hạn {OVERDUE_SHOWN - 1}<" in page
    assert f"Hộ quá hạn {OVERDUE_SHOWN}<" not in page and "Hộ đúng hạn" not in page
    printed = client.get(PRINT).content.decode()
    assert f"{late} hộ quá hạn hoàn thành" in printed


@pytest.mark.parametrize(
    ("today", "late"), [(datetime.date(2024, 3, 5), 1), (PRESENT, 3)], indirect=["today"]
)
def test_a_case_is_overdue_only_once_its_expected_day_has_passed(
    today, client, official, village, programme, late
):
    # Expected on 04, 05 and 06/03/2024: on 05/03/2024 only the first is late; today all are.
    for day in (4, 5, 6):
        started_case(village, programme, f"Hộ hẹn ngày {day}", datetime.date(2024, 3, day))
    client.force_login(official)
    page = client.get(DASHBOARD).content.decode()
    assert f"Quá hạn hoàn thành ({late})" in page
    assert f"{late} hộ quá hạn hoàn thành" in client.get(PRINT).content.decode()


def test_the_page_shows_the_rules_last_12_months_and_the_export_every_month(
    today, client, official, outing, assignment
):
    outing(datetime.date(2024, 3, 9), 10, 30)
    client.force_login(official)
    period = {"ky": "tuy-chon", "tu": "01/01/2024", "den": "30/06/2025"}  # 18 months
    page = client.get(DASHBOARD, period)
    rule = page.context["report"].rule
    assert rule.months == [datetime.date(2024, m, 1) for m in range(7, 13)] + [
        datetime.date(2025, m, 1) for m in range(1, 7)
    ]
    assert rule.earlier_months == 6
    assert "12 tháng cuối của kỳ (07/2024 – 06/2025); tệp Excel có đủ các tháng." in (
        page.content.decode()
    )
    export = client.get(
        reverse("dashboard_export", args=["quy-dinh"]), {**period, "dinh_dang": "csv"}
    )
    header = export.content.decode("utf-8-sig").splitlines()
    months = [f"{m:02d}/2024" for m in range(1, 13)] + [f"{m:02d}/2025" for m in range(1, 7)]
    assert any(line.endswith(",".join(months)) for line in header)
    # Unit A, in charge of Bình An all along, met the rule in 03/2024: in the export only.
    assert any(line.startswith(f"{assignment.unit.name},") and ",Đạt," in line for line in header)

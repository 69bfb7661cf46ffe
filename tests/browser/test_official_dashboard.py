"""An official at a desk: log in, change the period, read the figures and a chart."""

import datetime

import pytest

from activities import roles
from activities.models import Village
from tests.factories import PASSWORD, make_activity, make_user

# Seeded rows (groups, activity types, programmes) come back after the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_official_changes_the_period_and_sees_figures_and_a_chart(
    live_server, browser, unit, assignment, binh_an
):
    make_user("lanhdao", roles.OFFICIALS)
    village = Village.objects.create(commune=binh_an, name="Nà Cóoc")
    for day, cadres, people in [(9, 12, 35), (23, 8, 20)]:
        make_activity(
            unit,
            binh_an,
            datetime.date(2024, 3, day),
            villages=[village],
            cadre_participations=cadres,
            people_participations=people,
        )
    make_activity(
        unit,
        binh_an,
        datetime.date(2023, 5, 6),
        cadre_participations=100,
        people_participations=100,
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page.goto(f"{live_server.url}/")
    page.get_by_label("Tên đăng nhập", exact=True).fill("lanhdao")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/tong-hop/")

    page.get_by_label("Kỳ báo cáo", exact=True).select_option("nam")
    # The form shows the year field for a yearly period and hides the day fields.
    assert page.get_by_label("Năm", exact=True).is_visible()
    assert not page.get_by_label("Từ ngày", exact=True).is_visible()
    page.get_by_label("Năm", exact=True).fill("2024")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url("**ky=nam**nam=2024**")

    figures = page.locator(".headline")
    assert figures.locator("div", has_text="Hoạt động").first.locator("dd").inner_text() == "2"
    assert figures.locator("div", has_text="Lượt cán bộ").locator("dd").inner_text() == "20"
    assert figures.locator("div", has_text="Lượt nhân dân").locator("dd").inner_text() == "55"
    assert (
        page.locator("#summary")
        .inner_text()
        .startswith(
            "Từ 01/01/2024 đến 31/12/2024, 1 cơ quan, đơn vị đã huy động 20 lượt cán bộ, đảng viên "
            "cùng 55 lượt nhân dân tại 1 thôn, bản, tổ dân phố"
        )
    )
    chart = page.locator("svg.chart").first
    assert chart.is_visible()
    assert chart.locator("rect.bar").count() == 12

    # The printed report: on an A4 page (21 cm less the margins) every table fits the text.
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    page.goto(f"{live_server.url}/tong-hop/in/?ky=nam&nam=2024")
    document = page.locator(".document").bounding_box()
    assert document is not None
    tables = page.locator("table")
    assert tables.count() >= 3  # by commune, by unit, by type
    for index in range(tables.count()):
        box = tables.nth(index).bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= document["x"] + document["width"] + 1, index
    page.close()

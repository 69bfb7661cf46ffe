"""A commune official on a phone and a province official at a desk read their own parts.

The world (tests.factories.make_province_world): six activities, A1–A6. Đảng ủy xã Bình An
reads four (the new Bình An's and the history of the old Bình An and Thổ Bình); the Ban
Tuyên giáo và Dân vận Tỉnh ủy reads all six.
"""

import pytest

from tests.factories import PASSWORD, make_province_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WHOLE = "ky=tuy-chon&tu=01/01/2021&den=30/11/2026"


def log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/")
    page.get_by_label("Tên đăng nhập", exact=True).fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/tong-hop/")


def headline_activities(page) -> str:
    return page.locator(".headline div", has_text="Hoạt động").first.locator("dd").inner_text()


def test_a_commune_official_and_a_province_official_each_read_their_part(
    today, communes, live_server, phone, browser
):
    world = make_province_world()

    # The commune's official, on a phone.
    log_in(phone, live_server.url, "binhan_lanhdao")
    phone.goto(f"{live_server.url}/tong-hop/?{WHOLE}")
    assert "Xã Bình An" in phone.locator(".period").inner_text()
    assert headline_activities(phone) == "4"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # The rule matrix opens on its latest month (11/26, the period's last), beside the
    # unit's name.
    rule = phone.locator("table.rule").first
    latest = rule.locator("thead th").last
    assert latest.inner_text() == "11/26"
    assert latest.bounding_box()["x"] + latest.bounding_box()["width"] <= 360
    assert rule.locator("tbody th").first.bounding_box()["x"] >= 0
    # Thượng Lâm's id typed into the address: refused in Vietnamese, nothing of it shown.
    thuong_lam = world["communes"]["thuong_lam"].pk
    phone.goto(f"{live_server.url}/tong-hop/?{WHOLE}&xa={thuong_lam}")
    assert "hãy chọn trong danh sách" in phone.get_by_role("alert").inner_text()
    assert headline_activities(phone) == "4"
    outside = world["activities"]["A5"].pk
    response = phone.goto(f"{live_server.url}/hoat-dong/{outside}/")
    assert response.status == 404
    phone.goto(f"{live_server.url}/tong-hop/in/?{WHOLE}")
    header = phone.locator(".party-header").inner_text()
    assert "ĐẢNG ỦY XÃ BÌNH AN" in header and "Bình An, ngày 01 tháng 12 năm 2026" in header

    # The province's official, at a desk.
    desk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    log_in(desk, live_server.url, "lanhdao_tinh")
    desk.goto(f"{live_server.url}/tong-hop/?{WHOLE}")
    assert "Toàn tỉnh" in desk.locator(".period").inner_text()
    assert headline_activities(desk) == "6"
    desk.goto(f"{live_server.url}/tong-hop/in/?{WHOLE}")
    header = desk.locator(".party-header").inner_text()
    assert "BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY" in header
    assert "Tuyên Quang, ngày 01 tháng 12 năm 2026" in header
    desk.close()

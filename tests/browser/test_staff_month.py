"""A staff member on a phone: log in, add an activity, see the month, submit it, locked."""

import datetime

import pytest

from activities import roles
from activities.models import Activity, MonthReport, Village
from tests.factories import PASSWORD, make_user

# Seeded rows (groups, activity types, programmes) come back after the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def staff(assignment, unit):
    user = make_user("canbo", roles.STAFF, first_name="Hoàng Thị Lan")
    unit.staff.add(user)
    return user


def test_staff_enter_a_weekend_and_submit_the_month_on_a_phone(
    today, live_server, phone, staff, unit, binh_an, road
):
    Village.objects.create(commune=binh_an, name="Nà Cóoc")
    Village.objects.create(commune=binh_an, name="Khuổi Củng")
    Village.objects.create(commune=binh_an, name="Nà Tông")
    page = phone

    page.goto(f"{live_server.url}/")
    assert "/dang-nhap/" in page.url
    page.get_by_label("Tên đăng nhập", exact=True).fill("canbo")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Tháng của đơn vị").click()
    # The unit's month is today's: 12/2026.
    page.wait_for_url(f"**/don-vi/{unit.pk}/thang/2026/12/")
    assert page.get_by_role("heading", name="Tháng 12/2026").is_visible()
    page.get_by_role("link", name="+ Thêm hoạt động").click()

    # The form fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("Ngày", exact=True).fill("2024-06-15")
    assert page.get_by_label("Xã", exact=True).input_value() == str(binh_an.pk)
    page.get_by_label("Thôn Nà Cóoc", exact=True).check()
    page.get_by_label("Thôn Khuổi Củng", exact=True).check()
    page.get_by_label("Loại hoạt động", exact=True).select_option(
        label="Làm đường bê tông thôn, bản"
    )
    page.get_by_label("Lượt cán bộ, đảng viên", exact=True).fill("12")
    page.get_by_label("Lượt nhân dân", exact=True).fill("35")
    page.get_by_label("Ngày công", exact=True).fill("47")
    page.get_by_label("Khối lượng", exact=True).fill("120")
    # The type's unit of measure is suggested.
    assert page.get_by_label("Đơn vị tính", exact=True).input_value() == "m"
    page.get_by_label("Tiền đóng góp (đồng)", exact=True).fill("1500000")
    assert page.get_by_label("Tiền đóng góp (đồng)", exact=True).input_value() == "1.500.000"
    page.get_by_role("button", name="Lưu").click()

    page.wait_for_url(f"**/don-vi/{unit.pk}/thang/2024/6/")
    assert page.get_by_role("heading", name="Tháng 06/2024").is_visible()
    figures = page.locator(".figures")
    assert figures.locator("div", has_text="Hoạt động").locator("dd").inner_text() == "1"
    assert figures.locator("div", has_text="Lượt cán bộ").locator("dd").inner_text() == "12"
    assert figures.locator("div", has_text="Lượt nhân dân").locator("dd").inner_text() == "35"
    assert "Nà Cóoc, Khuổi Củng" in page.locator(".activity-list").inner_text() or (
        "Khuổi Củng, Nà Cóoc" in page.locator(".activity-list").inner_text()
    )
    activity = Activity.objects.get()
    assert activity.date == datetime.date(2024, 6, 15)
    assert activity.villages.count() == 2
    assert activity.money_contributed == 1_500_000

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Gửi báo cáo tháng").click()
    page.wait_for_selector("text=Đã gửi báo cáo tháng 06/2024.")
    assert page.locator(".month-head .badge").first.inner_text() == "Đã báo cáo"
    assert page.get_by_role("link", name="+ Thêm hoạt động").count() == 0
    assert MonthReport.objects.get().state == MonthReport.State.SUBMITTED

    # The activity can no longer be edited: the edit page sends the user back.
    page.goto(f"{live_server.url}/hoat-dong/{activity.pk}/sua/")
    assert page.url.endswith(f"/hoat-dong/{activity.pk}/")
    assert page.get_by_text("Tháng này đã gửi báo cáo nên không thể sửa hoạt động.").is_visible()
    assert page.get_by_role("link", name="Sửa").count() == 0

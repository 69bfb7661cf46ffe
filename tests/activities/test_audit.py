"""The history shown on a page reads like the rest of the site: dd/mm/yyyy, 25.000.000."""

import datetime

from activities.audit import history_for
from housing.models import HousingCase, Programme


def test_history_shows_values_the_vietnamese_way(village, admin_user):
    case = HousingCase.objects.create(
        household_head="Ma Thị Sinh",
        village=village,
        programme=Programme.objects.get(code="de-an-tinh-2021-2025"),
        support_amount=25_000_000,
        surveyed_on=datetime.date(2024, 1, 15),
        workdays=12.5,
    )
    case.status = HousingCase.Status.APPROVED
    case.approved_on = datetime.date(2024, 3, 20)
    case.save()

    updated, created = history_for(case)
    assert (created.action, updated.action) == ("Tạo mới", "Sửa")
    shown = {c.label: (c.old, c.new) for c in created.changes}
    assert shown["mức hỗ trợ (đồng)"] == ("—", "25.000.000")
    assert shown["ngày khảo sát"] == ("—", "15/01/2024")
    assert shown["ngày công hỗ trợ"] == ("—", "12,5")
    assert shown["đối tượng"] == ("—", "Hộ nghèo")
    assert "nhập lúc" not in shown and "id" not in shown
    changed = {c.label: (c.old, c.new) for c in updated.changes}
    assert changed == {
        "tình trạng": ("Đã khảo sát", "Đã phê duyệt"),
        "ngày phê duyệt": ("—", "20/03/2024"),
    }


def test_a_case_page_shows_its_funding_rows_history_even_after_a_delete(
    client, village, admin_user
):
    from django.urls import reverse

    from housing.models import Funding

    case = HousingCase.objects.create(
        household_head="Ma Thị Sinh",
        village=village,
        programme=Programme.objects.get(code="de-an-tinh-2021-2025"),
    )
    row = Funding.objects.create(case=case, source="tinh", year=2024, amount=25_000_000)
    row.delete()
    client.force_login(admin_user)
    history = client.get(reverse("housing:case_detail", args=[case.pk])).context["history"]
    actions = [entry.action for entry in history]
    assert actions == [
        "Xóa nguồn kinh phí “Ngân sách tỉnh 2024”",
        "Tạo mới nguồn kinh phí “Ngân sách tỉnh 2024”",
        "Tạo mới",
    ]
    created_row = history[1]
    assert {c.label: c.new for c in created_row.changes}["số tiền (đồng)"] == "25.000.000"

"""Housing-case pages: who sees and changes what, the step buttons, funding, linked activities."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from activities.models import Village
from housing.models import Funding, HousingCase
from tests.factories import make_activity, make_case, stored

D = datetime.date
LIST = reverse("housing:case_list")
CREATE = reverse("housing:case_create")
# What a step changes, as the database holds it: the status and the approval date.
STEP = ("status", "approved_on")


def url(name: str, case: HousingCase, *args) -> str:
    return reverse(f"housing:{name}", args=[case.pk, *args])


@pytest.fixture
def tho_binh_village(communes) -> Village:
    """A village of Thổ Bình, the commune of unit B."""
    return Village.objects.create(commune=communes["02296"], name="Nà Tông")


@pytest.fixture
def case_a(village, programme) -> HousingCase:
    """Bà Ma Thị Sinh, thôn Nà Cóoc, xã Bình An: unit A's commune."""
    return make_case(village, programme)


@pytest.fixture
def case_b(tho_binh_village, programme) -> HousingCase:
    """A household of Thổ Bình: unit B's commune."""
    return make_case(tho_binh_village, programme, household_head="Lý Văn Páo")


def page(response) -> str:
    return response.content.decode()


def post_back(client, target: str, case: HousingCase, data: dict) -> str:
    """Post one of the case page's buttons; it always comes back to the case page."""
    response = client.post(target, data, follow=True)
    assert response.redirect_chain == [(url("case_detail", case), 302)]
    return page(response)


def form_data(village, programme, **overrides) -> dict:
    data = {
        "household_head": "Hoàng Văn Thắng",
        "birth_year": "1968",
        "gender": "nam",
        "ethnicity": "Dao",
        "village": str(village.pk),
        "category": "ho_ngheo",
        "programme": str(programme.pk),
        "work_kind": "xay_moi",
        "support_amount": "50.000.000",
        "surveyed_on": "05/06/2024",
        "expected_completion": "2024-12-31",
        "workdays": "12,5",
        "notes": "",
    }
    return data | overrides


# --- Who may see what ---


def test_anonymous_visitors_are_sent_to_the_login_page(client, case_a):
    for target in (LIST, CREATE, url("case_detail", case_a), url("case_update", case_a)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_account_without_a_role_is_refused_everywhere(client, outsider, case_a):
    client.force_login(outsider)
    for target in (LIST, CREATE, url("case_detail", case_a), url("case_update", case_a)):
        assert client.get(target).status_code == 403
    for name in ("case_advance", "case_step_back", "funding_add", "case_activities"):
        assert client.post(url(name, case_a), {"date": "20/03/2024"}).status_code == 403
    assert stored(case_a, *STEP) == ("surveyed", None)


def test_staff_see_only_the_cases_of_their_communes(client, staff_a, case_a, case_b):
    client.force_login(staff_a)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "Ma Thị Sinh" in page(response)
    assert "Lý Văn Páo" not in page(response)
    assert list(response.context["page"].object_list) == [case_a]


def test_staff_get_404_for_a_case_of_another_commune(client, staff_a, case_b):
    client.force_login(staff_a)
    assert client.get(url("case_detail", case_b)).status_code == 404
    assert client.get(url("case_update", case_b)).status_code == 404
    response = client.post(url("case_update", case_b), {"household_head": "Tên khác"})
    assert response.status_code == 404
    assert client.post(url("case_advance", case_b), {"date": "20/03/2024"}).status_code == 404
    funding = {"source": "tinh", "year": "2024", "amount": "1.000.000"}
    assert client.post(url("funding_add", case_b), funding).status_code == 404
    assert "Lý Văn Páo" not in page(client.get(url("case_detail", case_b)))
    assert stored(case_b, *STEP) == ("surveyed", None)
    assert HousingCase.objects.get(pk=case_b.pk).household_head == "Lý Văn Páo"
    assert not Funding.objects.exists()


def test_admins_see_every_commune(client, admin_user, case_a, case_b):
    client.force_login(admin_user)
    response = client.get(LIST)
    assert set(response.context["page"].object_list) == {case_a, case_b}


def test_officials_read_everything(client, official, case_a, case_b):
    client.force_login(official)
    assert {c.pk for c in client.get(LIST).context["page"].object_list} == {case_a.pk, case_b.pk}
    response = client.get(url("case_detail", case_b))
    assert response.status_code == 200
    assert "Lịch sử thay đổi" in page(response)
    assert "Chuyển bước" not in page(response)


def test_officials_get_403_on_every_write(client, official, case_a, village, programme):
    client.force_login(official)
    funding = Funding.objects.create(case=case_a, source="tinh", year=2024, amount=25_000_000)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data(village, programme)).status_code == 403
    assert client.get(url("case_update", case_a)).status_code == 403
    assert client.post(url("case_update", case_a), form_data(village, programme)).status_code == 403
    posts = {
        url("case_advance", case_a): {"date": "20/03/2024"},
        url("case_step_back", case_a): {"reason": "Thử"},
        url("funding_add", case_a): {"source": "huyen", "year": "2024", "amount": "1.000"},
        url("funding_delete", case_a, funding.pk): {},
        url("case_activities", case_a): {"activity": "1", "action": "link"},
    }
    for target, data in posts.items():
        assert client.post(target, data).status_code == 403
        assert client.get(target).status_code == 405  # these pages only take a POST
    assert HousingCase.objects.count() == 1
    assert stored(case_a, *STEP) == ("surveyed", None)
    assert Funding.objects.count() == 1


# --- The list: filters, columns, query count ---


def test_the_list_shows_the_columns_and_the_funding_total_with_dots(client, admin_user, case_a):
    Funding.objects.create(case=case_a, source="tinh", year=2024, amount=25_000_000)
    Funding.objects.create(case=case_a, source="xa_hoi_hoa", year=2024, amount=3_500_000)
    client.force_login(admin_user)
    html = page(client.get(LIST))
    for header in ("Chủ hộ", "Thôn", "Xã", "Đối tượng", "Chương trình", "Hình thức"):
        assert f'<th scope="col">{header}</th>' in html
    assert "Dự kiến hoàn thành" in html
    assert "Tổng kinh phí" in html
    assert "28.500.000" in html  # 25.000.000 + 3.500.000
    assert "Hộ nghèo" in html
    assert "Đã khảo sát" in html


def test_the_list_filters_by_status_and_by_name_in_any_case_or_normal_form(
    client, admin_user, case_a, case_b
):
    HousingCase.objects.filter(pk=case_b.pk).update(status="approved", approved_on=D(2024, 3, 1))
    client.force_login(admin_user)
    by_status = client.get(LIST, {"status": "approved"}).context["page"].object_list
    assert [c.pk for c in by_status] == [case_b.pk]
    # "ma thị" typed in NFD (as older keyboards send it) and in lower case.
    by_name = client.get(LIST, {"q": "ma thi\u0323"}).context["page"].object_list
    assert [c.pk for c in by_name] == [case_a.pk]


def test_staff_cannot_filter_on_a_commune_they_do_not_cover(
    client, staff_a, case_a, case_b, communes
):
    client.force_login(staff_a)
    response = client.get(LIST, {"commune": communes["02296"].pk})
    assert response.status_code == 200
    assert "Lựa chọn không hợp lệ, hãy chọn trong danh sách." in page(response)
    assert "Lý Văn Páo" not in page(response)


@pytest.mark.parametrize(
    "query, message",
    [
        ({"status": "xyz"}, "Lựa chọn “xyz” không hợp lệ, hãy chọn trong danh sách."),
        ({"commune": "abc"}, "Lựa chọn không hợp lệ, hãy chọn trong danh sách."),
        ({"programme": "99999"}, "Lựa chọn không hợp lệ, hãy chọn trong danh sách."),
        ({"work_kind": "<b>"}, "Lựa chọn “&lt;b&gt;” không hợp lệ, hãy chọn trong danh sách."),
    ],
)
def test_a_broken_filter_shows_a_vietnamese_error_and_no_rows(
    client, admin_user, case_a, query, message
):
    client.force_login(admin_user)
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert message in page(response)
    assert list(response.context["page"].object_list) == []


def test_a_page_number_that_is_not_a_number_shows_the_first_page(client, admin_user, case_a):
    client.force_login(admin_user)
    response = client.get(LIST, {"page": "abc"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [case_a]


@pytest.mark.parametrize("cases", [1, 30])
def test_the_list_takes_the_same_queries_whatever_the_number_of_cases(
    client,
    staff_a,
    village,
    programme,
    django_assert_num_queries,
    cases,
):
    for index in range(cases):
        case = make_case(village, programme, household_head=f"Hộ số {index}")
        Funding.objects.create(case=case, source="tinh", year=2024, amount=25_000_000)
        Funding.objects.create(case=case, source="xa", year=2024, amount=1_000_000)
    client.force_login(staff_a)
    # 1 session, 2 user, 3 the user's groups (role), 4 the commune choices of the filter,
    # 5 the programme choices, 6 the count for the pager, 7 the page of cases with their
    # village, commune, programme and funding total.
    with django_assert_num_queries(7):
        response = client.get(LIST, {"status": "surveyed"})
    assert response.context["page"].paginator.count == cases
    assert page(response).count("26.000.000") == cases


# --- Create and edit ---


def test_staff_create_a_case_in_their_commune(client, staff_a, village, programme):
    client.force_login(staff_a)
    response = client.post(CREATE, form_data(village, programme))
    case = HousingCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("case_detail", case)
    assert case.household_head == "Hoàng Văn Thắng"
    assert case.support_amount == 50_000_000
    assert case.surveyed_on == D(2024, 6, 5)  # 05/06/2024 is 5 June
    assert case.expected_completion == D(2024, 12, 31)
    assert str(case.workdays) == "12.5"
    assert case.birth_year == 1968
    assert case.status == "surveyed"
    assert case.created_by == staff_a
    created = LogEntry.objects.get_for_object(case).get(action=LogEntry.Action.CREATE)
    assert created.actor == staff_a


def test_the_create_form_offers_only_the_villages_of_the_users_communes(
    client,
    staff_a,
    village,
    tho_binh_village,
    programme,
):
    client.force_login(staff_a)
    html = page(client.get(CREATE))
    assert "Nà Cóoc" in html
    assert "Nà Tông" not in html
    response = client.post(CREATE, form_data(tho_binh_village, programme))
    assert response.status_code == 200
    assert "Lựa chọn không hợp lệ, hãy chọn trong danh sách." in page(response)
    assert not HousingCase.objects.exists()


def test_a_bad_create_form_shows_errors_beside_the_fields(
    today,
    client,
    staff_a,
    village,
    programme,
):
    assert today == datetime.date(2026, 12, 1)
    client.force_login(staff_a)
    tomorrow = "02/12/2026"
    response = client.post(
        CREATE,
        form_data(village, programme, support_amount="25 triệu", surveyed_on=tomorrow),
    )
    assert response.status_code == 200
    assert "Nhập số tiền bằng chữ số, ví dụ 25.000.000." in page(response)
    response = client.post(CREATE, form_data(village, programme, surveyed_on=tomorrow))
    assert "Ngày không được sau hôm nay." in page(response)
    response = client.post(CREATE, form_data(village, programme, household_head=" "))
    assert "Trường này không được để trống." in page(response)
    assert not HousingCase.objects.exists()


def test_editing_changes_the_details_but_never_the_status(
    client,
    staff_a,
    case_a,
    village,
    programme,
):
    client.force_login(staff_a)
    edit_page = page(client.get(url("case_update", case_a)))
    assert 'value="25.000.000"' in edit_page
    data = form_data(village, programme, household_head="Ma Thị Sính", version="1")
    data |= {"status": "handed_over", "handed_over_on": "01/07/2024"}
    response = client.post(url("case_update", case_a), data)
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.household_head == "Ma Thị Sính"
    assert (case_a.status, case_a.handed_over_on, case_a.surveyed_on) == (
        "surveyed",
        None,
        D(2024, 1, 15),
    )
    update = LogEntry.objects.get_for_object(case_a).get(action=LogEntry.Action.UPDATE)
    assert update.actor == staff_a
    assert "household_head" in update.changes_dict


# --- Steps ---


def test_advancing_records_the_step_with_its_date(client, staff_a, case_a):
    client.force_login(staff_a)
    response = client.post(url("case_advance", case_a), {"date": "20/03/2024"})
    assert response.status_code == 302
    assert stored(case_a, *STEP) == ("approved", D(2024, 3, 20))
    update = LogEntry.objects.get_for_object(case_a).get(action=LogEntry.Action.UPDATE)
    assert update.actor == staff_a
    assert update.changes_dict["status"] == ["surveyed", "approved"]
    detail = page(client.get(url("case_detail", case_a)))
    assert "Đã chuyển sang bước “Đã phê duyệt” ngày 20/03/2024." in detail
    assert "Chuyển sang bước “Đang thi công”" in detail


@pytest.mark.parametrize(
    "data, message",
    [
        ({"date": "14/01/2024"}, "Ngày phê duyệt không được trước ngày khảo sát (15/01/2024)."),
        ({"date": "31/02/2024"}, "Ngày không hợp lệ, nhập theo dạng dd/mm/yyyy."),
        ({}, "Cần nhập ngày của bước này."),
        (
            {"date": "20/03/2024", "status": "started"},
            "Chỉ được chuyển từng bước một: bước tiếp theo là “Đã phê duyệt”.",
        ),
    ],
)
def test_a_refused_step_says_why_and_changes_nothing(client, staff_a, case_a, data, message):
    client.force_login(staff_a)
    assert message in post_back(client, url("case_advance", case_a), case_a, data)
    assert stored(case_a, *STEP) == ("surveyed", None)
    assert not LogEntry.objects.get_for_object(case_a).filter(action=LogEntry.Action.UPDATE)


def test_a_step_dated_in_the_future_is_refused(today, client, staff_a, case_a):
    client.force_login(staff_a)
    tomorrow = today + datetime.timedelta(days=1)
    html = post_back(client, url("case_advance", case_a), case_a, {"date": tomorrow.isoformat()})
    assert "Ngày không được sau hôm nay." in html
    assert stored(case_a, *STEP) == ("surveyed", None)


def test_completion_before_the_start_is_refused(client, staff_a, village, programme):
    case = make_case(
        village, programme, status="started", approved_on=D(2024, 3, 20), started_on=D(2024, 6, 15)
    )
    client.force_login(staff_a)
    html = post_back(client, url("case_advance", case), case, {"date": "2024-06-10"})
    assert "Ngày hoàn thành không được trước ngày khởi công (15/06/2024)." in html
    case.refresh_from_db()
    assert (case.status, case.completed_on) == ("started", None)


def test_only_an_admin_may_step_back(client, staff_a, admin_user, case_a):
    HousingCase.objects.filter(pk=case_a.pk).update(status="approved", approved_on=D(2024, 3, 20))
    client.force_login(staff_a)
    assert client.post(url("case_step_back", case_a), {"reason": "Nhầm"}).status_code == 403
    assert stored(case_a, *STEP) == ("approved", D(2024, 3, 20))

    client.force_login(admin_user)
    html = post_back(client, url("case_step_back", case_a), case_a, {"reason": ""})
    assert "Cần ghi lý do lùi bước." in html
    assert stored(case_a, *STEP) == ("approved", D(2024, 3, 20))

    response = client.post(url("case_step_back", case_a), {"reason": "Phê duyệt nhầm hộ"})
    assert response.status_code == 302
    assert stored(case_a, *STEP) == ("surveyed", None)
    assert "Lý do: Phê duyệt nhầm hộ" in HousingCase.objects.get(pk=case_a.pk).notes


# --- Funding ---


def test_funding_rows_are_added_with_dotted_amounts_and_deleted(client, staff_a, case_a):
    client.force_login(staff_a)
    data = {"source": "tinh", "year": "2024", "amount": "25.000.000"}
    assert client.post(url("funding_add", case_a), data).status_code == 302
    funding = Funding.objects.get()
    assert (funding.case_id, funding.source, funding.year, funding.amount) == (
        case_a.pk,
        "tinh",
        2024,
        25_000_000,
    )
    detail = page(client.get(url("case_detail", case_a)))
    assert "Ngân sách tỉnh" in detail
    assert "25.000.000" in detail

    html = post_back(client, url("funding_add", case_a), case_a, data | {"amount": "1000000"})
    assert "Hộ này đã có khoản kinh phí từ nguồn này trong năm." in html
    assert Funding.objects.get().amount == 25_000_000

    zero = data | {"year": "2025", "amount": "0"}
    assert "Số tiền phải lớn hơn 0." in post_back(client, url("funding_add", case_a), case_a, zero)
    assert Funding.objects.count() == 1

    response = client.post(url("funding_delete", case_a, funding.pk))
    assert response.status_code == 302
    assert not Funding.objects.exists()


def test_a_funding_row_of_another_case_cannot_be_deleted_through_this_one(
    client, admin_user, case_a, case_b
):
    other = Funding.objects.create(case=case_b, source="tinh", year=2024, amount=25_000_000)
    client.force_login(admin_user)
    assert client.post(url("funding_delete", case_a, other.pk)).status_code == 404
    assert Funding.objects.filter(pk=other.pk).exists()


# --- Linked activities ---


def test_staff_link_their_units_activity_and_see_it_on_the_case(
    client, staff_a, unit, binh_an, case_a
):
    activity = make_activity(unit, binh_an, D(2024, 6, 15))
    client.force_login(staff_a)
    detail = page(client.get(url("case_detail", case_a)))
    assert f'<option value="{activity.pk}">15/06/2024' in detail
    response = client.post(
        url("case_activities", case_a), {"activity": activity.pk, "action": "link"}
    )
    assert response.status_code == 302
    assert list(case_a.activities.all()) == [activity]
    detail = page(client.get(url("case_detail", case_a)))
    assert reverse("activities:activity_detail", args=[activity.pk]) in detail
    client.post(url("case_activities", case_a), {"activity": activity.pk, "action": "unlink"})
    assert not case_a.activities.exists()


def test_an_activity_of_another_commune_is_refused(client, admin_user, unit, communes, case_a):
    elsewhere = make_activity(unit, communes["02296"], D(2024, 6, 15))
    client.force_login(admin_user)
    data = {"activity": elsewhere.pk, "action": "link"}
    html = post_back(client, url("case_activities", case_a), case_a, data)
    assert "Chỉ liên kết được hoạt động ở cùng xã với hộ được hỗ trợ." in html
    assert not case_a.activities.exists()


def test_staff_cannot_link_another_units_activity(client, staff_a, unit_b, binh_an, case_a):
    theirs = make_activity(unit_b, binh_an, D(2024, 6, 15))
    client.force_login(staff_a)
    assert f'value="{theirs.pk}"' not in page(client.get(url("case_detail", case_a)))
    data = {"activity": theirs.pk, "action": "link"}
    html = post_back(client, url("case_activities", case_a), case_a, data)
    assert "Không tìm thấy hoạt động này trong các hoạt động bạn được sửa." in html
    assert not case_a.activities.exists()


# --- The detail page ---


def test_the_detail_page_shows_the_case_its_steps_and_its_history(
    client, staff_a, case_a, unit, binh_an
):
    Funding.objects.create(case=case_a, source="tinh", year=2024, amount=25_000_000)
    Funding.objects.create(case=case_a, source="ho_gia_dinh", year=2024, amount=10_000_000)
    linked = make_activity(unit, binh_an, D(2024, 6, 15), people_participations=47)
    case_a.activities.add(linked)
    client.force_login(staff_a)
    html = page(client.get(url("case_detail", case_a)))
    assert "Ma Thị Sinh" in html
    assert "Thôn Nà Cóoc, xã Bình An" in html
    assert "15/01/2024" in html
    assert "35.000.000" in html  # 25.000.000 + 10.000.000
    assert "<td>2024</td>" in html  # years without a thousands dot
    assert '<td class="num">47</td>' in html
    assert "Lịch sử thay đổi" in html
    assert "Tạo mới" in html
    assert "Lùi bước" not in html  # admins only

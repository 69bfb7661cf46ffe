"""Every model has a working Vietnamese admin: list, search, add form and change form."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import (
    Activity,
    ActivityType,
    Assignment,
    Commune,
    ImportBatch,
    MonthReport,
    PartyUnit,
    Village,
)
from housing.models import Funding, HousingCase, Programme

OUR_MODELS = [
    MonthReport,
    Commune,
    Village,
    PartyUnit,
    Assignment,
    ActivityType,
    Activity,
    HousingCase,
    Funding,
    Programme,
]


@pytest.fixture
def admin_client(client, demo):
    client.force_login(get_user_model().objects.get(username="quantri"))
    return client


def test_every_model_is_registered():
    registered = set(admin.site._registry)
    assert set(OUR_MODELS) <= registered


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_the_change_list_search_and_forms_work(admin_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200
    assert str(opts.verbose_name_plural).capitalize() in response.content.decode()
    assert admin_client.get(changelist, {"q": "Bình"}).status_code == 200
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    # Month reports are made on the unit's month page, not typed in the admin.
    assert admin_client.get(add).status_code == (403 if model is MonthReport else 200)
    obj = model.objects.order_by("pk").first()
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert admin_client.get(change).status_code == 200


# A list filter that leaves a few rows of a model with many.
NARROWING = {
    Activity: lambda: {
        "unit__id__exact": PartyUnit.objects.get(code="cb-kho-bac").pk,
        "date__year": "2021",
        "date__month": "9",
    },
    HousingCase: lambda: {"status__exact": "completed"},
    Village: lambda: {"commune__id__exact": Commune.objects.get(code="02290").pk},
    Assignment: lambda: {"commune__id__exact": Commune.objects.get(code="02299").pk},
    Funding: lambda: {"year": "2022"},
}


@pytest.mark.parametrize("model", list(NARROWING), ids=lambda m: m.__name__)
def test_change_lists_do_not_query_per_row(admin_client, model):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    with CaptureQueriesContext(connection) as few:
        narrow = admin_client.get(url, NARROWING[model]())
    with CaptureQueriesContext(connection) as many:
        full = admin_client.get(url)
    shown_few = len(narrow.context["cl"].result_list)
    shown_many = len(full.context["cl"].result_list)
    assert shown_many >= 3 * shown_few
    # More rows never cost more queries; a filtered list may count all rows once more
    # for its "3 of 100".
    assert len(many) <= len(few) <= len(many) + 1, [q["sql"] for q in many.captured_queries]


def test_activity_admin_records_who_entered_it(admin_client):
    binh_an = Commune.objects.get(code="02290", valid_from__isnull=True)
    village = Village.objects.get(commune=binh_an, name="Nà Cóoc")
    response = admin_client.post(
        reverse("admin:activities_activity_add"),
        {
            "unit": PartyUnit.objects.get(code="db-co-quan-chinh-quyen").pk,
            "commune": binh_an.pk,
            "date": "22/06/2024",
            "activity_type": ActivityType.objects.get(code="duong-thon-ban").pk,
            "description": "Đổ bê tông đường thôn",
            "cadre_participations": "12",
            "people_participations": "30",
            "workdays": "42",
            "output_quantity": "",
            "output_unit": "",
            "money_contributed": "0",
            "money_mobilised": "0",
            "households_helped": "0",
            "village_links-TOTAL_FORMS": "1",
            "village_links-INITIAL_FORMS": "0",
            "village_links-0-village": village.pk,
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(date="2024-06-22", unit__code="db-co-quan-chinh-quyen")
    assert activity.created_by.username == "quantri"
    assert list(activity.villages.all()) == [village]


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        (ActivityType, {}, lambda: ActivityType.objects.count()),
        (
            MonthReport,
            {"state__exact": "no_activity"},
            lambda: MonthReport.objects.filter(state="no_activity").count(),
        ),
        (Funding, {"source__exact": "tinh"}, lambda: Funding.objects.filter(source="tinh").count()),
        (Programme, {}, lambda: Programme.objects.count()),
        (ImportBatch, {}, lambda: ImportBatch.objects.count()),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_every_list_exports_with_its_filters(admin_client, model, query, expected):
    import io as io_

    from openpyxl import load_workbook

    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export_sheet", args=["xlsx"])
    response = admin_client.get(url, query)
    assert response.status_code == 200
    rows = list(load_workbook(io_.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert all(isinstance(h, str) and h for h in rows[0])
    assert len(rows) - 1 == expected()
    csv_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export_sheet", args=["csv"])
    lines = admin_client.get(csv_url, query).content.decode("utf-8-sig").splitlines()
    assert len(lines) - 1 == expected()

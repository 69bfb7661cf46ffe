"""The figures of an activity, declared once (activities/figures.py), and the one added as
proof: "Số hộ được giúp đỡ" goes from the form, the import and the database through the
summary tables to the activity page, the dashboard, the print view and the exports."""

import csv
import datetime
import io
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Sum
from django.urls import reverse
from openpyxl import load_workbook

from activities import stats
from activities.figures import FIGURES, TOTALLED, figure
from activities.forms import ActivityForm
from activities.imports.admin import template_workbook
from activities.imports.engine import describe_problems
from activities.imports.kinds import ActivityImport
from activities.models import Activity, ActivityDayStat, ActivityMonthStat
from activities.services import ACTIVITY_FIELDS, activity_create
from lamb_binh.dashboard.reports import STAT_SUMS, Totals, total_columns
from tests.factories import (
    SATURDAY,
    activity_form_data,
    activity_values,
    import_file,
    make_activity,
    sheet_row,
    template_file,
    xlsx,
)

HOUSEHOLDS = "Số hộ được giúp đỡ"
YEAR_2024 = {"ky": "nam", "nam": "2024"}


# --- Every declaration is wired everywhere ----------------------------------------------


@pytest.mark.parametrize("declared", FIGURES, ids=lambda f: f.name)
def test_a_figure_has_its_field_its_summary_columns_and_its_import_column(declared):
    assert Activity._meta.get_field(declared.field)
    for model in (ActivityMonthStat, ActivityDayStat):
        column = model._meta.get_field(declared.column)
        assert isinstance(column, BigIntegerField) and column.default == 0
    assert declared.column in STAT_SUMS
    assert declared.import_header in ActivityImport().headers()
    assert declared.field in ACTIVITY_FIELDS
    assert declared.field in ActivityForm.base_fields
    assert declared.field in ActivityImport.tracked_fields
    assert getattr(Totals(), declared.name) == 0


@pytest.mark.parametrize("declared", TOTALLED, ids=lambda f: f.name)
def test_a_totalled_figure_is_a_column_of_every_report_table_and_export(declared):
    for villages in (True, False):
        columns = {column.header: column for column in total_columns(villages=villages)}
        assert columns[declared.label].name == declared.name
        assert columns[declared.label].excel_format == declared.excel_format


@pytest.mark.django_db
@pytest.mark.parametrize("declared", FIGURES, ids=lambda f: f.name)
def test_the_import_kinds_export_writes_each_figure_under_its_header(
    declared, unit, binh_an, village, road
):
    activity = make_activity(
        unit,
        binh_an,
        villages=[village],
        households_helped=4,
        output_quantity=120,
        output_unit="m",
        money_contributed=1_500_000,
    )
    headers = ActivityImport().headers()
    (row,) = ActivityImport().export_rows(Activity.objects.all())
    assert len(row) == len(headers)
    written = {
        "cadre_participations": 12,
        "people_participations": 30,
        "workdays": "0",
        "output_quantity": "120",
        "households_helped": 4,
        "money_contributed": 1_500_000,
        "money_mobilised": 0,
    }
    assert row[headers.index(declared.import_header)] == written[declared.field]
    assert row[headers.index("Đơn vị tính")] == activity.output_unit == "m"


def test_the_new_figure_is_declared_as_the_brief_says():
    households = figure("households")
    assert figure("households_helped") is households
    assert (households.field, households.column, households.scale) == (
        "households_helped",
        "households",
        1,
    )
    assert (households.label, households.import_header) == (HOUSEHOLDS, HOUSEHOLDS)
    assert households.excel_format == "#,##0"
    assert not households.required and households.default == 0


# --- The form and the activity page -----------------------------------------------------


def post_activity(client, unit, binh_an, road, village, **overrides):
    return client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(binh_an, road, [village], **overrides),
    )


def test_the_form_saves_the_households_and_the_activity_page_shows_them(
    client, staff_a, unit, binh_an, road, village
):
    client.force_login(staff_a)
    response = post_activity(client, unit, binh_an, road, village, households_helped="4")
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.households_helped == 4
    page = client.get(reverse("activities:activity_detail", args=[activity.pk]))
    assert "<dt>Số hộ được giúp đỡ</dt><dd>4</dd>" in page.content.decode()


def test_the_form_asks_for_the_households_starting_at_zero(client, staff_a, unit):
    client.force_login(staff_a)
    page = client.get(reverse("activities:activity_create", args=[unit.pk]))
    field = page.context["form"]["households_helped"]
    assert field.label == HOUSEHOLDS
    assert field.value() == 0
    assert 'name="households_helped"' in page.content.decode()


def test_households_left_empty_on_the_form_are_zero(client, staff_a, unit, binh_an, road, village):
    client.force_login(staff_a)
    response = post_activity(client, unit, binh_an, road, village, households_helped="")
    assert response.status_code == 302
    assert Activity.objects.get().households_helped == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [("-1", "Không được là số âm."), ("501", "Tối đa 500 hộ."), ("1,5", "Nhập một số nguyên")],
)
def test_the_form_refuses_households_that_cannot_be(
    client, staff_a, unit, binh_an, road, village, typed, message
):
    client.force_login(staff_a)
    response = post_activity(client, unit, binh_an, road, village, households_helped=typed)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["households_helped"]
    assert error.startswith(message)
    assert not Activity.objects.exists()


def test_the_shared_rules_bound_the_households_whatever_the_path(
    staff_a, unit, binh_an, road, village
):
    data = {
        "date": SATURDAY,
        "commune": binh_an,
        "villages": [village],
        "activity_type": road,
        "cadre_participations": 12,
        "households_helped": 501,
    }
    with pytest.raises(ValidationError) as refused:
        activity_create(user=staff_a, unit=unit, data=data)
    assert refused.value.message_dict["households_helped"] == [
        "Số hộ được giúp đỡ quá lớn (tối đa 500 hộ một lần)."
    ]
    assert not Activity.objects.exists()


# --- The summary tables -----------------------------------------------------------------


def stat_totals(model, period: str) -> dict:
    """Households per month (or day) as the triggers keep them, zero rows left out."""
    rows = model.objects.values(period).annotate(n=Sum("households")).order_by(period)
    return {row[period]: row["n"] for row in rows if row["n"]}


def activity_totals(period: str) -> dict:
    """The same, added up in Python from the activities themselves."""
    totals: dict = defaultdict(int)
    for activity in Activity.objects.all():
        day = activity.date
        totals[day.replace(day=1) if period == "month" else day] += activity.households_helped
    return {key: n for key, n in totals.items() if n}


@pytest.mark.django_db
def test_the_triggers_sum_the_households_by_month_and_by_day(unit, binh_an, village, road):
    june_15, june_22, july_6 = SATURDAY, datetime.date(2024, 6, 22), datetime.date(2024, 7, 6)
    first = make_activity(unit, binh_an, june_15, villages=[village], households_helped=3)
    make_activity(unit, binh_an, june_15, villages=[village], households_helped=4)
    make_activity(unit, binh_an, june_22, villages=[village], households_helped=5)
    july = make_activity(unit, binh_an, july_6, villages=[village], households_helped=2)
    june, july_month = datetime.date(2024, 6, 1), datetime.date(2024, 7, 1)
    assert stat_totals(ActivityMonthStat, "month") == {june: 12, july_month: 2}
    assert stat_totals(ActivityDayStat, "date") == {june_15: 7, june_22: 5, july_6: 2}

    first.households_helped = 10
    first.save()
    july.delete()
    assert stat_totals(ActivityMonthStat, "month") == {june: 19}
    assert stat_totals(ActivityDayStat, "date") == {june_15: 14, june_22: 5}
    assert stat_totals(ActivityMonthStat, "month") == activity_totals("month")
    assert stat_totals(ActivityDayStat, "date") == activity_totals("date")
    total = Activity.objects.aggregate(n=Sum("households_helped"))["n"]
    assert ActivityMonthStat.objects.aggregate(n=Sum("households"))["n"] == total == 19

    stats.rebuild()
    assert stat_totals(ActivityMonthStat, "month") == {june: 19}
    assert stat_totals(ActivityDayStat, "date") == {june_15: 14, june_22: 5}


# --- The dashboard, the print view, the exports -----------------------------------------


class _Tables(HTMLParser):
    """The text of each table cell of a page: [table][row][cell]."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def commune_table(html: str) -> dict[str, list[str]]:
    """The per-commune table, by the first cell of each row (the header row by its title:
    "Xã" where the communes are all xã, as Bình An is)."""
    parser = _Tables()
    parser.feed(html)
    table = next(t for t in parser.tables if t and t[0][:1] == ["Xã"])
    return {row[0]: row[1:] for row in table}


@pytest.fixture
def helped(unit, binh_an, village):
    """Two outings in Bình An in 2024 that helped 5 and 7 households."""
    make_activity(unit, binh_an, datetime.date(2024, 3, 9), villages=[village], households_helped=5)
    make_activity(unit, binh_an, SATURDAY, villages=[village], households_helped=7)


def test_the_dashboard_shows_the_households_in_its_headline_table_and_summary(
    client, official, helped
):
    client.force_login(official)
    response = client.get(reverse("dashboard"), YEAR_2024)
    html = response.content.decode()
    assert "<div><dt>Số hộ được giúp đỡ</dt><dd>12</dd></div>" in html
    table = commune_table(html)
    column = table["Xã"].index(HOUSEHOLDS)
    assert table["Xã Bình An"][column] == "12"
    assert table["Tổng cộng"][column] == "12"
    assert "Số hộ được giúp đỡ: 12" in response.context["report"].summary
    assert response.context["report"].headline.totals.households == 12


def test_a_period_without_households_does_not_mention_them_in_the_summary(
    client, official, unit, binh_an, village
):
    make_activity(unit, binh_an, SATURDAY, villages=[village])
    client.force_login(official)
    summary = client.get(reverse("dashboard"), YEAR_2024).context["report"].summary
    assert HOUSEHOLDS not in summary


def test_the_print_view_shows_the_households_per_commune(client, official, helped):
    client.force_login(official)
    html = client.get(reverse("dashboard_print"), YEAR_2024).content.decode()
    table = commune_table(html)
    column = table["Xã"].index(HOUSEHOLDS)
    assert table["Xã Bình An"][column] == "12"
    assert "Số hộ được giúp đỡ: 12" in html


def test_the_excel_export_has_the_households_column(client, official, helped):
    client.force_login(official)
    response = client.get(reverse("dashboard_export", args=["xa"]), YEAR_2024)
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[5]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=6)}
    cell = rows["Xã Bình An"][headers.index(HOUSEHOLDS)]
    assert cell.value == 12
    assert cell.number_format == "#,##0"
    assert rows["Tổng cộng"][headers.index(HOUSEHOLDS)].value == 12


def test_the_csv_export_has_the_households_column(client, official, helped):
    client.force_login(official)
    response = client.get(
        reverse("dashboard_export", args=["don-vi"]), YEAR_2024 | {"dinh_dang": "csv"}
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    headers = lines[1]
    rows = {line[0]: line for line in lines[2:] if line}
    assert rows["Đảng bộ cơ quan chính quyền huyện"][headers.index(HOUSEHOLDS)] == "12"


# --- The import -------------------------------------------------------------------------


def test_the_import_template_has_an_optional_households_column():
    book = load_workbook(io.BytesIO(template_workbook(ActivityImport())))
    titles = [cell.value for cell in book["Dữ liệu"][1]]
    example = [cell.value for cell in book["Dữ liệu"][2]]
    assert HOUSEHOLDS in titles  # no "*": the column may be left out
    assert example[titles.index(HOUSEHOLDS)] == 3
    guide = {row[0]: row for row in book["Hướng dẫn"].iter_rows(min_row=7, values_only=True)}
    assert guide[HOUSEHOLDS][1] == "Không"


@pytest.fixture
def importable(assignment, unit, binh_an, village, road):
    """A row of the import for the fixtures' unit, commune, village and type."""
    return lambda **cells: sheet_row(activity_values(unit, binh_an, village, road, **cells))


def test_an_import_stores_the_households_and_an_empty_cell_is_zero(importable, admin_user):
    data = template_file(
        importable(**{HOUSEHOLDS: "4"}),
        importable(**{HOUSEHOLDS: None, "Ngày": "23/06/2024"}),
    )
    report = import_file(data, user=admin_user)
    assert report.ok, describe_problems(report)
    stored = dict(Activity.objects.values_list("date", "households_helped"))
    assert stored == {datetime.date(2024, 6, 16): 4, datetime.date(2024, 6, 23): 0}


def test_a_file_made_before_the_households_column_still_imports(importable, admin_user):
    kept = [c.header != HOUSEHOLDS for c in ActivityImport.columns]
    titles = [c.title for c, keep in zip(ActivityImport.columns, kept, strict=True) if keep]
    row = [cell for cell, keep in zip(importable(), kept, strict=True) if keep]
    report = import_file(xlsx(titles, row), user=admin_user)
    assert report.ok, describe_problems(report)
    assert Activity.objects.get().households_helped == 0


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("-2", "“-2”: không được là số âm."),
        ("1,5", "“1,5” không phải là số nguyên: cần một số không có phần thập phân."),
        ("501", "“501” lớn hơn giá trị lớn nhất cho phép (500)."),
    ],
)
def test_households_that_cannot_be_are_a_row_error_and_nothing_is_written(
    importable, admin_user, cell, message
):
    report = import_file(template_file(importable(**{HOUSEHOLDS: cell})), user=admin_user)
    (problem,) = describe_problems(report)
    assert problem.startswith(f"Dòng 2, cột “{HOUSEHOLDS}”: {message}")
    assert not Activity.objects.exists()
    assert not ActivityMonthStat.objects.exclude(activities=0).exists()

"""Builders shared by the tests: accounts, activities, housing cases, the forms and files a
person sends, and the few readers of what was stored. One home, so that a test elsewhere
imports them from here rather than from another test module."""

from __future__ import annotations

import csv
import datetime
import io

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import Workbook

from activities import roles
from activities.imports.engine import ImportReport, file_digest, import_rows
from activities.imports.registry import kinds
from activities.imports.sheets import read_sheet
from activities.models import (
    Account,
    Activity,
    ActivityType,
    Assignment,
    Commune,
    PartyUnit,
    Village,
)
from housing.models import Funding, HousingCase, Programme

PASSWORD = "mat-khau-thu"
# The days the `today` fixture (tests/conftest.py) fixes: the product's present, its default;
# and a day of the history the demo covers.
PRESENT = datetime.date(2026, 12, 1)
HISTORY = datetime.date(2024, 6, 15)
# The usual day of an outing in the tests: a Saturday.
SATURDAY = datetime.date(2024, 6, 15)
assert SATURDAY.weekday() == 5


# --- Accounts and clients -------------------------------------------------------------------


def make_user(username: str, group: str | None = None, **extra):
    """An account with the tests' password, in `group` (a role's group name) if given."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def logged_in(user, **options) -> Client:
    """A browser of its own (a second person, or one that keeps server errors as pages)."""
    client = Client(**options)
    client.force_login(user)
    return client


# --- Records --------------------------------------------------------------------------------


def make_activity(
    unit: PartyUnit,
    commune: Commune,
    day: datetime.date = SATURDAY,
    *,
    villages=(),
    **fields,
) -> Activity:
    """A road work of `unit` in `commune` (12 cadres, 30 people unless told), straight into
    the database: no form, no rule."""
    values = {
        "unit": unit,
        "commune": commune,
        "date": day,
        "activity_type": fields.pop("activity_type", None)
        or ActivityType.objects.get(code="duong-thon-ban"),
        "cadre_participations": 12,
        "people_participations": 30,
    }
    activity = Activity.objects.create(**(values | fields))
    if villages:
        activity.villages.set(villages)
    return activity


def make_case(village: Village, programme: Programme, **overrides) -> HousingCase:
    """Bà Ma Thị Sinh's case, surveyed on 15/01/2024, 25.000.000 đồng of support."""
    values = {
        "household_head": "Ma Thị Sinh",
        "village": village,
        "programme": programme,
        "support_amount": 25_000_000,
        "surveyed_on": datetime.date(2024, 1, 15),
    }
    return HousingCase.objects.create(**(values | overrides))


def refused(create, **kwargs) -> bool:
    """True when the database itself (not a form) rejects the row `create(**kwargs)` makes."""
    try:
        with transaction.atomic():
            create(**kwargs)
    except IntegrityError:
        return True
    return False


def stored(instance: models.Model, *fields: str) -> tuple:
    """What the database holds now for these fields of `instance` (the instance untouched)."""
    return type(instance).objects.filter(pk=instance.pk).values_list(*fields).get()


# --- Pages ----------------------------------------------------------------------------------


EDIT_VIEWS = {Activity: "activities:activity_update", HousingCase: "housing:case_update"}


def edit_url(instance: Activity | HousingCase) -> str:
    """The staff page that edits `instance`."""
    return reverse(EDIT_VIEWS[type(instance)], args=[instance.pk])


def admin_url(instance: models.Model, view: str = "change") -> str:
    """The Django admin's change (or delete, history) page of `instance`."""
    opts = instance._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[instance.pk])


def month_url(unit: PartyUnit, year: int = 2024, month: int = 6) -> str:
    """The unit's month page (June 2024 unless told)."""
    return reverse("activities:month", args=[unit.pk, year, month])


def activity_form_data(commune: Commune, activity_type, villages, **overrides) -> dict:
    """What the staff activity form posts: 12 cadres and 30 people on 15/06/2024."""
    values = {
        "date": "15/06/2024",
        "commune": commune.pk,
        "villages": [v.pk for v in villages],
        "activity_type": activity_type.pk,
        "cadre_participations": "12",
        "people_participations": "30",
        "workdays": "42,5",
        "output_quantity": "",
        "output_unit": "",
        "money_contributed": "1.500.000",
        "money_mobilised": "",
        "description": "Đổ bê tông đường thôn",
    }
    return values | overrides


def _bound_form_data(form: forms.BaseForm) -> dict:
    data: dict = {}
    for bound in form:
        field, widget = bound.field, bound.field.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        value = bound.value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
            continue
        if value is None:
            data[bound.html_name] = ""
            continue
        shown = widget.format_value(field.prepare_value(value))
        if isinstance(widget, forms.SelectMultiple | forms.CheckboxSelectMultiple):
            data[bound.html_name] = [str(v) for v in shown]
        elif isinstance(shown, list):
            data[bound.html_name] = shown[0] if shown else ""
        else:
            data[bound.html_name] = "" if shown is None else shown
    return data


def with_version(data: dict, version: str | None) -> dict:
    """The posted `data` with its record version replaced, or left out when None."""
    changed = {key: value for key, value in data.items() if key != "version"}
    if version is not None:
        changed["version"] = version
    return changed


def change_form_data(response) -> dict:
    """What the admin change form of `response` (a GET) posts when saved unchanged: its
    fields, hidden ones included, and its inlines with their management forms."""
    data = _bound_form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _bound_form_data(formset.management_form)
        for form in formset.forms:
            data |= _bound_form_data(form)
    return data


# --- Spreadsheets and imports ---------------------------------------------------------------


def upload(content: bytes, name: str) -> io.BytesIO:
    """A file as a form posts it: its bytes and its name."""
    file = io.BytesIO(content)
    file.name = name
    return file


def admin_import_preview(client: Client, admin_name: str, content: bytes, name: str):
    """The admin's import page given a file (`admin_name` as in its URLs, e.g.
    "activities_village"): the preview, nothing written yet."""
    return client.post(
        reverse(f"admin:{admin_name}_import"),
        {"format": "0", "import_file": upload(content, name), "resource": "0"},
    )


def admin_import_confirm(client: Client, admin_name: str, preview):
    """The preview's confirmation button: the import itself."""
    return client.post(
        reverse(f"admin:{admin_name}_process_import"),
        {**preview.context["confirm_form"].initial, "format": "0", "resource": "0"},
    )


def sheet_row(values: dict, kind: str = "hoat-dong") -> list:
    """A row in the order of `kind`'s columns, from {header: value}; other cells empty."""
    return [values.get(column.header) for column in kinds()[kind].columns]


def xlsx(*rows) -> bytes:
    """A one-sheet .xlsx of these rows, nothing else."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_file(*rows) -> bytes:
    """A UTF-8 CSV of these rows."""
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8")


def template_file(*rows, kind: str = "hoat-dong") -> bytes:
    """An .xlsx laid out as the download template: `kind`'s column titles, then the rows."""
    return xlsx([column.title for column in kinds()[kind].columns], *rows)


ACTIVITY_TITLES = [column.title for column in kinds()["hoat-dong"].columns]


def office_workbook(rows, *, headers=ACTIVITY_TITLES, title=True, total=True) -> bytes:
    """A file the way a district office makes one: title rows, merged cells, a total."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["BÁO CÁO HOẠT ĐỘNG “3 CÙNG” NĂM 2023"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        sheet.append(["Đơn vị: Huyện ủy Lâm Bình"])
        sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if total:
        sheet.append(["Tổng cộng", None, None, None, None, None, None, 999])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def activity_values(unit, commune, village, activity_type, **overrides) -> dict:
    """An activity import row of 16/06/2024 naming the fixtures' records by their codes."""
    values = {
        "Ngày": "16/06/2024",
        "Đơn vị": unit.code,
        "Xã, thị trấn": commune.code,
        "Thôn, bản": village.name,
        "Loại hoạt động": activity_type.name,
        "Lượt cán bộ, đảng viên": 9,
    }
    return values | overrides


def activity_row(**overrides) -> list:
    """A row of an office's activity file, for the demo data (its unit's long name)."""
    values = {
        "Mã dòng": None,
        "Ngày": "16/09/2023",
        "Đơn vị": "ĐB cơ quan chính quyền",
        "Xã, thị trấn": "Bình An",
        "Thôn, bản": "Nà Cóoc",
        "Loại hoạt động": "Làm đường bê tông thôn, bản",
        "Nội dung": "Đổ bê tông đường thôn",
        "Lượt cán bộ, đảng viên": 12,
        "Lượt nhân dân": "35",
        "Ngày công": "47,5",
        "Khối lượng": None,
        "Đơn vị tính": None,
        "Số hộ được giúp đỡ": None,
        "Tiền đóng góp (đồng)": "1.500.000",
        "Tiền vận động (đồng)": "5 triệu",
    }
    # The demo has this very outing (16/09/2023, Bình An, same type): the rows say they are
    # other ones, as "Vẫn lưu" on the form (tests/activities/test_rules.py leaves it blank).
    values.setdefault("Vẫn nhập", "x")
    values.update(overrides)
    return [values[c.header] for c in kinds()["hoat-dong"].columns]


def import_file(
    data: bytes,
    *,
    kind: str = "hoat-dong",
    user=None,
    name: str = "hoat-dong.xlsx",
    dry_run: bool = False,
) -> ImportReport:
    """Read `data` as the import page does and import it as `kind`: the engine's report."""
    chosen = kinds()[kind]()
    sheet = read_sheet(
        data,
        filename=name,
        expected_headers=chosen.headers(),
        required_headers=chosen.required_headers(),
    )
    return import_rows(
        kind=chosen,
        sheet=sheet,
        user=user,
        file_name=name,
        file_hash=file_digest(data),
        dry_run=dry_run,
    )


# --- The site's URLs ------------------------------------------------------------------------


def all_url_names() -> set[str]:
    """Every named URL of the project; the admin counts as one (its index)."""
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    names.add("admin:index")
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"unnamed URL pattern {pattern.pattern}"
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return names


def url_args(
    name: str,
    *,
    unit: PartyUnit,
    month: tuple[int, int],
    activity: Activity,
    case: HousingCase,
    funding: Funding,
) -> list:
    """The arguments `reverse(name)` needs, for the URLs that take some (the permission and
    scope matrices walk every URL: a new one with arguments is added here once)."""
    year, number = month
    return {
        "dashboard_export": ["xa"],
        "activities:month": [unit.pk, year, number],
        "activities:month_submit": [unit.pk, year, number],
        "activities:month_reopen": [unit.pk, year, number],
        "activities:activity_create": [unit.pk],
        "activities:activity_detail": [activity.pk],
        "activities:activity_update": [activity.pk],
        "activities:activity_delete": [activity.pk],
        "housing:case_detail": [case.pk],
        "housing:case_update": [case.pk],
        "housing:case_advance": [case.pk],
        "housing:case_step_back": [case.pk],
        "housing:funding_add": [case.pk],
        "housing:funding_delete": [case.pk, funding.pk],
        "housing:case_activities": [case.pk],
    }.get(name, [])


# --- A province after the merger ---------------------------------------------------------

MERGER = datetime.date(2025, 7, 1)
BEFORE_MERGER = datetime.date(2025, 6, 30)


def _new_commune(name: str) -> Commune:
    return Commune.objects.get(name=name, valid_from=MERGER)


def _old_commune(name: str) -> Commune:
    return Commune.objects.get(name=name, valid_from__isnull=True)


def _organisation(code, name, kind, *, parent=None, commune=None, valid_from=None, valid_to=None):
    return PartyUnit.objects.create(
        code=code,
        name=name,
        short_name=name,
        kind=kind,
        parent=parent,
        commune=commune,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _account(username: str, group: str, organisation: PartyUnit, **extra):
    user = make_user(username, group, **extra)
    Account.objects.create(user=user, organisation=organisation)
    return user


def make_province_world() -> dict:
    """The province's bodies, two communes' party committees, a provincial body paired with
    the new Bình An, and two former district units; one activity each (A1–A6) and a housing
    case in the old Bình An and one in Khuôn Hà. Lâm Bình's communes must be loaded (the
    `communes` fixture)."""
    K = PartyUnit.Kind
    tinh_uy = _organisation("tinh-uy", "Tỉnh ủy Tuyên Quang", K.TINH_UY)
    ban = _organisation("ban-tgdv", "Ban Tuyên giáo và Dân vận Tỉnh ủy", K.BAN, parent=tinh_uy)
    binh_an = _new_commune("Bình An")
    thuong_lam = _new_commune("Thượng Lâm")
    dux_binh_an = _organisation(
        "dux-binh-an",
        "Đảng ủy xã Bình An",
        K.DANG_UY_XA,
        parent=tinh_uy,
        commune=binh_an,
        valid_from=MERGER,
    )
    dux_thuong_lam = _organisation(
        "dux-thuong-lam",
        "Đảng ủy xã Thượng Lâm",
        K.DANG_UY_XA,
        parent=tinh_uy,
        commune=thuong_lam,
        valid_from=MERGER,
    )
    ubnd = _organisation(
        "db-ubnd-tinh", "Đảng bộ Ủy ban nhân dân tỉnh", K.DANG_BO_TINH, parent=tinh_uy
    )
    Assignment.objects.create(unit=ubnd, commune=binh_an, start=MERGER)
    huyen_uy = _organisation(
        "huyen-uy-lam-binh", "Huyện ủy Lâm Bình", K.HUYEN_UY, valid_to=BEFORE_MERGER
    )
    former_a = _organisation(
        "db-chinh-quyen", "Đảng bộ cơ quan chính quyền huyện", K.DANG_BO, parent=huyen_uy,
        valid_to=BEFORE_MERGER,
    )  # fmt: skip
    former_b = _organisation(
        "db-quan-su", "Đảng bộ Quân sự huyện", K.DANG_BO, parent=huyen_uy, valid_to=BEFORE_MERGER
    )
    old_ba, old_tb, old_kh = (
        _old_commune("Bình An"),
        _old_commune("Thổ Bình"),
        _old_commune("Khuôn Hà"),
    )
    for unit, commune in ((former_a, old_ba), (former_a, old_tb), (former_b, old_kh)):
        Assignment.objects.create(
            unit=unit, commune=commune, start=datetime.date(2021, 9, 10), end=BEFORE_MERGER
        )
    na_cooc = Village.objects.create(commune=old_ba, name="Nà Cóoc")
    tb_village = Village.objects.create(commune=old_tb, name="Số 1")
    kh_village = Village.objects.create(commune=old_kh, name="Nà Thom")
    tl_village = Village.objects.create(commune=_old_commune("Thượng Lâm"), name="Nà Liềm")
    saturday_2024, saturday_2026 = datetime.date(2024, 6, 15), datetime.date(2026, 11, 14)
    activities = {
        "A1": make_activity(former_a, old_ba, saturday_2024, villages=[na_cooc]),
        "A2": make_activity(former_a, old_tb, saturday_2024, villages=[tb_village]),
        "A3": make_activity(dux_binh_an, binh_an, saturday_2026, villages=[na_cooc]),
        "A4": make_activity(ubnd, binh_an, saturday_2026, villages=[tb_village]),
        "A5": make_activity(dux_thuong_lam, thuong_lam, saturday_2026, villages=[tl_village]),
        "A6": make_activity(former_b, old_kh, saturday_2024, villages=[kh_village]),
    }
    programme = Programme.objects.get(code="de-an-tinh-2021-2025")
    case_in = HousingCase.objects.create(
        household_head="Ma Thị Sinh", village=na_cooc, programme=programme
    )
    case_out = HousingCase.objects.create(
        household_head="Hà Văn Tài", village=kh_village, programme=programme
    )
    funding_in = Funding.objects.create(case=case_in, source="tinh", year=2024, amount=25_000_000)
    funding_out = Funding.objects.create(case=case_out, source="tinh", year=2024, amount=25_000_000)
    staff = make_user("binhan_nhaplieu", roles.STAFF)
    dux_binh_an.staff.add(staff)
    Account.objects.create(user=staff, organisation=dux_binh_an)
    users = {
        "tinh": _account("lanhdao_tinh", roles.OFFICIALS, ban),
        "xa": _account("binhan_lanhdao", roles.OFFICIALS, dux_binh_an),
        "xa_khac": _account("thuonglam_lanhdao", roles.OFFICIALS, dux_thuong_lam),
        "co_quan": _account("ubnd_lanhdao", roles.OFFICIALS, ubnd),
        "quantri_xa": _account("binhan_quantri", roles.ADMINS, dux_binh_an, is_staff=True),
        "quantri_tinh": _account("quantri_tinh", roles.ADMINS, ban, is_staff=True),
        "nhaplieu_xa": staff,
    }
    return {
        "users": users,
        "activities": activities,
        "units": {
            "dux_binh_an": dux_binh_an,
            "dux_thuong_lam": dux_thuong_lam,
            "ubnd": ubnd,
            "former_a": former_a,
            "former_b": former_b,
        },
        "communes": {"binh_an": binh_an, "thuong_lam": thuong_lam, "old_kh": old_kh},
        "cases": {"in": case_in, "out": case_out},
        "funding": {"in": funding_in, "out": funding_out},
    }

"""Organisations, not only units: the tree, validity, a Đảng ủy xã working in its own commune
without an assignment, and migration 0014 grouping the district's units under the Huyện ủy.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import QueryDict
from django.urls import reverse

from activities import roles, rules, selectors, stats
from activities.models import Activity, ActivityType, Assignment, Commune, PartyUnit, Village
from lamb_binh.dashboard.reports import Scope, rule_matrix
from tests.factories import (
    activity_form_data,
    csv_file,
    import_file,
    make_activity,
    make_user,
    refused,
)

DISTRICT_END = datetime.date(2025, 6, 30)
MERGER = datetime.date(2025, 7, 1)
# A Saturday of November 2026, before the tests' today (01/12/2026).
WEEKEND_2026 = datetime.date(2026, 11, 14)
assert WEEKEND_2026.weekday() == 5


# --- The tree and its validity ------------------------------------------------------------


@pytest.fixture
def new_binh_an(db) -> Commune:
    """The commune formed on 01/07/2025 from Bình An and Thổ Bình, carrying Thổ Bình's code."""
    return Commune.objects.create(
        code="02296", name="Bình An", province="Tuyên Quang", valid_from=MERGER
    )


@pytest.fixture
def new_thuong_lam(db) -> Commune:
    return Commune.objects.create(
        code="02269", name="Thượng Lâm", province="Tuyên Quang", valid_from=MERGER
    )


@pytest.fixture
def tree(new_binh_an) -> dict[str, PartyUnit]:
    """Tỉnh ủy → Ban Tuyên giáo và Dân vận, Đảng ủy xã Bình An → Chi bộ thôn Nà Cóoc."""
    tinh_uy = PartyUnit.objects.create(
        code="tinh-uy", name="Tỉnh ủy Tuyên Quang", short_name="Tỉnh ủy", kind="tinh_uy"
    )
    ban = PartyUnit.objects.create(
        code="ban-tgdv",
        name="Ban Tuyên giáo và Dân vận Tỉnh ủy",
        short_name="Ban TGDV",
        kind="ban",
        parent=tinh_uy,
        valid_from=MERGER,
    )
    dang_uy = PartyUnit.objects.create(
        code="dang-uy-binh-an",
        name="Đảng ủy xã Bình An",
        short_name="ĐU Bình An",
        kind="dang_uy_xa",
        parent=tinh_uy,
        commune=new_binh_an,
        valid_from=MERGER,
    )
    chi_bo = PartyUnit.objects.create(
        code="cb-na-cooc",
        name="Chi bộ thôn Nà Cóoc",
        short_name="CB Nà Cóoc",
        kind="chi_bo",
        parent=dang_uy,
        commune=new_binh_an,
        valid_from=MERGER,
    )
    return {"tinh_uy": tinh_uy, "ban": ban, "dang_uy": dang_uy, "chi_bo": chi_bo}


def test_the_subtree_is_everything_under_an_organisation_one_query_a_level(
    tree, django_assert_num_queries
):
    tinh_uy = tree["tinh_uy"]
    # Three levels under the Tỉnh ủy: its two children, one grandchild, then none.
    with django_assert_num_queries(3):
        found = tinh_uy.subtree()
    assert {u.code for u in found} == {"tinh-uy", "ban-tgdv", "dang-uy-binh-an", "cb-na-cooc"}
    assert found[0] == tinh_uy
    assert [u.code for u in tree["dang_uy"].descendants()] == ["cb-na-cooc"]
    assert tree["chi_bo"].descendants() == []
    assert list(tinh_uy.children.order_by("code")) == [tree["ban"], tree["dang_uy"]]


def test_validity_of_organisations(tree):
    former = PartyUnit.objects.create(
        code="cb-vp-huyen-uy",
        name="Chi bộ Văn phòng Huyện ủy",
        short_name="CB VP HU",
        valid_to=DISTRICT_END,
    )
    on_last_district_day = set(PartyUnit.objects.valid_on(DISTRICT_END))
    on_merger_day = set(PartyUnit.objects.valid_on(MERGER))
    assert former in on_last_district_day and former not in on_merger_day
    assert tree["dang_uy"] in on_merger_day and tree["dang_uy"] not in on_last_district_day
    # The Tỉnh ủy has no dates: valid on both days.
    assert tree["tinh_uy"] in on_last_district_day and tree["tinh_uy"] in on_merger_day


def test_the_database_refuses_an_end_before_the_start_and_a_loop(db):
    assert refused(
        PartyUnit.objects.create,
        code="x",
        name="Chi bộ X",
        short_name="X",
        valid_from=MERGER,
        valid_to=DISTRICT_END,
    )
    unit = PartyUnit.objects.create(code="y", name="Chi bộ Y", short_name="Y")
    unit.parent = unit
    assert refused(unit.save)


def test_own_commune_counts_only_while_both_are_valid(tree, new_binh_an):
    dang_uy = tree["dang_uy"]
    assert dang_uy.in_own_commune_on(WEEKEND_2026)
    assert not dang_uy.in_own_commune_on(DISTRICT_END)
    # A month that starts before the Đảng ủy xã and ends after: one common day is enough.
    assert dang_uy.in_own_commune_during(datetime.date(2025, 6, 1), MERGER)
    # The commune ends (a later merger): so does the organisation's work there.
    new_binh_an.valid_to = datetime.date(2026, 10, 31)
    new_binh_an.save()
    dang_uy.refresh_from_db()
    assert not dang_uy.in_own_commune_on(WEEKEND_2026)
    assert not PartyUnit.objects.in_own_commune_on(WEEKEND_2026).filter(pk=dang_uy.pk).exists()
    # The Ban has no commune of its own: only assignments give it one.
    assert not tree["ban"].in_own_commune_on(WEEKEND_2026)


# --- A Đảng ủy xã records in its own commune without an assignment ---------------------------


@pytest.fixture
def dang_uy_staff(tree):
    user = make_user("canbo_binh_an", roles.STAFF)
    tree["dang_uy"].staff.add(user)
    return user


@pytest.fixture
def na_cooc(new_binh_an) -> Village:
    return Village.objects.create(commune=new_binh_an, name="Nà Cóoc")


@pytest.fixture
def road(db) -> ActivityType:
    return ActivityType.objects.get(code="duong-thon-ban")


def add_activity(client, unit: PartyUnit, commune: Commune, villages, road, day: str):
    return client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(commune, road, villages, date=day),
    )


@pytest.mark.usefixtures("today")
def test_a_dang_uy_xa_records_in_its_commune_on_a_2026_weekend_without_an_assignment(
    client, tree, dang_uy_staff, new_binh_an, na_cooc, road
):
    dang_uy = tree["dang_uy"]
    assert not Assignment.objects.filter(unit=dang_uy).exists()
    client.force_login(dang_uy_staff)
    response = add_activity(client, dang_uy, new_binh_an, [na_cooc], road, "14/11/2026")
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.unit, activity.commune, activity.date) == (
        dang_uy,
        new_binh_an,
        WEEKEND_2026,
    )
    assert activity.workdays == Decimal("42.5")
    # The month counts for the monthly rule: a weekend activity in a commune in its charge.
    summary = selectors.month_summary(dang_uy, 2026, 11)
    assert summary.rule_met
    editable = PartyUnit.objects.filter(staff=dang_uy_staff)
    assert selectors.month_write_state(editable=editable, unit=dang_uy, year=2026, month=11) == (
        True,
        True,
    )


@pytest.mark.usefixtures("today")
def test_a_dang_uy_xa_cannot_record_in_another_commune(
    client, tree, dang_uy_staff, new_binh_an, new_thuong_lam, road
):
    dang_uy = tree["dang_uy"]
    other_village = Village.objects.create(commune=new_thuong_lam, name="Nà Thác")
    client.force_login(dang_uy_staff)
    response = add_activity(client, dang_uy, new_thuong_lam, [other_village], road, "14/11/2026")
    assert response.status_code == 200
    assert not Activity.objects.exists()
    # The form offers only its own commune, and the rule says why another is refused.
    assert list(selectors.unit_communes(dang_uy)) == [new_binh_an]
    expected = "Đơn vị không được phân công phụ trách xã Thượng Lâm vào ngày 14/11/2026."
    for assignments in (rules.QueriedAssignments(), rules.LoadedAssignments()):
        errors = rules.activity_rules_check(
            unit=dang_uy,
            day=WEEKEND_2026,
            commune=new_thuong_lam,
            villages=[other_village],
            figures={},
            output_quantity=None,
            output_unit="",
            today=datetime.date(2026, 12, 1),
            assignments=assignments,
        )
        assert errors == {"commune": [expected]}


@pytest.mark.usefixtures("today")
def test_a_dang_uy_xa_cannot_record_before_it_exists(
    client, tree, dang_uy_staff, new_binh_an, na_cooc, road
):
    client.force_login(dang_uy_staff)
    # 28/06/2025, a Saturday of the district's last days: neither it nor its commune existed.
    response = add_activity(client, tree["dang_uy"], new_binh_an, [na_cooc], road, "28/06/2025")
    assert response.status_code == 200
    assert "trước ngày đơn vị được phân công (01/07/2025)" in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.usefixtures("today")
def test_the_rule_matrix_counts_a_dang_uy_xa_month_as_assigned(tree, new_binh_an, na_cooc):
    dang_uy = tree["dang_uy"]
    make_activity(dang_uy, new_binh_an, WEEKEND_2026, villages=[na_cooc])
    matrix = rule_matrix(Scope(QueryDict("ky=nam&nam=2025"), today=datetime.date(2026, 12, 1)))
    cells = {unit.pk: cells for unit, cells in matrix.rows}[dang_uy.pk]
    # 2025: not its commune's until July (the months before are "not assigned").
    assert [c.state for c in cells] == ["not_assigned"] * 6 + ["not_reported"] * 6
    matrix = rule_matrix(Scope(QueryDict("ky=nam&nam=2026"), today=datetime.date(2026, 12, 1)))
    states = [c.state for c in {u.pk: c for u, c in matrix.rows}[dang_uy.pk]]
    assert states == ["not_reported"] * 10 + ["met", "not_reported"]


# --- The unit import's optional columns ------------------------------------------------------


def test_the_unit_import_reads_the_tree_columns(tree, new_binh_an):
    data = csv_file(
        ["Mã", "Tên", "Tên viết tắt", "Loại", "Mã cấp trên", "Hiệu lực từ", "Hiệu lực đến", "Xã"],
        [
            "cb-khuoi-cung",
            "Chi bộ thôn Khuổi Củng",
            "CB Khuổi Củng",
            "Chi bộ",
            "dang-uy-binh-an",
            "01/07/2025",
            "",
            "02296",
        ],
    )
    report = import_file(data, kind="don-vi", name="don-vi.csv")
    assert report.ok, [row.problems for row in report.rows]
    stored = PartyUnit.objects.get(code="cb-khuoi-cung")
    assert (stored.kind, stored.parent, stored.valid_from, stored.valid_to, stored.commune) == (
        "chi_bo",
        tree["dang_uy"],
        MERGER,
        None,
        new_binh_an,
    )


def test_an_old_unit_file_leaves_the_tree_as_it_is(tree):
    """The former template (no tree columns) renames a unit without touching its place."""
    data = csv_file(
        ["Mã", "Tên", "Tên viết tắt", "Loại"],
        ["cb-na-cooc", "Chi bộ thôn Nà Cóoc mới", "CB Nà Cóoc", "Chi bộ"],
    )
    assert import_file(data, kind="don-vi", name="don-vi.csv").ok
    stored = PartyUnit.objects.get(code="cb-na-cooc")
    assert stored.name == "Chi bộ thôn Nà Cóoc mới"
    assert (stored.parent, stored.valid_from, stored.commune_id) == (
        tree["dang_uy"],
        MERGER,
        tree["dang_uy"].commune_id,
    )


def test_the_unit_import_refuses_an_unknown_parent(db):
    data = csv_file(
        ["Mã", "Tên", "Tên viết tắt", "Mã cấp trên"],
        ["cb-moi", "Chi bộ mới", "CB mới", "khong-co"],
    )
    report = import_file(data, kind="don-vi", name="don-vi.csv")
    assert not report.ok
    assert not PartyUnit.objects.filter(code="cb-moi").exists()


# --- Migration 0014 --------------------------------------------------------------------------


def migrate_to(*targets: tuple[str, str]):
    """Migrate the test database to `targets` (the triggers stand aside, as with
    `migrate`); returns the historical models there."""
    stats.drop_triggers(connection)
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))
    stats.install_triggers(connection)
    stats.rebuild(connection)
    return executor.loader.project_state(list(targets)).apps


# Serialized rollback: the database is given back as migrations left it, for the next test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_groups_the_district_units_under_the_huyen_uy():
    before = ("activities", "0013_village_communes")
    after = ("activities", "0014_organisations")
    old = migrate_to(before)
    try:
        unit_model = old.get_model("activities", "PartyUnit")
        units = [
            unit_model.objects.create(code=code, name=name, short_name=code)
            for code, name in [
                ("cb-vp-huyen-uy", "Chi bộ Văn phòng Huyện ủy"),
                ("db-quan-su", "Đảng bộ Quân sự huyện"),
            ]
        ]
        commune = old.get_model("activities", "Commune").objects.create(
            code="02290", name="Bình An", province="Tuyên Quang"
        )
        kind = old.get_model("activities", "ActivityType").objects.create(
            code="thu-nghiem", name="Thử nghiệm 0014"
        )
        activity = old.get_model("activities", "Activity").objects.create(
            unit=units[0],
            commune=commune,
            activity_type=kind,
            date=datetime.date(2024, 6, 15),
            cadre_participations=12,
            people_participations=30,
        )
        new = migrate_to(after)
        unit_model = new.get_model("activities", "PartyUnit")
        huyen_uy = unit_model.objects.get(name="Huyện ủy Lâm Bình")
        assert (huyen_uy.kind, huyen_uy.valid_to, huyen_uy.parent_id) == (
            "huyen_uy",
            DISTRICT_END,
            None,
        )
        # The Huyện ủy itself records nothing: kept off the lists.
        assert not huyen_uy.is_active
        children = unit_model.objects.filter(parent=huyen_uy).order_by("pk")
        assert [(u.pk, u.code, u.valid_to, u.is_active) for u in children] == [
            (units[0].pk, "cb-vp-huyen-uy", DISTRICT_END, True),
            (units[1].pk, "db-quan-su", DISTRICT_END, True),
        ]
        stored = new.get_model("activities", "Activity").objects.get(pk=activity.pk)
        assert (stored.unit_id, stored.cadre_participations, stored.people_participations) == (
            units[0].pk,
            12,
            30,
        )
    finally:
        # Back to the latest schema (later migrations too), for the tests after this one.
        migrate_to(*MigrationExecutor(connection).loader.graph.leaf_nodes())

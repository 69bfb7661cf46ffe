"""Villages across the 2025 merger: one record for a village's whole life, its commune over
time (the former commune until 30/06/2025, the one it merged into from 01/07/2025)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from activities import selectors
from activities.imports.engine import describe_problems, import_undo
from activities.imports.matching import MatchError, VillageMatcher
from activities.imports.registry import kinds
from activities.models import Activity, Assignment, Commune, Village, VillageCommune
from activities.periods import MERGER_DATE
from activities.services import village_communes_follow_merger
from lamb_binh.dashboard.reports import Scope, commune_rows, headline
from tests.factories import (
    PRESENT,
    activity_form_data,
    activity_values,
    import_file,
    make_activity,
    xlsx,
)

pytestmark = pytest.mark.django_db

LAST_DAY_BEFORE = datetime.date(2025, 6, 30)
WEEKEND_2026 = datetime.date(2026, 11, 14)  # a Saturday, before PRESENT (01/12/2026)


@pytest.fixture
def new_binh_an(communes) -> Commune:
    """The new xã Bình An: code 02296 (Thổ Bình's before) from 01/07/2025."""
    return Commune.objects.get(code="02296", valid_from=MERGER_DATE)


@pytest.fixture
def after_merger(unit, new_binh_an) -> Assignment:
    """The unit is put in charge of the new Bình An from 01/07/2025."""
    return Assignment.objects.create(unit=unit, commune=new_binh_an, start=MERGER_DATE)


def periods(village: Village) -> list[tuple]:
    return [
        (m.commune_id, m.valid_from, m.valid_to)
        for m in VillageCommune.objects.filter(village=village)  # in order, no start first
    ]


def carried_over(binh_an, new_binh_an) -> list[tuple]:
    """Old Bình An until 30/06/2025 (it has no start), the new one from 01/07/2025."""
    return [(binh_an.pk, None, LAST_DAY_BEFORE), (new_binh_an.pk, MERGER_DATE, None)]


# --- Memberships ---------------------------------------------------------------------------


def test_a_new_village_follows_its_commune_into_the_merger(village, binh_an, new_binh_an):
    assert periods(village) == carried_over(binh_an, new_binh_an)
    assert village.commune_on(LAST_DAY_BEFORE) == binh_an
    assert village.commune_on(MERGER_DATE) == new_binh_an


def test_the_service_gives_villages_written_in_bulk_their_communes(village, binh_an, new_binh_an):
    VillageCommune.objects.filter(village=village).delete()
    assert village_communes_follow_merger() == 2
    assert periods(village) == carried_over(binh_an, new_binh_an)
    assert village_communes_follow_merger() == 0  # a village that has them is left alone


def test_the_migration_step_gives_recorded_villages_their_communes(
    village, binh_an, new_binh_an, communes
):
    khuon_ha = communes["02251"]
    other = Village.objects.create(commune=khuon_ha, name="Nà Thom")
    VillageCommune.objects.all().delete()
    migration = importlib.import_module("activities.migrations.0013_village_communes")
    migration.give_villages_their_communes(apps, None)
    assert periods(village) == carried_over(binh_an, new_binh_an)
    thuong_lam = Commune.objects.get(name="Thượng Lâm", valid_from=MERGER_DATE)
    assert periods(other) == [
        (khuon_ha.pk, None, LAST_DAY_BEFORE),
        (thuong_lam.pk, MERGER_DATE, None),
    ]


def test_overlapping_periods_of_a_village_are_refused(village, communes):
    clash = VillageCommune(
        village=village, commune=communes["02296"], valid_from=datetime.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError, match="trùng với thời kỳ thôn thuộc xã Bình An"):
        clash.full_clean()


def test_the_villages_of_a_commune_on_a_day(village, binh_an, new_binh_an):
    assert list(Village.objects.of_commune_on(binh_an, LAST_DAY_BEFORE)) == [village]
    assert not Village.objects.of_commune_on(binh_an, MERGER_DATE).exists()
    assert list(Village.objects.of_commune_on(new_binh_an, MERGER_DATE)) == [village]
    assert list(
        Village.objects.in_commune_during(new_binh_an, datetime.date(2025, 1, 1), MERGER_DATE)
    ) == [village]


# --- The form and the import -----------------------------------------------------------------


def post_activity(client, staff, unit, commune, road, villages, day: datetime.date):
    client.force_login(staff)
    return client.post(
        reverse("activities:activity_create", args=[unit.pk]),
        activity_form_data(commune, road, villages, date=f"{day:%d/%m/%Y}"),
    )


def test_a_post_merger_activity_in_a_carried_over_village_saves_through_the_form(
    client, staff_a, unit, new_binh_an, road, village, after_merger
):
    response = post_activity(client, staff_a, unit, new_binh_an, road, [village], WEEKEND_2026)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.commune, activity.date) == (new_binh_an, WEEKEND_2026)
    assert list(activity.villages.all()) == [village]


def test_the_form_offers_a_carried_over_village_under_the_new_commune(
    client, staff_a, unit, binh_an, new_binh_an, village, after_merger
):
    client.force_login(staff_a)
    page = client.get(reverse("activities:activity_create", args=[unit.pk]))
    # The form opens on the last weekend day before PRESENT: 29/11/2026.
    groups = page.context["form"].villages_by_commune()
    # Offered under both communes, shown under the one it is in on the form's date.
    assert [(c, [(o.village, checked, shown) for o, checked, shown in vs]) for c, vs in groups] == [
        (binh_an, [(village, False, False)]),
        (new_binh_an, [(village, False, True)]),
    ]
    assert offered_on(unit, LAST_DAY_BEFORE) == [(binh_an, [village])]
    assert offered_on(unit, datetime.date(2025, 7, 1)) == [(new_binh_an, [village])]
    html = page.content.decode()
    assert 'data-periods="/2025-06-30" hidden>' in html
    assert 'data-periods="2025-07-01/">' in html


def test_the_form_tells_apart_villages_that_share_a_name_in_the_new_commune(
    client, staff_a, unit, communes, new_binh_an, after_merger
):
    old_binh_an, tho_binh = communes["02290"], communes["02296"]
    for commune, name in [
        (old_binh_an, "Số 1"),
        (tho_binh, "Số 1"),
        (old_binh_an, "Số 10"),
        (tho_binh, "Số 2"),
        (old_binh_an, "Nà Cóoc"),
    ]:
        Village.objects.create(commune=commune, name=name)
    client.force_login(staff_a)
    page = client.get(reverse("activities:activity_create", args=[unit.pk]))
    groups = dict(page.context["form"].villages_by_commune())
    labels = [offered.label for offered, _, shown in groups[new_binh_an] if shown]
    # The two "Số 1" carry the commune each was recorded in; numbers in their order.
    assert labels == [
        "Thôn Nà Cóoc",
        "Thôn Số 1 (xã Bình An)",
        "Thôn Số 1 (xã Thổ Bình)",
        "Thôn Số 2",
        "Thôn Số 10",
    ]
    assert "> Thôn Số 1 (xã Thổ Bình)</label>" in page.content.decode()


def test_a_pre_merger_activity_in_the_old_commune_still_saves(
    client, staff_a, unit, binh_an, road, village, after_merger
):
    day = datetime.date(2024, 6, 15)
    response = post_activity(client, staff_a, unit, binh_an, road, [village], day)
    assert response.status_code == 302
    assert list(Activity.objects.get().villages.all()) == [village]


def test_a_post_merger_activity_in_the_old_commune_is_refused(
    client, staff_a, unit, binh_an, road, village, after_merger
):
    response = post_activity(client, staff_a, unit, binh_an, road, [village], WEEKEND_2026)
    assert response.status_code == 200
    assert response.context["form"].errors["villages"] == [
        "Thôn Nà Cóoc không thuộc xã Bình An vào ngày 14/11/2026."
    ]
    assert not Activity.objects.exists()


def offered_on(unit, day):
    """The villages the form shows on `day`, by commune."""
    groups = [
        (commune, [o.village for o in offered if o.on(day)])
        for commune, offered in selectors.unit_village_groups(unit)
    ]
    return [(commune, villages) for commune, villages in groups if villages]


def activity_file(values: dict) -> bytes:
    columns = kinds()["hoat-dong"].columns
    return xlsx([c.title for c in columns], [values.get(c.header) for c in columns])


def test_a_post_merger_activity_in_a_carried_over_village_imports(
    unit, new_binh_an, road, village, after_merger
):
    values = activity_values(unit, new_binh_an, village, road, **{"Ngày": "14/11/2026"})
    report = import_file(activity_file(values))
    assert report.ok, describe_problems(report)
    activity = Activity.objects.get()
    assert (activity.commune, activity.date) == (new_binh_an, WEEKEND_2026)
    assert list(activity.villages.all()) == [village]


def test_a_name_shared_by_two_carried_over_villages_is_a_row_error(
    unit, communes, new_binh_an, road, after_merger
):
    Village.objects.create(commune=communes["02290"], name="Số 1")
    Village.objects.create(commune=communes["02296"], name="Số 1")
    values = activity_values(unit, new_binh_an, Village(name="Số 1"), road, Ngày="14/11/2026")
    report = import_file(activity_file(values))
    assert describe_problems(report) == [
        "Dòng 2, cột “Thôn, bản”: Có 2 thôn, bản “Số 1” ở xã Bình An: "
        "Số 1 (xã Bình An), Số 1 (xã Thổ Bình). Ghi xã trước sáp nhập trong ngoặc để phân "
        "biệt, ví dụ “Số 1 (xã Bình An)”."
    ]


def test_a_carried_over_village_written_with_its_former_commune_is_imported(
    unit, communes, new_binh_an, road, after_merger
):
    Village.objects.create(commune=communes["02290"], name="Số 1")
    tho_binh_so_1 = Village.objects.create(commune=communes["02296"], name="Số 1")
    values = activity_values(
        unit, new_binh_an, Village(name="Số 1 (xã Thổ Bình)"), road, Ngày="14/11/2026"
    )
    report = import_file(activity_file(values))
    assert report.ok, describe_problems(report)
    assert list(Activity.objects.get().villages.all()) == [tho_binh_so_1]


# --- A village that ends ---------------------------------------------------------------------


@pytest.fixture
def ended(binh_an) -> Village:
    """A village merged into another one at the end of March 2026."""
    return Village.objects.create(
        commune=binh_an, name="Nà Pục", valid_to=datetime.date(2026, 3, 31)
    )


def test_a_village_that_ended_is_not_offered_after_its_end(
    unit, village, ended, new_binh_an, after_merger
):
    january = datetime.date(2026, 1, 10)
    assert offered_on(unit, january) == [(new_binh_an, [village, ended])]
    assert offered_on(unit, WEEKEND_2026) == [(new_binh_an, [village])]
    assert ended.commune_on(WEEKEND_2026) is None
    matcher = VillageMatcher()
    assert matcher.match("Nà Pục", commune=new_binh_an, on=january) == ended
    with pytest.raises(MatchError):
        matcher.match("Nà Pục", commune=new_binh_an, on=WEEKEND_2026)


def test_a_village_that_ended_is_refused_after_its_end(
    client, staff_a, unit, new_binh_an, road, ended, after_merger
):
    response = post_activity(client, staff_a, unit, new_binh_an, road, [ended], WEEKEND_2026)
    assert response.context["form"].errors["villages"] == [
        "Thôn Nà Pục không thuộc xã Bình An vào ngày 14/11/2026."
    ]


# --- Reports -------------------------------------------------------------------------------


def test_a_village_visited_before_and_after_the_merger_is_reached_once(
    unit, binh_an, new_binh_an, village
):
    make_activity(unit, binh_an, datetime.date(2025, 6, 28), villages=[village])
    make_activity(unit, new_binh_an, datetime.date(2025, 7, 5), villages=[village])
    period = "ky=tuy-chon&tu=01/06/2025&den=31/07/2025"
    scope = Scope(QueryDict(period), today=PRESENT)
    assert headline(scope).villages_reached == 1
    # Each commune's row still counts the village it was reached in.
    reached = {row.key.pk: row.totals.villages for row in commune_rows(scope)}
    assert (reached[binh_an.pk], reached[new_binh_an.pk]) == (1, 1)
    merged = Scope(QueryDict(period + "&gop_xa=1"), today=PRESENT)
    assert headline(merged).villages_reached == 1


# --- The village import --------------------------------------------------------------------


def village_file(rows, *, former: bool) -> bytes:
    titles = [c.title for c in kinds()["thon"].columns if former or c.header != "Xã (cũ)"]
    return xlsx(titles, *rows)


def test_an_old_village_file_without_the_former_commune_still_imports(
    village, binh_an, new_binh_an
):
    rows = [["02290", "Nà Cóoc", "Thôn", "", ""], ["02290", "Khuổi Hóp", "Bản", "", ""]]
    report = import_file(village_file(rows, former=False), kind="thon")
    assert report.ok, describe_problems(report)
    assert (report.count("skip"), report.count("new")) == (1, 1)
    new = Village.objects.get(name="Khuổi Hóp")
    assert new.commune == binh_an
    assert periods(new) == carried_over(binh_an, new_binh_an)


def test_the_former_commune_corrects_where_a_village_went(communes, new_binh_an):
    tho_binh = communes["02296"]
    moved = Village.objects.create(commune=tho_binh, name="Số 1")
    lam_binh = Commune.objects.get(name="Lâm Bình", valid_from=MERGER_DATE)
    rows = [
        [lam_binh.code, "Số 1", "Thôn", "", "", "02296"],
        ["02296", "Khuổi Ni", "Thôn", "", "", "02290"],
    ]
    report = import_file(village_file(rows, former=True), kind="thon")
    assert report.ok, describe_problems(report)
    assert (report.count("update"), report.count("new")) == (1, 1)
    assert periods(moved) == [
        (tho_binh.pk, None, LAST_DAY_BEFORE),
        (lam_binh.pk, MERGER_DATE, None),
    ]
    created = Village.objects.get(name="Khuổi Ni")
    assert created.commune == communes["02290"]
    assert periods(created) == carried_over(communes["02290"], new_binh_an)

    # Undone, the import takes its correction back too: Số 1 of Thổ Bình went, as the
    # links say, into the new Bình An.
    import_undo(batch=report.batch, user=None)
    assert periods(moved) == carried_over(tho_binh, new_binh_an)
    assert not Village.objects.filter(name="Khuổi Ni").exists()


def test_a_name_shared_in_the_new_commune_needs_the_former_one(communes):
    Village.objects.create(commune=communes["02290"], name="Số 1")
    Village.objects.create(commune=communes["02296"], name="Số 1")
    rows = [["02296", "Số 1", "Thôn", "", "01/07/2025", ""]]
    report = import_file(village_file(rows, former=True), kind="thon")
    assert describe_problems(report) == [
        "Dòng 2, cột “Tên thôn”: Có 2 thôn “Số 1” ở xã Bình An: Số 1 (xã Bình An); "
        "Số 1 (xã Thổ Bình). Ghi “Xã (cũ)” để phân biệt."
    ]


# --- The demo ------------------------------------------------------------------------------


def test_the_demo_villages_follow_their_communes_into_the_merger(demo):
    na_cooc = Village.objects.get(name="Nà Cóoc")
    new_binh_an = Commune.objects.get(code="02296", valid_from=MERGER_DATE)
    assert na_cooc.commune_on(LAST_DAY_BEFORE) == na_cooc.commune
    assert na_cooc.commune_on(MERGER_DATE) == new_binh_an
    # Every one of the 100 villages: its old commune, then the one it merged into.
    assert VillageCommune.objects.count() == 200
    assert Village.objects.of_commune_on(new_binh_an, MERGER_DATE).count() == 9 + 10

"""The "Quản trị" group on its own (no superuser flag) does what the README says an admin
does in the Django admin; staff and officials still cannot enter it."""

import importlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from activities import roles
from activities.models import Activity, ActivityType, Commune, ImportBatch, Village
from tests.factories import (
    activity_row,
    admin_import_confirm,
    admin_import_preview,
    admin_url,
    change_form_data,
    make_user,
    office_workbook,
)

ADMIN_URL = reverse("admin:index")


@pytest.fixture
def group_admin(db):
    """An admin by the group alone: staff status to open the admin, no superuser flag."""
    return make_user("quantri_nhom", roles.ADMINS, is_staff=True)


def _codenames(group: Group) -> set[tuple[str, str]]:
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def _expected(model, actions) -> set[tuple[str, str]]:
    opts = model._meta
    names = {f"{action}_{opts.model_name}" for action in actions}
    if "add" in actions:  # "everything": the model's own permissions too
        names |= {codename for codename, _ in opts.permissions}
    return {(opts.app_label, name) for name in names}


@pytest.mark.parametrize("app_label", roles.ADMIN_APPS_EVERYTHING)
def test_the_group_holds_every_permission_of_every_model_of_the_data_apps(db, app_label):
    # Fails for a model added later until a migration grants its permissions.
    held = _codenames(Group.objects.get(name=roles.ADMINS))
    for model in apps.get_app_config(app_label).get_models():
        missing = _expected(model, model._meta.default_permissions) - held
        assert not missing, f"{model._meta.label}: {sorted(missing)}"


@pytest.mark.parametrize("app_label", roles.ADMIN_APPS_READ_ONLY)
def test_the_group_only_reads_the_audit_trails(db, app_label):
    held = {
        n for label, n in _codenames(Group.objects.get(name=roles.ADMINS)) if label == app_label
    }
    for model in apps.get_app_config(app_label).get_models():
        name = model._meta.model_name
        assert f"view_{name}" in held
        assert not {f"{a}_{name}" for a in ("add", "change", "delete")} & held


def test_every_app_in_the_admin_is_covered_by_the_group(db):
    covered = set(roles.ADMIN_APPS_EVERYTHING) | set(roles.ADMIN_APPS_READ_ONLY)
    assert {model._meta.app_label for model in admin.site._registry} <= covered


def test_the_group_holds_nothing_of_sessions_or_content_types(db):
    held = {label for label, _ in _codenames(Group.objects.get(name=roles.ADMINS))}
    assert not held & {"sessions", "contenttypes"}


def test_the_migration_opens_the_admin_to_members_it_finds(db):
    """Members of the group before the migration get staff status, and the permissions
    are created when the migration runs before post_migrate has made them."""
    member = make_user("quantri_cu", roles.ADMINS)
    group = Group.objects.get(name=roles.ADMINS)
    group.permissions.clear()
    Permission.objects.filter(content_type__app_label="housing").delete()
    migration = importlib.import_module("activities.migrations.0010_admin_group_permissions")
    migration.grant(apps, None)
    member.refresh_from_db()
    assert member.is_staff and not member.is_superuser
    housing_types = ContentType.objects.filter(app_label="housing").count()
    assert group.permissions.filter(content_type__app_label="housing").count() == 4 * housing_types


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda m: m._meta.label.replace(".", "-")
)
def test_each_admin_list_answers_a_group_admin(client, demo, group_admin, model):
    client.force_login(group_admin)
    opts = model._meta
    assert client.get(ADMIN_URL).status_code == 200
    assert (
        client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code
        == 200
    )


def test_a_group_admin_adds_and_changes_reference_data(client, demo, group_admin):
    client.force_login(group_admin)
    response = client.post(
        reverse("admin:activities_activitytype_add"),
        {"code": "trong-rung", "name": "Trồng rừng", "default_unit": "ha", "order": "95"},
    )
    assert response.status_code == 302
    assert ActivityType.objects.get(code="trong-rung").name == "Trồng rừng"

    village = Village.objects.get(name="Nà Cóoc")
    url = admin_url(village)
    data = change_form_data(client.get(url)) | {"name": "Nà Cóoc Trên"}
    assert client.post(url, data).status_code == 302
    village.refresh_from_db()
    assert village.name == "Nà Cóoc Trên"

    commune = Commune.objects.get(code="02290", valid_from__isnull=True)
    url = admin_url(commune)
    assert client.get(url).status_code == 200


def test_a_group_admin_manages_accounts(client, demo, group_admin):
    client.force_login(group_admin)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "canbo_moi",
            "password1": "mot-mat-khau-dai-9",
            "password2": "mot-mat-khau-dai-9",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200


def test_a_group_admin_imports_through_preview_and_confirmation(client, demo, group_admin):
    client.force_login(group_admin)
    data = office_workbook([activity_row(), activity_row(**{"Ngày": "23/09/2023"})])
    count = Activity.objects.count()
    preview = admin_import_preview(client, "activities_activity", data, "hoat-dong-2023.xlsx")
    assert preview.status_code == 200
    response = admin_import_confirm(client, "activities_activity", preview)
    assert response.status_code == 302
    assert Activity.objects.count() == count + 2
    assert ImportBatch.objects.get().created_by == group_admin


@pytest.mark.parametrize("username", ["nhaplieu", "lanhdao"])
def test_staff_and_officials_still_cannot_enter_the_admin(client, demo, username):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    assert not user.is_staff
    client.force_login(user)
    for url in (ADMIN_URL, reverse("admin:activities_activity_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_group_admin_cannot_make_a_superuser_nor_change_one(client, group_admin):
    boss = make_user("sieu_quan_tri", is_staff=True, is_superuser=True)
    person = make_user("canbo_thuong")
    client.force_login(group_admin)
    boss_url = admin_url(boss)
    # The superuser's page is shown read-only; a change or a new password is refused.
    assert client.post(boss_url, {"username": "x", "is_active": ""}).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[boss.pk])
    assert client.get(password_url).status_code == 403
    boss.refresh_from_db()
    assert (boss.username, boss.is_active) == ("sieu_quan_tri", True)

    url = admin_url(person)
    data = change_form_data(client.get(url)) | {
        "is_superuser": "on",
        "is_staff": "on",
        "date_joined_0": "01/12/2026",
        "date_joined_1": "08:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert (person.is_staff, person.is_superuser) == (True, False)


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("activities_activity", "date__year=99999999999999999999"),
        ("activities_activity", "date__year=1&date__month=99999999999999999999"),
        ("activities_commune", "code=%00"),
        ("auth_user", "username=%00"),
    ],
)
def test_hand_edited_list_parameters_are_answered_as_a_bad_filter(
    client, group_admin, communes, model, query
):
    client.force_login(group_admin)
    url = reverse(f"admin:{model}_changelist")
    response = client.get(f"{url}?{query}")
    # Django's answer to a filter it cannot apply: back to the list with ?e=1.
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")

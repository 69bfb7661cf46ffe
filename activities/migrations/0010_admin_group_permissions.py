"""The "Quản trị" group gets the Django permissions an admin needs, and its members the
admin's door (is_staff): the README's admin does everything, in the pages and the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

ADMINS = "Quản trị"

# A frozen copy of activities.roles.ADMIN_APPS_* as this migration knows them: every
# permission of these apps ...
EVERYTHING = ("activities", "housing", "auth", "axes")
# ... and only "view" on the audit trails, so that nobody erases the trace of a change.
READ_ONLY = ("auditlog", "admin")


def grant(apps, schema_editor):
    # Permissions are created by post_migrate, after every migration has run: on a fresh
    # database they do not exist yet. Create them now (Django's documented recipe).
    # The flag is put back as it was: called with the live registry (the tests do), setting
    # it to None would hide every app from dumpdata and the rest of the process.
    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    User = apps.get_model("auth", "User")
    group, _ = Group.objects.get_or_create(name=ADMINS)
    wanted = Q(content_type__app_label__in=EVERYTHING) | Q(
        content_type__app_label__in=READ_ONLY, codename__startswith="view_"
    )
    group.permissions.add(*Permission.objects.filter(wanted))
    # Without is_staff an account cannot open the admin at all, whatever its permissions.
    User.objects.filter(groups=group, is_staff=False).update(is_staff=True)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=ADMINS):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0009_clean_text"),
        ("housing", "0005_case_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auditlog", "0017_add_actor_email"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

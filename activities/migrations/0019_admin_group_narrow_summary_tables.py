"""The "Quản trị" group gets the permissions of the narrow summary tables (0018): the same
grant as 0010, run again."""

from importlib import import_module

from django.db import migrations

admin_group = import_module("activities.migrations.0010_admin_group_permissions")


class Migration(migrations.Migration):
    dependencies = [("activities", "0018_narrow_summary_tables")]

    operations = [migrations.RunPython(admin_group.grant, migrations.RunPython.noop)]

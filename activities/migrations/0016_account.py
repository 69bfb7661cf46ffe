"""Every account may belong to an organisation (Account), which sets what it reaches; the
"Quản trị" group gets the new model's permissions (the grant of 0010, run again)."""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

admin_group = import_module("activities.migrations.0010_admin_group_permissions")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0015_admin_group_new_models"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Account",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        help_text=(
                            "Lãnh đạo xem và quản trị quản lý những gì thuộc tổ chức này: Tỉnh "
                            "ủy, các ban của Tỉnh ủy: toàn tỉnh; Đảng ủy xã và chi bộ của xã: "
                            "xã đó và các xã cũ hợp thành; tổ chức khác: hoạt động của tổ chức "
                            "và các đơn vị trực thuộc."
                        ),
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="accounts",
                        to="activities.partyunit",
                        verbose_name="thuộc tổ chức",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="account",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="tài khoản",
                    ),
                ),
            ],
            options={
                "verbose_name": "tổ chức của tài khoản",
                "verbose_name_plural": "tổ chức của tài khoản",
            },
        ),
        migrations.RunPython(admin_group.grant, migrations.RunPython.noop),
    ]

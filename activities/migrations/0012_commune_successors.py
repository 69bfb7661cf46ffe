"""Commune.successors: every commune a former one went into (a divided commune has several).

The existing `successor` (the main one) gives each former commune its first successor here;
`successor`'s reverse name becomes `main_predecessors`, `predecessors` now reads the new field.
"""

import django.db.models.deletion
from django.db import migrations, models


def successors_from_successor(apps, schema_editor):
    """Each stored `successor` becomes a `successors` link too (one bulk insert)."""
    commune = apps.get_model("activities", "Commune")
    link = commune.successors.through
    pairs = commune.objects.filter(successor__isnull=False).values_list("pk", "successor_id")
    link.objects.bulk_create(
        [link(from_commune_id=pk, to_commune_id=successor) for pk, successor in pairs],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("activities", "0011_households_helped")]

    operations = [
        migrations.AlterField(
            model_name="commune",
            name="successor",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Xã chính mà xã này sáp nhập vào: báo cáo gộp theo xã sau sáp nhập tính xã "
                    "này vào đó. Xã bị chia cho nhiều xã có đủ các xã ấy ở “các xã kế thừa”."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="main_predecessors",
                to="activities.commune",
                verbose_name="sáp nhập vào",
            ),
        ),
        migrations.AddField(
            model_name="commune",
            name="successors",
            field=models.ManyToManyField(
                blank=True,
                related_name="predecessors",
                to="activities.commune",
                verbose_name="các xã kế thừa",
            ),
        ),
        migrations.RunPython(successors_from_successor, migrations.RunPython.noop),
    ]

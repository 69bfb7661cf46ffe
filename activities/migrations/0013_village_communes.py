"""A village's commune over time (VillageCommune), and the rows of the villages already
recorded: their commune while it is valid, then the commune it merged into."""

import datetime

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


def memberships_following(village, VillageCommune):
    """A copy of activities.models.memberships_following for the historical models: the
    commune the village is recorded in, then its (main) successor from the next day."""
    commune = village.commune
    rows = [
        VillageCommune(
            village=village,
            commune=commune,
            valid_from=commune.valid_from,
            valid_to=commune.valid_to,
        )
    ]
    successor = commune.successor
    if successor is not None and successor.pk != commune.pk and commune.valid_to is not None:
        rows.append(
            VillageCommune(
                village=village,
                commune=successor,
                valid_from=commune.valid_to + datetime.timedelta(days=1),
                valid_to=successor.valid_to,
            )
        )
    return rows


def give_villages_their_communes(apps, schema_editor):
    Village = apps.get_model("activities", "Village")
    VillageCommune = apps.get_model("activities", "VillageCommune")
    villages = Village.objects.filter(memberships__isnull=True).select_related("commune__successor")
    rows = [row for village in villages for row in memberships_following(village, VillageCommune)]
    VillageCommune.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("activities", "0012_commune_successors")]

    operations = [
        migrations.CreateModel(
            name="VillageCommune",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "valid_from",
                    models.DateField(blank=True, null=True, verbose_name="thuộc xã từ"),
                ),
                (
                    "valid_to",
                    models.DateField(blank=True, null=True, verbose_name="thuộc xã đến"),
                ),
                (
                    "commune",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="village_memberships",
                        to="activities.commune",
                        verbose_name="xã",
                    ),
                ),
                (
                    "village",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="activities.village",
                        verbose_name="thôn",
                    ),
                ),
            ],
            options={
                "verbose_name": "xã của thôn",
                "verbose_name_plural": "xã của thôn theo thời kỳ",
                "ordering": [models.OrderBy(models.F("valid_from"), nulls_first=True)],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_from__isnull", True),
                            ("valid_to__isnull", True),
                            ("valid_to__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="village_commune_period_ordered",
                        violation_error_message="Ngày cuối phải sau hoặc bằng ngày đầu thời kỳ.",
                    ),
                    models.UniqueConstraint(
                        models.F("village"),
                        django.db.models.functions.comparison.Coalesce(
                            "valid_from",
                            models.Value(
                                datetime.date(1900, 1, 1), output_field=models.DateField()
                            ),
                        ),
                        name="village_commune_start_unique",
                        violation_error_message="Thôn đã thuộc một xã từ cùng ngày này.",
                    ),
                ],
            },
        ),
        migrations.RunPython(give_villages_their_communes, migrations.RunPython.noop),
    ]

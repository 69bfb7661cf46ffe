"""Party units become organisations in a tree, with validity and a commune of their own.

Data: the district's units existing today are grouped under "Huyện ủy Lâm Bình", which ended
with the district level on 30/06/2025; each unit ends then too unless something continues it
or it already has an end. Ids, activities and assignments are untouched, so every figure
stays the same. A database with no units yet (a fresh install) gets no Huyện ủy: there is
nothing to group.
"""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DISTRICT_END = datetime.date(2025, 6, 30)
HUYEN_UY_CODE = "huyen-uy-lam-binh"
HUYEN_UY_NAME = "Huyện ủy Lâm Bình"


def group_under_huyen_uy(apps, schema_editor):
    PartyUnit = apps.get_model("activities", "PartyUnit")
    units = PartyUnit.objects.exclude(code=HUYEN_UY_CODE)
    if not units.exists():
        return
    # Not a unit that records activities itself: kept off the lists (is_active).
    huyen_uy, _ = PartyUnit.objects.get_or_create(
        code=HUYEN_UY_CODE,
        defaults={
            "name": HUYEN_UY_NAME,
            "short_name": HUYEN_UY_NAME,
            "kind": "huyen_uy",
            "valid_to": DISTRICT_END,
            "is_active": False,
        },
    )
    units = units.exclude(pk=huyen_uy.pk)
    units.filter(parent__isnull=True).update(parent=huyen_uy)
    units.filter(valid_to__isnull=True, continued_by__isnull=True).update(valid_to=DISTRICT_END)


def ungroup(apps, schema_editor):
    """Back to 0013: the fields go with the schema; only the Huyện ủy row is ours to remove."""
    PartyUnit = apps.get_model("activities", "PartyUnit")
    huyen_uy = PartyUnit.objects.filter(code=HUYEN_UY_CODE).first()
    if huyen_uy is not None:
        PartyUnit.objects.filter(parent=huyen_uy).update(parent=None)
        huyen_uy.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0013_village_communes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="partyunit",
            options={
                "ordering": ["name"],
                "verbose_name": "tổ chức, đơn vị",
                "verbose_name_plural": "tổ chức, đơn vị",
            },
        ),
        migrations.AddField(
            model_name="partyunit",
            name="commune",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Chỉ ghi cho Đảng ủy xã, phường và các chi bộ thuộc xã đó: tổ chức được "
                    "nhập hoạt động tại xã này mà không cần phân công, khi cả hai còn hiệu lực."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="party_units",
                to="activities.commune",
                verbose_name="xã của tổ chức",
            ),
        ),
        migrations.AddField(
            model_name="partyunit",
            name="continued_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Tổ chức nhận lại nhiệm vụ khi tổ chức này kết thúc.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="continues",
                to="activities.partyunit",
                verbose_name="tiếp nối bởi",
            ),
        ),
        migrations.AddField(
            model_name="partyunit",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="children",
                to="activities.partyunit",
                verbose_name="cấp trên",
            ),
        ),
        migrations.AddField(
            model_name="partyunit",
            name="valid_from",
            field=models.DateField(blank=True, null=True, verbose_name="hiệu lực từ"),
        ),
        migrations.AddField(
            model_name="partyunit",
            name="valid_to",
            field=models.DateField(blank=True, null=True, verbose_name="hiệu lực đến"),
        ),
        migrations.AlterField(
            model_name="partyunit",
            name="kind",
            field=models.CharField(
                choices=[
                    ("tinh_uy", "Tỉnh ủy"),
                    ("ban", "Ban của Tỉnh ủy"),
                    ("dang_bo_tinh", "Đảng bộ trực thuộc Tỉnh ủy"),
                    ("huyen_uy", "Huyện ủy"),
                    ("dang_uy_xa", "Đảng ủy xã, phường"),
                    ("dang_bo", "Đảng bộ cơ quan"),
                    ("chi_bo", "Chi bộ"),
                    ("don_vi", "Cơ quan, đơn vị"),
                ],
                default="chi_bo",
                max_length=12,
                verbose_name="loại",
            ),
        ),
        migrations.AlterField(
            model_name="partyunit",
            name="staff",
            field=models.ManyToManyField(
                blank=True,
                help_text="Tài khoản được nhập hoạt động của tổ chức, đơn vị này.",
                related_name="party_units",
                to=settings.AUTH_USER_MODEL,
                verbose_name="cán bộ nhập liệu",
            ),
        ),
        migrations.AddConstraint(
            model_name="partyunit",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_from__isnull", True),
                    ("valid_to__isnull", True),
                    ("valid_to__gte", models.F("valid_from")),
                    _connector="OR",
                ),
                name="party_unit_validity_ordered",
                violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            ),
        ),
        migrations.AddConstraint(
            model_name="partyunit",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent", models.F("id")), _negated=True),
                name="party_unit_not_own_parent",
                violation_error_message="Một tổ chức không thể là cấp trên của chính nó.",
            ),
        ),
        migrations.AddConstraint(
            model_name="partyunit",
            constraint=models.CheckConstraint(
                condition=models.Q(("continued_by", models.F("id")), _negated=True),
                name="party_unit_not_own_continuation",
                violation_error_message="Một tổ chức không thể tiếp nối chính nó.",
            ),
        ),
        migrations.RunPython(group_under_huyen_uy, ungroup),
    ]

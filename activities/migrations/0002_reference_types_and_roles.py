"""Seed the usual activity types (from the district's reports) and the three role groups."""

from django.db import migrations

# (code, name, default unit of measure, order)
ACTIVITY_TYPES = [
    ("xoa-nha-tam", "Hỗ trợ xóa nhà tạm, nhà dột nát", "nhà", 10),
    ("duong-thon-ban", "Làm đường bê tông thôn, bản", "m", 20),
    ("duong-noi-dong", "Làm đường bê tông nội đồng", "m", 30),
    ("cau-qua-suoi", "Làm cầu qua suối", "cầu", 40),
    ("kenh-muong", "Sửa chữa, lắp đặt kênh mương đúc sẵn", "m", 50),
    ("cham-soc-cay-trong", "Chăm sóc cây trồng", "ha", 60),
    ("ve-sinh-moi-truong", "Vệ sinh môi trường", "thôn", 70),
    ("thu-gom-rac-nhua", "Thu gom rác thải nhựa", "kg", 80),
    ("khac", "Hoạt động khác", "", 90),
]

GROUPS = ["Quản trị", "Lãnh đạo", "Cán bộ nhập liệu"]


def seed(apps, schema_editor):
    ActivityType = apps.get_model("activities", "ActivityType")
    Group = apps.get_model("auth", "Group")
    for code, name, unit, order in ACTIVITY_TYPES:
        ActivityType.objects.get_or_create(
            code=code, defaults={"name": name, "default_unit": unit, "order": order}
        )
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

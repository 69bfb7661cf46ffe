"""Seed the support programmes named in the district's reports, with their usual amounts."""

from django.db import migrations

# (code, name, short name, from, to, new build, repair) — amounts in đồng.
PROGRAMMES = [
    (
        "de-an-tinh-2021-2025",
        "Đề án hỗ trợ xóa nhà tạm, nhà dột nát cho hộ nghèo tỉnh Tuyên Quang giai đoạn 2021–2025",
        "Đề án của tỉnh 2021–2025",
        2021,
        2025,
        50_000_000,
        25_000_000,
    ),
    (
        "mtqg-giam-ngheo",
        "Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021–2025",
        "CTMTQG giảm nghèo bền vững",
        2021,
        2025,
        40_000_000,
        20_000_000,
    ),
    (
        "mtqg-dtts",
        "Chương trình mục tiêu quốc gia phát triển kinh tế – xã hội vùng đồng bào dân tộc "
        "thiểu số và miền núi giai đoạn 2021–2030",
        "CTMTQG vùng đồng bào DTTS",
        2021,
        2030,
        40_000_000,
        20_000_000,
    ),
    (
        "phong-trao-2024-2025",
        "Phong trào thi đua chung tay xóa nhà tạm, nhà dột nát trên phạm vi cả nước năm 2025",
        "Phong trào xóa nhà tạm 2024–2025",
        2024,
        2025,
        60_000_000,
        30_000_000,
    ),
]


def seed(apps, schema_editor):
    Programme = apps.get_model("housing", "Programme")
    for code, name, short, start, end, new_build, repair in PROGRAMMES:
        Programme.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "start_year": start,
                "end_year": end,
                "new_build_amount": new_build,
                "repair_amount": repair,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("housing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""A version on housing cases, so that a stale form cannot overwrite a newer save."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("housing", "0004_clean_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="housingcase",
            name="version",
            field=models.PositiveIntegerField(
                db_default=1, default=1, editable=False, verbose_name="phiên bản"
            ),
        ),
    ]

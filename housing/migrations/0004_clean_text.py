"""Clean stored text of control, invisible and direction characters, and bound the notes.

As activities 0009 does for its app (which also cleans the audit trail's entries).
"""

from django.db import migrations

import activities.text
from activities.text import clean_stored_rows


def clean_rows(apps, schema_editor):
    using = schema_editor.connection.alias
    for model in apps.get_app_config("housing").get_models():
        clean_stored_rows(model, using=using)


class Migration(migrations.Migration):
    dependencies = [
        ("housing", "0003_case_import_key"),
        ("activities", "0009_clean_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="housingcase",
            name="notes",
            field=activities.text.NFCTextField(blank=True, max_length=4000, verbose_name="ghi chú"),
        ),
        migrations.RunPython(clean_rows, migrations.RunPython.noop, elidable=True),
    ]

"""Clean stored text of control, invisible and direction characters, and bound long texts.

The rows of this app's text fields are cleaned as the fields now clean every new text
(activities/text.py says what goes and why), and so are the audit trail's entries, whose
copies of old text would otherwise still break a backup. The AlterField operations give the
long texts the lengths that forms now enforce; the columns stay unbounded text.
"""

from django.db import migrations

import activities.text
from activities.text import clean_stored_rows, strip_unsafe, strip_unsafe_json


def clean_rows(apps, schema_editor):
    using = schema_editor.connection.alias
    for model in apps.get_app_config("activities").get_models():
        clean_stored_rows(model, using=using)


def clean_audit_entries(apps, schema_editor):
    """Audit entries keep old values as they were; only the unsafe characters go."""
    entries = apps.get_model("auditlog", "LogEntry")._base_manager.db_manager(
        schema_editor.connection.alias
    )
    texts = ["object_repr", "changes_text", "object_pk", "cid", "actor_email"]
    jsons = ["changes", "serialized_data", "additional_data"]
    pending = []
    for pk, *values in entries.values_list("pk", *texts, *jsons).iterator(chunk_size=2000):
        changes = {}
        for name, value in zip([*texts, *jsons], values, strict=True):
            cleaned = strip_unsafe(value) if isinstance(value, str) else strip_unsafe_json(value)
            if cleaned != value:
                changes[name] = cleaned
        if changes:
            pending.append((pk, changes))
    for pk, changes in pending:
        entries.filter(pk=pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0008_day_stats"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.AlterField(
            model_name="activity",
            name="description",
            field=activities.text.NFCTextField(
                blank=True, max_length=4000, verbose_name="nội dung"
            ),
        ),
        migrations.AlterField(
            model_name="monthreport",
            name="reopen_reason",
            field=activities.text.NFCTextField(
                blank=True, max_length=1000, verbose_name="lý do mở lại"
            ),
        ),
        migrations.AlterField(
            model_name="village",
            name="aliases",
            field=activities.text.NFCTextField(
                blank=True,
                help_text="Các cách viết khác của tên (Uỷ/Ủy, Hoà/Hòa...), mỗi dòng một tên.",
                max_length=1000,
                verbose_name="tên khác",
            ),
        ),
        migrations.RunPython(clean_rows, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(clean_audit_entries, migrations.RunPython.noop, elidable=True),
    ]

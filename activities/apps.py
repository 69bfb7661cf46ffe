from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activities"
    verbose_name = "Hoạt động “3 cùng”"

    def ready(self) -> None:
        # The summary-table triggers stand aside while migrations run (SQLite rebuilds a table
        # to alter it, which would break them) and come back, with an exact rebuild, after.
        pre_migrate.connect(_triggers_off, sender=self)
        post_migrate.connect(_triggers_on, sender=self)


def _stats_tables_exist(connection) -> bool:
    tables = set(connection.introspection.table_names())
    return {"activities_activity", "activities_activitymonthstat"} <= tables


def _triggers_off(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from activities import stats

    connection = connections[using]
    if _stats_tables_exist(connection):
        stats.drop_triggers(connection)


def _triggers_on(sender, using="default", **kwargs) -> None:
    from django.db import connections

    from activities import stats

    connection = connections[using]
    if _stats_tables_exist(connection):
        stats.install_triggers(connection)
        stats.rebuild(connection)

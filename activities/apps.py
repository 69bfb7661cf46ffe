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


# `plan` is [] when migrate has nothing to apply (a deploy without new migrations); a
# flush sends no plan at all (None).


def _tables_untouched(plan) -> bool:
    """Whether migrating `plan` leaves every table as it is: nothing to apply, or only
    operations on Django's model state (a model's verbose name, its managers)."""
    from django.db.migrations.operations import AlterModelManagers, AlterModelOptions

    return plan is not None and all(
        isinstance(operation, (AlterModelOptions, AlterModelManagers))
        for migration, _backwards in plan
        for operation in migration.operations
    )


def _triggers_off(sender, using="default", plan=None, **kwargs) -> None:
    from django.db import connections

    from activities import stats

    connection = connections[using]
    # Nothing to migrate, or nothing that touches a table: the triggers stay, so that no
    # write goes uncounted meanwhile.
    if not _tables_untouched(plan) and _stats_tables_exist(connection):
        stats.drop_triggers(connection)


def _triggers_on(sender, using="default", plan=None, **kwargs) -> None:
    from django.db import connections, transaction

    from activities import stats

    connection = connections[using]
    if not _stats_tables_exist(connection):
        return
    if _tables_untouched(plan) and stats.triggers_installed(connection):
        # No table migrated and the triggers never left: the tables are exact, and rebuilding
        # a province's ten million activities would take a quarter of an hour. The triggers
        # are replaced by this version's, in one transaction (never missing for a moment).
        with transaction.atomic(using=using):
            stats.install_triggers(connection)
        return
    stats.install_triggers(connection)
    stats.rebuild(connection)

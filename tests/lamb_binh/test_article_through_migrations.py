"""The article's figures survive the province migrations (activities 0012–0016).

The demo's history is loaded, every figure of the dashboard for the article's period is read, the
database goes back to the schema before the province (0011) and forward again, as a database
of 2025 would be migrated; the figures read again must be the same, and equal to the
article's (source-article.vi.txt: 1.780 lượt cán bộ, 9.340 lượt nhân dân, 100 villages in
10/10 communes, 10/09/2021–30/06/2024). At 0011 the same totals are counted with plain SQL
over the old tables, so the data the migrations start from is the article's too.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from activities import roles, stats
from lamb_binh.demo import activities as demo
from lamb_binh.demo.housing import load_cases
from tests.factories import make_user

ARTICLE = {"ky": "tuy-chon", "tu": "10/09/2021", "den": "30/06/2024"}
BEFORE_PROVINCE = ("activities", "0011_households_helped")


def latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def migrate_to(targets: list[tuple[str, str]]) -> None:
    """Migrate as `migrate` does: the summary triggers stand aside, then are rebuilt."""
    stats.drop_triggers(connection)
    MigrationExecutor(connection).migrate(targets)
    stats.install_triggers(connection)
    stats.rebuild(connection)


def every_figure(client) -> dict:
    """Every figure of the dashboard for the article's period, as plain values."""
    report = client.get(reverse("dashboard"), ARTICLE).context["report"]
    top = report.headline

    def plain(totals) -> tuple:
        return (totals.activities, totals.villages, tuple(sorted(totals.figures.items())))

    def rows(table) -> list:
        return [(row.label, plain(row.totals)) for row in table]

    return {
        "headline": plain(top.totals),
        "reached": (top.villages_reached, top.communes_reached, top.communes_total),
        "communes": rows(report.communes),
        "units": rows(report.units),
        "types": rows(report.types),
        "months": rows(report.months),
        "outputs": [(row.label, row.extra["unit"], row.totals.output) for row in report.outputs],
    }


def article_counts_in_sql() -> tuple:
    """Lượt, villages and communes of the period, straight from the 0011 tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(cadre_participations), 0),"
            " COALESCE(SUM(people_participations), 0), COUNT(DISTINCT commune_id)"
            " FROM activities_activity"
            " WHERE date BETWEEN '2021-09-10' AND '2024-06-30'"
        )
        cadres, people, communes = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(DISTINCT av.village_id) FROM activities_activityvillage av"
            " JOIN activities_activity a ON a.id = av.activity_id"
            " WHERE a.date BETWEEN '2021-09-10' AND '2024-06-30'"
        )
        (villages,) = cursor.fetchone()
    return cadres, people, villages, communes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_dashboard_figure_of_the_article_is_the_same_through_the_migrations(client):
    leaves = latest()
    # A database of 2025: the demo's Lâm Bình history, without what it adds after the merger.
    call_command("load_communes", stdout=io.StringIO())
    demo.load_reference()
    demo.load_users()
    demo.load_activities()
    demo.load_month_reports()
    load_cases()
    reader = make_user("doc_bao_cao", roles.OFFICIALS)
    client.force_login(reader)
    before = every_figure(client)
    assert before["reached"] == (100, 10, 10)
    figures = dict(before["headline"][2])
    assert (figures["cadres"], figures["people"]) == (1_780, 9_340)
    try:
        migrate_to([BEFORE_PROVINCE])
        assert article_counts_in_sql() == (1_780, 9_340, 100, 10)
        migrate_to(leaves)
        client.force_login(reader)
        assert every_figure(client) == before
    finally:
        migrate_to(leaves)

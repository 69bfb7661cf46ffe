"""Backup and restore: the demo data round-trips with every total and every audit entry."""

import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.test import override_settings

from activities.models import Activity, ActivityVillage, ImportBatch, MonthReport, Village
from activities.reports import Scope, commune_rows, headline
from activities.services import activity_update
from housing.models import Funding, HousingCase


def snapshot() -> dict:
    scope = Scope({}, today=datetime.date(2026, 1, 1))
    top = headline(scope)
    return {
        "activities": Activity.objects.aggregate(
            n=Count("id"),
            c=Sum("cadre_participations"),
            p=Sum("people_participations"),
            w=Sum("workdays"),
            m=Sum("money_contributed"),
        ),
        "links": ActivityVillage.objects.count(),
        "villages": Village.objects.count(),
        "cases": HousingCase.objects.count(),
        "funding": Funding.objects.aggregate(total=Sum("amount")),
        "months": MonthReport.objects.count(),
        "headline": (top.totals.cadres, top.totals.people, top.villages_reached),
        "communes": [(r.label, r.totals.activities) for r in commune_rows(scope)],
        "audit": sorted(
            (
                e.content_type.model,
                e.object_id,
                e.action,
                e.object_repr,
                e.actor.username if e.actor else None,
                e.timestamp.isoformat(),
                str(e.changes_dict),
            )
            for e in LogEntry.objects.select_related("content_type", "actor")
        ),
    }


@pytest.fixture
def demo(db):
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=io.StringIO())


# A real flush of the whole database between backup and restore: no outer transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_an_empty_database_whole(demo, tmp_path):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(username="nhaplieu")
    activity = Activity.objects.filter(unit__staff=staff, date__year=2024, date__month=6).first()
    data = {
        "villages": list(activity.villages.all()),
        "date": activity.date,
        "commune": activity.commune,
        "activity_type": activity.activity_type,
        "cadre_participations": 7,
        "people_participations": 8,
    }
    activity_update(user=staff, activity=activity, data=data, confirm_duplicate=True)
    before = snapshot()
    assert len(before["audit"]) >= 1

    dump = tmp_path / "sao-luu.xml"
    call_command("backup_data", str(dump), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)
    assert not Activity.objects.exists() and not LogEntry.objects.exists()

    call_command("restore_data", str(dump), stdout=io.StringIO())
    after = snapshot()
    for key in before:
        if key == "audit":
            extra = sorted(set(after[key]) ^ set(before[key]))
            assert not extra, extra[:4]
        assert after[key] == before[key], key
    # The restored database takes new rows: its id sequences follow the loaded rows.
    Activity.objects.create(
        unit=activity.unit,
        commune=activity.commune,
        date=activity.date,
        activity_type=activity.activity_type,
        cadre_participations=1,
    )


def test_restoring_over_existing_data_is_refused(demo, tmp_path):
    dump = tmp_path / "sao-luu.xml"
    call_command("backup_data", str(dump), stdout=io.StringIO())
    count = Activity.objects.count()
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("restore_data", str(dump), stdout=io.StringIO())
    assert Activity.objects.count() == count
    assert not ImportBatch.objects.exists()

"""Housing-support progress for the dashboard and reports (selectors, counted in SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce

from housing.models import Funding, HousingCase
from lamb_binh.dashboard.reports import Scope

DONE = [HousingCase.Status.COMPLETED, HousingCase.Status.HANDED_OVER]


# The dashboard lists the longest overdue cases by name, and counts all of them.
OVERDUE_SHOWN = 50


@dataclass
class Progress:
    total: int
    done: int
    by_status: list[tuple[str, int]]
    by_commune: list[dict]
    by_programme: list[dict]
    by_category: list[tuple[str, int, int]]
    by_work_kind: list[tuple[str, int, int]]
    money_by_source: list[tuple[str, int]]
    money_total: int
    overdue: list[HousingCase]  # the OVERDUE_SHOWN longest overdue
    overdue_count: int  # all of them

    @property
    def rate(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 0.0


def scoped_cases(scope: Scope) -> QuerySet[HousingCase]:
    """Cases surveyed by the end of the period (or with no survey date), in the reader's
    reach and the filtered area."""
    cases = HousingCase.objects.filter(
        Q(surveyed_on__isnull=True) | Q(surveyed_on__lte=scope.period.end)
    )
    if not scope.reach.whole:
        inside = HousingCase.objects.filter(scope.reach.communes_worked_q("village__commune"))
        cases = cases.filter(pk__in=inside.values("pk"))
    chosen = scope.filterset.form.cleaned_data.get("xa")
    if chosen:
        cases = cases.filter(Q(village__commune=chosen) | Q(village__commune__successor=chosen))
    unit = scope.filterset.form.cleaned_data.get("don_vi")
    if unit:
        cases = cases.filter(helping_units=unit)
    return cases


def _counted(cases: QuerySet, key: str) -> list[dict]:
    return list(
        cases.values(key)
        .annotate(
            n=Count("id", distinct=True), done=Count("id", filter=Q(status__in=DONE), distinct=True)
        )
        .order_by(key)
    )


def housing_progress(scope: Scope) -> Progress:
    cases = scoped_cases(scope)
    status_counts = dict(cases.values_list("status").annotate(n=Count("id")).order_by())
    by_status = [
        (label, status_counts.get(value, 0)) for value, label in HousingCase.Status.choices
    ]
    total = sum(status_counts.values())
    done = sum(status_counts.get(s, 0) for s in DONE)
    commune_key: dict[str, Combinable]
    if scope.merged:
        commune_key = {
            "commune_id": Coalesce("village__commune__successor_id", "village__commune_id"),
            "commune": Coalesce("village__commune__successor__name", "village__commune__name"),
        }
    else:
        commune_key = {
            "commune_id": F("village__commune_id"),
            "commune": F("village__commune__name"),
        }
    by_commune = list(
        cases.values(**commune_key)
        .annotate(
            n=Count("id", distinct=True), done=Count("id", filter=Q(status__in=DONE), distinct=True)
        )
        .order_by("commune", "commune_id")
    )
    by_programme = _counted(cases, "programme__short_name")
    categories = dict(HousingCase.Category.choices)
    by_category = [
        (categories[row["category"]], row["n"], row["done"]) for row in _counted(cases, "category")
    ]
    kinds = dict(HousingCase.WorkKind.choices)
    by_work_kind = [
        (kinds[row["work_kind"]], row["n"], row["done"]) for row in _counted(cases, "work_kind")
    ]
    sources = dict(Funding.Source.choices)
    money = list(
        Funding.objects.filter(
            case__in=cases.values("pk"),
            year__range=(scope.period.start.year, scope.period.end.year),
        )
        .values_list("source")
        .annotate(total=Sum("amount"))
        .order_by("source")
    )
    late = cases.exclude(status__in=DONE).filter(expected_completion__lt=scope.today)
    overdue = list(
        late.select_related("village__commune", "programme").order_by("expected_completion")[
            :OVERDUE_SHOWN
        ]
    )
    return Progress(
        total=total,
        done=done,
        by_status=by_status,
        by_commune=by_commune,
        by_programme=by_programme,
        by_category=by_category,
        by_work_kind=by_work_kind,
        money_by_source=[(sources[s], amount) for s, amount in money],
        money_total=sum(amount for _, amount in money),
        overdue=overdue,
        # Counted again only when the list was cut short.
        overdue_count=len(overdue) if len(overdue) < OVERDUE_SHOWN else late.count(),
    )

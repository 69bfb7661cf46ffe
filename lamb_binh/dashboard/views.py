"""The officials' dashboard and its printable report: one period, every total, the rule."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from activities import access
from activities.access import Reach
from activities.figures import MONEY, WORK
from activities.filters import DEFAULT_KIND, PERIOD_KINDS
from activities.models import Activity
from activities.pagination import page_of
from activities.periods import MERGER_DATE
from lamb_binh.dashboard.charts import bar_chart, column_chart
from lamb_binh.dashboard.housing import Progress, housing_progress
from lamb_binh.dashboard.reports import (
    RULE_MONTHS_SHOWN,
    Headline,
    RuleMatrix,
    Scope,
    commune_rows,
    headline,
    month_rows,
    output_rows,
    rule_matrix,
    type_rows,
    unit_rows,
)
from lamb_binh.dashboard.summary import summary_paragraph


@dataclass
class Report:
    """Everything the dashboard, the print view and the exports show for one scope."""

    scope: Scope
    headline: Headline
    communes: list
    units: list
    types: list
    months: list
    outputs: list
    rule: RuleMatrix
    housing: Progress
    summary: str


def build_report(
    data: QueryDict, reach: Reach | None = None, *, rule_months: int | None = RULE_MONTHS_SHOWN
) -> Report:
    """The report of the period and filters in `data`, inside `reach` (the reader's); the
    rule for the last `rule_months` months of the period (None: every month)."""
    scope = Scope(data, today=timezone.localdate(), reach=reach)
    top = headline(scope)
    outputs = output_rows(scope)
    progress = housing_progress(scope)
    return Report(
        scope=scope,
        headline=top,
        communes=commune_rows(scope),
        units=unit_rows(scope),
        types=type_rows(scope),
        months=month_rows(scope),
        outputs=outputs,
        rule=rule_matrix(scope, last_months=rule_months),
        housing=progress,
        summary=summary_paragraph(
            period=scope.period,
            headline=top,
            outputs=outputs,
            progress=progress,
            communes=scope.commune_kinds,
        ),
    )


def _filter_params(scope: Scope) -> dict[str, str]:
    """The filters that were accepted, as URL parameters (a refused one is left out)."""
    data = scope.filterset.form.cleaned_data
    params = {name: str(data[name].pk) for name in ("xa", "don_vi", "loai") if data.get(name)}
    if scope.merged:
        params["gop_xa"] = "1"
    return params


def report_query(scope: Scope) -> str:
    """The query string of the period and filters shown, for the page's links. Rebuilt from
    what was accepted rather than copied from the URL, so that a link leads to the figures
    on the page and never repeats junk (nor its length) once per row."""
    return urlencode(scope.period_form.url_params() | _filter_params(scope))


def _quick_periods(scope: Scope, data: QueryDict) -> list[dict]:
    """The quick buttons: this month, this quarter, 6 months, this year, since the start."""
    kept = _filter_params(scope)
    current = scope.period_form.url_params().get("ky", DEFAULT_KIND)
    labels = {
        "thang": "Tháng này",
        "quy": "Quý này",
        "6thang": "6 tháng",
        "nam": "Năm nay",
        "tu-dau": "Từ đầu",
    }
    return [
        {
            "label": labels[kind],
            "query": urlencode(kept | {"ky": kind}),
            "active": kind == current
            and not any(data.get(k) for k in ("thang", "quy", "nua", "nam", "tu", "den")),
        }
        for kind, _ in PERIOD_KINDS
        if kind in labels
    ]


def _headline_figures(totals, figures) -> list[tuple[str, str, str]]:
    """(label, total as written, unit after it) of each figure: 1.780; 12,5; 25 triệu đồng."""
    return [
        (f.headline_label, f.in_report(getattr(totals, f.name)), f.report_unit) for f in figures
    ]


@require_safe
@access.readers_only
def dashboard(request: HttpRequest) -> HttpResponse:
    report = build_report(request.GET, access.reach_of(request.user))
    period = report.scope.period
    context = {
        "report": report,
        "scope": report.scope,
        "period_kinds": PERIOD_KINDS,
        "quick_periods": _quick_periods(report.scope, request.GET),
        "query": report_query(report.scope),
        "crosses_merger": period.start < MERGER_DATE <= period.end,
        # The headline's figures: the work done before the villages reached, the money after.
        "headline_work": _headline_figures(report.headline.totals, WORK),
        "headline_money": _headline_figures(report.headline.totals, MONEY),
        "month_chart": column_chart(
            [(row.label, row.totals.cadres + row.totals.people) for row in report.months],
            title="Lượt tham gia (cán bộ và nhân dân) theo tháng",
        ),
        "commune_chart": bar_chart(
            [(row.key.name, row.totals.activities) for row in report.communes],
            title="Số hoạt động theo xã",
        ),
    }
    return render(request, "dashboard/index.html", context)


@require_safe
@access.readers_only
def dashboard_print(request: HttpRequest) -> HttpResponse:
    reach = access.reach_of(request.user)
    report = build_report(request.GET, reach)
    context = {
        "report": report,
        "scope": report.scope,
        # The reader's organisation issues it, from where it sits.
        "issuing_body": reach.issuing_body,
        "place": reach.place,
        **_signature(reach),
        "today": timezone.localdate(),
    }
    return render(request, "dashboard/print.html", context)


def _signature(reach: Reach) -> dict[str, list[str]]:
    """Who receives the report and who signs it (HD 36-HD/VPTW): a ban signs for its head,
    a party committee collectively (T/M); a report below the province goes up to the Ban
    Tuyên giáo và Dân vận Tỉnh ủy."""
    organisation = reach.organisation
    if organisation is not None and organisation.kind == organisation.Kind.BAN:
        signer = ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]
    else:
        signer = [f"T/M {reach.issuing_body}", "PHÓ BÍ THƯ"]
    if reach.whole:
        recipients = ["Thường trực Tỉnh ủy (b/c),", "Lưu Văn phòng."]
    else:
        recipients = ["Ban Tuyên giáo và Dân vận Tỉnh ủy (b/c),", "Lưu Văn phòng."]
    return {"signer": signer, "recipients": recipients}


@require_safe
@access.role_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """The activities behind a report figure: same period and filters as the dashboard."""
    reach = access.reach_of(request.user)
    scope = Scope(request.GET, today=timezone.localdate(), reach=reach)
    activities = (
        scope.filtered(
            access.readable_activities(
                request.user, Activity.objects.in_period(scope.period.start, scope.period.end)
            )
        )
        .select_related("unit", "commune", "activity_type")
        .prefetch_related("villages")
        .order_by("-date", "-id")
    )
    page = page_of(activities, request.GET)
    return render(request, "dashboard/activity_list.html", {"scope": scope, "page": page})

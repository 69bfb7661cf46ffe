"""{% report_table %}: a report table of Row objects, built in Python.

The dashboard shows several of these tables with a row per month of the period; rendering
each cell through the template engine was a large part of the page's time. The markup is
the same as a template would write: numbers as 1.780 and 12,5, links to the activities
behind a row's figures.
"""

from __future__ import annotations

from html import escape  # what Django's escape calls, without its lazy-text wrapper

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from activities.numbers import vn_number
from lamb_binh.dashboard.reports import RuleCell, TotalColumn, total_columns

register = template.Library()

ZERO_ROW = mark_safe(' class="zero"')  # a row without activities, greyed out

# The markup of a rule cell in each state (escaped once, here).
RULE_CELL_HTML = {
    state: format_html(
        '<td class="rule-{}" title="{}">{}</td>', state, label, RuleCell.SHORT[state]
    )
    for state, label in RuleCell.LABELS.items()
}


def _rule_rows(rows) -> str:
    return "".join(
        f'<tr><th scope="row">{escape(str(unit.short_name))}</th>'
        + "".join(RULE_CELL_HTML[cell.state] for cell in cells)
        + "</tr>"
        for unit, cells in rows
    )


@register.simple_tag
def rule_groups(rule) -> SafeString:
    """The rule matrix, an organisation's units per group (folded when there are many), as
    ready markup: a province's hundred and more groups of units × a year of months are too
    many template variables to render one by one in good time (and a cell is one of four)."""
    header = "".join(f'<th scope="col">{m:%m/%y}</th>' for m in rule.months)
    header = f'<tr><th scope="col">Đơn vị</th>{header}</tr>'
    is_open = "" if rule.folded else " open"
    parts = []
    for group in rule.groups:
        counts = [f"{len(group.rows)} đơn vị"]
        if group.missed:
            counts.append(f'<span class="rule-missed">{group.missed} chưa thực hiện</span>')
        if group.not_reported:
            counts.append(f"{group.not_reported} chưa báo cáo")
        parts.append(
            f'<details class="rule-group"{is_open}><summary><strong>{escape(group.label)}'
            f"</strong> · {' · '.join(counts)}</summary>"
            f'<div class="table-scroll"><table class="rule"><thead>{header}</thead>'
            f"<tbody>{_rule_rows(group.rows)}</tbody></table></div></details>"
        )
    return SafeString("".join(parts))


def _cells(totals, columns: list[TotalColumn], *, first: SafeString | None = None) -> list:
    """A row's numbers; `first` stands for the activities (the footer's link)."""
    values = [vn_number(totals.value(column.name)) for column in columns]
    if first is not None:
        values[0] = first
    return values


def _tds(values: list) -> SafeString:
    # Numbers as vn_number writes them (digits, dots, a comma, a minus) or the footer's
    # ready link: nothing to escape, and a province's thousand rows × ten cells skip the
    # escaping machinery.
    return SafeString("".join(f'<td class="num">{v}</td>' for v in values))


def _row_tds(totals, names: list[str], written: dict) -> str:
    """A row's number cells, each number written once per table (`written`): a province's
    tables have ten thousand cells, many of them the same few numbers."""
    cells = []
    for name in names:
        value = totals.value(name)
        cell = written.get(value)
        if cell is None:
            cell = written[value] = f'<td class="num">{vn_number(value)}</td>'
        cells.append(cell)
    return "".join(cells)


@register.simple_tag(takes_context=True)
def report_table(context, rows, label_title: str, villages=False, total=None, link_param=""):
    """rows: Row objects; villages: show the villages-reached column; total: the Totals of
    the footer line; link_param: the activity-list filter each row's label links with."""
    query = context.get("query", "")
    activities_url = reverse("activity_list")
    columns = total_columns(villages=villages)
    # A province's tables have a thousand rows: each is written with f-strings, its label
    # and group escaped, rather than through format_html.
    row_link = f"{activities_url}?{escape(query)}&amp;{link_param}="
    names = [column.name for column in columns]
    written: dict = {}
    body = []
    # Rows that carry a group (units: the organisation above them) get a heading per group,
    # when there is more than one.
    groups = [row.extra.get("group") for row in rows]
    grouped = len(set(groups) - {None}) > 1
    current = None
    for row, group in zip(rows, groups, strict=True):
        if grouped and group != current:
            current = group
            body.append(
                f'<tr class="group"><th scope="rowgroup" colspan="{len(columns) + 1}">'
                f"{escape(str(group))}</th></tr>"
            )
        label = escape(str(row.label))
        if link_param and row.totals.activities:
            label = f'<a href="{row_link}{row.key.pk:d}">{label}</a>'
        totals = row.totals
        body.append(
            f'<tr{"" if totals.activities else ZERO_ROW}><th scope="row">{label}</th>'
            f"{_row_tds(totals, names, written)}</tr>"
        )
    foot = ""
    if total:
        first = None
        if link_param:
            link = '<a href="{}?{}">{}</a>'
            first = format_html(link, activities_url, query, vn_number(total.activities))
        foot = format_html(
            '<tfoot><tr><th scope="row">Tổng cộng</th>{}</tr></tfoot>',
            _tds(_cells(total, columns, first=first)),
        )
    return format_html(
        '<div class="table-scroll"><table class="report"><thead><tr><th scope="col">{}</th>'
        "{}</tr></thead><tbody>{}</tbody>{}</table></div>",
        label_title,
        format_html_join("", '<th scope="col" class="num">{}</th>', ((c.header,) for c in columns)),
        SafeString("".join(body)),
        foot,
    )

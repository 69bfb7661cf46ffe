"""The summary paragraph, in the style of the district's own reports."""

from __future__ import annotations

from activities.figures import TOTALLED
from activities.numbers import vn_million, vn_number
from activities.periods import Period
from lamb_binh.dashboard.housing import Progress
from lamb_binh.dashboard.reports import Headline, Row

# The figures the sentences below write by hand; any other figure gets a clause of its own.
_WRITTEN = {"cadres", "people", "workdays", "output", "money_contributed", "money_mobilised"}


def _unwritten(totals) -> str:
    """A clause for each figure with a total that the sentences do not write by hand:
    ". Số hộ được giúp đỡ: 12"."""
    clauses = []
    for figure in TOTALLED:
        total = getattr(totals, figure.name)
        if figure.name in _WRITTEN or not total:
            continue
        unit = f" {figure.report_unit}" if figure.report_unit else ""
        clauses.append(f". {figure.headline_label}: {figure.in_report(total)}{unit}")
    return "".join(clauses)


def summary_paragraph(
    *,
    period: Period,
    headline: Headline,
    outputs: list[Row],
    progress: Progress | None,
    communes: str,
) -> str:
    """E.g. "Từ 10/09/2021 đến 30/06/2024, 17 cơ quan, đơn vị đã huy động 1.780 lượt cán bộ,
    đảng viên cùng 9.340 lượt nhân dân tại 100 thôn, bản, tổ dân phố của 10/10 xã, thị trấn…"
    (`communes`: what the communes are, as Scope.commune_kinds names them)."""
    t = headline.totals
    opening = f"Từ {period.start:%d/%m/%Y} đến {period.end:%d/%m/%Y}"
    if not t.activities:
        return f"{opening}, chưa có hoạt động “3 cùng” nào được ghi nhận."
    text = (
        f"{opening}, {vn_number(headline.units_active)} cơ quan, đơn vị đã huy động "
        f"{vn_number(t.cadres)} lượt cán bộ, đảng viên cùng {vn_number(t.people)} lượt nhân dân "
        f"tại {vn_number(headline.villages_reached)} thôn, bản, tổ dân phố của "
        f"{headline.communes_reached}/{headline.communes_total} {communes}, thực hiện "
        f"{vn_number(t.activities)} hoạt động “3 cùng” với nhân dân ở cơ sở, "
        f"đóng góp {vn_number(t.workdays)} ngày công"
    )
    if outputs:
        done = "; ".join(
            f"{row.label.lower()} {vn_number(row.totals.output)} {row.extra['unit']}"
            for row in outputs
        )
        text += f". Kết quả: {done}"
    text += _unwritten(t)
    if t.money_contributed or t.money_mobilised:
        text += (
            f". Các cơ quan, đơn vị đóng góp {vn_million(t.money_contributed)} triệu đồng, "
            f"vận động {vn_million(t.money_mobilised)} triệu đồng"
        )
    if progress and progress.total:
        text += (
            f". Hỗ trợ xóa nhà tạm, nhà dột nát: hoàn thành {vn_number(progress.done)}/"
            f"{vn_number(progress.total)} nhà ({vn_number(progress.rate)}%)"
        )
    return text + "."

"""Bar charts drawn as inline SVG on the server: no JavaScript, no library, print-friendly.

Every chart is shown beside a table with the same numbers.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from activities.numbers import vn_number


def column_chart(points: list[tuple[str, int]], *, title: str, height: int = 160) -> SafeString:
    """Vertical bars, one per label (months of a trend)."""
    if not points:
        return mark_safe("")
    top = max(value for _, value in points) or 1
    bar, gap = 18, 6
    width = len(points) * (bar + gap) + gap
    # Room below and left of the bars for the month labels, slanted down to the left
    # ("01/2026" at 9 px is about 33 px long: 29 down, 17 left).
    below, left = 46, 14
    parts = [
        f'<svg class="chart" viewBox="{-left} 0 {width + left} {height + below}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(points):
        x = gap + index * (bar + gap)
        h = round(height * value / top)
        parts.append(
            f'<rect x="{x}" y="{height - h}" width="{bar}" height="{h}" class="bar">'
            f"<title>{escape(label)}: {vn_number(value)}</title></rect>"
        )
        if len(points) <= 24 or index % 3 == 0:
            parts.append(
                f'<text x="{x + bar / 2}" y="{height + 12}" class="tick" '
                f'text-anchor="end" transform="rotate(-60 {x + bar / 2} {height + 12})">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(points: list[tuple[str, int]], *, title: str, width: int = 320) -> SafeString:
    """Horizontal bars with their labels and values (communes, units)."""
    if not points:
        return mark_safe("")
    top = max(value for _, value in points) or 1
    row, label_width = 20, 110
    room = width - label_width - 50
    height = len(points) * row + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(points):
        y = index * row + 2
        w = round(room * value / top)
        parts.append(
            f'<text x="{label_width - 4}" y="{y + 13}" class="tick" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y + 2}" width="{w}" height="{row - 6}" class="bar"/>'
            f'<text x="{label_width + w + 4}" y="{y + 13}" class="value">{vn_number(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))

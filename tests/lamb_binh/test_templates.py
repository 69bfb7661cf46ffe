"""The templates as Django reads them: a {# #} comment ends on its own line."""

import re
from pathlib import Path

from django.conf import settings

from tests.factories import HISTORY, make_activity

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_comment_runs_over_a_line():
    # Django's {# … #} is a one-line comment: one left open is printed on the page as text
    # ({% comment %} spans lines).
    opened = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\{#(?!.*#\})", line):
                opened.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert opened == []


def test_the_month_page_prints_no_template_syntax(client, staff_a, unit, assignment, binh_an):
    make_activity(unit, binh_an, HISTORY)
    client.force_login(staff_a)
    page = client.get(f"/don-vi/{unit.pk}/thang/{HISTORY.year}/{HISTORY.month}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hoạt động trong tháng" in text and f"{HISTORY:%d/%m}" in text
    assert "{#" not in text and "#}" not in text and "{%" not in text

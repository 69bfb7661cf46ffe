"""One definition each: the weekend, the years a record may carry, the page of a list."""

import datetime

from django.urls import reverse

from activities.models import Activity
from activities.pagination import PAGE_SIZE
from activities.periods import WEEKEND_WEEK_DAYS, is_weekend, weekend_sql
from tests.factories import make_activity, month_url

# 15 and 16 June 2024 were a Saturday and a Sunday, 22 and 23 the next weekend.
JUNE_2024_WEEKENDS = {15, 16, 22, 23}
FORTNIGHT = [datetime.date(2024, 6, day) for day in range(10, 24)]


def test_the_weekend_is_saturday_and_sunday():
    assert {day.day for day in FORTNIGHT if is_weekend(day)} == JUNE_2024_WEEKENDS


def test_the_orm_and_the_trigger_sql_spell_the_same_weekend(unit, binh_an, village):
    # Django numbers Sunday 1 … Saturday 7; ISODOW Monday 1 … Sunday 7; %w Sunday 0 … Saturday 6.
    assert WEEKEND_WEEK_DAYS == (1, 7)
    assert weekend_sql(vendor="postgresql", column="d") == "EXTRACT(ISODOW FROM d) IN (6, 7)"
    assert weekend_sql(vendor="sqlite", column="d") == "strftime('%w', d) IN ('0', '6')"
    for day in FORTNIGHT:
        make_activity(unit, binh_an, day, villages=[village])
    found = {a.date.day for a in Activity.objects.on_weekends()}
    assert found == JUNE_2024_WEEKENDS


def test_a_bookmarked_trang_link_still_opens_that_page(client, staff_a, unit, binh_an, village):
    days = [datetime.date(2024, 6, 1 + i % 30) for i in range(PAGE_SIZE + 3)]
    for day in days:
        make_activity(unit, binh_an, day, villages=[village])
    client.force_login(staff_a)
    old = client.get(month_url(unit, 2024, 6), {"trang": 2})
    assert old.context["summary"].activities.number == 2
    listing = client.get(reverse("activity_list"), {"ky": "thang", "thang": "2024-06", "trang": 2})
    assert listing.context["page"].number == 2
    assert [a.date for a in listing.context["page"].object_list] == sorted(days, reverse=True)[
        PAGE_SIZE:
    ]
    # The pager writes the one parameter, and drops the old one.
    html = listing.content.decode()
    assert "page=1" in html and "trang=" not in html

"""Vietnamese conventions: dd/mm/yyyy (input too), 1.780, 327,65, Monday first."""

import datetime
from decimal import Decimal

from django import forms
from django.template import Context, Template
from django.utils import formats, timezone


class DateForm(forms.Form):
    day = forms.DateField()


def test_dates_show_day_first():
    assert formats.date_format(datetime.date(2024, 6, 5), "SHORT_DATE_FORMAT") == "05/06/2024"
    rendered = Template("{{ d }}").render(Context({"d": datetime.date(2021, 9, 10)}))
    assert rendered == "10/09/2021"


def test_date_input_is_read_day_first_never_month_first():
    form = DateForm({"day": "05/06/2024"})
    assert form.is_valid()
    assert form.cleaned_data["day"] == datetime.date(2024, 6, 5)
    # 13/05 only makes sense day first; 05/13 would be month first and must be refused.
    assert DateForm({"day": "13/05/2024"}).is_valid()
    assert not DateForm({"day": "05/13/2024"}).is_valid()


def test_the_browser_date_picker_iso_value_is_accepted():
    form = DateForm({"day": "2024-06-05"})
    assert form.is_valid()
    assert form.cleaned_data["day"] == datetime.date(2024, 6, 5)


def test_a_bad_date_gets_a_vietnamese_message():
    form = DateForm({"day": "31/02/2024"})
    assert not form.is_valid()
    assert form.errors["day"] == ["Nhập một ngày hợp lệ."]


def test_numbers_group_thousands_with_dots_and_use_comma_decimals():
    rendered = Template("{% load l10n %}{{ a }} {{ b }} {{ c }}").render(
        Context({"a": 1780, "b": Decimal("327.65"), "c": 25_000_000})
    )
    assert rendered == "1.780 327,65 25.000.000"


def test_week_starts_on_monday_in_ho_chi_minh_time():
    assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
    assert str(timezone.get_current_timezone()) == "Asia/Ho_Chi_Minh"

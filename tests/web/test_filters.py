"""Money and London time as pages show them."""

from datetime import UTC, date, datetime

import pytest

from training_app.web.filters import humanise, london_datetime, london_time, long_date, money


@pytest.mark.parametrize(
    ("pence", "shown"),
    [(0, "£0.00"), (5, "£0.05"), (123_400, "£1,234.00"), (15_400_000, "£154,000.00"), (-250, "-£2.50"), (None, "")],
)
def test_money_is_pounds_from_integer_pence(pence, shown):
    assert money(pence) == shown


def test_times_are_shown_in_london_summer_and_winter():
    assert london_datetime(datetime(2008, 10, 1, 8, 30, tzinfo=UTC)) == "1 October 2008, 9:30am"
    assert london_datetime(datetime(2008, 12, 1, 13, 0, tzinfo=UTC)) == "1 December 2008, 1pm"
    assert london_time(datetime(2008, 6, 30, 23, 15, tzinfo=UTC)) == "12:15am"


def test_a_late_utc_evening_is_the_next_london_day():
    assert long_date(datetime(2008, 6, 30, 23, 15, tzinfo=UTC)) == "1 July 2008"
    assert long_date(date(2008, 7, 4)) == "4 July 2008"


def test_enum_values_read_as_words():
    assert humanise("workforce_lead") == "Workforce lead"

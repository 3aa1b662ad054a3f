"""The one date rule every interface shares: ISO dates and the three GOV.UK boxes, within 1900 to 2100."""

from __future__ import annotations

from datetime import date

import pytest

from training_app.services.common.calendar import (
    EARLIEST_DATE,
    LATEST_DATE,
    DateProblem,
    DateProblemKind,
    date_from_parts,
    parse_iso_date,
)


@pytest.mark.parametrize(
    ("text", "day"),
    [("2008-08-31", date(2008, 8, 31)), ("1900-01-01", EARLIEST_DATE), ("2100-12-31", LATEST_DATE)],
)
def test_an_iso_date_within_the_supported_years_is_read(text, day):
    assert parse_iso_date(text) == day


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2008-W35-7", DateProblemKind.FORMAT),
        ("20080831xx", DateProblemKind.FORMAT),
        ("20080831", DateProblemKind.FORMAT),
        ("2008-8-31", DateProblemKind.FORMAT),
        ("31/08/2008", DateProblemKind.FORMAT),
        (" 2008-08-31", DateProblemKind.FORMAT),
        ("2008-08-31T00:00", DateProblemKind.FORMAT),
        ("２００８-０８-３１", DateProblemKind.FORMAT),  # full-width digits are not what anyone types as ISO
        ("", DateProblemKind.FORMAT),
        ("2008-02-30", DateProblemKind.NOT_REAL),
        ("2008-13-01", DateProblemKind.NOT_REAL),
        ("0000-01-01", DateProblemKind.NOT_REAL),
        ("9999-12-31", DateProblemKind.OUT_OF_RANGE),
        ("1899-12-31", DateProblemKind.OUT_OF_RANGE),
        ("2101-01-01", DateProblemKind.OUT_OF_RANGE),
    ],
)
def test_anything_else_is_a_date_problem_saying_what_kind(text, kind):
    with pytest.raises(DateProblem) as problem:
        parse_iso_date(text)

    assert problem.value.kind is kind
    assert str(problem.value)


def test_a_date_outside_the_supported_years_says_which_years_are():
    with pytest.raises(DateProblem, match="between 1900-01-01 and 2100-12-31"):
        parse_iso_date("9999-12-31")


@pytest.mark.parametrize(
    ("parts", "day"),
    [
        (("31", "8", "2008"), date(2008, 8, 31)),
        (("01", "02", "2008"), date(2008, 2, 1)),
        (("1", "1", "1900"), EARLIEST_DATE),
    ],
)
def test_three_boxes_make_a_date(parts, day):
    assert date_from_parts(*parts) == day


@pytest.mark.parametrize(
    ("parts", "kind"),
    [
        (("99999999999999999999", "1", "2008"), DateProblemKind.NOT_REAL),
        (("1", "99999999999999999999", "2008"), DateProblemKind.NOT_REAL),
        (("1", "1", "99999999999999999999"), DateProblemKind.YEAR_DIGITS),
        (("1" * 5000, "1", "2008"), DateProblemKind.NOT_REAL),
        (("31", "2", "2008"), DateProblemKind.NOT_REAL),
        (("0", "1", "2008"), DateProblemKind.NOT_REAL),
        (("1", "two", "2008"), DateProblemKind.NOT_REAL),
        (("-1", "1", "2008"), DateProblemKind.NOT_REAL),
        (("²", "1", "2008"), DateProblemKind.NOT_REAL),
        (("١", "1", "2008"), DateProblemKind.NOT_REAL),
        (("1", "1", "08"), DateProblemKind.YEAR_DIGITS),
        (("31", "12", "9999"), DateProblemKind.OUT_OF_RANGE),
        (("1", "1", "0001"), DateProblemKind.OUT_OF_RANGE),
    ],
)
def test_boxes_that_do_not_make_a_supported_date_are_a_date_problem(parts, kind):
    with pytest.raises(DateProblem) as problem:
        date_from_parts(*parts)

    assert problem.value.kind is kind

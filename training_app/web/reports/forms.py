"""The as-of date of a report, asked as GOV.UK's three boxes (day, month, year) in a GET form."""

from __future__ import annotations

import re

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field, Form, ValidationError

from ...services.common.calendar import (
    EARLIEST_DATE,
    LATEST_DATE,
    DateProblem,
    DateProblemKind,
    date_from_parts,
    parse_iso_date,
)

PARTS = ("day", "month", "year")
BOX = re.compile(r"[0-9]*")  # what one box may hold; a single value holding anything else is read as YYYY-MM-DD
# GOV.UK's wording for each reason the calendar gives; the rule itself lives in services.common.calendar.
MESSAGES = {
    DateProblemKind.FORMAT: "The date must be a real date",
    DateProblemKind.NOT_REAL: "The date must be a real date",
    DateProblemKind.YEAR_DIGITS: "Year must include 4 numbers",
    DateProblemKind.OUT_OF_RANGE: (
        f"The date must be between {EARLIEST_DATE.day} {EARLIEST_DATE:%B %Y} and {LATEST_DATE.day} {LATEST_DATE:%B %Y}"
    ),
}


class DayMonthYearField(Field):
    """A date typed as day, month and year boxes sharing one name; errors worded as the GOV.UK pattern asks.

    A single value written YYYY-MM-DD (`?as_of=2008-08-31`, as the API and the workbook take it) is read too,
    so a report's address can be shared; the boxes then show that date.
    """

    widget = GovDateInput()

    def _value(self) -> str:
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep the three boxes as typed (exactly three, so the widget can show them again) and parse them."""
        self.data = None
        if len(valuelist) == 1 and not BOX.fullmatch(str(valuelist[0]).strip()):
            self._process_iso(str(valuelist[0]).strip())
            return
        parts = [str(value).strip() for value in valuelist[:3]]
        self.raw_data = parts + [""] * (3 - len(parts))
        self.parse_error = date_problem(*self.raw_data)
        if self.parse_error is None:
            self.data = date_from_parts(*self.raw_data)

    def _process_iso(self, text: str) -> None:
        """Read `?as_of=YYYY-MM-DD`; the boxes then show the date (or stay empty when it cannot be used)."""
        try:
            self.data = parse_iso_date(text)
        except DateProblem as problem:
            self.raw_data = ["", "", ""]
            self.parse_error = MESSAGES[problem.kind]
        else:
            self.raw_data = None  # the widget shows `data`, as it does for the default date
            self.parse_error = None

    def pre_validate(self, form: Form) -> None:
        """Report what was wrong with the boxes."""
        if getattr(self, "parse_error", None):
            raise ValidationError(self.parse_error)


def date_problem(day: str, month: str, year: str) -> str | None:
    """What is wrong with a typed date, in GOV.UK's words, or None when it is a supported real date."""
    given = dict(zip(PARTS, (day, month, year), strict=True))
    missing = [part for part, value in given.items() if not value]
    if len(missing) == 3:
        return "Enter the date to count up to"
    if missing:
        return f"The date must include a {' and a '.join(missing)}"
    try:
        date_from_parts(day, month, year)
    except DateProblem as problem:
        return MESSAGES[problem.kind]
    return None


class AsOfForm(Form):
    """The date a report counts up to; sent with GET, so no CSRF token (it changes nothing).

    The button has no name, so the address holds only the date and can be bookmarked.
    """

    as_of = DayMonthYearField("Count staff trained up to", description="For example, 31 8 2008")

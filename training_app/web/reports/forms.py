"""The as-of date of a report, asked as GOV.UK's three boxes (day, month, year) in a GET form."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field, Form, ValidationError

PARTS = ("day", "month", "year")


class DayMonthYearField(Field):
    """A date typed as day, month and year boxes sharing one name; errors worded as the GOV.UK pattern asks."""

    widget = GovDateInput()

    def _value(self) -> str:
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep the three boxes as typed (exactly three, so the widget can show them again) and parse them."""
        parts = [str(value).strip() for value in valuelist[:3]]
        self.raw_data = parts + [""] * (3 - len(parts))
        self.data = None
        self.parse_error = date_problem(*self.raw_data)
        if self.parse_error is None:
            self.data = date(int(self.raw_data[2]), int(self.raw_data[1]), int(self.raw_data[0]))

    def pre_validate(self, form: Form) -> None:
        """Report what was wrong with the boxes."""
        if getattr(self, "parse_error", None):
            raise ValidationError(self.parse_error)


def date_problem(day: str, month: str, year: str) -> str | None:
    """What is wrong with a typed date, in GOV.UK's words, or None when it is a real date."""
    given = dict(zip(PARTS, (day, month, year), strict=True))
    missing = [part for part, value in given.items() if not value]
    if len(missing) == 3:
        return "Enter the date to count up to"
    if missing:
        return f"The date must include a {' and a '.join(missing)}"
    if not all(value.isdigit() for value in given.values()):
        return "The date must be a real date"
    if len(year) != 4:
        return "Year must include 4 numbers"
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return "The date must be a real date"
    return None


class AsOfForm(Form):
    """The date a report counts up to; sent with GET, so no CSRF token (it changes nothing).

    The button has no name, so the address holds only the date and can be bookmarked.
    """

    as_of = DayMonthYearField("Count staff trained up to", description="For example, 31 8 2008")

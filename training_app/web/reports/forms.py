"""The as-of date of a report, asked as GOV.UK's three boxes (day, month, year) in a GET form."""

from __future__ import annotations

from wtforms import Form

from ..dates import DateBoxesField


class AsOfForm(Form):
    """The date a report counts up to; sent with GET, so no CSRF token (it changes nothing).

    The button has no name, so the address holds only the date and can be bookmarked.
    """

    as_of = DateBoxesField(
        "Count staff trained up to",
        description="For example, 31 8 2008",
        missing="Enter the date to count up to",
        iso=True,
    )

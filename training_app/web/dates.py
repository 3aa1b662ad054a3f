"""The one date field: GOV.UK's day, month and year boxes sharing one name, read by services.common.calendar's rules
and worded as the GOV.UK date input pattern asks. Each form says only what differs: the words for empty boxes,
whether they may stay empty, whether a month alone will do, whether `?name=YYYY-MM-DD` is read too."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field, Form, ValidationError

from ..services.common.calendar import (
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
MESSAGES: Mapping[DateProblemKind, str] = {
    DateProblemKind.FORMAT: "The date must be a real date",
    DateProblemKind.NOT_REAL: "The date must be a real date",
    DateProblemKind.YEAR_DIGITS: "Year must include 4 numbers",
    DateProblemKind.OUT_OF_RANGE: (
        f"The date must be between {EARLIEST_DATE.day} {EARLIEST_DATE:%B %Y} and {LATEST_DATE.day} {LATEST_DATE:%B %Y}"
    ),
}


class DateBoxesField(Field):
    """A date typed as day, month and year boxes.

    `missing`: the error when every box is empty, or None when the boxes may be left empty (no date, no error).
    `subject`: how the error for some empty boxes names the date ("The date must include a month").
    `partial`: a fixed error for some empty boxes instead.
    `messages`: the words for a date that cannot be used, by the calendar's reason.
    `month_date`: the day may be left empty, and this gives the date kept for a month (`month_only` then says so).
    `iso`: a single value written YYYY-MM-DD (a report's shareable address) is read too; the boxes show it.
    `checked`: False when the form reads `problem` itself (a row of boxes that may be unused); otherwise the
    problem is the field's validation error.
    """

    widget = GovDateInput()
    data: date | None
    raw_data: list[str] | None  # the three boxes as typed; None when they show `data`

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        missing: str | None = "Enter the date",
        subject: str = "The date",
        partial: str | None = None,
        messages: Mapping[DateProblemKind, str] = MESSAGES,
        month_date: Callable[[int, int], date] | None = None,
        iso: bool = False,
        checked: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.missing, self.subject, self.partial, self.messages = missing, subject, partial, messages
        self.month_date, self.iso, self.checked = month_date, iso, checked
        self.problem: str | None = None
        self.month_only = False

    def _value(self) -> str:
        return ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Keep the three boxes as typed (exactly three, so the widget can show them again) and read them."""
        self.data, self.problem, self.month_only = None, None, False
        if self.iso and len(valuelist) == 1 and not BOX.fullmatch(str(valuelist[0]).strip()):
            self._process_iso(str(valuelist[0]).strip())
            return
        parts = [str(value).strip() for value in valuelist[:3]]
        self.raw_data = parts + [""] * (3 - len(parts))
        if not any(self.raw_data):
            self.problem = self.missing
            return
        self.data, self.month_only, self.problem = self._read(*self.raw_data)

    def _read(self, day: str, month: str, year: str) -> tuple[date | None, bool, str | None]:
        """(date, month only, problem) from boxes of which at least one holds something."""
        given = dict(zip(PARTS, (day, month, year), strict=True))
        needed = PARTS[1:] if self.month_date else PARTS
        missing = [part for part in needed if not given[part]]
        if missing:
            return None, False, self.partial or f"{self.subject} must include a {' and a '.join(missing)}"
        try:
            if day or self.month_date is None:
                return date_from_parts(day, month, year), False, None
            first = date_from_parts("1", month, year)
            return self.month_date(first.year, first.month), True, None
        except DateProblem as problem:
            return None, False, self.messages[problem.kind]

    def _process_iso(self, text: str) -> None:
        """Read `?name=YYYY-MM-DD`; the boxes then show the date (or stay empty when it cannot be used)."""
        try:
            self.data = parse_iso_date(text)
        except DateProblem as problem:
            self.raw_data = ["", "", ""]
            self.problem = self.messages[problem.kind]
        else:
            self.raw_data = None  # the widget shows `data`, as it does for a default date

    def show(self, day: date, month_only: bool = False) -> None:
        """Fill the boxes with a stored date (the day left empty when it stands for its month)."""
        self.raw_data = ["" if month_only else str(day.day), str(day.month), str(day.year)]

    def required_date(self) -> date:
        """The date of a field that holds one: it passed validation with `missing` set, or keeps its default.
        A view asking this of a field without a date is a mistake in the view, not in what was typed."""
        if self.data is None:
            raise RuntimeError(f"the date field {self.name} has no date")
        return self.data

    @property
    def blank(self) -> bool:
        """No box filled in."""
        return not self.raw_data or not any(self.raw_data)

    def pre_validate(self, form: Form) -> None:
        """Report what was wrong with the boxes."""
        if self.checked and self.problem:
            raise ValidationError(self.problem)

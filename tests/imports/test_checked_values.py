"""Row.checked, what every reader builds its record from: a checked row's values, never a half-checked row's."""

from __future__ import annotations

import pytest

from training_app.imports.base import Row, RowError


def row(**cells: str) -> tuple[Row, list[RowError]]:
    errors: list[RowError] = []
    return Row(2, dict(cells), errors), errors


def test_a_checked_row_gives_its_values():
    checked, errors = row(name="Safeguarding basics", places="12")
    name, places = checked.text("name", 200), checked.integer("places", minimum=1, required=True)
    assert (checked.checked(name), checked.checked(places)) == ("Safeguarding basics", 12)
    assert errors == []


def test_a_row_with_errors_gives_no_record():
    unchecked, errors = row(name="Safeguarding basics", places="none")
    name = unchecked.text("name", 200)
    unchecked.integer("places", minimum=1, required=True)
    assert [str(error) for error in errors] == ['line 2: places: must be a whole number, not "none"']
    with pytest.raises(RuntimeError, match="line 2: a record was built from a row with errors"):
        unchecked.checked(name)


def test_an_empty_optional_cell_is_not_a_required_value():
    checked, errors = row(venue="")
    venue = checked.text("venue", 200, required=False)
    assert venue is None and errors == []
    with pytest.raises(RuntimeError, match="a required value is missing"):
        checked.checked(venue)

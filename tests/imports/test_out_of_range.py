"""Numbers and dates no database or calendar can hold are row errors, `line N: column: message`, never a traceback."""

from __future__ import annotations

import pytest

from tests.imports.helpers import SAMPLE_ROWS, sample_file, sample_world, table_counts
from training_app.imports import import_csv
from training_app.imports.service import READERS

NUMBER_COLUMNS = [
    ("authorities", "display_order"),
    ("pathways", "position"),
    ("organisations", "pupils"),
    ("courses", "validity_months"),
    ("sessions", "capacity"),
]
NUMBER_COLUMNS = [(kind, column) for kind, column in NUMBER_COLUMNS if kind in READERS]  # pathways is newer
DATE_COLUMNS = [("sessions", "date"), ("training-records", "completed_on")]


@pytest.fixture
def world(app_ctx):
    return sample_world()


def import_one(kind: str, **cells: str):
    before = table_counts()
    result = import_csv(kind, sample_file(kind, **cells).encode())
    assert table_counts() == before, "a failed import wrote something"
    return result


def test_every_kind_has_a_sample_row_so_the_fuzzers_can_start_from_a_good_file(world):
    assert set(READERS) <= set(SAMPLE_ROWS), "add a valid row of the new kind to SAMPLE_ROWS in tests/imports/helpers"
    for kind, reader in READERS.items():
        assert tuple(SAMPLE_ROWS[kind]) == reader.columns


@pytest.mark.parametrize(("kind", "column"), NUMBER_COLUMNS)
@pytest.mark.parametrize("digits", [4300, 4301, 100_000])
def test_a_number_with_thousands_of_digits_is_a_row_error(world, kind, column, digits):
    result = import_one(kind, **{column: "9" * digits})

    assert len(result.errors) == 1
    assert result.errors[0].startswith(f"line 2: {column}: ")
    assert "is too large" in result.errors[0]
    assert len(result.errors[0]) < 200  # the value is shortened, not echoed in full


@pytest.mark.parametrize(("kind", "column"), NUMBER_COLUMNS)
@pytest.mark.parametrize("value", ["2147483648", "-2147483649", "99999999999999999999", "+" + "9" * 30])
def test_a_number_beyond_a_database_integer_is_a_row_error(world, kind, column, value):
    result = import_one(kind, **{column: value})

    assert len(result.errors) == 1
    assert result.errors[0].startswith(f"line 2: {column}: ")


@pytest.mark.parametrize(("kind", "column"), NUMBER_COLUMNS)
@pytest.mark.parametrize("value", ["١٢", "１２", "²", "1_000", "1e3", "0x10"])
def test_only_plain_digits_make_a_number(world, kind, column, value):
    result = import_one(kind, **{column: value})

    assert result.errors == [f'line 2: {column}: must be a whole number, not "{value}"']


@pytest.mark.parametrize("months", ["1201", "2147483647"])
def test_a_validity_longer_than_a_hundred_years_is_a_row_error(world, months):
    result = import_one("courses", validity_months=months)

    assert result.errors == [f"line 2: validity_months: must be at most 1200 (100 years), not {months}"]


def test_a_hundred_years_validity_is_accepted_and_a_record_of_it_imports(world):
    assert import_csv("courses", sample_file("courses", validity_months="1200").encode()).ok

    result = import_csv("training-records", sample_file("training-records", course="CAF2").encode())

    assert result.ok, result.errors


@pytest.mark.parametrize(("kind", "column"), DATE_COLUMNS)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9999-12-31", "9999-12-31 is outside the years this system keeps (1900-01-01 to 2100-12-31)"),
        ("0001-01-01", "0001-01-01 is outside the years this system keeps (1900-01-01 to 2100-12-31)"),
        ("1899-12-31", "1899-12-31 is outside the years this system keeps (1900-01-01 to 2100-12-31)"),
        ("0000-01-01", "0000-01-01 is not a real date"),
        ("2008-W35-7", 'must be a date as YYYY-MM-DD, not "2008-W35-7"'),
        ("20080831xx", 'must be a date as YYYY-MM-DD, not "20080831xx"'),
        ("２００８-１０-０１", 'must be a date as YYYY-MM-DD, not "２００８-１０-０１"'),
    ],
)
def test_a_date_outside_the_supported_years_or_not_iso_is_a_row_error(world, kind, column, value, message):
    result = import_one(kind, **{column: value})

    assert result.errors == [f"line 2: {column}: {message}"]


@pytest.mark.parametrize("value", ["١٠:٣٠", "９:３０"])
def test_a_time_needs_plain_digits(world, value):
    result = import_one("sessions", start=value)

    assert result.errors == [f'line 2: start: must be a time as HH:MM, not "{value}"']

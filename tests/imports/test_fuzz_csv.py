"""hypothesis over every CSV import kind in READERS: whatever the file, an ImportResult, never a traceback.

On failure every error is `line N: column: message` or one whole-file sentence, and nothing in the database
changed; a valid file, however it is saved (column order, quoting, BOM, line endings), still imports. Kinds
added to READERS later are fuzzed too (test_out_of_range checks each has a sample row to start from).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.imports.helpers import SAMPLE_ROWS, sample_world
from training_app.extensions import db
from training_app.imports import ImportResult, import_csv
from training_app.imports.service import READERS

KINDS = sorted(READERS)
LINE_ERROR = re.compile(r"line (\d+): ([a-z_]+): (.+)")
MAX_MESSAGE = 400  # an error longer than this buries the others: a bad cell is shown shortened

FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Cells a person, a spreadsheet or an attacker might put in any column.
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=2**31 - 2, max_value=2**31 + 2),
    st.integers(min_value=-(2**63) - 2, max_value=-(2**63) + 2),
    st.integers(min_value=2**63 - 2, max_value=2**64),
).map(str)
DIGIT_RUNS = st.sampled_from([4299, 4300, 4301, 5000, 20_000]).map(lambda n: "9" * n)
DATES = st.builds(
    "{:04d}-{:02d}-{:02d}".format,
    st.integers(min_value=0, max_value=9999),
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=99),
)
ODD = st.sampled_from(
    [
        "",
        " ",
        "9999-12-31",
        "0001-01-01",
        "2008-W35-7",
        "20080831xx",
        "2008-02-30",
        "１２",
        "١٢",
        "²",
        "1e400",
        "NaN",
        "-0",
        "+1",
        "0x1F",
        "25:00",
        "23:60",
        "yes",
        "NO",
        '"',
        "a,b",
        "line\nbreak",
        '=HYPERLINK("http://x")',
        "\ufeff",
        "\x00",
        "; ;;",
        "LEICESTER;LEICESTER",
    ]
)
CELLS = st.one_of(NUMBERS, DIGIT_RUNS, DATES, ODD, st.text(max_size=30), st.just("x" * 200_000))


def snapshot() -> dict[str, list[str]]:
    """Every row of every table, so 'nothing changed' covers updates as well as inserts."""
    db.session.expire_all()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(sa.select(table)))
        for table in db.metadata.sorted_tables
    }


def check_result(kind: str, result: ImportResult) -> None:
    """An import's errors are `line N: column: message` lines or one whole-file sentence, each short."""
    assert isinstance(result, ImportResult)
    if result.ok:
        return
    columns = {*READERS[kind].columns, "row"}
    lines = [LINE_ERROR.fullmatch(error) for error in result.errors]
    if all(lines):
        assert {match[2] for match in lines} <= columns, result.errors
        assert all(int(match[1]) >= 2 for match in lines), result.errors
    else:
        assert len(result.errors) == 1, result.errors
        assert "\n" not in result.errors[0]
    assert all(0 < len(error) <= MAX_MESSAGE for error in result.errors), [e[:500] for e in result.errors]


@pytest.fixture
def importer(app_ctx) -> Callable[[str, bytes | str], ImportResult]:
    """Import a file, checking the result; a failure must leave every table exactly as it was."""
    sample_world()
    state = {"before": snapshot()}

    def run(kind: str, data: bytes | str) -> ImportResult:
        result = import_csv(kind, data)
        check_result(kind, result)
        after = snapshot()
        if not result.ok:
            assert after == state["before"], f"a failed import of {kind} changed the database: {result.errors}"
        state["before"] = after
        return result

    return run


def write_csv(rows: list[list[str]], quoting: int, terminator: str) -> str:
    """Rows as CSV text, as a spreadsheet might save them."""
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator=terminator).writerows(rows)
    return out.getvalue()


QUOTING = st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
TERMINATORS = st.sampled_from(["\n", "\r\n"])


@st.composite
def mutated_files(draw: st.DrawFn, kind: str) -> str:
    """The kind's header (perhaps reordered, short or long) and rows of the sample row with fuzzed cells."""
    sample = SAMPLE_ROWS[kind]
    header = list(draw(st.permutations(list(sample))))
    if draw(st.integers(0, 9)) == 0:
        header.pop(draw(st.integers(0, len(header) - 1)))  # a missing column
    if draw(st.integers(0, 9)) == 0:
        header.append(draw(st.sampled_from(["notes", header[0], ""])))  # an extra or repeated column
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        row = {column: sample.get(column, "") for column in header}
        for column in header:  # each cell fuzzed or kept, so one example probes many columns at once
            if draw(st.booleans()):
                row[column] = draw(CELLS)
        values = list(row.values())
        shape = draw(st.integers(0, 19))
        if shape == 0:
            values = values[:-1]  # a value short
        elif shape == 1:
            values.append(draw(CELLS))  # a value too many
        rows.append(values)
    if draw(st.booleans()):
        rows.append(rows[0])  # the same key twice
    return write_csv([header, *rows], draw(QUOTING), draw(TERMINATORS))


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32"])
# Text handed to the service as str, surrogates included: they must not reach the database driver.
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200)


@pytest.mark.parametrize("kind", KINDS)
@settings(FUZZ, max_examples=80)
@given(data=st.data())
def test_any_file_never_raises_and_a_failure_writes_nothing(importer, kind, data):
    """Fuzzed cells in a good header, the same saved in other encodings, random bytes, or any text."""
    form = data.draw(st.sampled_from(["cells", "cells", "cells", "encoding", "bytes", "text"]))
    if form == "cells":
        importer(kind, data.draw(mutated_files(kind)).encode())
    elif form == "encoding":
        text = data.draw(mutated_files(kind)).replace("Smith", "Smíth").replace("Hill", "Hïll")
        encoding = data.draw(ENCODINGS)
        result = importer(kind, text.encode(encoding, errors="replace"))
        if encoding.startswith(("utf-16", "utf-32")):
            assert result.errors and result.errors[0].startswith("the file is not")
    elif form == "bytes":
        importer(kind, data.draw(st.binary(max_size=300)))
    else:
        importer(kind, ",".join(SAMPLE_ROWS[kind]) + "\n" + data.draw(ANY_TEXT))


@st.composite
def saved_sample_files(draw: st.DrawFn, kind: str) -> bytes:
    """The sample file as different spreadsheets save it: any column order, quoting, BOM and line ending."""
    sample = SAMPLE_ROWS[kind]
    header = list(draw(st.permutations(list(sample))))
    shown_header = [draw(st.sampled_from([name, name.upper(), f" {name} "])) for name in header]
    text = write_csv([shown_header, [sample[column] for column in header]], draw(QUOTING), draw(TERMINATORS))
    text += draw(st.sampled_from(["", "\n", "\r\n\r\n", "," * (len(header) - 1) + "\n"]))
    return (draw(st.sampled_from(["", "\ufeff"])) + text).encode()


@pytest.mark.parametrize("kind", KINDS)
@settings(FUZZ, max_examples=10)
@given(data=st.data())
def test_a_valid_file_imports_however_it_is_saved(importer, kind, data):
    result = importer(kind, data.draw(saved_sample_files(kind)))

    assert result.ok, result.errors
    assert result.created + result.updated == 1

"""One record added or changed from a form, checked by the same reader as a CSV file of its kind (SPEC 4.3)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from ..models import User
from .base import RowError
from .service import READERS, ImportResult, import_csv

ERROR = re.compile(r"line [0-9]+: ([a-z_]+): (.*)", re.S)


def import_one_row(
    kind: str, row: dict[str, str], actor: User, still_new: Callable[[], str | None] | None = None
) -> ImportResult:
    """Create or update one record of `kind` from its CSV columns, committed (and audited) only when valid. A form
    that adds a record passes `still_new`: why the record is not new (already there), asked once no other import of
    the kind can add it at the same moment; its answer refuses the row, reported on the key's column."""
    columns = READERS[kind].columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([row.get(column, "") for column in columns])
    checked = None if still_new is None else _on_key(still_new, READERS[kind].key_columns[0])
    return import_csv(kind, out.getvalue(), actor=actor, still_new=checked)


def _on_key(still_new: Callable[[], str | None], key: str) -> Callable[[], RowError | None]:
    def checked() -> RowError | None:
        problem = still_new()
        return RowError(2, key, problem) if problem else None

    return checked


def errors_by_column(result: ImportResult) -> dict[str, list[str]]:
    """The import's messages keyed by the column they are about ("" for problems with the whole row)."""
    found: dict[str, list[str]] = {}
    for error in result.errors:
        match = ERROR.match(error)
        column, message = (match.group(1), match.group(2)) if match else ("", error)
        found.setdefault(column, []).append(message)
    return found

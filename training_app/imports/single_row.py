"""One record added or changed from a form, checked by the same reader as a CSV file of its kind (SPEC 4.3)."""

from __future__ import annotations

import csv
import io
import re

from ..models import User
from .service import READERS, ImportResult, import_csv

ERROR = re.compile(r"line [0-9]+: ([a-z_]+): (.*)", re.S)


def import_one_row(kind: str, row: dict[str, str], actor: User) -> ImportResult:
    """Create or update one record of `kind` from its CSV columns, committed (and audited) only when valid."""
    columns = READERS[kind].columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([row.get(column, "") for column in columns])
    return import_csv(kind, out.getvalue(), actor=actor)


def errors_by_column(result: ImportResult) -> dict[str, list[str]]:
    """The import's messages keyed by the column they are about ("" for problems with the whole row)."""
    found: dict[str, list[str]] = {}
    for error in result.errors:
        match = ERROR.match(error)
        column, message = (match.group(1), match.group(2)) if match else ("", error)
        found.setdefault(column, []).append(message)
    return found

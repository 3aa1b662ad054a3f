"""Exports of people, streamed (constant_memory): who is still to train on a date, and training records in a period.

Each writer takes an optional progress callback, called once per row written, so `flask export` can show a bar.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from ..services.reporting import report_lists
from ..services.reporting.counting import authority_set_labeller
from .report_sheets import kind_label
from .xlsx import Progress, hardened_workbook, streamed_table

STILL_TO_TRAIN_HEADER = [
    "Last name",
    "First name",
    "Email",
    "Job title",
    "Organisation",
    "Kind of organisation",
    "Area",
    "Group",
    "Authorities",
]
RECORDS_HEADER = [
    "Email",
    "Last name",
    "First name",
    "Organisation",
    "Course code",
    "Course",
    "Completed on",
    "Expires on",
    "Source",
    "Certificate",
]


def write_still_to_train(
    path: str | Path, as_of: date, authority_ids: set[int] | None = None, progress: Progress | None = None
) -> int:
    """Sheet 'Still to train': everyone required to train and not trained by as_of; returns the rows written."""
    label = authority_set_labeller()

    def rows() -> Iterator[list[Any]]:
        for row in report_lists.still_to_train_people(as_of, authority_ids):
            kind = kind_label(row.kind) if row.kind else None
            yield [*row[:5], kind, row.area, row.group, label(row.authority_key)]

    return _write(path, "Still to train", STILL_TO_TRAIN_HEADER, rows(), progress)


def write_training_records(
    path: str | Path,
    start: date | None = None,
    end: date | None = None,
    authority_ids: set[int] | None = None,
    progress: Progress | None = None,
) -> int:
    """Sheet 'Training records': every record completed in the period, oldest first; returns the rows written."""
    rows = (
        [*row[:8], str(row.source), row.certificate]
        for row in report_lists.training_record_rows(start, end, authority_ids)
    )
    return _write(path, "Training records", RECORDS_HEADER, rows, progress)


def _write(path: str | Path, name: str, header: list[str], rows: Any, progress: Any) -> int:
    workbook = hardened_workbook(path, streaming=True)
    try:
        return streamed_table(workbook, name, header, rows, progress)
    finally:
        workbook.close()

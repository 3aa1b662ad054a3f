"""The audit trail as a workbook: one row per event, the record named as the audit log page names it (a booking as
"<practitioner> on <session code>") with its id beside it, and old and new values as JSON with their ids named."""

from __future__ import annotations

import json
from itertools import islice, tee
from pathlib import Path
from typing import Any

from ..services.accounts.audit_labels import named_rows
from ..services.accounts.audit_log import AuditFilter, audit_rows
from ..services.common.calendar import to_london
from .xlsx import MAX_ROWS, hardened_workbook

HEADER = ["When (London)", "Who", "Action", "Record", "Record id", "Old value", "New value"]
WIDTHS = [19, 30, 24, 50, 10, 60, 60]


def write_audit_log(path: str | Path, audit_filter: AuditFilter) -> int:
    """Write the events matching the filter, newest first; returns how many rows were written."""
    workbook = hardened_workbook(path, streaming=True)
    written = 0
    try:
        sheet = workbook.add_worksheet("Audit log")
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet.write_row(0, 0, HEADER, workbook.add_format({"bold": True}))
        for column, width in enumerate(WIDTHS):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 0)
        rows = islice(audit_rows(audit_filter), MAX_ROWS)
        first, second = tee(rows)
        named = named_rows((row.entity_type, row.entity_id, row.old_value, row.new_value) for row in first)
        for row, (record, old, new) in zip(second, named, strict=True):
            written += 1
            sheet.write_datetime(written, 0, to_london(row.at).replace(tzinfo=None), when)
            sheet.write_row(written, 1, [row.actor, _action(row.action), record])
            if row.entity_id is not None:
                sheet.write_number(written, 4, row.entity_id)
            sheet.write_row(written, 5, [_json(old), _json(new)])
    finally:
        workbook.close()
    return written


def _action(action: str) -> str:
    """'booking.cancelled' -> 'Booking cancelled', as the audit log page prints it."""
    text = action.replace(".", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

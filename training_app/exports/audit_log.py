"""The audit trail as a workbook: one row per event with its old and new values as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..services.accounts.audit_log import AuditFilter, audit_rows
from ..services.common.calendar import to_london
from .xlsx import MAX_ROWS, hardened_workbook

HEADER = ["When (London)", "Who", "Action", "Kind of record", "Record", "Old value", "New value"]


def write_audit_log(path: str | Path, audit_filter: AuditFilter) -> int:
    """Write the events matching the filter, newest first; returns how many rows were written."""
    workbook = hardened_workbook(path, streaming=True)
    written = 0
    try:
        sheet = workbook.add_worksheet("Audit log")
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet.write_row(0, 0, HEADER, workbook.add_format({"bold": True}))
        sheet.freeze_panes(1, 0)
        for at, actor, action, entity_type, entity_id, old, new in audit_rows(audit_filter):
            if written == MAX_ROWS:
                break
            written += 1
            sheet.write_datetime(written, 0, to_london(at).replace(tzinfo=None), when)
            sheet.write_row(written, 1, [actor, action, entity_type])
            if entity_id is not None:
                sheet.write_number(written, 4, entity_id)
            sheet.write_row(written, 5, [_json(old), _json(new)])
    finally:
        workbook.close()
    return written


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

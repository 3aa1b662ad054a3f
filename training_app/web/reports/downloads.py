"""Workbook downloads of people: who is still to train on a date, and training records in a period (streamed)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from flask import Response, render_template, request, send_file
from flask_login import current_user

from ...exports.people_lists import write_still_to_train, write_training_records
from ...permissions import REPORT_READERS, allow
from ...services.accounts.scope import report_scope
from ...services.common.calendar import london_today
from .forms import AsOfForm
from .period_forms import PeriodForm
from .routes import XLSX_MIMETYPE, bp


def _send(name: str, write: Callable[[Path], object]) -> Response:
    """Write a workbook in a temporary folder and send it as a download."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(path)
        content = path.read_bytes()
    return send_file(BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


@bp.get("/still-to-train.xlsx")
@allow(REPORT_READERS)
def still_to_train_workbook():
    """Everyone still to train on ?as_of= (today when not given), one row each, with their set of authorities."""
    form = AsOfForm(request.args if "as_of" in request.args else None, as_of=london_today())
    if "as_of" in request.args and not form.validate():
        return render_template("reports/coverage.html", form=form, grid=None), 400
    as_of, scope = form.as_of.required_date(), report_scope(current_user)
    return _send(f"still-to-train-{as_of.isoformat()}.xlsx", lambda path: write_still_to_train(path, as_of, scope))


@bp.get("/training-records.xlsx")
@allow(REPORT_READERS)
def training_records_workbook():
    """Training records completed in ?from=&to= (either may be left out), with expiry, source and certificate."""
    form = PeriodForm(request.args)
    if not form.validate():
        return render_template("reports/attendance-by-authority.html", form=form, rows=None), 400
    start, end, scope = form.start.data, form.end.data, report_scope(current_user)
    return _send("training-records.xlsx", lambda path: write_training_records(path, start, end, scope))

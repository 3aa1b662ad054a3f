"""The trained-by-area report: the SPEC 3.9 table with a bar chart and still-to-train counts, and its workbook."""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path

from flask import Blueprint, render_template, request, send_file
from flask_login import current_user

from ...exports.trained_by_area import by_authority_header, write_trained_by_area
from ...permissions import REPORT_READERS, allow
from ...services.accounts.scope import report_scope
from ...services.common.calendar import (
    EARLIEST_DATE,
    LATEST_DATE,
    DateProblem,
    DateProblemKind,
    london_today,
    parse_iso_date,
)
from ...services.reporting.counting import AreaRow, trained_by_area
from ...services.reporting.report_rows import still_to_train
from .forms import AsOfForm

bp = Blueprint("reports", __name__, url_prefix="/reports")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chart_bars(rows: list[AreaRow]) -> list[tuple[AreaRow, int]]:
    """Each row but the total with its bar's length as a whole percentage of the longest (at least 1 when not 0)."""
    body = rows[:-1]
    longest = max((row.trained for row in body), default=0)
    if longest == 0:
        return [(row, 0) for row in body]
    return [(row, max(1, round(100 * row.trained / longest)) if row.trained else 0) for row in body]


@bp.get("/trained-by-area")
@allow(REPORT_READERS)
def trained_by_area_page():
    """Staff trained by area up to a date, as a table and a bar chart, with who is still to train."""
    form = AsOfForm(request.args or None, as_of=london_today())
    if request.args and not form.validate():
        return render_template("reports/trained-by-area.html", form=form, as_of=None)
    as_of = form.as_of.required_date()
    scope = report_scope(current_user)
    rows = trained_by_area(as_of, scope)
    return render_template(
        "reports/trained-by-area.html",
        form=form,
        as_of=as_of,
        header=by_authority_header(as_of),
        rows=rows,
        bars=chart_bars(rows),
        still=still_to_train(as_of, scope),
    )


@bp.get("/trained-by-area.xlsx")
@allow(REPORT_READERS)
def trained_by_area_workbook():
    """The trained-by-area workbook (SPEC 4.4) as a download, for ?as_of=YYYY-MM-DD (today when not given)."""
    try:
        as_of = parse_iso_date(request.args["as_of"]) if "as_of" in request.args else london_today()
    except DateProblem as problem:
        out_of_range = problem.kind is DateProblemKind.OUT_OF_RANGE
        page = render_template(
            "reports/bad-date.html",
            today=london_today(),
            out_of_range=out_of_range,
            earliest=EARLIEST_DATE,
            latest=LATEST_DATE,
        )
        return page, 400
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trained-by-area.xlsx"
        write_trained_by_area(path, as_of, report_scope(current_user))
        content = path.read_bytes()
    return send_file(
        BytesIO(content),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"trained-by-area-{as_of.isoformat()}.xlsx",
    )

"""Attendance per authority (SPEC 3.5, 3.9): the page and its workbook, for a period and, optionally, one session."""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path

from flask import render_template, request, send_file
from flask_login import current_user

from ...exports.attendance_by_authority import period_text, write_attendance_by_authority
from ...permissions import REPORT_READERS, allow
from ...services.accounts.scope import report_scope
from ...services.common.lookups import session_with_code
from ...services.reporting.kept_reports import kept_attendance
from ...services.reporting.report_cache import scope_key
from ..fragments import kept_html
from ..paging import page_number
from .period_forms import PeriodForm
from .routes import REPORT_ROWS, XLSX_MIMETYPE, being_counted, bp, paged, paging_of


def _read_period() -> tuple[PeriodForm, tuple[int, str] | None, bool]:
    """The form, the session asked for as (id, code), and whether everything asked for can be used."""
    form = PeriodForm(request.args)
    valid = form.validate()
    session = None
    code = (form.session.data or "").strip()
    if valid and code:
        found = session_with_code(code)
        if found is None:
            form.session.errors = ["There is no session with that code"]
            valid = False
        else:
            session = (found.id, found.code)
    return form, session, valid


def _download_args(form: PeriodForm, session: tuple[int, str] | None) -> dict[str, str]:
    """The query string of the same figures' workbook, with dates typed in boxes written YYYY-MM-DD."""
    args = {name: field.data.isoformat() for name, field in (("from", form.start), ("to", form.end)) if field.data}
    return args | ({"session": session[1]} if session else {})


@bp.get("/attendance-by-authority")
@allow(REPORT_READERS)
def attendance_by_authority_page():
    """Attendees of a period or a session, each counted once under the exact set of authorities they work for."""
    form, session, valid = _read_period()
    if not valid:
        return render_template("reports/attendance-by-authority.html", form=form, rows=None)
    start, end = form.start.data, form.end.data
    session_id, scope = (session[0] if session else None), report_scope(current_user)
    kept = kept_attendance(start, end, session_id, scope)
    if kept is None:
        return being_counted("Attendance by authority")
    rows, download = kept.value, _download_args(form, session)
    page, pages = paged(len(rows) - 1, page_number(request.args))
    key = ("attendance", scope_key(scope), start, end, session_id, kept.generation, kept.counted_at, page)
    table = {
        "rows": rows[:-1][(page - 1) * REPORT_ROWS : page * REPORT_ROWS] + rows[-1:],  # the total on every page
        "covers": period_text(start, end, session[1] if session else None),
        "paging": paging_of(page, pages, len(rows) - 1, "reports.attendance_by_authority_page", **download),
    }
    return render_template(
        "reports/attendance-by-authority.html",
        form=form,
        rows=rows,
        counted_at=kept.counted_at,
        counted_current=kept.current,
        download=download,
        table_html=kept_html(key, lambda: render_template("reports/_attendance-table.html", **table)),
        # a valid form reads the same for the same query string (its session was found): rendered once
        form_html=kept_html(
            ("attendance-form", request.query_string),
            lambda: render_template("reports/_attendance-form.html", form=form),
        ),
    )


@bp.get("/attendance-by-authority.xlsx")
@allow(REPORT_READERS)
def attendance_by_authority_workbook():
    """The same figures as a workbook download."""
    form, session, valid = _read_period()
    if not valid:
        return render_template("reports/attendance-by-authority.html", form=form, rows=None), 400
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "attendance.xlsx"
        write_attendance_by_authority(path, form.start.data, form.end.data, session, report_scope(current_user))
        content = path.read_bytes()
    return send_file(
        BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name="attendance-by-authority.xlsx"
    )

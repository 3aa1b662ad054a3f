"""A session's register (SPEC 3.5): one form of radios per person per day, walk-ins, and the printable sign-in
sheet (a print stylesheet, and a PDF). The rules are services.attendance.registers'; these views parse and render."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...exports.register import write_register
from ...models import SessionDay, TrainingSession, User, utcnow
from ...permissions import SIGNED_IN, allow
from ...services.accounts.scope import can_see_practitioner
from ...services.attendance.records import Settlement
from ...services.attendance.registers import (
    NOT_MARKED,
    Entry,
    Problem,
    RegisterRefused,
    RegisterRow,
    can_mark_register,
    mark_register,
    register_closed_reason,
    register_emails,
    register_rows,
)
from ...services.attendance.sign_in_sheet import sign_in_sheet_pdf
from ...services.attendance.walk_ins import WalkIn, add_walk_in
from ...services.booking.booking_needs import NeedsRow, may_see_needs, needs_of_session
from ...services.common.calendar import london_today
from ...services.common.lookups import session_with_code
from .forms import RegisterForm, WalkInForm

bp = Blueprint("registers", __name__, url_prefix="/sessions")

MARK_FIELD = re.compile(r"mark-([0-9]{1,9})-([0-9]{1,9})")
STATUS_LABELS = {"attended": "Attended", "partial": "Partial", "absent": "Absent", NOT_MARKED: "Not marked"}
BLANK_ROWS = 8
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/<code>/register", methods=["GET", "POST"])
@allow(SIGNED_IN)
def register_page(code: str):
    """The register: each person on it, a radio group per day that has come, the time and a note for a partial
    day; saved all or nothing. Walk-ins are added with the form below it."""
    session, user = _session_to_mark(code)
    form, walk_in_form = RegisterForm(), WalkInForm(formdata=None)
    errors: list[dict[str, str]] = []
    submitted: dict[str, str] = {}
    if form.validate_on_submit():  # the service reads the register under its lock; the page only names people
        submitted = request.form.to_dict()
        entries, keys = _entries(submitted, register_emails(session), session)
        try:
            done = mark_register(session, entries, user)
        except RegisterRefused as refused:
            errors = [_error_item(problem, keys) for problem in refused.problems]
        else:
            flash(_saved_message(done.changed, done.settlement), "success")
            return redirect(url_for("registers.register_page", code=session.code))
    elif form.errors:
        errors = [{"text": "The form had expired: save the register again", "href": "#save"}]
    return _render_register(session, register_rows(session), form, walk_in_form, errors, submitted)


@bp.post("/<code>/register/walk-in")
@allow(SIGNED_IN)
def walk_in_page(code: str):
    """Add someone who came without a booking to the register (creating them when they are new)."""
    session, user = _session_to_mark(code)
    walk_in_form = WalkInForm()
    errors: list[dict[str, str]] = []
    if walk_in_form.validate_on_submit():
        walk_in = WalkIn(
            email=walk_in_form.email.data or "",
            first_name=walk_in_form.first_name.data or "",
            last_name=walk_in_form.last_name.data or "",
            organisation=walk_in_form.organisation.data or "",
            job_title=walk_in_form.job_title.data or "",
        )
        try:
            booking = add_walk_in(session, walk_in, user)
        except RegisterRefused as refused:
            errors = [{"text": p.message, "href": f"#{p.field.replace('_', '-')}"} for p in refused.problems]
        else:
            flash(f"{booking.practitioner.full_name} is on the register as a walk-in: mark their days.", "success")
            return redirect(url_for("registers.register_page", code=session.code))
    return _render_register(session, register_rows(session), RegisterForm(), walk_in_form, errors, {})


@bp.get("/<code>/sign-in-sheet")
@allow(SIGNED_IN)
def sign_in_sheet_page(code: str):
    """A sign-in sheet to print: the names, a column per day, blank rows for walk-ins."""
    session, user = _session_to_mark(code)
    return render_template(
        "registers/sign-in-sheet.html",
        session=session,
        rows=register_rows(session),
        blank_rows=BLANK_ROWS,
        needs=_needs_for(user, session),
    )


@bp.get("/<code>/sign-in-sheet.pdf")
@allow(SIGNED_IN)
def sign_in_sheet_file(code: str):
    """The sign-in sheet as a PDF."""
    session, user = _session_to_mark(code)
    people = [row.booking.practitioner for row in register_rows(session)]
    pdf = sign_in_sheet_pdf(session, people, BLANK_ROWS, needs=_needs_for(user, session))
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", session.code)
    headers = {"Content-Disposition": f'attachment; filename="sign-in-sheet-{safe}.pdf"'}
    return Response(pdf, mimetype="application/pdf", headers=headers)


@bp.get("/<code>/register.xlsx")
@allow(SIGNED_IN)
def register_workbook(code: str):
    """The register as a workbook: each person's marks, times and notes per day."""
    session, _ = _session_to_mark(code)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "register.xlsx"
        write_register(path, session)
        content = path.read_bytes()
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", session.code)
    headers = {"Content-Disposition": f'attachment; filename="register-{safe}.xlsx"'}
    return Response(content, mimetype=XLSX, headers=headers)


def _needs_for(user: User, session: TrainingSession) -> list[NeedsRow] | None:
    """The needs of the people on the session where the user may see them (booking_needs.may_see_needs), else None."""
    return needs_of_session(session) if may_see_needs(user, session) else None


def _session_to_mark(code: str) -> tuple[TrainingSession, User]:
    """The session, 404 when there is none; 403 unless the user is one of its trainers or a coordinator."""
    session = session_with_code(code)
    if session is None:
        abort(404)
    user: User = current_user._get_current_object()
    if not can_mark_register(user, session):
        abort(403)
    return session, user


def _entries(
    submitted: dict[str, str], emails: dict[int, str], session: TrainingSession
) -> tuple[list[Entry], list[str]]:
    """The marks the form gives, as entries for the service, and each entry's field key (for error links)."""
    days = {day.id: day.date for day in session.days}
    entries, keys = [], []
    for name, value in submitted.items():
        match = MARK_FIELD.fullmatch(name)
        if match is None or not value:
            continue
        booking_id, day_id = int(match.group(1)), int(match.group(2))
        key = f"{booking_id}-{day_id}"
        if value == NOT_MARKED and not submitted.get(f"shown-{key}"):
            continue  # not marked when the page was shown: leave alone whatever was marked since (another trainer)
        day = days.get(day_id)
        entries.append(
            Entry(
                practitioner=emails.get(booking_id, f"booking {booking_id}"),
                day=day.isoformat() if day else f"day {day_id}",
                status=value,
                time=submitted.get(f"time-{key}", "").strip(),
                notes=submitted.get(f"notes-{key}", "").strip(),
            )
        )
        keys.append(key)
    return entries, keys


def _error_item(problem: Problem, keys: list[str]) -> dict[str, str]:
    """An error summary item linking to the field the problem is about."""
    if problem.index is None:
        return {"text": problem.message, "href": "#register"}
    key = keys[problem.index]
    field = {"time": "time", "notes": "notes"}.get(problem.field, "mark")
    return {"text": problem.message, "href": f"#{field}-{key}"}


def _saved_message(changed: int, settlement: Settlement) -> str:
    """What saving did, in words: completions, no-shows, withdrawn completions."""
    parts = [f"{changed} {'mark' if changed == 1 else 'marks'} saved."]
    if settlement.completed:
        names = ", ".join(booking.practitioner.full_name for booking in settlement.completed)
        parts.append(f"Completed, with a certificate: {names}.")
    if settlement.no_shows:
        parts.append(f"No-show (charged): {', '.join(b.practitioner.full_name for b in settlement.no_shows)}.")
    if settlement.withdrawn:
        names = ", ".join(booking.practitioner.full_name for booking in settlement.withdrawn)
        parts.append(f"No longer complete, so the record is withdrawn and the certificate revoked: {names}.")
    return " ".join(parts)


def _render_register(
    session: TrainingSession,
    rows: list[RegisterRow],
    form: RegisterForm,
    walk_in_form: WalkInForm,
    errors: list[dict[str, str]],
    submitted: dict[str, str],
):
    today = london_today()
    closed = register_closed_reason(session, today)
    days: list[SessionDay] = [day for day in session.days if day.date <= today]
    error_texts: dict[str, str] = {}  # each field's first problem, shown by the field as well as in the summary
    for item in errors:
        error_texts.setdefault(item["href"].lstrip("#"), item["text"])
    status = 422 if errors else 200
    return render_template(
        "registers/register.html",
        session=session,
        rows=rows,
        days=days,
        later_days=[day for day in session.days if day.date > today],
        closed=closed,
        form=form,
        walk_in_form=walk_in_form,
        errors=errors,
        error_texts=error_texts,
        submitted=submitted,
        labels=STATUS_LABELS,
        today=today,
        records_of={row.booking.id for row in rows if can_see_practitioner(current_user, row.booking.practitioner)},
        now=utcnow(),
        needs=_needs_for(current_user._get_current_object(), session),
    ), status

"""Scheduling pages for coordinators: create, edit, duplicate and cancel a session, confirming warnings first."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...permissions import STAFF, allow
from ...services.catalogue.choices import area_choices, authorities_by_id, courses_by_id, trainer_choices, venue_choices
from ...services.common.lookups import session_with_code
from ...services.sessions import scheduling
from ...services.sessions.scheduling import DayPlan, SchedulingRefused, SessionPlan
from ...services.sessions.sessions import SessionProblem
from ..loading import in_reach
from .forms import MAX_DAYS, CancelForm, DuplicateForm, SessionForm, parse_time
from .routes import bp

# Which form field each service problem belongs to, so the error summary links to it.
FIELD_IDS = {
    "course": "course_id",
    "venue": "venue_id",
    "trainers": "trainer_ids",
    "host_authority": "host_authority_id",
    "host_area": "host_area_id",
    "capacity": "capacity",
    "booking_closes_days": "booking_closes_days",
    "minimum_places": "minimum_places",
    "code": "code",
    "days": "days-0-date-day",
    "date": "days-0-date-day",
    "session": "code",
    "reason": "reason",
    "notes": "notes",
}
# The form's fields top to bottom (ids, or the start of them), so the error summary lists problems in that order.
FORM_ORDER = (
    "code",
    "course_id",
    "days-",
    "venue_id",
    "trainer_ids",
    "capacity",
    "host_authority_id",
    "host_area_id",
    "booking_closes_days",
    "minimum_places",
)


@bp.route("/new", methods=["GET", "POST"])
@allow(STAFF)
def new_page():
    """Schedule a session: errors block, warnings are shown to confirm before anything is saved."""
    form = session_form()
    return _schedule(
        form, "sessions/new.html", lambda plan, confirmed: scheduling.create_session(plan, current_user, confirmed)
    )


@bp.route("/<code>/edit", methods=["GET", "POST"])
@allow(STAFF)
def edit_page(code: str):
    """Change a session; people booked are emailed when its time or venue changes."""
    session = in_reach(session_with_code(code))
    form = session_form(None if request.method == "POST" else scheduling.plan_of(session))
    del form.code  # a session keeps its code
    return _schedule(
        form,
        "sessions/edit.html",
        lambda plan, confirmed: scheduling.edit_session(code, plan, current_user, confirmed),
        editing=code,
        session=session,
    )


@bp.route("/<code>/duplicate", methods=["GET", "POST"])
@allow(STAFF)
def duplicate_page(code: str):
    """Copy a session to a new first day: the schedule form opens prefilled, nothing is saved until it is sent."""
    session = in_reach(session_with_code(code))
    form = DuplicateForm()
    if form.validate_on_submit():
        first = form.first_day.data
        if first is None:
            form.first_day.errors = [
                getattr(form.first_day, "problem", None) or "Enter the first day of the new session"
            ]
        else:
            copy = session_form(scheduling.duplicate_plan(session, first), prefill_only=True)
            return render_template("sessions/new.html", form=copy, errors=[], warnings=[], copied_from=session)
    errors = [{"text": e, "href": "#first_day-day"} for e in form.first_day.errors]
    return render_template("sessions/duplicate.html", form=form, session=session, errors=errors)


@bp.route("/<code>/cancel", methods=["GET", "POST"])
@allow(STAFF)
def cancel_page(code: str):
    """Cancel a session with a reason; its bookings are kept, marked cancelled, and everyone told."""
    session = in_reach(session_with_code(code))
    form = CancelForm()
    errors: list[dict[str, str]] = []
    if form.validate_on_submit():
        try:
            scheduling.cancel_session(code, form.reason.data or "", current_user)
        except SchedulingRefused as refused:
            errors = _attach(form, refused.problems)
        else:
            flash(f"Session {code} is cancelled; everyone booked or waiting has been emailed.")
            return redirect(url_for("sessions.show_page", code=code))
    return render_template("sessions/cancel.html", form=form, session=session, errors=errors)


def session_form(plan: SessionPlan | None = None, prefill_only: bool = False) -> SessionForm:
    """The session form with its choices; prefilled from a plan when given (ignoring what was posted: prefill_only)."""
    data = _form_data(plan) if plan is not None else {}
    form = SessionForm(formdata=None, data=data) if prefill_only else SessionForm(data=data)
    form.course_id.choices = [("", "Choose a course")] + [(str(i), f"{c}: {t}") for i, c, t in courses_by_id()]
    venues = venue_choices()
    form.venue_id.choices = [("", "No venue yet")] + [(str(i), f"{n} (room for {c})") for i, n, c in venues]
    form.trainer_ids.choices = [(str(i), n) for i, n in trainer_choices()]
    form.host_authority_id.choices = [("", "Choose an authority")] + [(str(i), n) for i, n in authorities_by_id()]
    areas = area_choices()
    form.host_area_id.choices = [("", "No particular area")] + [(str(i), f"{a} – {n}") for i, a, n in areas]
    return form


def _schedule(form: SessionForm, template: str, save, editing: str | None = None, **context):
    """Shared by create and edit: add a day, or read the plan, save it or show its errors or warnings. Every error
    shows at once: the boxes that cannot be read, and the service's problems with the rest of the plan."""
    errors: list[dict[str, str]] = []
    warnings: list[SessionProblem] = []
    if request.method == "POST" and form.add_day.data:
        if len(form.days) < MAX_DAYS:
            form.days.append_entry()
    elif form.validate_on_submit():
        plan, errors, unread = _plan(form)
        # A box that could not be read is reported once, as such, not again as the value the plan fell back to.
        problems = [p for p in scheduling.plan_errors(plan, editing) if p.field not in unread]
        errors = _in_form_order([*errors, *_attach(form, problems)])
        if not errors:
            confirmed = request.form.getlist("confirmed_warning") if "confirm" in request.form else False
            try:
                result = save(plan, confirmed)
            except SchedulingRefused as refused:
                errors = _attach(form, refused.problems)
            else:
                if result.saved:
                    flash(f"Session {result.session.code} is saved.")
                    return redirect(url_for("sessions.show_page", code=result.session.code))
                warnings = result.warnings
    elif request.method == "POST":
        errors = [{"text": "The form has expired: send it again", "href": "#course_id"}]
    return render_template(template, form=form, errors=errors, warnings=warnings, **context)


def _plan(form: SessionForm) -> tuple[SessionPlan, list[dict[str, str]], set[str]]:
    """The form as a plan, with an error-summary entry for every box that cannot be read, and the service's names
    for the fields those boxes belong to."""
    errors, days, unread, entered = [], [], set(), 0
    for number, entry in enumerate(form.days, start=1):
        day = entry.form
        if day.date.blank and not (day.start.data or "").strip() and not (day.end.data or "").strip():
            continue
        entered += 1
        start, end = parse_time(day.start.data), parse_time(day.end.data)
        if day.date.data is None:
            day.date.errors = [f"Day {number}: {getattr(day.date, 'problem', None) or 'enter the date'}"]
            errors.append({"text": day.date.errors[0], "href": f"#{day.date.name}-day"})
        for field, value, which in ((day.start, start, "start"), (day.end, end, "end")):
            if value is None:
                written = (field.data or "").strip()
                wrong = (
                    f"{field.label.text.lower()} must be a time like 09:30" if written else f"enter the {which} time"
                )
                field.errors = [f"Day {number}: {wrong}"]
                errors.append({"text": field.errors[0], "href": f"#{field.id}"})
        if day.date.data is not None and start is not None and end is not None:
            days.append(DayPlan(day.date.data, start, end))
    if errors:
        unread |= {"days", "date"}
    if not entered:
        errors.append({"text": "Enter at least one day", "href": "#days-0-date-day"})
        unread |= {"days", "date"}
    numbers: dict[str, int | None] = {}
    for field in (form.capacity, form.booking_closes_days, form.minimum_places):
        text = (field.data or "").strip()
        if field is not form.capacity and not text:
            numbers[field.name] = None  # the course's booking window, or its minimum
            continue
        numbers[field.name] = int(text) if text.isascii() and text.isdigit() and len(text) < 7 else -1
        if (numbers[field.name] or 0) < 0:
            label = "Minimum places" if field is form.minimum_places else field.label.text
            field.errors = [f"{label} must be a whole number" if text else "Enter the capacity"]
            errors.append({"text": field.errors[0], "href": f"#{field.id}"})
            unread.add(field.name)
    plan = SessionPlan(
        course_id=_id(form.course_id.data),
        days=tuple(days),
        capacity=max(numbers["capacity"] or 0, 0),
        host_authority_id=_id(form.host_authority_id.data),
        host_area_id=_id(form.host_area_id.data) or None,
        venue_id=_id(form.venue_id.data) or None,
        trainer_ids=tuple(_id(value) for value in form.trainer_ids.data or ()),
        booking_closes_days=None if numbers["booking_closes_days"] is None else max(numbers["booking_closes_days"], 0),
        minimum_places=None if numbers["minimum_places"] is None else max(numbers["minimum_places"], 0),
        code=(form.code.data or "").strip().upper() if getattr(form, "code", None) is not None else "",
        notes=(form.notes.data or "").strip(),
    )
    return plan, errors, unread


def _in_form_order(errors: list[dict[str, str]]) -> list[dict[str, str]]:
    """The error summary's entries in the order of the fields on the page (each field's own in the order found)."""

    def place(error: dict[str, str]) -> int:
        target = error["href"].removeprefix("#")
        return next((n for n, start in enumerate(FORM_ORDER) if target.startswith(start)), len(FORM_ORDER))

    return sorted(errors, key=place)


def _attach(form, problems: list[SessionProblem]) -> list[dict[str, str]]:
    """Show the service's problems beside their fields and in the error summary."""
    errors = []
    for problem in problems:
        text = problem.message[0].upper() + problem.message[1:]
        name = FIELD_IDS.get(problem.field, "code")
        field = getattr(form, name, None)
        if field is not None and name != "days":
            field.errors = [*field.errors, text]
        errors.append({"text": text, "href": f"#{name}"})
    return errors


def _form_data(plan: SessionPlan) -> dict[str, Any]:
    return {
        "code": plan.code,
        "course_id": str(plan.course_id),
        "days": [{"date": d.date, "start": f"{d.start:%H:%M}", "end": f"{d.end:%H:%M}"} for d in plan.days],
        "venue_id": str(plan.venue_id or ""),
        "trainer_ids": [str(i) for i in plan.trainer_ids],
        "capacity": str(plan.capacity),
        "host_authority_id": str(plan.host_authority_id),
        "host_area_id": str(plan.host_area_id or ""),
        "booking_closes_days": "" if plan.booking_closes_days is None else str(plan.booking_closes_days),
        "minimum_places": "" if plan.minimum_places is None else str(plan.minimum_places),
        "notes": plan.notes,
    }


def _id(text: Any) -> int:
    """A row id from a select box; 0 (no row) when it is not a sensible number."""
    text = str(text or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0

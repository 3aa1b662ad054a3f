"""Finding sessions (SPEC 3.3): the filtered, paged list, the month calendar, a page per session and its .ics."""

from __future__ import annotations

import calendar as month_grid
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from ...api.auth import MAX_TOKEN_LENGTH, bearer_token
from ...models import Booking, Role, SelfBooking, TrainingSession, utcnow
from ...permissions import SIGNED_IN, STAFF, allow, mark_allowed, public
from ...services.accounts.accounts import user_for_token
from ...services.accounts.scope import booked_people_scope, can_see_practitioner, organisation_scope
from ...services.attendance.registers import can_mark_register
from ...services.booking.booking_checks import session_problem
from ...services.booking.booking_needs import Needs, may_see_needs, needs_of, needs_of_session
from ...services.booking.booking_requests import own_booking_on
from ...services.booking.bookings import people_booked_on
from ...services.catalogue.choices import areas_to_filter_by, authority_choices, course_choices
from ...services.catalogue.trainers import trainer_of
from ...services.common.calendar import DateProblem, london_today, parse_iso_date
from ...services.common.lookups import session_with_code
from ...services.sessions import sessions_query
from ...services.sessions.calendars import session_calendar, trainer_feed, trainer_for_token
from ...services.sessions.minimum_numbers import below_minimum
from ...services.sessions.session_messages import messages_of
from ...services.sessions.sessions_query import SessionFilters
from ..loading import in_reach
from ..paging import page_number
from .forms import FilterForm

bp = Blueprint("sessions", __name__, url_prefix="/sessions")
feeds = Blueprint("calendar_feeds", __name__, url_prefix="/calendar")

PAGE_SIZE = 25
ICS_TYPE = "text/calendar; charset=utf-8"
MONTH = "%Y-%m"


@bp.get("/")
@allow(SIGNED_IN)
def list_page():
    """Sessions open for booking (or, when asked, every session) filtered by course, host authority, area, dates and
    free places, a page at a time."""
    form = filter_form()
    filters, errors = read_filters(form)
    page = page_number(request.args)
    sessions: list[sessions_query.SessionSummary] = []
    total = 0
    if not errors:
        offset = (page - 1) * PAGE_SIZE
        sessions, total = sessions_query.session_page(filters, limit=PAGE_SIZE, offset=offset, checked=True)
    # SPEC 3.3: coordinators see which of this page's sessions are below their minimum (one statement, this page only)
    below = {}
    if sessions and current_user.role in STAFF:
        below = {row.code: row for row in below_minimum(london_today(), codes=[s.code for s in sessions])}
    pages = max(1, -(-total // PAGE_SIZE))

    def page_url(number: int) -> str:
        values: dict[str, Any] = request.args.to_dict() | {"page": number}  # as url_for takes them (**values: Any)
        return url_for("sessions.list_page", **values)

    shown = [n for n in range(1, pages + 1) if n in (1, pages) or abs(n - page) <= 2]
    page_items = [{"number": n, "href": page_url(n), "current": n == page} for n in shown]
    return render_template(
        "sessions/list.html",
        form=form,
        errors=errors,
        sessions=sessions,
        total=total,
        page=page,
        pages=pages,
        page_url=page_url,
        page_items=page_items,
        can_schedule=current_user.role in STAFF,
        teaches=trainer_of(current_user) is not None,
        below=below,
    )


@bp.get("/month")
@allow(SIGNED_IN)
def month_page():
    """A month of sessions as a calendar grid, with links to the months either side (no JavaScript)."""
    try:
        first = parse_iso_date(request.args["month"] + "-01") if "month" in request.args else None
    except DateProblem:
        first = None
    if first is None:
        first = london_today().replace(day=1)
    last = first.replace(day=month_grid.monthrange(first.year, first.month)[1])
    sessions = sessions_query.list_sessions(SessionFilters(date_from=first, date_to=last))
    by_day: dict[date, list[sessions_query.SessionSummary]] = {}
    for session in sessions:
        for day in session.days:
            if first <= day.date <= last:
                by_day.setdefault(day.date, []).append(session)
    weeks = month_grid.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    previous, following = (first - timedelta(days=1)).replace(day=1), last + timedelta(days=1)
    return render_template(
        "sessions/month.html",
        first=first,
        weeks=weeks,
        by_day=by_day,
        today=london_today(),
        previous=previous if previous.year >= 1900 else None,
        following=following if following.year <= 2100 else None,
        count=len(sessions),
    )


@bp.get("/<code>")
@allow(SIGNED_IN)
def show_page(code: str):
    """One session: its days, venue, trainers, places left, the length of its waiting list, and whether it is open for
    booking (`booking_checks.session_problem` says why not), who is booked, for those who may see them, the viewer's
    own booking, and the register for those who mark it."""
    detail = sessions_query.find_session(code)
    if detail is None:
        abort(404)
    session = in_reach(session_with_code(code))
    closed = session_problem(session, utcnow())
    can_book = current_user.role in (Role.ADMIN, Role.COORDINATOR, Role.BOOKER) and closed is None
    self_booking = _self_booking(session) if current_user.role == Role.PRACTITIONER and closed is None else None
    user = current_user._get_current_object()
    booked = people_booked_on(session, user) if booked_people_scope(user, session) is not False else None
    own_booking = own_booking_on(session, user)
    return render_template(
        "sessions/show.html",
        detail=detail,
        can_schedule=current_user.role in STAFF,
        can_mark=can_mark_register(user, session),
        can_book=can_book,
        self_booking=self_booking,
        own_booking=own_booking,
        closed=closed,
        booked=booked,
        own_staff=organisation_scope(user) is not None,
        records_of={booking.id for booking in booked or () if can_see_practitioner(user, booking.practitioner)},
        messages=messages_of(session.id) if current_user.role in STAFF else [],
        below_minimum=below_minimum(london_today(), [session.id]) if current_user.role in STAFF else [],
        today=london_today(),
        needs=needs_of_session(session) if may_see_needs(user, session) else None,
        own_needs=_own_needs(own_booking),
    )


def _own_needs(booking: Booking | None) -> Needs | None:
    """The viewer's own answers on their booking of the session (theirs to see), or None."""
    return needs_of(booking) if booking is not None else None


def _self_booking(session: TrainingSession) -> str | None:
    """For a practitioner: 'yes' or 'with_approval' when the course lets them book (or ask for) a place themselves."""
    rule = session.course.self_booking
    return None if rule == SelfBooking.NO else rule.value


def filter_form() -> FilterForm:
    """The filter form with its choices, read from the query string."""
    form = FilterForm(request.args)
    form.course.choices = [("", "Any course")] + [(code, f"{code}: {title}") for code, title in course_choices()]
    form.authority.choices = [("", "Any authority")] + authority_choices()
    areas = areas_to_filter_by(form.authority.data or None, area_id(form.area.data))
    form.area.choices = [("", "Any area")] + [(str(id_), f"{name} – {area}") for id_, name, area in areas]
    return form


def area_id(text: str | None) -> int | None:
    """The area id asked for, or None for anything that is not one."""
    text = text or ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def read_filters(form: FilterForm) -> tuple[SessionFilters, list[dict[str, str]]]:
    """The filters asked for, and an error-summary entry for each that cannot be used."""
    errors: list[dict[str, str]] = []
    dates: dict[str, date | None] = {}
    for field in (form.date_from, form.date_to):
        text = (field.data or "").strip()
        dates[field.name] = None
        if text:
            try:
                dates[field.name] = parse_iso_date(text)
            except DateProblem as problem:
                field.errors = [f"{field.label.text} {problem}"]
                errors.append({"text": field.errors[0], "href": f"#{field.id}"})
    filters = SessionFilters(
        course=form.course.data or None,
        authority=form.authority.data or None,
        date_from=dates["date_from"],
        date_to=dates["date_to"],
        area_id=area_id(form.area.data),
        has_places=bool(form.has_places.data),
        open_on=None if form.include_closed.data else london_today(),
    )
    fields = {"course": form.course, "authority": form.authority, "to": form.date_to}
    for name, message in sessions_query.filter_problems(filters).items():
        fields[name].errors = [message]
        errors.append({"text": message, "href": f"#{fields[name].id}"})
    return filters, errors


def signed_in_or_token(view: Callable) -> Callable:
    """Let in signed-in users, or a request carrying a valid API bearer token (calendar programs cannot sign in)."""
    for_signed_in = allow(SIGNED_IN)(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = bearer_token()
        if token is None:
            return for_signed_in(*args, **kwargs)
        if len(token) > MAX_TOKEN_LENGTH or user_for_token(token) is None:
            return Response("That token is not valid.\n", 401, {"WWW-Authenticate": 'Bearer realm="calendar"'})
        return view(*args, **kwargs)

    return mark_allowed(wrapped, SIGNED_IN)


@bp.get("/<code>/calendar.ics")
@signed_in_or_token
def calendar_file(code: str):
    """The session's days as an .ics file, for signed-in users and API tokens."""
    return ics_response(code)


def ics_response(code: str) -> Response:
    """The .ics of the session with this code, or a 404."""
    session = in_reach(session_with_code(code))
    return Response(
        session_calendar(session),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{session.code}.ics"'},
    )


@feeds.get("/<token>.ics")
@public
def trainer_feed_file(token: str):
    """A trainer's secret calendar feed: every session day they teach. The token is the only key, so 404 otherwise."""
    trainer = trainer_for_token(token)
    if trainer is None:
        abort(404)
    return Response(trainer_feed(trainer), mimetype="text/calendar")

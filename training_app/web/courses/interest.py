"""A course's page: its dates open for booking, "tell me when there are dates" for a practitioner or a booker's staff,
and the interest counted by authority and area for coordinators and (their authorities') workforce leads."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...extensions import db
from ...models import Course, Practitioner, Role
from ...permissions import allow
from ...services.accounts.scope import is_staff, organisation_scope, report_scope, staff_in_organisation_scope
from ...services.booking.booking_checks import BookingRefused, Refusal
from ...services.booking.interest import interest_by_area, interested_among, register_interest, withdraw_interest
from ...services.booking.places import coming_sessions_with_places
from ...services.booking.staff import staff_choices
from ...services.common.calendar import london_today
from .forms import InterestForm, WithdrawInterestForm
from .routes import bp, course_or_404

COURSE_READERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.WORKFORCE_LEAD, Role.PRACTITIONER)
INTEREST_WRITERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.PRACTITIONER)
MAX_DATES = 20  # the coming sessions a course's page lists


@bp.get("/courses/<code>")
@allow(*COURSE_READERS)
def course_page(code: str):
    """A course's coming dates; who may asks to be told of new ones, or withdraws; staff and leads see the demand."""
    return _render(course_or_404(code))


@bp.post("/courses/<code>/interest")
@allow(*INTEREST_WRITERS)
def register_interest_page(code: str):
    """Register a practitioner's interest (the user themself, or a booker's chosen member of staff)."""
    course = course_or_404(code)
    form = InterestForm()
    _offer_people(form, course)
    if not form.validate_on_submit():
        return _render(course, form, problem="The form has expired: send it again"), 400
    practitioner = _practitioner(form.practitioner.data)
    if practitioner is None:
        form.practitioner.errors = ["Choose who wants to be told"]
        return _render(course, form, problem=form.practitioner.errors[0]), 400
    try:
        register_interest(course, practitioner, current_user)
    except BookingRefused as refused:
        return _refused(course, refused, form)
    own = practitioner.id == current_user.practitioner_id
    flash(f"{'You' if own else practitioner.full_name} will be emailed when {course.title} has new dates.")
    return redirect(url_for("courses.course_page", code=course.code))


@bp.post("/courses/<code>/interest/withdraw")
@allow(*INTEREST_WRITERS)
def withdraw_interest_page(code: str):
    """Withdraw a practitioner's interest: no more emails about new dates."""
    course = course_or_404(code)
    form = WithdrawInterestForm()
    if not form.validate_on_submit():
        return _render(course, problem="The form has expired: send it again"), 400
    practitioner = _practitioner(form.practitioner.data)
    if practitioner is None:
        abort(404)
    try:
        withdraw_interest(course, practitioner, current_user)
    except BookingRefused as refused:
        return _refused(course, refused)
    own = practitioner.id == current_user.practitioner_id
    whose = "Your" if own else f"{practitioner.full_name}’s"
    flash(f"{whose} interest in {course.title} is withdrawn.")
    return redirect(url_for("courses.course_page", code=course.code))


def _practitioner(value: str | None) -> Practitioner | None:
    text = (value or "").strip()
    return db.session.get(Practitioner, int(text)) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _refused(course: Course, refused: BookingRefused, form: InterestForm | None = None):
    if refused.kind is Refusal.FORBIDDEN:
        abort(403)
    return _render(course, form, problem=refused.message[0].upper() + refused.message[1:]), (
        409 if refused.kind is Refusal.CONFLICT else 422
    )


def _offer_people(form: InterestForm, course: Course) -> list[tuple[int, str]]:
    """Whom the form offers: a booker's staff who have not asked yet; the practitioner themself otherwise. Returns
    the booker's staff who have asked, to withdraw."""
    own_staff = staff_in_organisation_scope(current_user)
    if own_staff is None:
        form.practitioner.choices = [(str(current_user.practitioner_id or ""), "Me")]
        return []
    staff = staff_choices(own_staff)
    asked = interested_among(course.id, [person_id for person_id, _ in staff])
    form.practitioner.choices = [("", "Choose a member of staff")] + [
        (str(i), name) for i, name in staff if i not in asked
    ]
    form.practitioner.label.text = "Who wants to be told when there are dates?"
    form.submit.label.text = "Tell them when there are dates"
    return [(i, name) for i, name in staff if i in asked]


def _render(course: Course, form: InterestForm | None = None, problem: str | None = None):
    user, today = current_user, london_today()
    form = form or InterestForm(formdata=None)
    staff_asked = _offer_people(form, course)
    own_id = user.practitioner_id if user.role == Role.PRACTITIONER else None
    counts = None
    if is_staff(user) or user.role == Role.WORKFORCE_LEAD:
        counts = interest_by_area(course.id, report_scope(user))
    return render_template(
        "courses/course.html",
        course=course,
        dates=coming_sessions_with_places([course.id], today, per_course=MAX_DATES),
        form=form,
        withdraw=WithdrawInterestForm(formdata=None),
        asks=own_id is not None or organisation_scope(user) is not None,
        own_interest=own_id is not None and own_id in interested_among(course.id, [own_id]),
        own_id=own_id,
        staff_asked=staff_asked,
        counts=counts,
        problem=problem,
    )

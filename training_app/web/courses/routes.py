"""Courses: the catalogue (retired ones marked), and forms to create, edit, retire and reinstate a course."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...models import Course, CourseKind, SelfBooking, WaitlistOrder
from ...permissions import STAFF, allow
from ...services.attendance import redating
from ...services.catalogue import courses
from ..loading import in_reach
from .forms import (
    KIND_LABELS,
    SELF_BOOKING_LABELS,
    ActionForm,
    CourseForm,
    RedateForm,
    code_list,
    number_or_none,
    to_pence,
    to_pounds,
)

bp = Blueprint("courses", __name__)

# Service field names and the form boxes that show their problems.
COURSE_FIELDS = {"charge_half_day_pence": "charge_half_day", "charge_day_pence": "charge_day"}


def course_or_404(code: str) -> Course:
    """The course with this code, or 404."""
    return in_reach(courses.course_with_code(code))


@bp.get("/courses")
@allow(STAFF)
def course_list():
    """Every course by code, retired ones marked."""
    return render_template(
        "courses/list.html", courses=courses.all_courses(), kinds=KIND_LABELS, self_booking=SELF_BOOKING_LABELS
    )


@bp.route("/courses/new", methods=["GET", "POST"])
@allow(STAFF)
def new_course():
    """Add a course to the catalogue."""
    form = CourseForm()
    if form.validate_on_submit() and _saved(form, None):
        flash(f"Course {form.code.data} has been added.", "success")
        return redirect(url_for("courses.course_list"))
    return render_template("courses/course-form.html", form=form, course=None)


@bp.route("/courses/<code>/edit", methods=["GET", "POST"])
@allow(STAFF)
def edit_course(code: str):
    """Change a course's settings; retire or reinstate it."""
    course = course_or_404(code)
    form = CourseForm(data=_course_data(course)) if request.method == "GET" else CourseForm()
    if form.validate_on_submit() and _saved(form, course):
        flash(f"Course {course.code} has been saved.", "success")
        return redirect(url_for("courses.course_list"))
    to_redate = redating.records_to_redate(course)
    return render_template(
        "courses/course-form.html", form=form, course=course, action=ActionForm(), to_redate=to_redate
    )


@bp.route("/courses/<code>/redate", methods=["GET", "POST"])
@allow(STAFF)
def redate_records(code: str):
    """Preview how many of a course's records would take the expiry its validity now gives, and re-date them."""
    course = course_or_404(code)
    form = RedateForm()
    if form.validate_on_submit():
        try:
            changed = redating.redate_records(course, int(form.expected.data), current_user)
        except redating.RedateRefused as refused:
            form.expected.errors = [str(refused)]
        else:
            flash(f"{changed:,} records of {course.code} have been re-dated.", "success")
            return redirect(url_for("courses.edit_course", code=course.code))
    changes = redating.expiry_changes(course)
    form.expected.data = str(sum(change.records for change in changes))
    return render_template("courses/redate.html", form=form, course=course, changes=changes)


@bp.post("/courses/<code>/retire")
@allow(STAFF)
def retire_course(code: str):
    """Retire a course: its history stays; it takes no new sessions or bookings."""
    course = course_or_404(code)
    if ActionForm().validate_on_submit():
        courses.retire_course(course, current_user)
        flash(f"Course {course.code} has been retired. Its records and sessions are kept.", "success")
    return redirect(url_for("courses.course_list"))


@bp.post("/courses/<code>/reinstate")
@allow(STAFF)
def reinstate_course(code: str):
    """Bring a retired course back into use."""
    course = course_or_404(code)
    if ActionForm().validate_on_submit():
        courses.reinstate_course(course, current_user)
        flash(f"Course {course.code} is in use again.", "success")
    return redirect(url_for("courses.course_list"))


def _settings(form: CourseForm) -> courses.CourseSettings:
    return courses.CourseSettings(
        code=form.code.data,
        title=form.title.data,
        kind=CourseKind(form.kind.data),
        typical_duration_minutes=number_or_none(form.typical_duration_minutes.data),
        validity_months=number_or_none(form.validity_months.data),
        reminder_lead_days=int(form.reminder_lead_days.data),
        booking_closes_days=int(form.booking_closes_days.data),
        cancellation_window_days=int(form.cancellation_window_days.data),
        counts_as_trained=form.counts_as_trained.data == "yes",
        certificate_after_evaluation=form.certificate_after_evaluation.data == "yes",
        minimum_places=number_or_none(form.minimum_places.data),
        minimum_notice_days=int(form.minimum_notice_days.data),
        prerequisites=code_list(form.prerequisites.data),
        renews=form.renews.data or "",
        charge_half_day_pence=to_pence(form.charge_half_day.data),
        charge_day_pence=to_pence(form.charge_day.data),
        self_booking=SelfBooking(form.self_booking.data),
        waitlist_order=WaitlistOrder(form.waitlist_order.data),
        offer_hours=number_or_none(form.offer_hours.data),
        description=form.description.data or "",
        joining_instructions=form.joining_instructions.data or "",
    )


def _saved(form: CourseForm, course: Course | None) -> bool:
    """Create or change the course; on refusal put each problem on its box and say False."""
    try:
        if course is None:
            courses.create_course(_settings(form), current_user)
        else:
            courses.edit_course(course, _settings(form), current_user)
    except courses.CourseError as refused:
        for name, message in refused.fields.items():
            form[COURSE_FIELDS.get(name, name)].errors.append(message)
        return False
    return True


def _course_data(course: Course) -> dict[str, object]:
    return {
        "code": course.code,
        "title": course.title,
        "kind": course.kind.value,
        "typical_duration_minutes": str(course.typical_duration_minutes or ""),
        "validity_months": str(course.validity_months or ""),
        "reminder_lead_days": str(course.reminder_lead_days),
        "booking_closes_days": str(course.booking_closes_days),
        "cancellation_window_days": str(course.cancellation_window_days),
        "counts_as_trained": "yes" if course.counts_as_trained else "no",
        "certificate_after_evaluation": "yes" if course.certificate_after_evaluation else "no",
        "minimum_places": str(course.minimum_places or ""),
        "minimum_notice_days": str(course.minimum_notice_days),
        "prerequisites": ", ".join(p.code for p in course.prerequisites),
        "renews": course.renews.code if course.renews else "",
        "charge_half_day": to_pounds(course.charge_half_day_pence),
        "charge_day": to_pounds(course.charge_day_pence),
        "self_booking": course.self_booking.value,
        "waitlist_order": course.waitlist_order.value,
        "offer_hours": str(course.offer_hours or ""),
        "description": course.description,
        "joining_instructions": course.joining_instructions,
    }

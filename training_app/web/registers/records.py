"""Certificates and training records (SPEC 3.5, 3.6): the public check of a certificate number, the PDF for
those who may have it, a practitioner's training records, and a coordinator adding a historical record."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...imports.single_row import errors_by_column, import_one_row
from ...models import AuditAction, Practitioner, Role, User
from ...permissions import SIGNED_IN, STAFF, allow, public
from ...services.accounts.scope import can_see_practitioner
from ...services.attendance.certificates import (
    can_download_certificate,
    certificate_pdf,
    certificate_with_number,
    check_certificate,
    training_records_of,
)
from ...services.attendance.completions import course_status
from ...services.attendance.records import note_source
from ...services.catalogue.choices import course_choices
from ...services.catalogue.courses import course_with_code
from ...services.common.calendar import DateProblem, london_today, parse_iso_date
from ...services.common.lookups import practitioner_with_email
from ...services.evaluation.evaluations import is_withheld
from ...services.workforce.leavers import LeavingRefused, change_dates, dates_problem
from ..courses.practitioner import STATUS_TAGS
from ..loading import in_reach
from .forms import HistoricalRecordForm, WorkforceDatesForm

bp = Blueprint("records", __name__)

RECORD_READERS = SIGNED_IN - {Role.FINANCE}


@bp.get("/certificates/<number>")
@public
def verify_page(number: str):
    """Anyone holding a certificate can check it: genuine or not, current or revoked; only name, course, date."""
    check = check_certificate(number)
    return render_template("registers/verify.html", check=check), 200 if check.genuine else 404


@bp.get("/certificates/<number>/certificate.pdf")
@allow(SIGNED_IN)
def certificate_file(number: str):
    """The certificate as a PDF, for the practitioner, their organisation's bookers, and coordinators."""
    certificate = certificate_with_number(number)
    if certificate is None:
        abort(404)
    if is_withheld(certificate) and certificate.training_record is not None:
        record = certificate.training_record
        own = current_user.practitioner_id == record.practitioner_id
        page = render_template("registers/certificate-withheld.html", record=record, own=own)
        return page, 403
    if not can_download_certificate(current_user, certificate):
        abort(403)
    pdf = certificate_pdf(certificate, url_for("records.verify_page", number=number, _external=True))
    headers = {"Content-Disposition": f'attachment; filename="certificate-{number}.pdf"'}
    return Response(pdf, mimetype="application/pdf", headers=headers)


@bp.get("/practitioners/<email>/training-records")
@allow(RECORD_READERS)
def records_page(email: str):
    """Every course the practitioner has completed: dates, certificate, expiry and refresher status."""
    practitioner = in_reach(practitioner_with_email(email), can_see_practitioner)
    today = london_today()
    rows = training_records_of(practitioner)
    statuses = {row.id: course_status(row.completed_on, row.expires_on, row.lead_days, False, today) for row in rows}
    return render_template(
        "registers/training-records.html",
        practitioner=practitioner,
        rows=rows,
        statuses=statuses,
        tags=STATUS_TAGS,
        own=current_user.practitioner_id == practitioner.id,
        may_add=current_user.role in STAFF,
        may_download=current_user.role in (Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.PRACTITIONER),
    )


@bp.route("/practitioners/<email>/training-records/new", methods=["GET", "POST"])
@allow(STAFF)
def add_record_page(email: str):
    """A coordinator adds a training record from before the system, checked as the training-records import is."""
    practitioner = in_reach(practitioner_with_email(email), can_see_practitioner)
    form = HistoricalRecordForm()
    form.course.choices = [SelectChoice("", "Select a course")] + [
        SelectChoice(code, f"{code}: {title}") for code, title in course_choices()
    ]
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        row = {"practitioner": practitioner.email, "course": form.course.data, "completed_on": form.completed_on.data}
        result = import_one_row("training-records", row, user)
        if result.ok:
            _note(practitioner, form, user)
            flash("The training record is added.", "success")
            return redirect(url_for("records.records_page", email=practitioner.email))
        for column, messages in errors_by_column(result).items():
            target = getattr(form, column, form.course)
            target.errors = [*target.errors, *messages]
    status = 422 if form.errors else 200
    return render_template("registers/add-record.html", practitioner=practitioner, form=form), status


@bp.route("/practitioners/<email>/dates", methods=["GET", "POST"])
@allow(STAFF)
def dates_page(email: str):
    """A coordinator changes when a practitioner started and left: a date they left newly given marks them as left
    (their coming bookings cancelled free, their account off), one cleared with a new start marks them back."""
    practitioner = in_reach(practitioner_with_email(email), can_see_practitioner)
    form = WorkforceDatesForm()
    if request.method == "GET":
        for field, day in ((form.started_on, practitioner.started_on), (form.left_on, practitioner.left_on)):
            if day is not None:
                field.show(day)
    if form.validate_on_submit():
        started_on, left_on = form.started_on.data, form.left_on.data
        problem = dates_problem(started_on, left_on)
        try:
            if problem:
                raise LeavingRefused(*problem)
            change = change_dates(practitioner, started_on, left_on, current_user._get_current_object())
        except LeavingRefused as refused:
            field = form.started_on if refused.field == "started_on" else form.left_on
            field.errors = [*field.errors, refused.message[:1].upper() + refused.message[1:]]
        else:
            flash(DATES_SAVED.get(change.action, "Their dates are saved."), "success")
            return redirect(url_for("records.records_page", email=practitioner.email))
    status = 422 if form.errors else 200
    return render_template("registers/dates.html", practitioner=practitioner, form=form), status


DATES_SAVED: dict[AuditAction | None, str] = {
    AuditAction.PRACTITIONER_LEFT: "They are marked as left: their coming bookings are cancelled, their account off.",
    AuditAction.PRACTITIONER_RETURNED: "They are marked as back in post.",
}


def _note(practitioner: Practitioner, form: HistoricalRecordForm, user: User) -> None:
    course = course_with_code(form.course.data)
    assert course is not None  # the import accepted the code
    try:
        completed_on = parse_iso_date(form.completed_on.data or "")
    except DateProblem:  # the import accepted it, so this cannot happen
        return
    note_source(practitioner.id, course.id, completed_on, form.source.data or "", user)

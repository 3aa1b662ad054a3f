"""A booker's staff list (SPEC 3.4): their organisation's practitioners with pathway status at a glance, who still
needs a required course, and adding or changing a person (checked by the practitioners import's reader, their dates
by services/workforce/leavers); marking someone as left, after a check page, and back (SPEC 3.1)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...extensions import db
from ...imports.single_row import errors_by_column, import_one_row
from ...models import Organisation, Practitioner, Role, User
from ...permissions import allow
from ...services.booking.staff import ANY_REQUIRED, required_courses, staff_email_problem, staff_page
from ...services.catalogue.choices import authority_choices, group_choices
from ...services.catalogue.reference_data import record_row
from ...services.common.calendar import london_today
from ...services.common.lookups import account_of_practitioner, practitioner_with_email
from ...services.workforce.leavers import (
    LeavingRefused,
    bookings_ended_by_leaving,
    change_dates,
    dates_problem,
    leaver_problem,
    mark_left,
    mark_returned,
    return_problem,
)
from ..loading import load
from ..paging import page_number
from .forms import LeavingForm, ReturnForm, StaffMemberForm

bp = Blueprint("staff", __name__, url_prefix="/staff")

COLUMNS = ("email", "first_name", "last_name", "job_title", "group", "authorities", "cover_category")


@bp.get("")
@allow(Role.BOOKER)
def list_page():
    """The organisation's staff, 50 to a page, each with their pathway's courses and where they stand on them."""
    organisation = _organisation()
    courses = required_courses(organisation.id)
    needs = request.args.get("needs", "")
    if needs not in {ANY_REQUIRED, *(code for code, _ in courses)}:
        needs = ""
    search = (request.args.get("q") or "").strip()[:200]
    leavers = request.args.get("leavers") == "y"
    result = staff_page(organisation.id, london_today(), needs, search, page_number(request.args), leavers=leavers)
    return render_template(
        "staff/list.html",
        organisation=organisation,
        result=result,
        courses=courses,
        needs=needs,
        search=search,
        leavers=leavers,
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.BOOKER)
def add_page():
    """Add a member of staff to the organisation."""
    organisation = _organisation()
    form = _form()
    if form.validate_on_submit():
        problem = staff_email_problem(organisation.id, form.email.data)
        if problem:
            form.email.errors.append(f"Email address {problem}")
        elif _dates_valid(form) and _saved(form, organisation, form.email.data, adding=True):
            person = practitioner_with_email(form.email.data)
            if person is not None and _dates_saved(form, person, form.started_on.data or london_today()):
                flash(f"{form.first_name.data} {form.last_name.data} has been added to your staff.", "success")
                return redirect(url_for("staff.list_page"))
    status = 422 if form.errors else 200
    return render_template("staff/record.html", form=form, person=None, organisation=organisation), status


@bp.route("/<number:practitioner_id>/edit", methods=["GET", "POST"])
@allow(Role.BOOKER)
def edit_page(practitioner_id: int):
    """Change a member of staff's details (their email address identifies them, so it stays)."""
    organisation = _organisation()
    person = load(Practitioner, practitioner_id, lambda _, found: found.organisation_id == organisation.id)
    existing = record_row("practitioners", person.email) or {}
    form = _form(_form_data(existing) if request.method == "GET" else None)
    form.email.data = person.email
    if request.method == "GET":
        for field, day in ((form.started_on, person.started_on), (form.left_on, person.left_on)):
            if day is not None:
                field.show(day)
    if (
        form.validate_on_submit()
        and _dates_valid(form)
        and _saved(form, organisation, person.email)
        and _dates_saved(form, person, form.started_on.data)
    ):
        flash(f"{form.first_name.data} {form.last_name.data}'s details have been saved.", "success")
        return redirect(url_for("staff.list_page"))
    status = 422 if form.errors else 200
    return render_template("staff/record.html", form=form, person=person, organisation=organisation), status


@bp.route("/<number:practitioner_id>/leave", methods=["GET", "POST"])
@allow(Role.BOOKER)
def leave_page(practitioner_id: int):
    """Mark a member of staff as left: the date, then a check page saying which bookings are cancelled."""
    organisation = _organisation()
    person = load(Practitioner, practitioner_id, lambda _, found: found.organisation_id == organisation.id)
    form = LeavingForm()
    if form.validate_on_submit():
        left_on = form.left_on.required_date()
        if problem := leaver_problem(person, left_on):
            form.left_on.errors = [*form.left_on.errors, problem[1]]
        elif form.confirm.data != "yes":
            bookings = bookings_ended_by_leaving(person.id, left_on)
            account = account_of_practitioner(person.email)
            return render_template(
                "staff/leave-check.html", person=person, left_on=left_on, bookings=bookings, account=account, form=form
            )
        else:
            try:
                done = mark_left(person, left_on, current_user._get_current_object())
            except LeavingRefused as refused:
                form.left_on.errors = [*form.left_on.errors, refused.message]
            else:
                flash(_left_message(person, left_on, len(done.cancellations)), "success")
                return redirect(url_for("staff.list_page"))
    status = 422 if form.errors else 200
    return render_template("staff/leave.html", form=form, person=person, organisation=organisation), status


def _left_message(person: Practitioner, left_on: date, cancelled: int) -> str:
    bookings = f"{cancelled} of their bookings {'was' if cancelled == 1 else 'were'} cancelled" if cancelled else ""
    return f"{person.full_name} is marked as left on {left_on:%-d %B %Y}." + (f" {bookings}." if bookings else "")


@bp.route("/<number:practitioner_id>/return", methods=["GET", "POST"])
@allow(Role.BOOKER)
def return_page(practitioner_id: int):
    """A leaver has come back: the day their new spell in post starts."""
    organisation = _organisation()
    person = load(Practitioner, practitioner_id, lambda _, found: found.organisation_id == organisation.id)
    form = ReturnForm()
    if form.validate_on_submit():
        started_on = form.started_on.required_date()
        if problem := return_problem(person, started_on):
            form.started_on.errors = [*form.started_on.errors, problem[1]]
        else:
            try:
                mark_returned(person, started_on, current_user._get_current_object())
            except LeavingRefused as refused:
                form.started_on.errors = [*form.started_on.errors, refused.message]
            else:
                flash(f"{person.full_name} is back on your staff from {started_on:%-d %B %Y}.", "success")
                return redirect(url_for("staff.list_page"))
    status = 422 if form.errors else 200
    return render_template("staff/return.html", form=form, person=person, organisation=organisation), status


def _organisation() -> Organisation:
    user: User = current_user
    organisation = db.session.get(Organisation, user.organisation_id) if user.organisation_id else None
    if organisation is None:
        abort(403)
    return organisation


def _dates_valid(form: StaffMemberForm) -> bool:
    """Nobody leaves before they start: said on the date they left, before anything is saved."""
    if problem := dates_problem(form.started_on.data, form.left_on.data):
        form.left_on.errors = [*form.left_on.errors, problem[1]]
        return False
    return True


def _dates_saved(form: StaffMemberForm, person: Practitioner, started_on: date | None) -> bool:
    """Set the person's dates through the leavers service (a date they left, newly given, marks them as left)."""
    try:
        change_dates(person, started_on, form.left_on.data, current_user._get_current_object())
    except LeavingRefused as refused:
        db.session.rollback()
        field = form.started_on if refused.field == "started_on" else form.left_on
        field.errors = [*field.errors, refused.message[:1].upper() + refused.message[1:]]
        return False
    return True


def _form(data: dict[str, object] | None = None) -> StaffMemberForm:
    form = StaffMemberForm(data=data) if data is not None else StaffMemberForm()
    form.group.choices = [SelectChoice("", "Not known")] + [
        SelectChoice(code, f"Group {code}: {name}") for code, name in group_choices()
    ]
    form.authorities.choices = [SelectChoice(code, name) for code, name in authority_choices()]
    return form


def _form_data(existing: dict[str, str]) -> dict[str, object]:
    data: dict[str, object] = dict(existing)
    data["authorities"] = [code for code in existing.get("authorities", "").split(";") if code]
    return data


def _saved(form: StaffMemberForm, organisation: Organisation, email: str, adding: bool = False) -> bool:
    """Save through the practitioners reader; its messages go on the fields they are about. Adding, the email is
    checked again once no other import can write it, so one added a moment ago is refused, not changed."""
    row = {column: form[column].data or "" for column in COLUMNS if column != "authorities"}
    row |= {"email": email, "organisation": organisation.code, "authorities": ";".join(form.authorities.data or [])}

    def still_new() -> str | None:  # added a moment ago from another page: refused, not updated
        problem = staff_email_problem(organisation.id, email)
        return f"email address {problem}" if problem else None

    actor = current_user._get_current_object()
    result = import_one_row("practitioners", row, actor=actor, still_new=still_new if adding else None)
    if result.ok:
        return True
    for column, messages in errors_by_column(result).items():
        field = form[column] if column in COLUMNS else form.email
        field.errors = [*field.errors, *(message[:1].upper() + message[1:] for message in messages)]
    return False

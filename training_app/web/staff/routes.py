"""A booker's staff list (SPEC 3.4): their organisation's practitioners with pathway status at a glance, who still
needs a required course, and adding or changing a person (checked by the practitioners import's reader)."""

from __future__ import annotations

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
from ..loading import load
from ..paging import page_number
from .forms import StaffMemberForm

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
    result = staff_page(organisation.id, london_today(), needs, search, page_number(request.args))
    return render_template(
        "staff/list.html", organisation=organisation, result=result, courses=courses, needs=needs, search=search
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
        elif _saved(form, organisation, form.email.data):
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
    if form.validate_on_submit() and _saved(form, organisation, person.email):
        flash(f"{form.first_name.data} {form.last_name.data}'s details have been saved.", "success")
        return redirect(url_for("staff.list_page"))
    status = 422 if form.errors else 200
    return render_template("staff/record.html", form=form, person=person, organisation=organisation), status


def _organisation() -> Organisation:
    user: User = current_user
    organisation = db.session.get(Organisation, user.organisation_id) if user.organisation_id else None
    if organisation is None:
        abort(403)
    return organisation


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


def _saved(form: StaffMemberForm, organisation: Organisation, email: str) -> bool:
    """Save through the practitioners reader; its messages go on the fields they are about."""
    row = {column: form[column].data or "" for column in COLUMNS if column != "authorities"}
    row |= {"email": email, "organisation": organisation.code, "authorities": ";".join(form.authorities.data or [])}
    result = import_one_row("practitioners", row, actor=current_user._get_current_object())
    if result.ok:
        return True
    for column, messages in errors_by_column(result).items():
        field = form[column] if column in COLUMNS else form.email
        field.errors = [*field.errors, *(message[:1].upper() + message[1:] for message in messages)]
    return False

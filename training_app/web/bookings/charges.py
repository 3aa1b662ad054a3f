"""Charges for late cancellations and no-shows (SPEC 3.4): a booker's organisation's, or everyone's for staff, with
the xlsx download; coordinators waive one with a reason, a booker names the colleague who attended instead.
The rules are services.booking.charges'."""

from __future__ import annotations

import tempfile
from datetime import date
from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...exports.charges import write_charges
from ...models import Charge, Practitioner, Role
from ...permissions import STAFF, allow
from ...services.accounts.scope import may_see_charge, organisation_scope
from ...services.booking.charges import ChargeRefused, charge_rows, charge_totals, waive_charge, waive_for_substitute
from ...services.booking.staff import colleagues_of
from ...services.common.calendar import DateProblem, london_today, parse_iso_date
from ...services.common.lookups import organisation_with_code
from ..loading import load
from .forms import SubstituteForm, WaiveChargeForm

bp = Blueprint("charges", __name__, url_prefix="/bookings")

BOOKERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER)
LISTED = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/charges")
@allow(BOOKERS)
def charges_page():
    """Charges per organisation and one row per charge, for sessions starting in the period asked for."""
    organisation_id, errors, period = _filters()
    totals = charge_totals(organisation_id, *period)
    rows = charge_rows(organisation_id, *period, limit=LISTED)
    args = {key: request.args.get(key, "")[:10] for key in ("from", "to")}
    return render_template("bookings/charges.html", totals=totals, rows=rows, errors=errors, args=args, limit=LISTED), (
        422 if errors else 200
    )


@bp.get("/charges.xlsx")
@allow(BOOKERS)
def charges_workbook():
    """The same charges as a workbook: per organisation, then each charge, money in pence and in pounds."""
    organisation_id, errors, period = _filters()
    if errors:
        abort(400)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "charges.xlsx"
        write_charges(path, *period, organisation_id=organisation_id)
        content = path.read_bytes()
    name = f"charges-{london_today().isoformat()}.xlsx"
    return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/charges/<number:charge_id>/waive", methods=["GET", "POST"])
@allow(STAFF)
def waive_page(charge_id: int):
    """A coordinator waives a charge, saying why."""
    charge = load(Charge, charge_id, may_see_charge)
    form = WaiveChargeForm()
    if form.validate_on_submit():
        try:
            waive_charge(charge, current_user._get_current_object(), form.reason.data or "")
        except ChargeRefused as refused:
            form.reason.errors.append(refused.message[:1].upper() + refused.message[1:])
        else:
            flash(f"The charge for {charge.booking.practitioner.full_name} has been waived.", "success")
            return redirect(url_for("charges.charges_page"))
    status = 422 if form.errors else 200
    return render_template("bookings/waive.html", charge=charge, form=form), status


@bp.route("/charges/<number:charge_id>/substitute", methods=["GET", "POST"])
@allow(BOOKERS)
def substitute_page(charge_id: int):
    """Name the colleague who attended instead: the charge is waived when the register shows they did."""
    charge = load(Charge, charge_id, may_see_charge)
    person = charge.booking.practitioner
    form = SubstituteForm()
    form.colleague.label.text = "Who attended instead?"
    colleagues = colleagues_of(person)
    form.colleague.choices = [SelectChoice(c.id, f"{c.first_name} {c.last_name}") for c in colleagues]
    if form.validate_on_submit():
        colleague = load(Practitioner, form.colleague.data)
        try:
            waive_for_substitute(charge, colleague, current_user._get_current_object())
        except ChargeRefused as refused:
            form.colleague.errors.append(refused.message[:1].upper() + refused.message[1:])
        else:
            flash(f"The charge for {person.full_name} has been waived: {colleague.full_name} attended.", "success")
            return redirect(url_for("charges.charges_page"))
    status = 422 if form.errors else 200
    return render_template("bookings/charge_substitute.html", charge=charge, form=form), status


def _filters() -> tuple[int | None, list[dict[str, str]], tuple[date | None, date | None]]:
    """The organisation in scope (a booker's own; staff may name one by ?organisation=CODE), and the period."""
    errors = []
    organisation_id = organisation_scope(current_user)
    code = request.args.get("organisation", "")
    if organisation_id is None and code:
        found = organisation_with_code(code[:40])
        organisation_id = found.id if found is not None else -1
    days: list[date | None] = []
    for key, label in (("from", "Start"), ("to", "End")):
        text = request.args.get(key, "").strip()
        day = None
        if text:
            try:
                day = parse_iso_date(text[:40])
            except DateProblem:
                errors.append({"text": f"{label} date must be a real date in the form YYYY-MM-DD", "href": f"#{key}"})
        days.append(day)
    if days[0] and days[1] and days[0] > days[1]:
        errors.append({"text": "End date must be on or after the start date", "href": "#to"})
    return organisation_id, errors, (None, None) if errors else (days[0], days[1])

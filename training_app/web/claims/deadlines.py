"""Claim deadlines on finance's pages (SPEC 3.7): a fund's page (its claims and the schools' extensions), a school's
claims page, and the form by which finance extend one school's deadline under one fund."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...models import Fund, Organisation, OrganisationKind, Role
from ...permissions import allow
from ...services.claims import claim_rows, deadlines
from ...services.claims.deadlines import ExtensionRefused
from ...services.common.lookups import organisation_with_code
from ..loading import in_reach
from .forms import ExtensionForm
from .routes import FINANCE_PAGES, bp, fund_or_404, school_years

EXTENSION_FIELDS = {"extended_to": "extended_to", "reason": "reason", "organisation": "school"}


def school_or_404(code: str) -> Organisation:
    """The school with this code, or 404 (an organisation that is not a school has no claims page)."""
    found = organisation_with_code(code)
    return in_reach(found if found is not None and found.kind == OrganisationKind.SCHOOL else None)


@bp.get("/finance/funds/<number:financial_year>")
@allow(FINANCE_PAGES)
def fund_page(financial_year: int):
    """One year's fund: its deadline, the schools whose deadline finance extended, and every claim against it."""
    fund = fund_or_404(financial_year)
    return render_template(
        "claims/fund.html",
        fund=fund,
        extensions=deadlines.fund_extensions(fund),
        rows=claim_rows.claim_rows(financial_year=fund.financial_year),
        is_finance=current_user.role == Role.FINANCE,
    )


@bp.get("/finance/schools/<code>")
@allow(FINANCE_PAGES)
def school_page(code: str):
    """One school's claims as finance see them: per fund what it can claim, its deadline (extended or not), its
    claims, and for finance a link to extend the deadline."""
    school = school_or_404(code)
    return render_template(
        "claims/school.html",
        school=school,
        years=school_years(school),
        rows=claim_rows.claim_rows(school.id),
        is_finance=current_user.role == Role.FINANCE,
    )


@bp.route("/finance/funds/<number:financial_year>/extensions/new", methods=["GET", "POST"])
@bp.route("/finance/funds/<number:financial_year>/extensions/<code>", methods=["GET", "POST"])
@allow(Role.FINANCE)
def extend_deadline(financial_year: int, code: str | None = None):
    """Give a school a later claim deadline under the fund, or change the one given (finance only)."""
    fund = fund_or_404(financial_year)
    school = school_or_404(code) if code is not None else None
    held = deadlines.get_extension(fund, school.id) if school is not None else None
    form = ExtensionForm()
    if school is None:
        schools = [(code, f"{name} ({code})") for code, name in deadlines.school_choices()]
        form.school.choices = [("", "Choose a school"), *schools]
    if request.method == "GET" and held is not None:
        form.extended_to.data, form.reason.data = held.extended_to, held.reason
    if form.validate_on_submit():
        chosen = school or organisation_with_code(form.school.data or "")
        if chosen is None or chosen.kind != OrganisationKind.SCHOOL:
            form.school.errors = [*form.school.errors, "Choose a school"]
        elif _granted(fund, chosen, form):
            return redirect(url_for("claims.fund_page", financial_year=fund.financial_year))
    status = 422 if form.errors else 200
    return render_template("claims/extension-form.html", form=form, fund=fund, school=school, held=held), status


def _granted(fund: Fund, school: Organisation, form: ExtensionForm) -> bool:
    """Grant the extension the form asks for; the service's refusals become the form's errors."""
    try:
        _, created = deadlines.grant_extension(
            fund, school, form.extended_to.required_date(), form.reason.data or "", current_user
        )
    except ExtensionRefused as refused:
        for name, message in (refused.fields or {"extended_to": refused.message}).items():
            field = getattr(form, EXTENSION_FIELDS.get(name, "extended_to"))
            field.errors = [*field.errors, message]
        return False
    verb = "extended" if created else "changed"
    flash(f"{school.name}'s {fund.label} claim deadline has been {verb}.", "success")
    return True

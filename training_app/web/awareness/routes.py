"""Awareness-only sectors: the sign-off register, a sign-off form, the coverage grid and presentations (SPEC 3.8)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...exports.awareness import contact_label, write_presentation_totals, write_sign_off_register
from ...models import Authority, AwarenessSignOff, OrganisationKind
from ...models.awareness import SignOffStatus
from ...permissions import REPORT_READERS, STAFF, allow
from ...services.accounts.scope import can_see_sign_off, report_scope
from ...services.awareness import awareness, awareness_coverage, evidence_files, reawareness
from ...services.awareness.awareness import SignOffError, SignOffValues
from ...services.awareness.evidence_files import EvidenceError
from ...services.awareness.presentations import (
    PresentationError,
    PresentationValues,
    TotalsBy,
    presentation_totals,
    presentations,
    record_presentation,
    sector_label,
)
from ...services.catalogue.choices import authorities_in_scope
from ...services.common.calendar import DateProblem, london_today, parse_iso_date
from ...services.common.lookups import organisation_with_code
from ..loading import load
from .forms import STATUS_LABELS, AwarenessOnlyForm, PresentationForm, SignOffForm

bp = Blueprint("awareness", __name__, url_prefix="/awareness")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Service field names and the form boxes that show their problems.
SIGN_OFF_FIELDS = {"contact_name": "contact_name", "package_version": "version", "signed_off_by_name": "signed_off_by"}


def sign_off_or_404(sign_off_id: int) -> AwarenessSignOff:
    """The sign-off with this id, or 404; 403 when it covers none of a workforce lead's authorities."""
    return load(AwarenessSignOff, sign_off_id, can_see_sign_off)


@bp.get("/sign-offs")
@allow(REPORT_READERS)
def sign_off_register():
    """The register by sector, status and authority; a workforce lead sees those covering their authorities."""
    scope = report_scope(current_user)
    authorities = _authorities(scope)
    sector = _choice(request.args.get("sector"), OrganisationKind)
    status = _choice(request.args.get("status"), SignOffStatus)
    authority = next((a for a in authorities if a.code == request.args.get("authority")), None)
    rows = awareness.sign_offs(scope, sector, status, authority.id if authority else None)
    versions = reawareness.current_versions()
    return render_template(
        "awareness/register.html",
        rows=[(s, reawareness.reawareness(s, versions, london_today())) for s in rows],
        authorities=authorities,
        filters={"sector": sector, "status": status, "authority": authority},
        sectors=[(kind, sector_label(kind)) for kind in OrganisationKind],
        statuses=STATUS_LABELS,
        contact_label=contact_label,
        completed_label=awareness.completed_label,
        sector_label=sector_label,
    )


@bp.get("/sign-offs.xlsx")
@allow(REPORT_READERS)
def sign_off_workbook():
    """The register in seed 000 Appendix B's layout, as a download."""
    return _workbook("awareness-sign-offs.xlsx", lambda path: write_sign_off_register(path, report_scope(current_user)))


@bp.route("/sign-offs/new", methods=["GET", "POST"])
@allow(STAFF)
def new_sign_off():
    """Record a service's sign-off."""
    form = _sign_off_form()
    if form.validate_on_submit() and (sign_off := _saved(form, None)) is not None:
        flash(f"The sign-off for {sign_off.service} has been recorded.", "success")
        return redirect(url_for("awareness.sign_off_register"))
    return render_template("awareness/sign-off-form.html", form=form, sign_off=None)


@bp.route("/sign-offs/<number:sign_off_id>/edit", methods=["GET", "POST"])
@allow(STAFF)
def edit_sign_off(sign_off_id: int):
    """Change a sign-off: its status, dates, contact, evidence."""
    sign_off = sign_off_or_404(sign_off_id)
    form = _sign_off_form(sign_off if request.method == "GET" else None)
    if form.validate_on_submit() and _saved(form, sign_off) is not None:
        flash(f"The sign-off for {sign_off.service} has been saved.", "success")
        return redirect(url_for("awareness.sign_off_register"))
    return render_template("awareness/sign-off-form.html", form=form, sign_off=sign_off)


@bp.get("/sign-offs/<number:sign_off_id>/evidence")
@allow(REPORT_READERS)
def sign_off_evidence(sign_off_id: int):
    """A sign-off's evidence file, only ever as a download."""
    sign_off = sign_off_or_404(sign_off_id)
    path = evidence_files.evidence_path(sign_off)
    if path is None or not path.is_file():
        abort(404)
    return send_file(
        BytesIO(path.read_bytes()),
        mimetype=sign_off.evidence_content_type or "application/octet-stream",
        as_attachment=True,
        download_name=sign_off.evidence_filename or "evidence",
    )


@bp.get("/coverage")
@allow(REPORT_READERS)
def coverage():
    """Sector kinds by authorities: which are signed off and when, and which are not."""
    return _coverage_page(AwarenessOnlyForm())


@bp.post("/awareness-only")
@allow(STAFF)
def mark_awareness_only():
    """Mark an organisation awareness-only (its staff leave every 'still to train' count), or not."""
    form = AwarenessOnlyForm()
    if form.validate_on_submit() and _awareness_only_saved(form):
        return redirect(url_for("awareness.coverage"))
    return _coverage_page(form)


def _coverage_page(form: AwarenessOnlyForm):
    grid = awareness_coverage.coverage(report_scope(current_user))
    return render_template(
        "awareness/coverage.html", grid=grid, form=form, statuses=STATUS_LABELS, sector_label=sector_label
    )


@bp.get("/presentations")
@allow(REPORT_READERS)
def presentation_list():
    """Presentation totals by year, sector and area, and the latest presentations."""
    scope = report_scope(current_user)
    totals = {by: presentation_totals(by, authority_ids=scope) for by in TotalsBy}
    return render_template(
        "awareness/presentations.html",
        totals=totals,
        latest=presentations(authority_ids=scope, limit=50),
        sector_label=sector_label,
    )


@bp.get("/presentations.xlsx")
@allow(REPORT_READERS)
def presentation_workbook():
    """Presentation totals as a download."""
    scope = report_scope(current_user)
    return _workbook("presentations.xlsx", lambda path: write_presentation_totals(path, authority_ids=scope))


@bp.route("/presentations/new", methods=["GET", "POST"])
@allow(STAFF)
def new_presentation():
    """Record an awareness presentation."""
    form = PresentationForm()
    if form.validate_on_submit() and _presentation_saved(form):
        flash("The presentation has been recorded.", "success")
        return redirect(url_for("awareness.presentation_list"))
    return render_template("awareness/presentation-form.html", form=form)


def _sign_off_form(sign_off: AwarenessSignOff | None = None) -> SignOffForm:
    data = None
    if sign_off is not None:
        data = {
            "service": sign_off.service,
            "sector": sign_off.sector_kind.value,
            "authorities": [a.code for a in sign_off.authorities],
            "contact_name": sign_off.contact_name,
            "contact_role": sign_off.contact_role or "",
            "package": sign_off.package,
            "version": sign_off.package_version or "",
            "status": sign_off.status.value,
            "signed_off_by": sign_off.signed_off_by_name or "",
            "notes": sign_off.evidence_notes,
        }
    form = SignOffForm(data=data) if data else SignOffForm()
    form.authorities.choices = [SelectChoice(a.code, a.name) for a in _authorities(None)]
    if sign_off is not None:
        form.completed.show(sign_off.completed_on, sign_off.completed_month_only)
    return form


def _saved(form: SignOffForm, sign_off: AwarenessSignOff | None) -> AwarenessSignOff | None:
    """Record or change the sign-off and keep its evidence; on refusal put each problem on its box."""
    completed_on, month_only = form.completed.required_date(), form.completed.month_only
    values = SignOffValues(
        service=form.service.data,
        sector_kind=OrganisationKind(form.sector.data),
        authority_codes=form.authorities.data or [],
        contact_name=form.contact_name.data,
        package=form.package.data,
        completed_on=completed_on,
        completed_month_only=month_only,
        contact_role=form.contact_role.data or None,
        package_version=form.version.data or None,
        signed_off_by_name=form.signed_off_by.data or None,
        evidence_notes=form.notes.data or "",
        status=SignOffStatus(form.status.data),
    )
    upload = form.evidence.data
    content = upload.read() if upload and getattr(upload, "filename", "") else None
    problem = evidence_files.evidence_problem(upload.filename, content) if content is not None else None
    if problem:
        form.evidence.errors.append(problem)
        return None
    try:
        if sign_off is None:
            sign_off = awareness.record_sign_off(values, current_user)
        else:
            awareness.change_sign_off(sign_off, values, current_user)
    except SignOffError as refused:
        for name, message in refused.fields.items():
            form[SIGN_OFF_FIELDS.get(name, name)].errors.append(message)
        return None
    if content is not None:
        try:
            evidence_files.attach_evidence(sign_off, upload.filename, content, current_user)
        except EvidenceError as refused_file:
            form.evidence.errors.append(str(refused_file))
            return None
    return sign_off


def _awareness_only_saved(form: AwarenessOnlyForm) -> bool:
    code = form.organisation.data
    organisation = organisation_with_code(code)
    if organisation is None:
        form.organisation.errors.append("There is no organisation with that code")
        return False
    awareness_only = form.awareness_only.data == "yes"
    awareness.set_awareness_only(organisation, awareness_only, current_user)
    flash(f"{organisation.name} is {'now' if awareness_only else 'no longer'} awareness-only.", "success")
    return True


def _presentation_saved(form: PresentationForm) -> bool:
    try:
        day = parse_iso_date(form.presented_on.data)
    except DateProblem:
        form.presented_on.errors.append("The date must be a real date written YYYY-MM-DD, like 2008-03-14")
        return False
    values = PresentationValues(
        presented_on=day,
        audience=form.audience.data,
        headcount=int(form.headcount.data),
        presenter=form.presenter.data or None,
        sector_kind=OrganisationKind(form.sector.data) if form.sector.data else None,
        place=form.area.data or None,
    )
    try:
        record_presentation(values, current_user)
    except PresentationError as refused:
        for name, message in refused.fields.items():
            form[name].errors.append(message)
        return False
    return True


def _authorities(scope: set[int] | None) -> list[Authority]:
    return authorities_in_scope(scope)


def _choice(value: str | None, kind: type[OrganisationKind] | type[SignOffStatus]):
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def _workbook(name: str, write: Callable[[Path], object]):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(path)
        content = path.read_bytes()
    return send_file(BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)

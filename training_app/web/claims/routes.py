"""Supply-cover claim pages (SPEC 3.7): a school's view and claims, evidence, and finance's decisions and allocation."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ...exports.claims import write_claims_batch
from ...models import DEFAULT_RATES_PENCE, Claim, ClaimCategory, ClaimStatus, CoverUnit, Fund, Organisation, Role
from ...permissions import allow
from ...services.accounts.scope import organisation_scope
from ...services.claims import allocation, claim_decisions, claim_files, claim_rows, claims, deadlines, funds
from ...services.claims.claims import ClaimRefused, Evidence
from ...services.claims.funds import FundError, FundSettings
from ...services.common.calendar import london_today
from ..courses.forms import to_pence, to_pounds
from ..loading import in_reach
from .forms import ActionForm, EvidenceForm, FundForm, RejectForm, StartClaimForm, contributions_of

bp = Blueprint("claims", __name__)

VIEWERS = (Role.BOOKER, Role.FINANCE, Role.ADMIN)
FINANCE_PAGES = (Role.FINANCE, Role.ADMIN)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVIDENCE_FIELDS = {"supplier": "supplier", "invoice": "invoice", "amount_pence": "amount", "file": "file"}


def claim_or_404(claim_id: int) -> Claim:
    """The claim with its lines, or 404; 403 when it is another school's."""
    return in_reach(claims.get_claim(claim_id), claims.can_see_claim)


def fund_or_404(financial_year: int) -> Fund:
    """The year's fund, or 404."""
    in_range = funds.MIN_FINANCIAL_YEAR <= financial_year <= funds.MAX_FINANCIAL_YEAR
    return in_reach(funds.get_fund(financial_year) if in_range else None)


@bp.get("/claims")
@allow(VIEWERS)
def claims_page():
    """A booker's school: what it can claim, has claimed and was paid per fund; finance see every claim, or those of
    one status (`?status=submitted`, as the dashboard's counts link)."""
    school = current_user.organisation if organisation_scope(current_user) is not None else None
    if school is None:
        status, errors = _status_asked(request.args.get("status", ""))
        rows = claim_rows.claim_rows(statuses=[status] if status else None)
        waiting = [row for row in rows if row.status == ClaimStatus.SUBMITTED] if status is None else []
        return render_template(
            "claims/list.html", rows=rows, waiting=waiting, school=None, years=[], status=status, errors=errors
        )
    years = school_years(school)
    rows = claim_rows.claim_rows(school.id)
    return render_template(
        "claims/list.html", rows=rows, waiting=[], school=school, years=years, start=StartClaimForm()
    )


def _status_asked(text: str) -> tuple[ClaimStatus | None, list[dict[str, str]]]:
    """The claim status a list is narrowed to (none when not asked), and an error-summary entry for one that is
    not a status."""
    if not text:
        return None, []
    try:
        return ClaimStatus(text), []
    except ValueError:
        known = ", ".join(status.value for status in ClaimStatus)
        return None, [
            {"text": f"There is no claim status called {text[:40]}: choose one of {known}.", "href": "#claims"}
        ]


def school_years(school: Organisation) -> list[dict[str, object]]:
    """Each fund seen by one school, latest first: what it can claim, has claimed and was paid, and its deadline."""
    fund_list = funds.list_funds()
    school_deadlines = deadlines.school_deadlines(school.id, fund_list)
    today = london_today()
    return [_school_year(fund, school.id, school_deadlines[fund.id], today) for fund in fund_list]


def _school_year(fund: Fund, school_id: int, deadline: deadlines.SchoolDeadline, today: date) -> dict[str, object]:
    """One fund seen by a school: claimable now, claimed (not rejected) and paid, in pence, and its deadline."""
    lines = claims.claimable_lines(fund, school_id)
    rows = claim_rows.claim_rows(school_id, financial_year=fund.financial_year)
    claimed = sum(row.total_pence for row in rows if row.status != ClaimStatus.REJECTED)
    paid = sum(row.total_pence for row in rows if row.status == ClaimStatus.PAID)
    waiting = sum(1 for line in lines if line.retrospective)
    claimable = sum(line.rate_pence for line in lines)
    counts = {"fund": fund, "lines": len(lines), "waiting": waiting, "claimable_pence": claimable}
    counts |= {"deadline": deadline, "closed": deadline.passed(today)}
    return counts | {"claimed_pence": claimed, "paid_pence": paid}


@bp.post("/claims/new")
@allow(Role.BOOKER)
def start_claim():
    """Start a draft holding every claimable day of the booker's school for a year's fund."""
    form = StartClaimForm()
    year = form.financial_year.data or ""
    if not form.validate_on_submit() or not year.isascii() or not year.isdigit() or len(year) != 4:
        abort(400)
    fund = fund_or_404(int(year))
    school = current_user.organisation
    if school is None:
        abort(403)
    try:
        made = claims.create_claim(school, fund, current_user)
    except ClaimRefused as refused:
        flash(refused.message)
        return redirect(url_for("claims.claims_page"))
    days = len(made.claim.lines)
    flash(f"Draft claim {made.claim.id} started with {days} {'day' if days == 1 else 'days'}.", "success")
    return redirect(url_for("claims.claim_page", claim_id=made.claim.id))


@bp.get("/claims/<number:claim_id>")
@allow(VIEWERS)
def claim_page(claim_id: int):
    """One claim: its lines and invoices, the days waiting for evidence, and the moves the viewer may make."""
    return _claim_page(claim_or_404(claim_id))


def _waiting(claim: Claim, form: EvidenceForm) -> list[claims.ClaimableLine]:
    """The school's retrospective days still waiting for evidence (a draft's), offered as the form's choices."""
    waiting = []
    if claim.status == ClaimStatus.DRAFT:
        waiting = [line for line in claims.claimable_lines(claim.fund, claim.organisation_id) if line.retrospective]
    form.line.choices = [(line.mark_id, f"{line.name}, {line.day:%-d %B %Y} ({line.session_code})") for line in waiting]
    return waiting


def _claim_page(claim: Claim, evidence: EvidenceForm | None = None, reject: RejectForm | None = None, status=200):
    evidence = evidence or EvidenceForm()
    waiting = _waiting(claim, evidence)
    lines = sorted(claim.lines, key=lambda line: (line.session_day.date, line.practitioner.last_name))
    may_act = claims.can_act_for_school(current_user, claim.organisation_id)
    deadline = deadlines.school_deadline(claim.fund, claim.organisation_id)
    context = {
        "claim": claim,
        "deadline": deadline,
        "closed": deadline.passed(),
        "lines": lines,
        "waiting": waiting,
        "evidence_form": evidence,
        "reject_form": reject or RejectForm(),
        "action_form": ActionForm(),
        "may_act": may_act and current_user.role != Role.FINANCE,
        "is_finance": current_user.role == Role.FINANCE,
    }
    return render_template("claims/claim.html", **context), status


@bp.post("/claims/<number:claim_id>/evidence")
@allow(Role.BOOKER, Role.ADMIN)
def add_evidence(claim_id: int):
    """Put a retrospective day on the draft with its invoice."""
    claim = claim_or_404(claim_id)
    form = EvidenceForm()
    _waiting(claim, form)
    if not form.validate_on_submit():
        return _claim_page(claim, evidence=form, status=422)
    upload = form.file.data
    content = upload.read() if upload and upload.filename else None
    try:
        claims.add_evidence(
            claim,
            form.line.data,
            Evidence(form.supplier.data, form.invoice.data, to_pence(form.amount.data)),
            current_user,
            (upload.filename, content) if content is not None else None,
        )
    except ClaimRefused as refused:
        for name, message in refused.fields.items():
            getattr(form, EVIDENCE_FIELDS.get(name, "line")).errors.append(message)
        if not refused.fields:
            form.line.errors.append(refused.message)
        return _claim_page(claims.get_claim(claim_id) or claim, evidence=form, status=422)
    flash("Evidence added: the day is now on the claim.", "success")
    return redirect(url_for("claims.claim_page", claim_id=claim_id))


def _move(claim_id: int, move: Callable[[Claim], Claim], done: str):
    claim = claim_or_404(claim_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        move(claim)
    except ClaimRefused as refused:
        flash(refused.message)
        return redirect(url_for("claims.claim_page", claim_id=claim_id))
    flash(done, "success")
    return redirect(url_for("claims.claim_page", claim_id=claim_id))


@bp.post("/claims/<number:claim_id>/approve")
@allow(Role.FINANCE)
def approve_claim(claim_id: int):
    """Approve a submitted claim."""
    return _move(claim_id, lambda claim: claim_decisions.approve_claim(claim, current_user), "Claim approved.")


@bp.post("/claims/<number:claim_id>/paid")
@allow(Role.FINANCE)
def mark_paid(claim_id: int):
    """Record that an approved claim was paid."""
    return _move(claim_id, lambda claim: claim_decisions.mark_paid(claim, current_user), "Claim marked as paid.")


@bp.post("/claims/<number:claim_id>/reject")
@allow(Role.FINANCE)
def reject_claim(claim_id: int):
    """Reject a submitted claim with a reason."""
    claim = claim_or_404(claim_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _claim_page(claim, reject=form, status=422)
    try:
        claim_decisions.reject_claim(claim, form.reason.data, current_user)
    except ClaimRefused as refused:
        if refused.fields:
            form.reason.errors.extend(refused.fields.values())
            return _claim_page(claim, reject=form, status=422)
        flash(refused.message)
        return redirect(url_for("claims.claim_page", claim_id=claim_id))
    flash("Claim rejected; the school has been told why.", "success")
    return redirect(url_for("claims.claim_page", claim_id=claim_id))


@bp.get("/claims/<number:claim_id>/files/<number:file_id>")
@allow(VIEWERS)
def claim_file(claim_id: int, file_id: int):
    """An uploaded invoice, only ever as a download, to the school and finance."""
    claim = claim_or_404(claim_id)
    file = claims.file_of(claim, file_id)
    path = claim_files.invoice_path(file) if file else None
    if file is None or path is None or not path.is_file():
        abort(404)
    return send_file(
        BytesIO(path.read_bytes()), mimetype=file.content_type, as_attachment=True, download_name=file.filename
    )


@bp.get("/finance")
@allow(FINANCE_PAGES)
def finance_page():
    """Funds with their rate cards and contributions, and the claims waiting for a decision."""
    waiting = claim_rows.claim_rows(statuses=[ClaimStatus.SUBMITTED])
    approved = claim_rows.claim_rows(statuses=[ClaimStatus.APPROVED])
    return render_template(
        "claims/finance.html", funds=funds.list_funds(), waiting=waiting, approved=approved, fund_rates=funds.rate_table
    )


@bp.get("/finance/funds/<number:financial_year>/claims.xlsx")
@allow(FINANCE_PAGES)
def claims_workbook(financial_year: int):
    """The year's finance batch as a workbook: what `flask export claims` writes (allocation, underspend, lines)."""
    fund = fund_or_404(financial_year)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.xlsx"
        write_claims_batch(path, fund)
        content = path.read_bytes()
    name = f"claims-{fund.label}.xlsx"
    return send_file(BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


@bp.get("/finance/funds/<number:financial_year>/allocation")
@allow(FINANCE_PAGES)
def allocation_page(financial_year: int):
    """The fund, approved, payable and remaining, each school's share, and the underspend returned."""
    result = allocation.allocate_fund(fund_or_404(financial_year))
    return render_template("claims/allocation.html", result=result)


RATE_FIELDS = {(category, unit): f"{category.value}_{unit.value}" for category in ClaimCategory for unit in CoverUnit}
FUND_FIELDS = {"amount_pence": "amount", "scheme_start": "scheme_start", "claim_deadline": "claim_deadline"}


@bp.route("/finance/funds/new", methods=["GET", "POST"])
@allow(FINANCE_PAGES)
def new_fund():
    """Set up a year's fund; the rate card starts at the defaults."""
    form = FundForm()
    if request.method == "GET":
        for (category, unit), name in RATE_FIELDS.items():
            getattr(form, name).data = to_pounds(DEFAULT_RATES_PENCE[(category, unit)])
    return _fund_form(form, None)


@bp.route("/finance/funds/<number:financial_year>/edit", methods=["GET", "POST"])
@allow(FINANCE_PAGES)
def edit_fund(financial_year: int):
    """Change a year's fund, its rate card and contributions."""
    fund = fund_or_404(financial_year)
    form = FundForm()
    if request.method == "GET":
        form.amount.data = to_pounds(fund.amount_pence)
        form.scheme_start.data, form.claim_deadline.data = fund.scheme_start, fund.claim_deadline
        for (category, unit), name in RATE_FIELDS.items():
            getattr(form, name).data = to_pounds(funds.rate_table(fund)[category.value][unit.value])
        lines = [
            f"{c['contributor']}, {to_pounds(c['amount_pence'])}" for c in funds.fund_values(fund)["contributions"]
        ]
        form.contributions.data = "\n".join(lines)
    form.financial_year.data = str(financial_year)
    return _fund_form(form, fund)


def _fund_form(form: FundForm, fund: Fund | None):
    if form.validate_on_submit():
        settings = FundSettings(
            to_pence(form.amount.data),
            form.scheme_start.required_date(),
            form.claim_deadline.required_date(),
            {key: to_pence(getattr(form, name).data) for key, name in RATE_FIELDS.items()},
            contributions_of(form.contributions.data),
        )
        try:
            saved, _ = funds.set_fund(int(form.financial_year.data), settings, current_user)
        except FundError as refused:
            for name, message in refused.fields.items():
                field = FUND_FIELDS.get(name) or ("financial_year" if name == "financial_year" else None)
                field = field or RATE_FIELDS.get(_rate_key(name)) or "contributions"
                getattr(form, field).errors.append(message)
        else:
            flash(f"The {saved.label} fund has been saved.", "success")
            return redirect(url_for("claims.finance_page"))
    status = 422 if form.errors else 200
    return render_template("claims/fund-form.html", form=form, fund=fund), status


def _rate_key(name: str):
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "rates":
        return next((key for key in RATE_FIELDS if (key[0].value, key[1].value) == (parts[1], parts[2])), None)
    return None

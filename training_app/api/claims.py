"""Supply-cover claims in the API (SPEC 3.7, 4.5): preview, draft, the workflow moves and a fund's allocation."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, jsonify

from ..extensions import db
from ..models import Claim, Fund, Organisation, Role, User
from ..services.accounts.scope import organisation_scope, within_organisation_scope
from ..services.claims import allocation, claim_decisions, claims, funds
from ..services.claims.claims import ClaimRefused, Evidence, Refusal
from ..services.common.lookups import organisation_with_code
from .auth import api_allow
from .claim_json import claim_json, line_json
from .errors import ApiError
from .parsing import Problems, date_problem, query_args
from .routes import bp
from .schemas import body_and_problems, body_for

CLAIMANTS = (Role.BOOKER, Role.ADMIN)
READERS = (Role.BOOKER, Role.ADMIN, Role.FINANCE)
FINANCE_READERS = (Role.FINANCE, Role.ADMIN)
STATUS_OF_REFUSAL = {Refusal.CONFLICT: 409, Refusal.FORBIDDEN: 403, Refusal.INVALID: 422}


@bp.get("/claims/preview")
@api_allow(READERS)
def preview_claim():
    """The lines a school could claim from a year's fund now, and their total."""
    args = query_args(frozenset({"organisation", "financial_year"}))
    problems: Problems = {}
    year = _year(args.get("financial_year"), problems)
    organisation = _organisation(args.get("organisation"), problems)
    if problems:
        raise ApiError.validation_failed(problems)
    fund = _fund(year)
    assert organisation is not None
    lines = claims.claimable_lines(fund, organisation.id)
    return jsonify(lines=[line_json(line) for line in lines], total_pence=sum(line.rate_pence for line in lines))


@bp.post("/claims")
@api_allow(CLAIMANTS)
def create_claim():
    """A draft claim holding every claimable line not yet claimed; retrospective ones without evidence stay out."""
    body, problems = body_and_problems("NewClaim")
    organisation = _organisation(body.get("organisation"), problems) if "organisation" not in problems else None
    evidence = _evidence([] if "evidence" in problems else body.get("evidence", []), problems)
    if problems:
        raise ApiError.validation_failed(problems)
    fund = _fund(body["financial_year"])
    assert organisation is not None
    try:
        made = claims.create_claim(organisation, fund, g.api_user, evidence)
    except ClaimRefused as refused:
        raise _refusal(refused) from None
    body = claim_json(made.claim)
    return jsonify(body | {"needs_evidence": [line_json(line) for line in made.needs_evidence]}), 201


@bp.get("/claims/<number:claim_id>")
@api_allow(READERS)
def get_claim(claim_id: int):
    """One claim with its lines (a booker sees only their own school's)."""
    return jsonify(claim_json(_claim(claim_id)))


@bp.post("/claims/<number:claim_id>/submit")
@api_allow(CLAIMANTS)
def submit_claim(claim_id: int):
    """Send a draft to finance."""
    return _moved(lambda claim: claim_decisions.submit_claim(claim, g.api_user), claim_id)


@bp.post("/claims/<number:claim_id>/approve")
@api_allow(Role.FINANCE)
def approve_claim(claim_id: int):
    """Finance approve a submitted claim; it is frozen from then on."""
    return _moved(lambda claim: claim_decisions.approve_claim(claim, g.api_user), claim_id)


@bp.post("/claims/<number:claim_id>/reject")
@api_allow(Role.FINANCE)
def reject_claim(claim_id: int):
    """Finance reject a submitted claim with a reason; its days may be claimed again."""
    reason = body_for("Rejection")["reason"]
    return _moved(lambda claim: claim_decisions.reject_claim(claim, reason, g.api_user), claim_id)


@bp.post("/claims/<number:claim_id>/paid")
@api_allow(Role.FINANCE)
def mark_claim_paid(claim_id: int):
    """Finance record that an approved claim was paid."""
    return _moved(lambda claim: claim_decisions.mark_paid(claim, g.api_user), claim_id)


@bp.get("/funds/<number:financial_year>/allocation")
@api_allow(FINANCE_READERS)
def fund_allocation(financial_year: int):
    """The fund, each school's approved and payable pence, and the underspend returned to the partners."""
    result = allocation.allocate_fund(_fund(financial_year))
    return jsonify(
        fund_pence=result.fund.amount_pence,
        approved_pence=result.approved_pence,
        payable_pence=result.payable_pence,
        remaining_pence=result.remaining_pence,
        schools=[
            {
                "organisation": school.code,
                "approved_pence": school.approved_pence,
                "payable_pence": school.payable_pence,
                "paid_pence": school.paid_pence,
            }
            for school in result.schools
        ],
        underspend=[
            {
                "contributor": row.contributor,
                "contribution_pence": row.contribution_pence,
                "return_pence": row.return_pence,
            }
            for row in result.underspend
        ],
    )


def _year(text: str | None, problems: Problems) -> int | None:
    if not text or not text.isascii() or not text.isdigit() or len(text) > 4:
        problems["financial_year"] = "Give the financial year as the year it starts in, e.g. 2007 for 2007-08."
        return None
    return int(text)


def _organisation(code: Any, problems: Problems) -> Organisation | None:
    """The organisation named by code; a booker's own when they name none. 403 for another school's."""
    user: User = g.api_user
    if code is None and organisation_scope(user) is not None and user.organisation is not None:
        return user.organisation
    found = organisation_with_code(code) if isinstance(code, str) else None
    if found is None:
        problems["organisation"] = "Give the code of an organisation that exists."
        return None
    if not within_organisation_scope(user, found.id):
        raise ApiError(403, "You can only see and claim for your own school.", {"organisation": "Not yours."})
    return found


def _fund(year: int | None) -> Fund:
    in_range = year is not None and funds.MIN_FINANCIAL_YEAR <= year <= funds.MAX_FINANCIAL_YEAR
    fund = funds.get_fund(year) if in_range and year is not None else None
    if fund is None:
        raise ApiError.not_found(f"There is no fund for financial year {year}.")
    return fund


def _evidence(given: list[dict[str, Any]], problems: Problems) -> dict[tuple[str, date], Evidence]:
    """The evidence list (its shape checked by the schema) keyed by practitioner email and day; one per pair."""
    parsed: dict[tuple[str, date], Evidence] = {}
    for index, item in enumerate(given):
        prefix = f"evidence.{index}."
        if f"evidence.{index}" in problems:
            continue
        day, problem = date_problem(item.get("date"), f"{prefix}date")
        if problem and f"{prefix}date" not in problems:
            problems[f"{prefix}date"] = problem
        if day is None or any(field.startswith(prefix) for field in problems):
            continue
        key = (item["practitioner"].strip().lower(), day)
        if key in parsed:
            problems[f"{prefix}date"] = "Give one piece of evidence per practitioner and day."
        parsed[key] = Evidence(item["supplier"], item["invoice"], item["amount_pence"])
    return parsed


def _claim(claim_id: int) -> Claim:
    claim = claims.get_claim(claim_id)
    if claim is None:
        raise ApiError.not_found(f"There is no claim {claim_id}.")
    if not claims.can_see_claim(g.api_user, claim):
        raise ApiError(403, "That claim belongs to another school.")
    return claim


def _moved(move, claim_id: int):
    claim = _claim(claim_id)
    try:
        move(claim)
    except ClaimRefused as refused:
        raise _refusal(refused) from None
    db.session.expire_all()
    return jsonify(claim_json(_claim(claim_id)))


def _refusal(refused: ClaimRefused) -> ApiError:
    return ApiError(STATUS_OF_REFUSAL[refused.kind], refused.message, refused.fields)

"""Submitting a school's claim (SPEC 3.7): a GOV.UK "Check your answers" page first, then the submission, which the
service checks again under the claim's and the school's locks (status, lines, the deadline)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...extensions import db
from ...models import Claim, ClaimStatus, Role
from ...permissions import allow
from ...services.claims import claim_decisions, claims, deadlines
from ...services.claims.claims import ClaimRefused, Refusal
from .forms import ActionForm
from .routes import bp, claim_or_404


def _draft_of_own_school(claim_id: int) -> Claim | None:
    """The claim, once the user may act for its school (403 otherwise); None when it is no longer a draft."""
    claim = claim_or_404(claim_id)
    if not claims.can_act_for_school(current_user, claim.organisation_id):
        abort(403)
    return claim if claim.status == ClaimStatus.DRAFT else None


@bp.get("/claims/<number:claim_id>/check-your-answers")
@allow(Role.BOOKER, Role.ADMIN)
def check_claim(claim_id: int):
    """What the claim will send to finance: its days and amounts, the evidence, the total and the deadline."""
    claim = _draft_of_own_school(claim_id)
    if claim is None:
        flash(f"Claim {claim_id} has already been submitted.")
        return redirect(url_for("claims.claim_page", claim_id=claim_id))
    return _check_page(claim)


@bp.post("/claims/<number:claim_id>/submit")
@allow(Role.BOOKER, Role.ADMIN)
def submit_claim(claim_id: int):
    """Send the draft to finance; a refusal (its deadline passed, a move at the same moment) is shown, nothing sent."""
    claim = claim_or_404(claim_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        claim_decisions.submit_claim(claim, current_user)
    except ClaimRefused as refused:
        db.session.rollback()  # let go of the locks before reading the claim again
        if refused.kind == Refusal.FORBIDDEN:
            abort(403)
        again = claims.get_claim(claim_id)
        if again is not None and again.status == ClaimStatus.DRAFT:
            return _check_page(again, refused.message, 409)
        flash(refused.message)
        return redirect(url_for("claims.claim_page", claim_id=claim_id))
    flash("Claim submitted to finance.", "success")
    return redirect(url_for("claims.claim_page", claim_id=claim_id))


def _check_page(claim: Claim, problem: str | None = None, status: int = 200):
    deadline = deadlines.school_deadline(claim.fund, claim.organisation_id)
    waiting = [line for line in claims.claimable_lines(claim.fund, claim.organisation_id) if line.retrospective]
    context = {
        "claim": claim,
        "lines": sorted(claim.lines, key=lambda line: (line.session_day.date, line.practitioner.last_name)),
        "deadline": deadline,
        "closed": deadline.passed(),
        "waiting": len(waiting),
        "problem": problem,
        "action_form": ActionForm(),
    }
    return render_template("claims/check-answers.html", **context), status

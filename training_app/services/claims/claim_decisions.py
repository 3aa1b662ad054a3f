"""A claim's moves once drafted (SPEC 3.7): the school submits it by its deadline, and finance approve, reject or
record it paid.

Each move locks the claim's row, refuses what its status does not allow with a 409-style `ClaimRefused`, and
audits and commits in one transaction. Only finance decide; every move but the submission tells the school's
bookers, by an email that joins the transaction and so goes once, when it commits. A rejection frees the lines to
be claimed again.
"""

from __future__ import annotations

from ...extensions import db
from ...models import AuditAction, Claim, ClaimStatus, Organisation, Role, User, utcnow
from ..accounts import audit
from ..common.locks import lock_row
from ..webhooks.events import record_claim_approved
from . import claim_mail
from .claims import MAX_REASON, ClaimRefused, Refusal, can_act_for_school, locked_claim, require_status
from .deadlines import deadline_problem


def submit_claim(claim: Claim, actor: User) -> Claim:
    """Send a draft to finance by the school's deadline (the fund's, or finance's extension); it must hold a line."""
    claim = locked_claim(claim.id)
    if not can_act_for_school(actor, claim.organisation_id):
        raise ClaimRefused("You can only submit your own school's claims.", Refusal.FORBIDDEN)
    require_status(claim, (ClaimStatus.DRAFT,), "submit")
    if not claim.lines:
        raise ClaimRefused("The claim holds no lines yet: add evidence for a day first.")
    # The school's row, as a grant locks it: an extension given at this moment counts before or after, never half.
    school = lock_row(Organisation, claim.organisation_id)
    if problem := deadline_problem(claim.fund, school):
        raise ClaimRefused(problem, Refusal.CONFLICT, {"deadline": problem})
    claim.submitted_at = utcnow()
    return _move(claim, ClaimStatus.SUBMITTED, actor, AuditAction.CLAIM_SUBMITTED)


def approve_claim(claim: Claim, actor: User) -> Claim:
    """Finance approves a submitted claim; from now on nothing on it changes."""
    claim = _decision(claim, actor, "approve")
    claim.decided_at, claim.decided_by_id = utcnow(), actor.id
    record_claim_approved(claim)  # in the decision's transaction: no delivery if it rolls back
    return _move(claim, ClaimStatus.APPROVED, actor, AuditAction.CLAIM_APPROVED)


def reject_claim(claim: Claim, reason: str, actor: User) -> Claim:
    """Finance rejects a submitted claim with a reason; its lines are freed to be claimed again."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON or "\x00" in reason:
        fields = {"reason": f"Enter the reason for rejecting the claim, at most {MAX_REASON} characters"}
        raise ClaimRefused("Give a reason.", Refusal.INVALID, fields)
    claim = _decision(claim, actor, "reject")
    claim.decided_at, claim.decided_by_id, claim.rejection_reason = utcnow(), actor.id, reason
    for line in claim.lines:
        line.live = False
    return _move(claim, ClaimStatus.REJECTED, actor, AuditAction.CLAIM_REJECTED, {"reason": reason})


def mark_paid(claim: Claim, actor: User) -> Claim:
    """Finance records that an approved claim was paid."""
    claim = locked_claim(claim.id)
    _require_finance(actor)
    require_status(claim, (ClaimStatus.APPROVED,), "mark as paid")
    claim.paid_at = utcnow()
    return _move(claim, ClaimStatus.PAID, actor, AuditAction.CLAIM_PAID)


def _decision(claim: Claim, actor: User, verb: str) -> Claim:
    locked = locked_claim(claim.id)
    _require_finance(actor)
    require_status(locked, (ClaimStatus.SUBMITTED,), verb)
    return locked


def _require_finance(actor: User) -> None:
    if actor.role != Role.FINANCE:
        raise ClaimRefused("Only finance decide claims.", Refusal.FORBIDDEN)


def _move(
    claim: Claim, status: ClaimStatus, actor: User, action: AuditAction, extra: dict[str, str] | None = None
) -> Claim:
    old = {"status": claim.status.value}
    claim.status = status
    audit.record(actor, action, claim, old, {"status": status.value, **(extra or {})})
    if status != ClaimStatus.SUBMITTED:
        # The email joins this transaction (outgoing_mail) and goes once it commits: never lost, never sent twice.
        claim_mail.tell_school_of_decision(claim)
    db.session.commit()
    return claim

"""Emails to a school's bookers when finance decides its claim: approved, rejected (with the reason) or paid."""

from __future__ import annotations

from flask import current_app

from ...models import Claim, ClaimStatus
from ..accounts.scope import bookers_of
from ..mail.mail import MailError, send_email

OPENINGS = {
    ClaimStatus.APPROVED: "Finance have approved your school's supply-cover claim.",
    ClaimStatus.REJECTED: "Finance have rejected your school's supply-cover claim.",
    ClaimStatus.PAID: "Your school's supply-cover claim has been paid.",
}


def tell_school_of_decision(claim: Claim) -> bool:
    """Tell the school's bookers what finance decided; False when there is nobody to tell or the mail failed."""
    opening = OPENINGS.get(claim.status)
    recipients = bookers_of(claim.organisation_id)
    if opening is None or not recipients:
        return False
    total = claim.total_pence
    lines = [opening, "", f"School: {claim.organisation.name}", f"Fund: {claim.fund.label}", f"Claim: {claim.id}"]
    lines.append(f"Lines: {len(claim.lines)}, total £{total // 100:,}.{total % 100:02d}")
    if claim.status == ClaimStatus.REJECTED:
        lines += ["", f"Reason: {claim.rejection_reason}", "The days on it can be claimed again."]
    subject = f"Supply-cover claim {claim.id} {claim.status.value}"
    try:
        send_email(recipients, subject, "\n".join(lines) + "\n")
    except MailError as error:
        current_app.logger.warning("could not email the bookers about claim %s: %s", claim.id, error)
        return False
    return True

"""Claim deadlines (SPEC 3.7): a claim is submitted by its fund's claim deadline, or by the later date finance have
granted that school under that fund (an extension: the date, a reason, who and when, audited).

Today is London's (`calendar.london_today`); a deadline day itself is still open. A grant locks the school's row,
as submitting a claim does, so two grants at once are audited one after the other and a submission never reads an
extension half changed; the unique key (one extension per school and fund) refuses what slips by.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import AuditAction, ClaimDeadlineExtension, Fund, Organisation, OrganisationKind, Role, User, utcnow
from ...validation import control_character_problem
from ..accounts import audit
from ..common.calendar import check_supported, london_today
from ..common.locks import fresh, lock_row
from ..common.unique_keys import refused_if_taken

MAX_EXTENSION_REASON = 1000
EXTENSION_KEY = "uq_claim_deadline_extensions_fund_id_organisation_id"


@dataclass(frozen=True)
class SchoolDeadline:
    """The day by which one school submits its claims under one fund: the fund's, or finance's extension."""

    fund_deadline: date
    extension: ClaimDeadlineExtension | None = None

    @property
    def day(self) -> date:
        return self.extension.extended_to if self.extension else self.fund_deadline

    def passed(self, today: date | None = None) -> bool:
        """Whether the deadline is behind us (the day itself is still open)."""
        return (today or london_today()) > self.day


class ExtensionRefused(ValueError):
    """An extension was refused; `fields` maps each bad field to a message, `forbidden` when the user may not."""

    def __init__(self, message: str, fields: Mapping[str, str] | None = None, forbidden: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        self.forbidden = forbidden


def school_deadline(fund: Fund, organisation_id: int) -> SchoolDeadline:
    """The school's deadline under the fund, with finance's extension when there is one (read as it is now)."""
    query = sa.select(ClaimDeadlineExtension).filter_by(fund_id=fund.id, organisation_id=organisation_id)
    return SchoolDeadline(fund.claim_deadline, db.session.execute(fresh(query)).scalar_one_or_none())


def school_deadlines(organisation_id: int, fund_list: list[Fund]) -> dict[int, SchoolDeadline]:
    """The school's deadline under each fund, by fund id (one query)."""
    query = sa.select(ClaimDeadlineExtension).filter_by(organisation_id=organisation_id)
    extensions = {extension.fund_id: extension for extension in db.session.scalars(query)}
    return {fund.id: SchoolDeadline(fund.claim_deadline, extensions.get(fund.id)) for fund in fund_list}


def deadline_problem(
    fund: Fund, organisation: Organisation, today: date | None = None, cannot: str = "the claim cannot be submitted"
) -> str | None:
    """Why the school can no longer submit (or start) a claim under the fund, or None while its deadline has not
    passed."""
    deadline = school_deadline(fund, organisation.id)
    if not deadline.passed(today):
        return None
    if deadline.extension is not None:
        when = f"was extended to {deadline.day:%-d %B %Y}, which has passed"
    else:
        when = f"was {deadline.day:%-d %B %Y}"
    return (
        f"The {fund.label} claim deadline for {organisation.name} {when}, so {cannot}. "
        "Ask finance to extend the school's deadline."
    )


@dataclass(frozen=True)
class ExtensionRow:
    """An extension as the fund's page lists it: the school, the new date, why, who granted it and when."""

    organisation_code: str
    organisation_name: str
    extended_to: date
    reason: str
    granted_by: str | None
    granted_at: datetime


def fund_extensions(fund: Fund) -> list[ExtensionRow]:
    """Every school's extension under the fund, by school name (one query)."""
    query = (
        sa.select(
            Organisation.code,
            Organisation.name,
            ClaimDeadlineExtension.extended_to,
            ClaimDeadlineExtension.reason,
            User.email,
            ClaimDeadlineExtension.granted_at,
        )
        .join(Organisation, Organisation.id == ClaimDeadlineExtension.organisation_id)
        .outerjoin(User, User.id == ClaimDeadlineExtension.granted_by_id)
        .where(ClaimDeadlineExtension.fund_id == fund.id)
        .order_by(Organisation.name, Organisation.code)
    )
    return [ExtensionRow(*row) for row in db.session.execute(query)]


def extension_problems(fund: Fund, extended_to: date | None, reason: str, today: date | None = None) -> dict[str, str]:
    """Every rule a grant breaks, by field: a real date after the fund's deadline and not yet passed, and a reason."""
    problems: dict[str, str] = {}
    if extended_to is None:
        problems["extended_to"] = "Enter the new deadline"
    elif extended_to <= fund.claim_deadline:
        problems["extended_to"] = f"The new deadline must be after the fund's, {fund.claim_deadline:%-d %B %Y}"
    elif extended_to < (today or london_today()):
        problems["extended_to"] = "The new deadline must be today or later"
    else:
        try:
            check_supported(extended_to)
        except ValueError as unsupported:
            problems["extended_to"] = f"The new deadline {unsupported}"
    text = (reason or "").strip()
    if not text or len(text) > MAX_EXTENSION_REASON:
        problems["reason"] = f"Enter the reason for the extension, at most {MAX_EXTENSION_REASON} characters"
    elif character := control_character_problem(text, multiline=True):
        problems["reason"] = f"The reason {character}"
    return problems


def grant_extension(
    fund: Fund,
    organisation: Organisation,
    extended_to: date | None,
    reason: str,
    actor: User,
    today: date | None = None,
) -> tuple[ClaimDeadlineExtension, bool]:
    """Finance give a school a later deadline under the fund, or change the one given; audited and committed.
    Returns the extension and whether it is new. `today` is London's unless given (the demo's load day)."""
    if actor.role != Role.FINANCE:
        raise ExtensionRefused("Only finance extend claim deadlines.", forbidden=True)
    if organisation.kind != OrganisationKind.SCHOOL:
        raise ExtensionRefused("Only schools claim supply cover.", {"organisation": "Choose a school"})
    problems = extension_problems(fund, extended_to, reason, today)
    if problems or extended_to is None:
        raise ExtensionRefused("The extension is not valid.", problems)
    lock_row(Organisation, organisation.id)  # what submitting a claim locks too: one decision at a time per school
    held = school_deadline(fund, organisation.id).extension
    old = None if held is None else extension_values(held)
    extension = held or ClaimDeadlineExtension(fund_id=fund.id, organisation_id=organisation.id)
    extension.extended_to, extension.reason = extended_to, reason.strip()
    extension.granted_by_id, extension.granted_at = actor.id, utcnow()
    if held is None:
        db.session.add(extension)
    conflict = ExtensionRefused(
        "Someone else extended this school's deadline at the same moment: check it, then save.",
        {"extended_to": "Extended by someone else at the same moment"},
    )
    with refused_if_taken({EXTENSION_KEY: lambda: conflict}):
        db.session.flush()
        action = AuditAction.CLAIM_DEADLINE_EXTENDED if held is None else AuditAction.CLAIM_DEADLINE_EXTENSION_CHANGED
        audit.record(actor, action, extension, old, extension_values(extension))
        db.session.commit()
    return extension, held is None


def extension_values(extension: ClaimDeadlineExtension) -> dict[str, Any]:
    """The extension as plain JSON values for the audit trail."""
    return {
        "fund_id": extension.fund_id,
        "organisation_id": extension.organisation_id,
        "extended_to": extension.extended_to.isoformat(),
        "reason": extension.reason,
    }


def get_extension(fund: Fund, organisation_id: int) -> ClaimDeadlineExtension | None:
    """The school's extension under the fund, or None."""
    query = sa.select(ClaimDeadlineExtension).options(selectinload(ClaimDeadlineExtension.organisation))
    return db.session.execute(query.filter_by(fund_id=fund.id, organisation_id=organisation_id)).scalar_one_or_none()


def school_choices() -> list[tuple[str, str]]:
    """Every school as (code, name), by name: the schools finance may extend a deadline for (one query)."""
    query = sa.select(Organisation.code, Organisation.name).where(Organisation.kind == OrganisationKind.SCHOOL)
    return [(code, name) for code, name in db.session.execute(query.order_by(Organisation.name, Organisation.code))]

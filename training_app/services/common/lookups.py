"""Loading a record by the key people type (a session code, an email), once for pages, the API and services.

A key no record could hold (empty, too long, or with a NUL, which PostgreSQL cannot even compare) finds nothing
without a query, so callers answer it like any unknown key.
"""

from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ...models import Organisation, Practitioner, TrainingSession, User

MAX_CODE_LENGTH = 40
MAX_EMAIL_LENGTH = 254


# Built once: the API looks one of each up on most calls.
_SESSION_BY_CODE = sa.select(TrainingSession).where(TrainingSession.code == sa.bindparam("code"))
_PRACTITIONER_BY_EMAIL = sa.select(Practitioner).where(Practitioner.email == sa.bindparam("email"))


def session_with_code(code: str) -> TrainingSession | None:
    """The session with exactly this code, or None."""
    if not 0 < len(code) <= MAX_CODE_LENGTH or "\x00" in code:
        return None
    return db.session.execute(_SESSION_BY_CODE, {"code": code}).scalar_one_or_none()


def practitioner_with_email(email: str) -> Practitioner | None:
    """The practitioner with this email address, whatever its case, or None."""
    email = email.strip().lower()
    if not 0 < len(email) <= MAX_EMAIL_LENGTH or "\x00" in email:
        return None
    return db.session.execute(_PRACTITIONER_BY_EMAIL, {"email": email}).scalar_one_or_none()


def organisation_with_code(code: str) -> Organisation | None:
    """The organisation with exactly this code, or None."""
    if not 0 < len(code) <= MAX_CODE_LENGTH or "\x00" in code:
        return None
    return db.session.execute(sa.select(Organisation).filter_by(code=code)).scalar_one_or_none()


def practitioners_with_ids(ids: list[int]) -> dict[int, Practitioner]:
    """The practitioners with these ids, by id, in one query (unknown ids left out)."""
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(sa.select(Practitioner).where(Practitioner.id.in_(ids)))}


def practitioners_with_emails(emails: list[str]) -> dict[str, Practitioner]:
    """The practitioners with these (lower-case) email addresses, by address, in one query."""
    if not emails:
        return {}
    return {p.email: p for p in db.session.scalars(sa.select(Practitioner).where(Practitioner.email.in_(emails)))}


def account_of_practitioner(email: str) -> User | None:
    """The account joined to the practitioner with this email address, or None."""
    query = sa.select(User).join(Practitioner, Practitioner.id == User.practitioner_id)
    return db.session.execute(query.where(Practitioner.email == email)).scalar_one_or_none()

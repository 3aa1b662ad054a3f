"""Users, their roles and scopes, and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import ApiToken, Authority, Organisation, Role, User, hash_token, utcnow
from ..validation import email_problem

LAST_USED_PRECISION = timedelta(minutes=1)


class AccountError(ValueError):
    """A user could not be created as asked; the message says why."""


def create_user(
    email: str,
    role: Role | str,
    password: str,
    organisation_code: str | None = None,
    authority_codes: list[str] | tuple[str, ...] = (),
    name: str = "",
) -> User:
    """Create a user with a hashed password, checking that the role's scope is given."""
    email = email.strip().lower()
    if problem := email_problem(email):
        raise AccountError(f"{email} is not a valid email address: {problem}")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"role must be one of: {', '.join(r.value for r in Role)}") from None
    if len(password) < 10:
        raise AccountError("password must be at least 10 characters")
    if db.session.execute(sa.select(User.id).filter_by(email=email)).first():
        raise AccountError(f"a user with email {email} already exists")
    user = User(email=email, role=role, name=name)
    user.set_password(password)
    user.organisation = _organisation(organisation_code) if organisation_code else None
    user.authorities = [_authority(code) for code in authority_codes]
    if role == Role.BOOKER and user.organisation is None:
        raise AccountError("a booker needs --organisation")
    if role == Role.WORKFORCE_LEAD and not user.authorities:
        raise AccountError("a workforce lead needs at least one --authority")
    db.session.add(user)
    db.session.flush()
    return user


def issue_api_token(user: User) -> str:
    """Make a new API token for the user; only its hash is stored, so it is shown once."""
    token = "tk_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(token), prefix=token[:10]))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None; records (to the minute) when it was last used."""
    row = db.session.execute(
        sa.select(ApiToken).filter_by(token_hash=hash_token(token), revoked_at=None)
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        row.last_used_at = now  # at most one write a minute per token, however busy the client
    return row.user


def _organisation(code: str) -> Organisation:
    organisation = db.session.execute(sa.select(Organisation).filter_by(code=code)).scalar_one_or_none()
    if organisation is None:
        raise AccountError(f"no organisation with code {code}")
    return organisation


def _authority(code: str) -> Authority:
    authority = db.session.execute(sa.select(Authority).filter_by(code=code)).scalar_one_or_none()
    if authority is None:
        raise AccountError(f"no authority with code {code}")
    return authority

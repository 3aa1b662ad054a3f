"""Users, their roles and scopes, and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..database import write_transaction
from ..extensions import db
from ..models import ApiToken, Authority, Organisation, Role, User, hash_token, utcnow
from ..validation import email_problem
from . import audit

LAST_USED_PRECISION = timedelta(minutes=1)
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A user could not be created or changed as asked; the message says why."""


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
    _check_password(password)
    if db.session.execute(sa.select(User.id).filter_by(email=email)).first():
        raise AccountError(f"a user with email {email} already exists")
    user = User(email=email, role=role, name=name)
    user.set_password(password)
    user.organisation = _organisation(organisation_code) if organisation_code else None
    user.authorities = [_authority(code) for code in authority_codes]
    if role == Role.BOOKER and user.organisation is None:
        raise AccountError("a booker needs an organisation")
    if role == Role.WORKFORCE_LEAD and not user.authorities:
        raise AccountError("a workforce lead needs at least one authority")
    db.session.add(user)
    db.session.flush()
    return user


def user_with_email(email: str) -> User:
    """The user with this email address, whatever its case."""
    email = email.strip().lower()
    user = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one_or_none()
    if user is None:
        raise AccountError(f"no user with email {email}")
    return user


def change_password(user: User, new_password: str, by: User | str | None = None) -> None:
    """Set a new password and end every session of the user; audited (never the password) and committed."""
    _check_password(new_password)
    user.set_password(new_password)
    end_sessions(user)
    audit.record(by or user, "password_changed", user)
    db.session.commit()


def deactivate_user(user: User, by: User | str) -> bool:
    """Switch the user off and end their sessions and tokens' use; False when they were already off."""
    if not user.active:
        return False
    user.active = False
    end_sessions(user)
    audit.record(by, "user_deactivated", user, {"active": True}, {"active": False})
    db.session.commit()
    return True


def reactivate_user(user: User, by: User | str) -> bool:
    """Switch the user back on; sessions open before they were switched off stay ended. False when already on."""
    if user.active:
        return False
    user.active = True
    end_sessions(user)
    audit.record(by, "user_reactivated", user, {"active": False}, {"active": True})
    db.session.commit()
    return True


def end_sessions(user: User) -> None:
    """Make every session cookie issued to the user so far stop working, in the caller's transaction."""
    # Counted up in SQL rather than from the loaded value, so two changes at once both count.
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["session_version"])


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")


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
    user = row.user
    if row.last_used_at is None or utcnow() - row.last_used_at >= LAST_USED_PRECISION:
        _record_token_use(row.id)  # at most one write a minute per token, however busy the client
    return user


def _record_token_use(token_id: int) -> None:
    """Record that a token was used now, in its own committed write: most API calls are read-only GETs."""
    now = utcnow()
    stale = sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_PRECISION)
    with write_transaction():  # a simultaneous call with the same token may have recorded it: then a no-op
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token_id, stale).values(last_used_at=now))


def register_user(
    email: str,
    role: Role | str,
    password: str,
    organisation_code: str | None = None,
    authority_codes: list[str] | tuple[str, ...] = (),
    name: str = "",
    by: User | str | None = None,
) -> User:
    """Create a user as one unit of work: checked, audited and committed (create_user, for callers that commit)."""
    user = create_user(email, role, password, organisation_code, authority_codes, name)
    audit.record(by, "user_created", user, new={"email": user.email, "role": user.role.value})
    try:
        db.session.commit()
    except IntegrityError:  # someone registered the same email a moment earlier
        db.session.rollback()
        raise AccountError(f"a user with email {user.email} already exists") from None
    return user


def grant_api_token(user: User, by: User | str | None = None) -> str:
    """Give an active user a new API token, audited and committed; the token is returned once."""
    if not user.active:
        raise AccountError(f"the user {user.email} is switched off")
    token = issue_api_token(user)
    audit.record(by, "api_token_issued", user, new={"prefix": token[:10]})
    db.session.commit()
    return token


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

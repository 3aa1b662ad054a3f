"""Users, their roles and scopes, and API tokens."""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ...database import commit_before_work, write_transaction
from ...extensions import db
from ...models import ApiToken, AuditAction, Authority, Organisation, Practitioner, Role, User, hash_token, utcnow
from ...validation import control_character_problem, email_problem
from ..common.locks import lock_row
from ..common.unique_keys import refused_if_taken
from . import audit
from .common_passwords import COMMON_PASSWORDS

LAST_USED_PRECISION = timedelta(minutes=1)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


class AccountError(ValueError):
    """A user could not be created or changed as asked; the message says why."""


def create_user(
    email: str,
    role: Role | str,
    password: str,
    organisation_code: str | None = None,
    authority_codes: list[str] | tuple[str, ...] = (),
    name: str = "",
    link_practitioner: bool = True,
) -> User:
    """Create a user with a hashed password, checking that the role's scope is given.

    A practitioner's account is joined to the practitioner record with the same email, which must exist and have
    no account yet (`link_practitioner=False` leaves the joining to the caller, as the demo seed does).
    """
    email = email.strip().lower()
    if problem := email_problem(email):
        raise AccountError(f"{email} is not a valid email address: {problem}")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"role must be one of: {', '.join(r.value for r in Role)}") from None
    _check_password(password)
    if problem := control_character_problem(name):
        raise AccountError(f"the name {problem}")
    if db.session.execute(sa.select(User.id).filter_by(email=email)).first():
        raise AccountError(f"a user with email {email} already exists")
    user = User(email=email, role=role, name=name)
    user.set_password(password)
    user.organisation = _organisation(organisation_code) if organisation_code else None
    user.authorities = [_authority(code) for code in dict.fromkeys(authority_codes)]
    _check_scope(role, user.organisation, user.authorities)
    if role == Role.PRACTITIONER and link_practitioner:
        user.practitioner = _practitioner_record(email)
    db.session.add(user)
    with taken_refused(email):
        db.session.flush()
    return user


def taken_refused(email: str) -> AbstractContextManager[None]:
    """The same email, or the same practitioner's record, given an account by a simultaneous request: refused as
    the checks refuse one found already there (the transaction rolled back)."""
    return refused_if_taken(
        {
            "uq_users_email": lambda: AccountError(f"a user with email {email} already exists"),
            "uq_users_practitioner_id": lambda: AccountError(f"the practitioner {email} already has an account"),
        }
    )


def _practitioner_record(email: str) -> Practitioner:
    practitioner = db.session.execute(sa.select(Practitioner).filter_by(email=email)).scalar_one_or_none()
    if practitioner is None:
        raise AccountError(f"no practitioner record has the email {email}: add the practitioner first")
    taken = db.session.execute(sa.select(User.id).filter_by(practitioner_id=practitioner.id)).first()
    if taken:
        raise AccountError(f"the practitioner {email} already has an account")
    return practitioner


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
    audit.record(by or user, AuditAction.PASSWORD_CHANGED, user)
    db.session.commit()


def deactivate_user(user: User, by: User | str) -> bool:
    """Switch the user off, end their sessions and revoke their API tokens for good (switching them back on does not
    bring the tokens back); False when they were already off."""
    switched_off = switch_off(user, by)
    db.session.commit()
    return switched_off


def switch_off(user: User, by: User | str) -> bool:
    """`deactivate_user` in the caller's transaction (a leaver's account goes in theirs): locked, audited, not
    committed; False when they were already off."""
    if isinstance(by, User) and by.id == user.id:
        raise AccountError("you cannot switch off your own account: ask another administrator")
    user = lock_row(User, user.id)  # switched off by someone else a moment ago: then nothing to do, nor to audit
    if not user.active:
        return False
    user.active = False
    end_sessions(user)
    revoked = revoke_api_tokens_of(user)
    new: dict[str, object] = {"active": False} | ({"api_tokens_revoked": revoked} if revoked else {})
    audit.record(by, AuditAction.USER_DEACTIVATED, user, {"active": True}, new)
    return True


def revoke_api_tokens_of(user: User) -> int:
    """Revoke every API token of the user still working, in the caller's transaction; how many were revoked."""
    revoked = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(revoked.rowcount)  # type: ignore[attr-defined]  # CursorResult of an UPDATE


def reactivate_user(user: User, by: User | str) -> bool:
    """Switch the user back on; sessions open and API tokens held before they were switched off stay ended (they
    sign in again and are given new tokens). False when already on."""
    user = lock_row(User, user.id)
    if user.active:
        return False
    user.active = True
    end_sessions(user)
    audit.record(by, AuditAction.USER_REACTIVATED, user, {"active": False}, {"active": True})
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


def password_problem(password: str) -> str | None:
    """Why a password may not be used (too short, too long or too common), or None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 3:
        return "password is too easy to guess: it is one of the most common passwords"
    return None


def _check_password(password: str) -> None:
    if problem := password_problem(password):
        raise AccountError(problem)


def issue_api_token(user: User, name: str = "") -> str:
    """Make a new API token for the user; only its hash is stored, so it is shown once."""
    token = "tk_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(token), prefix=token[:10], name=name.strip()[:100]))
    db.session.flush()
    return token


# Built once: every API call runs it (building a statement costs more than running it).
_TOKEN = (
    sa.select(ApiToken)
    .where(ApiToken.token_hash == sa.bindparam("token_hash"), ApiToken.revoked_at.is_(None))
    .options(joinedload(ApiToken.user, innerjoin=True))
)


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None; records (to the minute) when it was last used."""
    row = db.session.execute(_TOKEN, {"token_hash": hash_token(token)}).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    user = row.user
    if row.last_used_at is None or utcnow() - row.last_used_at >= LAST_USED_PRECISION:
        _record_token_use(row.id)  # at most one write a minute per token, however busy the client
    return user


def _record_token_use(token_id: int) -> None:
    """Record that a token was used now, in its own committed write: most API calls are read-only GETs, and a
    write the request then refuses rolls back only its own work (authentication comes first in every call)."""
    now = utcnow()
    stale = sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_PRECISION)
    with write_transaction():  # a simultaneous call with the same token may have recorded it: then a no-op
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token_id, stale).values(last_used_at=now))
    commit_before_work()


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
    audit.record(by, AuditAction.USER_CREATED, user, new={"email": user.email, "role": user.role.value})
    with taken_refused(user.email):
        db.session.commit()
    return user


def grant_api_token(user: User, by: User | str | None = None, name: str = "") -> str:
    """Give an active user a new API token, audited and committed; the token is returned once."""
    if not user.active:
        raise AccountError(f"the user {user.email} is switched off")
    token = issue_api_token(user, name)
    new = {"prefix": token[:10]} | ({"name": name.strip()[:100]} if name.strip() else {})
    audit.record(by, AuditAction.API_TOKEN_ISSUED, user, new=new)
    db.session.commit()
    return token


def revoke_api_token(token: ApiToken, by: User | str) -> bool:
    """Stop a token working at once, audited and committed; False when it was already revoked."""
    revoked = db.session.execute(
        sa.update(ApiToken).where(ApiToken.id == token.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    if not revoked.rowcount:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
        db.session.rollback()
        return False
    audit.record(by, AuditAction.API_TOKEN_REVOKED, token, new={"prefix": token.prefix, "user": token.user.email})
    db.session.commit()
    return True


def change_access(
    user: User,
    role: Role | str,
    organisation_code: str | None,
    authority_codes: list[str] | tuple[str, ...],
    by: User,
) -> bool:
    """Change a user's role and scope, checked as create_user checks them; audited and committed. False if unchanged."""
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"role must be one of: {', '.join(r.value for r in Role)}") from None
    user = lock_row(User, user.id, selectinload(User.organisation), selectinload(User.authorities))
    if user.id == by.id and role != user.role:
        raise AccountError("you cannot change your own role: ask another administrator")
    organisation = _organisation(organisation_code) if organisation_code else None
    authorities = [_authority(code) for code in dict.fromkeys(authority_codes)]
    _check_scope(role, organisation, authorities)
    old = access_of(user)  # as the change before this one left it: read under the lock
    user.role, user.organisation, user.authorities = role, organisation, authorities
    new = access_of(user)
    if new == old:
        db.session.rollback()
        return False
    audit.record(by, AuditAction.USER_ACCESS_CHANGED, user, old, new)
    db.session.commit()
    return True


def access_of(user: User) -> dict[str, object]:
    """A user's role and scope as the audit trail keeps them."""
    return {
        "role": user.role.value,
        "organisation": user.organisation.code if user.organisation else None,
        "authorities": sorted(a.code for a in user.authorities),
    }


def _check_scope(role: Role, organisation: Organisation | None, authorities: list[Authority]) -> None:
    if role == Role.BOOKER and organisation is None:
        raise AccountError("a booker needs an organisation")
    if role == Role.WORKFORCE_LEAD and not authorities:
        raise AccountError("a workforce lead needs at least one authority")


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


def api_tokens_of(user: User) -> list[ApiToken]:
    """The user's API tokens, newest first, revoked ones included (they show when they stopped)."""
    query = sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id)
    return list(db.session.execute(query).scalars())


def accounts_page(page: int, per_page: int) -> tuple[int, list[User]]:
    """How many accounts there are, and one page of them by email."""
    total = db.session.execute(sa.select(sa.func.count(User.id))).scalar_one()
    query = sa.select(User).order_by(User.email).offset((page - 1) * per_page).limit(per_page)
    return total, list(db.session.scalars(query))

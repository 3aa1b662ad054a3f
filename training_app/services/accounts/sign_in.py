"""Signing in with a password (throttled per email and per sign-in address) or with an email a single sign-on provider
has verified, and signing out; each owns its transaction, and every refusal of a correct password or of a provider's
answer is audited with its reason."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NoReturn

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ...extensions import db
from ...models import AuditAction, Role, SignInFailure, User, utcnow
from ...models.users import password_hash_method
from . import audit
from .accounts import end_sessions

WRONG_DETAILS_MESSAGE = "Enter a correct email address and password"
INACTIVE_MESSAGE = "Your account has been switched off. Ask your training coordinator to switch it back on"
BY_PASSWORD = "password"  # noqa: S105 (how someone signed in, not a secret)
BY_SINGLE_SIGN_ON = "single_sign_on"


def single_sign_on_enabled() -> bool:
    """Whether single sign-on is set up: OIDC_ISSUER is given."""
    return bool(current_app.config.get("OIDC_ISSUER"))


def password_sign_in_for_everyone() -> bool:
    """Whether everyone may sign in with a password; if not (PASSWORD_SIGN_IN=0 with single sign-on set up), only
    admins may, so they can still reach the service when the provider is down or wrongly set up."""
    return bool(current_app.config.get("PASSWORD_SIGN_IN", True)) or not single_sign_on_enabled()


def password_sign_in_off_message() -> str:
    """What a non-admin signing in with a correct password is told while password sign-in is for admins only."""
    return f"Sign in with {current_app.config['OIDC_NAME']}. Only administrators can sign in with a password"


class SignInRefused(Exception):
    """A sign-in attempt was refused; the message is safe to show, with the HTTP status and any Retry-After."""

    def __init__(self, message: str, status: int = 200, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


def locked_message() -> str:
    """What a throttled user is told."""
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    return f"You have tried to sign in too many times. Wait {minutes} minutes, then try again"


def sign_in_with_password(email: str, password: str, ip: str | None = None) -> User:
    """Check an email and password, throttling repeated failures per email and per address (the client's IP, when
    given), and commit what happened.

    Raises SignInRefused with the same message for an unknown email and a wrong password; the failure is
    committed first, so it counts whatever the caller does next. One address trying many emails is locked as one
    email tried many times is, with the same message and Retry-After.
    """
    email = email.strip().lower()
    wait = seconds_until_unlocked(email, ip)
    if wait:
        raise SignInRefused(locked_message(), 429, retry_after=wait)
    user = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one_or_none()
    matches = _password_matches(user, password)  # hashes even for an unknown email, so timing does not tell
    if user is None or not matches:
        _record_failure(email, ip)
        db.session.commit()
        raise SignInRefused(WRONG_DETAILS_MESSAGE)
    if not user.active:
        raise SignInRefused(INACTIVE_MESSAGE)
    if user.role != Role.ADMIN and not password_sign_in_for_everyone():
        record_refusal(BY_PASSWORD, "password_sign_in_off", email=email, user=user, ip=ip)
        db.session.commit()
        raise SignInRefused(password_sign_in_off_message())
    # Only the email's failures are forgiven: signing in to one's own account must not reset an address's count.
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.email == email))
    user.last_sign_in_at = utcnow()
    audit.record(user, AuditAction.SIGN_IN, user, new={"method": BY_PASSWORD})
    db.session.commit()
    return user


def sign_in_with_verified_email(email: str | None, email_verified: object, ip: str | None = None) -> User:
    """Sign in the active account with this email, which a single sign-on provider vouched for in a checked ID token.

    Only an email the provider marks verified counts, and only an existing, active account signs in: no account is
    ever made. A refusal is audited with its reason and committed, then raised as SignInRefused (403).
    """
    email = (email or "").strip().lower()
    if not email:
        _refuse_single_sign_on("no_email", None, None, ip, f"{_provider()} did not tell us your email address")
    if email_verified is not True and str(email_verified).lower() != "true":
        message = f"{_provider()} has not confirmed that {email} is your email address, so it cannot sign you in here"
        _refuse_single_sign_on("email_not_verified", email, None, ip, message)
    user = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one_or_none()
    if user is None:
        message = f"There is no account for {email}. Ask your training coordinator to add you with this email address"
        _refuse_single_sign_on("unknown_email", email, None, ip, message)
    if not user.active:
        _refuse_single_sign_on("account_inactive", email, user, ip, INACTIVE_MESSAGE)
    user.last_sign_in_at = utcnow()
    audit.record(user, AuditAction.SIGN_IN, user, new={"method": BY_SINGLE_SIGN_ON})
    db.session.commit()
    return user


def record_refusal(
    method: str,
    reason: str,
    email: str | None = None,
    user: User | None = None,
    ip: str | None = None,
    detail: str | None = None,
) -> None:
    """Audit a refused sign-in (in the caller's transaction): how it was tried, why it was refused, by whom if known."""
    audit.record(
        user or email or method,
        AuditAction.SIGN_IN_REFUSED,
        user,
        new={"method": method, "reason": reason, "email": email, "ip": ip, "detail": detail},
        entity_type="user",
    )


def _refuse_single_sign_on(reason: str, email: str | None, user: User | None, ip: str | None, message: str) -> NoReturn:
    record_refusal(BY_SINGLE_SIGN_ON, reason, email=email, user=user, ip=ip)
    db.session.commit()
    raise SignInRefused(message, 403)


def _provider() -> str:
    return str(current_app.config["OIDC_NAME"])


def sign_out(user: User) -> None:
    """End every session of the user, in every browser (not only the one signing out), and audit it."""
    end_sessions(user)
    audit.record(user, AuditAction.SIGN_OUT, user)
    db.session.commit()


def is_locked_out(email: str, ip: str | None = None) -> bool:
    """Whether this email, or this address when given, has failed too often within the lock window."""
    return seconds_until_unlocked(email, ip) > 0


def seconds_until_unlocked(email: str, ip: str | None = None) -> int:
    """0 when the email may try to sign in from this address; otherwise the whole seconds (at least 1) until it may
    again: the longer of the email's lock and the address's."""
    config = current_app.config
    waits = [_seconds_until_fewer_than(config["LOGIN_MAX_FAILURES"], SignInFailure.email == email.strip().lower())]
    if ip:
        waits.append(_seconds_until_fewer_than(config["LOGIN_MAX_FAILURES_PER_ADDRESS"], SignInFailure.ip == ip))
    return max(waits)


def _seconds_until_fewer_than(limit: int, whose: sa.ColumnElement[bool]) -> int:
    """0 while fewer than `limit` of these failures are in the window; else the seconds until that is so again."""
    # The lock lifts when the limit-th newest counted failure leaves the window: fewer than the limit remain.
    # Failures are not recorded while locked, so that is normally the oldest counted one.
    unlocking = db.session.execute(
        sa.select(SignInFailure.at)
        # A failure counts for exactly the window's length: at its end the lock has lifted, as Retry-After says.
        .where(whose, SignInFailure.at > _lock_window_start())
        .order_by(SignInFailure.at.desc())
        .offset(max(1, limit) - 1)
        .limit(1)
    ).scalar_one_or_none()
    if unlocking is None:
        return 0
    remaining = unlocking + _lock_window() - utcnow()
    return max(1, math.ceil(remaining.total_seconds()))


def _lock_window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def _lock_window_start() -> datetime:
    return utcnow() - _lock_window()


def _record_failure(email: str, ip: str | None) -> None:
    """Count a failure, forgetting this email's and this address's failures that have left the window so the table
    stays small."""
    whose = SignInFailure.email == email if ip is None else sa.or_(SignInFailure.email == email, SignInFailure.ip == ip)
    db.session.execute(sa.delete(SignInFailure).where(whose, SignInFailure.at < _lock_window_start()))
    db.session.add(SignInFailure(email=email, ip=ip))


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return generate_password_hash("decoy password that no account has", method=password_hash_method())


def _password_matches(user: User | None, password: str) -> bool:
    """Check the password; an unknown email costs the same hashing time, so timing does not tell."""
    if user is None:
        check_password_hash(_decoy_hash(), password)
        return False
    return user.check_password(password)

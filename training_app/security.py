"""Security headers, the Flask-Login user loader, and password sign-in with throttling."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources

import sqlalchemy as sa
from flask import Flask, current_app
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db, login_manager
from .models import AuditEvent, SignInFailure, User, utcnow

WRONG_DETAILS_MESSAGE = "Enter a correct email address and password"
INACTIVE_MESSAGE = "Your account has been switched off. Ask your training coordinator to switch it back on"


def _template_snippet_hash() -> str:
    """The CSP hash of govuk-frontend-jinja's one inline script, which adds the `js-enabled` class."""
    template = resources.files("govuk_frontend_jinja").joinpath("templates", "template.html").read_text("utf-8")
    match = re.search(r"<script[^>]*%}>(.*?)</script>", template)
    if match is None:
        return ""
    digest = hashlib.sha256(match.group(1).encode("utf-8")).digest()
    return f" 'sha256-{base64.b64encode(digest).decode()}'"


CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; script-src 'self'{_template_snippet_hash()}; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Reload the signed-in user from the id in the session; inactive users are signed out."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def register_security(app: Flask) -> None:
    """Add the security headers to every response."""

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class SignInRefused(Exception):
    """A sign-in attempt was refused; the message is safe to show and the status is the HTTP status."""

    def __init__(self, message: str, status: int = 200):
        super().__init__(message)
        self.message = message
        self.status = status


def locked_message() -> str:
    """What a throttled user is told."""
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    return f"You have tried to sign in too many times. Wait {minutes} minutes, then try again"


def sign_in_with_password(email: str, password: str, ip: str | None = None) -> User:
    """Check an email and password, throttling repeated failures per email; the caller commits.

    Raises SignInRefused with the same message for an unknown email and a wrong password.
    """
    email = email.strip().lower()
    if is_locked_out(email):
        raise SignInRefused(locked_message(), 429)
    user = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one_or_none()
    if not _password_matches(user, password):
        _record_failure(email, ip)
        raise SignInRefused(WRONG_DETAILS_MESSAGE)
    if not user.active:
        raise SignInRefused(INACTIVE_MESSAGE)
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.email == email))
    user.last_sign_in_at = utcnow()
    record_session_event(user, "sign_in")
    return user


def _lock_window_start() -> datetime:
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def _record_failure(email: str, ip: str | None) -> None:
    """Count a failure, forgetting this email's failures that have left the window so the table stays small."""
    db.session.execute(
        sa.delete(SignInFailure).where(SignInFailure.email == email, SignInFailure.at < _lock_window_start())
    )
    db.session.add(SignInFailure(email=email, ip=ip))


def is_locked_out(email: str) -> bool:
    """Whether this email has failed too often within the lock window."""
    since = _lock_window_start()
    failures = db.session.execute(
        sa.select(sa.func.count()).where(SignInFailure.email == email.strip().lower(), SignInFailure.at >= since)
    ).scalar_one()
    return failures >= current_app.config["LOGIN_MAX_FAILURES"]


def record_session_event(user: User, action: str) -> None:
    """Audit a sign-in or sign-out."""
    db.session.add(AuditEvent(user_id=user.id, actor=user.email, action=action, entity_type="user", entity_id=user.id))


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return generate_password_hash("decoy password that no account has")


def _password_matches(user: User | None, password: str) -> bool:
    """Check the password; an unknown email costs the same hashing time, so timing does not tell."""
    if user is None:
        check_password_hash(_decoy_hash(), password)
        return False
    return user.check_password(password)

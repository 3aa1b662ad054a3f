"""Security headers, the Flask-Login user loader, and the idle and absolute limits on a signed-in session."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources

from flask import Flask, Response, abort, current_app, flash, request, session
from flask_login import logout_user, user_logged_in, user_logged_out

from .errors import wants_json
from .extensions import db, login_manager
from .models import User, utcnow

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SEEN_PRECISION_SECONDS = 60  # last seen moves at most once a minute, so the cookie is not rewritten on every click
SESSION_ID = re.compile(r"(?P<id>[0-9]{1,18}):(?P<version>[0-9]{1,18})")


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
    """Reload the signed-in user from "<id>:<session version>"; an older version or an inactive user is refused."""
    match = SESSION_ID.fullmatch(user_id)
    if match is None:
        return None
    user = db.session.get(User, int(match["id"]))
    if user is None or not user.active or user.session_version != int(match["version"]):
        return None
    return user


def holds_nul() -> bool:
    """Whether the path, the query string or a form field (not an uploaded file) holds a NUL character."""
    if "\x00" in request.path:
        return True
    fields = [*request.args.items(multi=True)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += request.form.items(multi=True)
    return any("\x00" in key or "\x00" in value for key, value in fields)


def register_security(app: Flask) -> None:
    """Add the security headers to every response and end sessions that are past their limits."""
    user_logged_in.connect(_start_session_clock, app)
    user_logged_out.connect(_stop_session_clock, app)

    @app.before_request
    def _refuse_nul_characters() -> None:
        # No record holds a NUL and PostgreSQL cannot even compare one, so any text with it is a bad request.
        # The API reads its input strictly itself and names the field (a 422), so it is left to do so.
        if not wants_json() and holds_nul():
            abort(400, "The address or the form holds a NUL character, which no value here may contain.")

    @app.before_request
    def _end_expired_session() -> None:
        if request.endpoint != "static" and "_user_id" in session:
            _check_session_limits()

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Everything but the static assets may be personal (pages, workbooks, API errors): never stored.
            # Set, not defaulted, because send_file answers "no-cache", which still lets caches keep a copy.
            response.headers["Cache-Control"] = "no-store"
        return response


def _now() -> int:
    """Now in whole seconds since the epoch, as kept in the session."""
    return int(utcnow().timestamp())


def _start_session_clock(sender: Flask, user: User, **extra: object) -> None:
    """Note when this session signed in; both limits count from here."""
    # The cookie stays a browser-session one (not session.permanent): closing the browser on a shared
    # office computer still signs its user out, and the server enforces both limits whatever the cookie says.
    session[SIGNED_IN_AT] = session[SEEN_AT] = _now()


def _stop_session_clock(sender: Flask, user: User | None = None, **extra: object) -> None:
    """Forget the session's times when it signs out."""
    session.pop(SIGNED_IN_AT, None)
    session.pop(SEEN_AT, None)


def _check_session_limits() -> None:
    """Sign out a session past the idle or absolute limit (with a message), else note it was seen.

    The times live in the signed session cookie, so checking them writes nothing to the database; the
    session version (load_user) is what ends a session for good when a copied cookie is replayed.
    """
    now = _now()
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        logout_user()  # a session from before these limits, or not made by signing in
        return
    max_hours = current_app.config["SESSION_MAX_HOURS"]
    idle_minutes = current_app.config["SESSION_IDLE_MINUTES"]
    if now - signed_in_at >= max_hours * 3600:
        logout_user()
        flash(f"You were signed out because you had been signed in for {_hours(max_hours)}. Sign in again.", "info")
    elif now - seen_at >= idle_minutes * 60:
        logout_user()
        flash(
            f"You were signed out because you had not done anything for {_minutes(idle_minutes)}. Sign in again.",
            "info",
        )
    elif now - seen_at >= SEEN_PRECISION_SECONDS:
        session[SEEN_AT] = now


def _hours(hours: int) -> str:
    """Whole hours as people say them, like "1 hour" or "12 hours"."""
    return "1 hour" if hours == 1 else f"{hours} hours"


def _minutes(minutes: int) -> str:
    """A length of time as people say it: "30 minutes", "2 hours", "1 hour 30 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = ([_hours(hours)] if hours else []) + ([f"{rest} minute" + ("" if rest == 1 else "s")] if rest else [])
    return " ".join(parts) or "0 minutes"

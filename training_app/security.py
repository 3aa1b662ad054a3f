"""Security headers and the Flask-Login user loader."""

from __future__ import annotations

from flask import Flask

from .extensions import db, login_manager
from .models import User

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
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

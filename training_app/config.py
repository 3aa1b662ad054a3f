"""Settings read from the environment (SPEC.md section 6)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whichever spelling the URL arrives in."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables."""
    default_db = "sqlite:///" + str(Path(instance_path) / "training.sqlite3")
    mail_server = os.environ.get("MAIL_SERVER", "")
    outbox = os.environ.get("MAIL_OUTBOX") or ("" if mail_server else str(Path(instance_path) / "outbox"))
    session_max_hours = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(os.environ.get("DATABASE_URL", default_db)),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "training@council.example"),
        "MAIL_OUTBOX": outbox,
        # "inline" delivers a transaction's emails (and webhooks) right after its commit; "thread" does so beside the
        # request; "scheduler" leaves them to the scheduler's mail-delivery job (every 15 seconds, in batches) and
        # webhook-delivery job (every minute).
        "MAIL_DELIVERY": os.environ.get("MAIL_DELIVERY", "inline"),
        # Where the service is reached, for links in emails sent by the scheduler and the command line.
        "SERVICE_URL": os.environ.get("SERVICE_URL", "http://127.0.0.1:5000"),
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", default=not _flag("FLASK_DEBUG")),
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", default=not _flag("FLASK_DEBUG")),
        "SERVICE_NAME": os.environ.get("SERVICE_NAME", "Children's workforce training"),
        "COUNCIL_NAME": os.environ.get("COUNCIL_NAME", "Leicester, Leicestershire and Rutland partnership"),
        # Awareness sign-offs: re-awareness falls due this many months after completion (SPEC 3.8); evidence
        # files are kept in this folder, outside static/, and only ever served as a download.
        "AWARENESS_RENEWAL_MONTHS": int(os.environ.get("AWARENESS_RENEWAL_MONTHS", "36")),
        "AWARENESS_EVIDENCE_FOLDER": os.environ.get("AWARENESS_EVIDENCE_FOLDER", ""),
        # Invoices uploaded as supply-cover claims' evidence: outside static/, served only as downloads.
        "CLAIM_EVIDENCE_FOLDER": os.environ.get("CLAIM_EVIDENCE_FOLDER", ""),
        # The largest CSV the imports page takes (larger files go through `flask import`), and how many years a
        # practitioner's data is kept after their last booking or training before they are offered for anonymising.
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024))),
        "RETENTION_YEARS": int(os.environ.get("RETENTION_YEARS", "6")),
        # Sign-in throttling: failures within LOGIN_LOCK_MINUTES per email, and per sign-in address (one address
        # trying many emails); an office behind one address shares the second, so it is the larger.
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")),
        "LOGIN_LOCK_MINUTES": int(os.environ.get("LOGIN_LOCK_MINUTES", "15")),
        # How many reverse proxies (a council's load balancer, nginx) stand in front of gunicorn and set
        # X-Forwarded-For/-Proto/-Host. 0 trusts no such header: behind a proxy every client would then share the
        # proxy's address, and one person's failed sign-ins would throttle everyone.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # ANALYZE after large imports and nightly (services/common/statistics.py); off for a test database, which is
        # emptied by DELETE between tests: statistics gathered then tell PostgreSQL its tables are empty for good.
        "GATHER_STATISTICS": _flag("GATHER_STATISTICS", default=True),
        # Single sign-on with OpenID Connect (SPEC 3.11; services/accounts/single_sign_on.py): off while OIDC_ISSUER is
        # empty. The provider is found by discovery on first use, so the service starts while it is down.
        # PASSWORD_SIGN_IN=0 leaves password sign-in to admins, and only while single sign-on is on.
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", "").strip(),
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_NAME": os.environ.get("OIDC_NAME", "").strip() or "your work account",
        "PASSWORD_SIGN_IN": _flag("PASSWORD_SIGN_IN", default=True),
        # Enforced on the server from times kept in the session (security.py); see SESSION_REFRESH_EACH_REQUEST.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "120")),
        "SESSION_MAX_HOURS": session_max_hours,
        # Flask refuses a session cookie signed longer ago than this, a second guard on the absolute lifetime.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=session_max_hours),
    }


def development_secret(instance_path: str) -> str:
    """A per-install random key kept in the instance folder, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


COMMON = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    # Write the session cookie only when the session changes (last seen moves at most once a minute).
    "SESSION_REFRESH_EACH_REQUEST": False,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    "JSON_SORT_KEYS": False,
}

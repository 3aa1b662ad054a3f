"""Users with roles and scopes, hashed API tokens and sign-in throttling (SPEC 2)."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import Model, UTCDateTime, enum_column, utcnow
from .people import Practitioner
from .places import Authority, Organisation

DEFAULT_PASSWORD_HASH = "scrypt"  # noqa: S105 (a hash method, not a password)


def password_hash_method() -> str:
    """werkzeug's hash for new passwords: scrypt, unless PASSWORD_HASH_METHOD says otherwise (the tests' cheap one).

    A stored hash names its own method, so checking works whichever made it.
    """
    if has_app_context():
        return str(current_app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_PASSWORD_HASH)
    return DEFAULT_PASSWORD_HASH


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    BOOKER = "booker"
    WORKFORCE_LEAD = "workforce_lead"
    FINANCE = "finance"
    PRACTITIONER = "practitioner"


user_authorities = sa.Table(
    "user_authorities",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("authority_id", sa.ForeignKey("authorities.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Model):  # type: ignore[misc]  # flask-login ships no type hints
    """Someone who signs in; the role says what they may do, the scope over whom."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role <> 'booker' OR organisation_id IS NOT NULL", name="booker_has_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(300))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    practitioner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("practitioners.id", ondelete="SET NULL"), unique=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the id kept in the session cookie: raising it ends every session the user has open.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship()
    practitioner: Mapped[Practitioner | None] = relationship()
    authorities: Mapped[list[Authority]] = relationship(secondary=user_authorities)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot sign in
        return self.active

    def get_id(self) -> str:
        """Flask-Login's alternative id, "<id>:<session version>", so old session cookies stop working."""
        return f"{self.id}:{self.session_version}"

    @property
    def authority_ids(self) -> set[int]:
        return {a.id for a in self.authorities}


def hash_token(token: str) -> str:
    """API tokens are stored as their SHA-256: long random secrets need no slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Model):
    """A bearer token for the JSON API, stored hashed; shown once when made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInFailure(Model):
    """A failed sign-in, counted per email and per address to throttle guessing (kept in the database for many
    workers)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        sa.Index("ix_sign_in_failures_email_at", "email", "at"),
        sa.Index("ix_sign_in_failures_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

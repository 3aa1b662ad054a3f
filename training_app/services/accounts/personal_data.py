"""Personal data under UK GDPR: a practitioner's data for a subject access request, and anonymising a leaver
so that every count (trained by area, attendance, claims) stays as it was while name, email and job title go."""

from __future__ import annotations

import secrets
from datetime import date, time
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    AuditAction,
    AuditEvent,
    Booking,
    Certificate,
    Course,
    Practitioner,
    ReminderLog,
    TrainingRecord,
    TrainingSession,
    User,
)
from ..common.calendar import london_to_utc
from ..common.locks import lock_row
from . import audit

ANONYMOUS_DOMAIN = "anonymised.invalid"


class PersonalDataError(ValueError):
    """The request cannot be done as asked; the message says why."""


def is_anonymised(practitioner: Practitioner) -> bool:
    """Whether the practitioner's identifying details have been removed."""
    return practitioner.email.endswith("@" + ANONYMOUS_DOMAIN)


def subject_access(practitioner: Practitioner) -> dict[str, Any]:
    """Everything held about the practitioner: their record, bookings, training records, certificates, emails."""
    return {
        "practitioner": {
            "email": practitioner.email,
            "first_name": practitioner.first_name,
            "last_name": practitioner.last_name,
            "job_title": practitioner.job_title,
            "organisation": practitioner.organisation.name if practitioner.organisation else None,
            "group": practitioner.group.code if practitioner.group else None,
            "authorities": [a.name for a in practitioner.authorities],
            "cover_category": practitioner.cover_category.value,
        },
        "bookings": _rows(
            sa.select(
                TrainingSession.code.label("session"),
                Course.title.label("course"),
                TrainingSession.starts_on,
                Booking.status,
                Booking.created_at,
                Booking.cancelled_at,
            )
            .join(TrainingSession, TrainingSession.id == Booking.session_id)
            .join(Course, Course.id == Booking.course_id)
            .where(Booking.practitioner_id == practitioner.id)
            .order_by(Booking.created_at)
        ),
        "training_records": _rows(
            sa.select(
                Course.title.label("course"),
                TrainingRecord.completed_on,
                TrainingRecord.expires_on,
                TrainingRecord.source,
                Certificate.number.label("certificate"),
            )
            .join(Course, Course.id == TrainingRecord.course_id)
            .outerjoin(Certificate, Certificate.training_record_id == TrainingRecord.id)
            .where(TrainingRecord.practitioner_id == practitioner.id)
            .order_by(TrainingRecord.completed_on)
        ),
        "emails_sent": _rows(
            sa.select(ReminderLog.kind, ReminderLog.stage, ReminderLog.sent_at)
            .where(ReminderLog.practitioner_id == practitioner.id)
            .order_by(ReminderLog.sent_at)
        ),
    }


def anonymise_practitioner(practitioner: Practitioner, by: User) -> None:
    """Remove a leaver's name, email and job title (and switch off their account), keeping their organisation,
    group, authorities, bookings, attendance and records so every count stays the same; audited, committed."""
    practitioner = lock_row(Practitioner, practitioner.id)  # anonymised a moment ago by someone else: refused
    if is_anonymised(practitioner):
        raise PersonalDataError("this practitioner has already been anonymised")
    account = db.session.execute(sa.select(User).filter_by(practitioner_id=practitioner.id)).scalar_one_or_none()
    _scrub_audit_trail(practitioner, account)
    # Their answers to the booking questions say who they are as much as their name does.
    db.session.execute(
        sa.update(Booking)
        .where(Booking.practitioner_id == practitioner.id)
        .values(access_needs=None, dietary_needs=None)
        .execution_options(synchronize_session=False)
    )
    practitioner.email = f"person-{practitioner.id}@{ANONYMOUS_DOMAIN}"
    practitioner.first_name, practitioner.last_name, practitioner.job_title = (
        "Anonymised",
        f"person {practitioner.id}",
        None,
    )
    if account is not None:
        account.email, account.name, account.active = f"user-{account.id}@{ANONYMOUS_DOMAIN}", "", False
        account.set_password(_unguessable())
        db.session.execute(
            sa.update(User).where(User.id == account.id).values(session_version=User.session_version + 1)
        )
    # The audit event names no one: keeping the old values here would undo the anonymising.
    audit.record(by, AuditAction.PRACTITIONER_ANONYMISED, practitioner, new={"anonymised": True})
    db.session.commit()


SCRUBBED = "[anonymised]"


def _scrub_audit_trail(practitioner: Practitioner, account: User | None) -> None:
    """Take the leaver's name, email and job title out of the audit events about them, their account, bookings and
    records, and any other event naming their email, keeping what happened and when (counts need no names)."""
    identifying = {practitioner.email, practitioner.first_name, practitioner.last_name, practitioner.full_name}
    if practitioner.job_title:
        identifying.add(practitioner.job_title)
    targets = [
        sa.and_(AuditEvent.entity_type == "practitioner", AuditEvent.entity_id == practitioner.id),
        sa.and_(
            AuditEvent.entity_type == "booking",
            AuditEvent.entity_id.in_(sa.select(Booking.id).where(Booking.practitioner_id == practitioner.id)),
        ),
        sa.and_(
            AuditEvent.entity_type == "training_record",
            AuditEvent.entity_id.in_(
                sa.select(TrainingRecord.id).where(TrainingRecord.practitioner_id == practitioner.id)
            ),
        ),
        sa.cast(AuditEvent.old_value, sa.Text).contains(practitioner.email, autoescape=True),
        sa.cast(AuditEvent.new_value, sa.Text).contains(practitioner.email, autoescape=True),
    ]
    if account is not None:
        identifying |= {account.email, account.name} - {""}
        targets += [
            sa.and_(AuditEvent.entity_type == "user", AuditEvent.entity_id == account.id),
            AuditEvent.user_id == account.id,
        ]
    identifying = {text for text in identifying if text and len(text) > 1}
    for event in db.session.scalars(sa.select(AuditEvent).where(sa.or_(*targets))):
        event.old_value = _scrubbed(event.old_value, identifying)
        event.new_value = _scrubbed(event.new_value, identifying)
        if account is not None and event.actor == account.email:
            event.actor = SCRUBBED


def _scrubbed(value: Any, identifying: set[str]) -> Any:
    """The value with every string that holds identifying text replaced."""
    if isinstance(value, str):
        return SCRUBBED if any(text.lower() in value.lower() for text in identifying) else value
    if isinstance(value, dict):
        return {key: _scrubbed(item, identifying) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, identifying) for item in value]
    return value


def retention_cutoff(today: date, years: int) -> date:
    """The day before which a practitioner's last activity makes them due for anonymising (29 Feb -> 28 Feb)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def inactive_practitioners(cutoff: date, limit: int = 200) -> list[Any]:
    """Practitioners, not yet anonymised, with no booking made and no training completed on or after the cutoff."""
    query = (
        sa.select(Practitioner.email, Practitioner.first_name, Practitioner.last_name)
        .where(*_inactive_since(cutoff))
        .order_by(Practitioner.last_name, Practitioner.first_name, Practitioner.email)
        .limit(limit)
    )
    return list(db.session.execute(query))


def count_inactive_practitioners(cutoff: date) -> int:
    """How many practitioners inactive_practitioners would offer, without the limit."""
    return db.session.scalar(sa.select(sa.func.count(Practitioner.id)).where(*_inactive_since(cutoff))) or 0


def _inactive_since(cutoff: date) -> list[sa.ColumnElement[bool]]:
    """No booking made and no training completed since the cutoff; and someone with neither, ever, was added before
    it (or when is not known), so a practitioner added this week is not offered for anonymising. Written as NOT
    EXISTS, an anti-join: `NOT IN` over hundreds of thousands of ids made PostgreSQL rescan the list for every
    practitioner once it outgrew work_mem (the admin dashboard's 500 at a million, issue 25)."""
    since = london_to_utc(cutoff, time(0))
    booked = Booking.practitioner_id == Practitioner.id
    trained = TrainingRecord.practitioner_id == Practitioner.id
    return [
        ~sa.exists().where(booked, Booking.created_at >= since),
        ~sa.exists().where(trained, TrainingRecord.completed_on >= cutoff),
        Practitioner.email.not_like(f"%@{ANONYMOUS_DOMAIN}"),
        sa.or_(
            Practitioner.created_at.is_(None),
            Practitioner.created_at < since,
            sa.exists().where(booked),
            sa.exists().where(trained),
        ),
    ]


def _rows(query: sa.Select[*tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [
        {key: getattr(value, "value", value) for key, value in row._mapping.items()}
        for row in db.session.execute(query)
    ]


def _unguessable() -> str:
    return secrets.token_urlsafe(32)

"""What each role's dashboard shows, aggregated in SQL: one function per role, taking the signed-in user."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    AccountLink,
    AuditEvent,
    Booking,
    Charge,
    Claim,
    ClaimLine,
    ClaimStatus,
    Course,
    Fund,
    LinkPurpose,
    Practitioner,
    Role,
    SessionDay,
    SessionStatus,
    TrainingRecord,
    TrainingSession,
    User,
    Venue,
)
from ...models.base import utcnow
from ..accounts.scope import report_scope
from ..attendance.trainer_registers import registers_to_mark
from ..awareness.reawareness import awareness_summary
from ..booking.booking_requests import open_requests_of
from ..booking.charges import payable_pence
from ..booking.offers import open_offers
from ..booking.places import taken_on, waiting_on
from ..common.batches import Query
from ..common.calendar import london_today
from ..evaluation.evaluations import awaited_evaluations
from ..sessions.minimum_numbers import below_minimum
from ..workforce.in_post import in_post_on
from ..workforce.target_progress import dashboard_targets
from .summaries import dashboard_summary

UPCOMING_SESSIONS = 10
UPCOMING_BOOKINGS = 20


def _first_day_starts() -> sa.ScalarSelect[Any]:
    """When a session's first day starts, correlated to the outer session row."""
    return (
        sa.select(sa.func.min(SessionDay.starts_at))
        .where(SessionDay.session_id == TrainingSession.id)
        .correlate(TrainingSession)
        .scalar_subquery()
    )


def admin_figures(user: User) -> dict[str, Any]:
    """Users by role, and how many practitioners (kept in the summary), organisations and sessions there are."""
    counts: dict[Role, int] = dict(db.session.execute(_users_by_role()).all())
    summary = dashboard_summary(None)
    now = utcnow()
    accounts = db.session.execute(_admin_counts(), {"now": now, "week_ago": now - timedelta(days=7)}).one()
    users_by_role = [(role, counts.get(role, 0)) for role in Role]
    totals = {
        "practitioners": summary.practitioners,
        "organisations": summary.organisations,
        "sessions": summary.sessions,
    }
    return {
        "users_by_role": users_by_role,
        "totals": totals,
        "accounts": dict(zip(("invited", "switched_off", "changes_this_week"), accounts, strict=True)),
        "personal_data": {
            "retention_years": summary.retention_years,
            "due_for_anonymising": summary.due_for_anonymising,
        },
        "summary": summary,
    }


@functools.cache
def _users_by_role() -> sa.Select[*tuple[Any, ...]]:
    return sa.select(User.role, sa.func.count()).group_by(User.role)


@functools.cache
def _admin_counts() -> sa.Select[*tuple[Any, ...]]:
    """Accounts invited and not yet set up, switched off, and changes audited in the last week, in one statement
    (how many organisations and sessions there are is kept in the summary: counting 60,000 rows took 9 ms)."""
    now = sa.bindparam("now", type_=AuditEvent.at.type)
    return sa.select(
        sa.select(sa.func.count(sa.distinct(AccountLink.user_id)))
        .where(AccountLink.purpose == LinkPurpose.INVITATION, AccountLink.used_at.is_(None))
        .where(AccountLink.expires_at > now)
        .scalar_subquery(),
        sa.select(sa.func.count(User.id)).where(User.active.is_(False)).scalar_subquery(),
        sa.select(sa.func.count(AuditEvent.id))
        .where(AuditEvent.at >= sa.bindparam("week_ago", type_=AuditEvent.at.type))
        .scalar_subquery(),
    )


def coordinator_figures(user: User) -> dict[str, Any]:
    """The next scheduled sessions with their places taken against capacity, how many wait, and awareness work."""
    today, summary = london_today(), dashboard_summary(None)
    rows = db.session.execute(_upcoming_sessions(), {"today": today}).all()
    figures = {"sessions": rows, "awareness": awareness_summary(today), "plots": summary.plots}
    figures["registers_today"] = registers_running(today)
    figures["below_minimum"], figures["today"] = below_minimum(today), today
    return figures | {"outlook": summary.outlook, "summary": summary}


# Statements a dashboard runs on every visit are built once (functools.cache) and bound per call: building one
# costs about a millisecond of Python, running one already built a tenth of that.


@functools.cache
def _upcoming_sessions() -> sa.Select[*tuple[Any, ...]]:
    """The next UPCOMING_SESSIONS scheduled sessions from `today`, with places taken and people waiting counted for
    those sessions alone."""
    return (
        sa.select(
            TrainingSession.code,
            Course.title.label("course"),
            Venue.name.label("venue"),
            _first_day_starts().label("starts_at"),
            TrainingSession.capacity,
            taken_on(TrainingSession.id).label("booked"),
            waiting_on(TrainingSession.id).label("waitlisted"),
        )
        .join(Course, Course.id == TrainingSession.course_id)
        .outerjoin(Venue, Venue.id == TrainingSession.venue_id)
        .where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_on >= sa.bindparam("today", type_=sa.Date),
        )
        .order_by(TrainingSession.starts_on, TrainingSession.code)
        .limit(UPCOMING_SESSIONS)
    )


def registers_running(today: date) -> list[sa.Row[Any]]:
    """Sessions with a day today, not cancelled: the registers to mark now."""
    return list(db.session.execute(_registers_running(), {"today": today}))


@functools.cache
def _registers_running() -> sa.Select[*tuple[Any, ...]]:
    return (
        sa.select(TrainingSession.code, Course.title.label("course"))
        .join(Course, Course.id == TrainingSession.course_id)
        .where(
            TrainingSession.status != SessionStatus.CANCELLED,
            TrainingSession.id.in_(
                sa.select(SessionDay.session_id).where(SessionDay.date == sa.bindparam("today", type_=sa.Date))
            ),
        )
        .order_by(TrainingSession.code)
    )


def booker_figures(user: User) -> dict[str, Any]:
    """The booker's organisation, its staff in post today, and its staff's coming bookings."""
    today = london_today()
    values = {"organisation_id": user.organisation_id, "today": today}
    staff, requests, payable = db.session.execute(_booker_counts(), values).one()
    bookings = db.session.execute(_booker_bookings(), values).all()
    return {
        "organisation": user.organisation,
        "staff_count": staff,
        "bookings": bookings,
        "requests": requests,
        "payable_pence": payable,
        "targets": dashboard_targets(user, today),
        "offers": open_offers(user),
    }


@functools.cache
def _booker_counts() -> sa.Select[*tuple[Any, ...]]:
    """An organisation's staff in post today, its requests waiting for a decision and what it still has to pay for
    charges, in one statement (the rules: in_post_on, open_requests_of, payable_pence)."""
    organisation_id, today = sa.bindparam("organisation_id", type_=sa.Integer), sa.bindparam("today", type_=sa.Date)
    staff = sa.select(sa.func.count()).where(in_post_on(today), Practitioner.organisation_id == organisation_id)
    requests = sa.select(sa.func.count()).select_from(
        open_requests_of(Practitioner.organisation_id == organisation_id).order_by(None).subquery()
    )
    payable = sa.select(sa.func.coalesce(sa.func.sum(payable_pence()), 0)).where(
        Charge.organisation_id == organisation_id
    )
    return sa.select(staff.scalar_subquery(), requests.scalar_subquery(), payable.scalar_subquery())


@functools.cache
def _booker_bookings() -> sa.Select[*tuple[Any, ...]]:
    return (
        booking_rows()
        .where(Practitioner.organisation_id == sa.bindparam("organisation_id"))
        .where(
            Booking.status.in_(ACTIVE_STATUSES),
            TrainingSession.starts_on >= sa.bindparam("today", type_=sa.Date),
        )
        .order_by(TrainingSession.starts_on, Practitioner.last_name, Practitioner.first_name)
        .limit(UPCOMING_BOOKINGS)
    )


def workforce_lead_figures(user: User) -> dict[str, Any]:
    """The lead's authorities and how many practitioners work for each, with the plots, from their scope's summary."""
    summary = dashboard_summary(report_scope(user))
    figures = {"authorities": summary.authorities, "plots": summary.plots, "outlook": summary.outlook}
    targets = dashboard_targets(user, summary.as_of, counted=False, kept=summary.targets)
    return figures | {"summary": summary, "targets": targets}


def finance_figures(user: User) -> dict[str, Any]:
    """Funds with their amounts, and claims counted and totalled by status."""
    funds = db.session.execute(sa.select(Fund).order_by(Fund.financial_year.desc())).scalars().all()
    by_status = db.session.execute(
        sa.select(
            Claim.status,
            sa.func.count(sa.distinct(Claim.id)).label("claims"),
            sa.func.coalesce(sa.func.sum(ClaimLine.amount_pence), 0).label("total_pence"),
        )
        .outerjoin(ClaimLine, ClaimLine.claim_id == Claim.id)
        .group_by(Claim.status)
    ).all()
    found = {row.status: (row.claims, row.total_pence) for row in by_status}
    claims = [(status, *found.get(status, (0, 0))) for status in ClaimStatus]
    return {"funds": funds, "claims_by_status": claims}


def practitioner_figures(user: User) -> dict[str, Any]:
    """The practitioner's own bookings and training records."""
    if user.practitioner_id is None:
        return {"practitioner": None, "bookings": [], "records": [], "evaluations": [], "offers": []}
    bookings = db.session.execute(
        booking_rows()
        .where(Booking.practitioner_id == user.practitioner_id)
        .order_by(TrainingSession.starts_on.desc(), TrainingSession.code)
    ).all()
    records = db.session.execute(
        sa.select(Course.title.label("course"), TrainingRecord.completed_on, TrainingRecord.expires_on)
        .join(Course, Course.id == TrainingRecord.course_id)
        .where(TrainingRecord.practitioner_id == user.practitioner_id)
        .order_by(TrainingRecord.completed_on.desc(), Course.title)
    ).all()
    evaluations = awaited_evaluations(user.practitioner_id)
    figures = {"practitioner": user.practitioner, "bookings": bookings, "records": records, "evaluations": evaluations}
    return figures | {"offers": open_offers(user)}


def booking_rows() -> Query:
    """Bookings with the person, course, session and first day, for the tables on dashboards and booking pages."""
    return (
        sa.select(
            Booking.id.label("booking_id"),
            Practitioner.first_name,
            Practitioner.last_name,
            Practitioner.email,
            Course.title.label("course"),
            TrainingSession.code.label("session"),
            _first_day_starts().label("starts_at"),
            Booking.status,
            Booking.waitlist_position,
            Booking.offer_expires_at,
        )
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
    )


FIGURES = {
    Role.ADMIN: admin_figures,
    Role.COORDINATOR: coordinator_figures,
    Role.BOOKER: booker_figures,
    Role.WORKFORCE_LEAD: workforce_lead_figures,
    Role.FINANCE: finance_figures,
    Role.PRACTITIONER: practitioner_figures,
}


def dashboard_figures(user: User) -> dict[str, Any]:
    """The figures of the user's role, and for anyone who teaches (whatever their role) the registers to mark."""
    return FIGURES[user.role](user) | {"registers_to_mark": registers_to_mark(user, london_today())}

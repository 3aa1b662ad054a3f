"""Messages to a session's people (SPEC 3.4): a coordinator writes once to everyone booked (and, if asked, everyone
waiting); each gets their own email through the outgoing-mail table, sent once the message is kept; the message is
audited and listed on the session's page."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditAction, Booking, BookingStatus, Practitioner, SessionMessage, TrainingSession, User
from ...validation import control_character_problem
from ..accounts import audit
from ..common.locks import lock_row
from ..mail.mail import queue_email

MAX_SUBJECT = 150
MAX_BODY = 5000
ON_THE_LIST = (BookingStatus.BOOKED,)
WAITING = (BookingStatus.WAITLISTED,)


@dataclass(frozen=True)
class MessageProblem:
    field: str
    message: str


class MessageRefused(ValueError):
    """Nothing was sent; every problem is listed."""

    def __init__(self, problems: list[MessageProblem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


def recipients(session_id: int, include_waiting: bool) -> list[tuple[str, str]]:
    """(email, full name) of everyone booked on the session, and those waiting when asked, by name."""
    statuses = ON_THE_LIST + (WAITING if include_waiting else ())
    rows = db.session.execute(
        sa.select(Practitioner.email, Practitioner.first_name, Practitioner.last_name)
        .join(Booking, Booking.practitioner_id == Practitioner.id)
        .where(Booking.session_id == session_id, Booking.status.in_(statuses))
        .order_by(Practitioner.last_name, Practitioner.first_name, Practitioner.email)
    )
    return [(email, f"{first} {last}") for email, first, last in rows]


def send_message(session: TrainingSession, subject: str, body: str, include_waiting: bool, by: User) -> SessionMessage:
    """Keep the message and queue one email to each person it is for; committed and audited. MessageRefused lists
    every problem (an empty subject or message, too long, control characters, nobody to send it to)."""
    subject, body = " ".join(subject.split()), body.strip()
    problems = []
    if not subject:
        problems.append(MessageProblem("subject", "Enter a subject"))
    elif len(subject) > MAX_SUBJECT:
        problems.append(MessageProblem("subject", f"Subject must be {MAX_SUBJECT} characters or fewer"))
    elif problem := control_character_problem(subject):
        problems.append(MessageProblem("subject", f"Subject {problem}"))
    if not body:
        problems.append(MessageProblem("body", "Enter the message"))
    elif len(body) > MAX_BODY:
        problems.append(MessageProblem("body", f"Message must be {MAX_BODY:,} characters or fewer"))
    elif problem := control_character_problem(body, multiline=True):
        problems.append(MessageProblem("body", f"Message {problem}"))
    session = lock_row(TrainingSession, session.id)
    people = recipients(session.id, include_waiting)
    if not people:
        who = "booked or waiting" if include_waiting else "booked"
        problems.append(MessageProblem("include_waiting", f"Nobody is {who} on session {session.code} to write to"))
    if problems:
        db.session.rollback()
        raise MessageRefused(problems)
    message = SessionMessage(
        session_id=session.id,
        subject=subject,
        body=body,
        include_waiting=include_waiting,
        recipients=len(people),
        sent_by_id=by.id,
    )
    db.session.add(message)
    db.session.flush()
    title = f"{subject} ({session.course.title}, {session.code})"
    for email, name in people:
        text = f"Dear {name},\n\n{body}\n\nThis message is about {session.course.title}, session {session.code}.\n"
        queue_email([email], title, text, dedupe_key=f"session-message:{message.id}:{email}")
    audit.record(
        by,
        AuditAction.SESSION_MESSAGE_SENT,
        session,
        None,
        {"subject": subject, "recipients": len(people), "include_waiting": include_waiting},
    )
    db.session.commit()
    return message


def messages_of(session_id: int) -> list[SessionMessage]:
    """The session's messages, newest first."""
    query = sa.select(SessionMessage).where(SessionMessage.session_id == session_id)
    return list(db.session.scalars(query.order_by(SessionMessage.sent_at.desc(), SessionMessage.id.desc())))

"""The reminders' emails (SPEC 3.6): plain text and HTML from templates/emails/, queued in the run's transaction.

A refresher names the course, the expiry date and the coming sessions of the course with places, with links to
book, and copies the practitioner's organisation's bookers; a session reminder carries the session's days, venue
and joining instructions; a re-awareness reminder goes to a coordinator. What every email of a run shares (bookers
by organisation, sessions with places by course, the sessions reminded of) is loaded once, in a few queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import AwarenessSignOff, Course, ReminderKind, ReminderStage, TrainingSession
from ..accounts.scope import bookers_by_organisation
from ..attendance.completions import renewal_families
from ..booking.booking_mail import session_details
from ..booking.places import ComingSession, coming_sessions_with_places
from ..mail.mail import queue_email
from .reminders import AWARENESS, Reminder

SUBJECTS = {
    ReminderStage.DUE_SOON: "Your {title} training expires on {date}: book a refresher",
    ReminderStage.DUE: "Your {title} training has expired: book a refresher",
    ReminderStage.OVERDUE: "Your {title} training expired on {date}: book a refresher now",
}


class Composer:
    """Writes the emails of one run, from what the run's reminders need loaded once."""

    def __init__(self, due: Sequence[Reminder], today: date) -> None:
        self.today = today
        course_ids = {r.course_id for r in due if r.course_id is not None}
        self.courses = {c.id: c for c in db.session.scalars(sa.select(Course).where(Course.id.in_(course_ids)))}
        refresher_courses = {r.course_id for r in due if r.kind == ReminderKind.REFRESHER and r.course_id}
        # A lapsing CAF is renewed by CAF or CAF-REFRESH: the email lists coming sessions of either.
        self.families = renewal_families(refresher_courses)
        self.sessions_by_course: dict[int, list[ComingSession]] = defaultdict(list)
        members = {member for family in self.families.values() for member in family}
        for coming in coming_sessions_with_places(members, today):
            self.sessions_by_course[coming.course_id].append(coming)
        self.bookers = bookers_by_organisation({r.organisation_id for r in due if r.organisation_id is not None})
        session_ids = {r.session_id for r in due if r.session_id is not None}
        query = sa.select(TrainingSession).where(TrainingSession.id.in_(session_ids))
        options = (selectinload(TrainingSession.days), selectinload(TrainingSession.venue))
        self.sessions = {s.id: s for s in db.session.scalars(query.options(*options))}
        self.details = {s.id: session_details(s) for s in self.sessions.values()}
        sign_off_ids = {r.sign_off_id for r in due if r.sign_off_id is not None}
        self.sign_offs = {
            s.id: s
            for s in db.session.scalars(sa.select(AwarenessSignOff).where(AwarenessSignOff.id.in_(sign_off_ids)))
        }
        self.common = {
            "base_url": current_app.config.get("SERVICE_URL", "").rstrip("/"),
            "service_name": current_app.config.get("SERVICE_NAME", ""),
        }

    def queue(self, reminder: Reminder) -> bool:
        """Queue the reminder's email in the open transaction: whether it was (re-awareness: not queued before)."""
        if reminder.kind == AWARENESS:
            return self._reawareness(reminder)
        if reminder.kind == ReminderKind.SESSION:
            return self._session(reminder)
        return self._refresher(reminder)

    def _refresher(self, reminder: Reminder) -> bool:
        course = self.courses[reminder.course_id or 0]
        values = {
            **self.common,
            "name": reminder.name,
            "stage": reminder.stage.value,
            "course": course,
            "expires_on": reminder.expires_on,
            "sessions": sorted(
                (coming for member in self.families[course.id] for coming in self.sessions_by_course.get(member, [])),
                key=lambda coming: (coming.starts_on, coming.code),
            ),
        }
        day = f"{reminder.expires_on:%-d %B %Y}" if reminder.expires_on else ""
        subject = SUBJECTS[reminder.stage].format(title=course.title, date=day)
        cc = self.bookers.get(reminder.organisation_id or 0, [])
        return self._send(reminder, subject, "refresher-reminder", values, cc)

    def _session(self, reminder: Reminder) -> bool:
        session = self.sessions[reminder.session_id or 0]
        values = {**self.common, "name": reminder.name, "session": session, "details": self.details[session.id]}
        subject = f"Reminder: {session.course.title} ({session.code}) starts on {session.starts_on:%-d %B %Y}"
        return self._send(reminder, subject, "session-reminder", values, [])

    def _reawareness(self, reminder: Reminder) -> bool:
        sign_off = self.sign_offs[reminder.sign_off_id or 0]
        values = {
            **self.common,
            "service": sign_off.service,
            "package": sign_off.package,
            "completed_on": sign_off.completed_on,
            "due_on": reminder.due_on,
            "contact": sign_off.contact_name,
        }
        subject = f"Re-awareness due: {sign_off.service}"
        return self._send(reminder, subject, "reawareness-reminder", values, [], dedupe=True)

    def _send(
        self,
        reminder: Reminder,
        subject: str,
        template: str,
        values: dict[str, object],
        cc: list[str],
        dedupe: bool = False,
    ) -> bool:
        body = render_template(f"emails/{template}.txt", **values)
        html = render_template(f"emails/{template}.html", **values)
        key = reminder.dedupe_key if dedupe else None
        return queue_email([reminder.email], subject, body, cc=cc, html=html, dedupe_key=key) is not None

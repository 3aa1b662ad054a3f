"""A practitioner's pathway page: each course's requirement, status and dates, and what to book next."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from ...models import PathwayStatus, Role
from ...permissions import allow
from ...services.accounts.scope import can_see_practitioner
from ...services.booking.places import ComingSession, coming_sessions_with_places
from ...services.catalogue.pathways import courses_to_book, pathway_of, practitioner_with_email
from ...services.common.calendar import london_today
from .forms import REQUIREMENT_LABELS

bp = Blueprint("practitioner_pathway", __name__)

PATHWAY_READERS = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.WORKFORCE_LEAD, Role.PRACTITIONER)
STATUS_TAGS = {
    PathwayStatus.NOT_STARTED: ("Not started", "govuk-tag--grey"),
    PathwayStatus.BOOKED: ("Booked", "govuk-tag--blue"),
    PathwayStatus.CURRENT: ("Current", "govuk-tag--green"),
    PathwayStatus.DUE_SOON: ("Due soon", "govuk-tag--yellow"),
    PathwayStatus.EXPIRED: ("Expired", "govuk-tag--red"),
}


@bp.get("/practitioners/<email>/pathway")
@allow(*PATHWAY_READERS)
def pathway_page(email: str):
    """Where the practitioner stands on each course of their group's pathway, and the sessions to book next."""
    practitioner = practitioner_with_email(email)
    if practitioner is None:
        abort(404)
    if not can_see_practitioner(current_user, practitioner):
        abort(403)
    today = london_today()
    pathway = pathway_of(practitioner, today)
    to_book = courses_to_book(pathway)
    sessions: dict[int, list[ComingSession]] = {}
    for session in coming_sessions_with_places([course.course.id for course in to_book], today):
        sessions.setdefault(session.course_id, []).append(session)
    return render_template(
        "courses/practitioner-pathway.html",
        pathway=pathway,
        to_book=to_book,
        sessions=sessions,
        own=current_user.practitioner_id == practitioner.id,
        tags=STATUS_TAGS,
        labels=REQUIREMENT_LABELS,
    )

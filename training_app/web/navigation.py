"""The service navigation: links to the pages that exist and that the signed-in user's role may open."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

from ..permissions import may_open
from ..services.accounts.scope import organisation_scope, report_scope

# (endpoint, link text), in the order they appear. An entry shows only when its endpoint is
# registered and the user may open it (permissions.may_open), so a new page adds one line here.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("main.dashboard", "Dashboard"),
    ("sessions.list_page", "Sessions"),
    ("bookings.list_page", "Bookings"),
    ("booking_requests.mine_page", "My bookings"),
    ("staff.list_page", "Staff"),
    ("sessions.trainers_page", "Trainers"),
    ("reports.trained_by_area_page", "Reports"),
    ("targets.list_page", "Targets"),
    ("awareness.sign_off_register", "Awareness"),
    ("claims.claims_page", "Claims"),
    ("claims.finance_page", "Funds"),
    ("courses.course_list", "Courses"),
    ("pathways.matrix", "Pathways"),
    ("venues.venue_list", "Venues"),
    ("imports.upload_page", "Imports"),
    ("admin.users_page", "Users"),
    ("reference.list_page", "Reference data"),
    ("reminders.reminders_page", "Reminders"),
    ("audit_log.log_page", "Audit log"),
    ("webhooks.list_page", "Webhooks"),
    ("accounts.api_tokens", "API tokens"),
)


def navigation_items() -> list[dict]:
    """The navigation entries for the current user, as govukServiceNavigation items."""
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, text in NAVIGATION:
        if not may_open(endpoint):
            continue
        items.append({"href": url_for(endpoint), "text": text, "current": request.endpoint == endpoint})
    return items


def register_navigation(app: Flask) -> None:
    """Give every template the navigation, the service's names, `may_open(endpoint)` and the user's scope
    (`limited_to_authorities`: a workforce lead's; `limited_to_organisation`: a booker's): no template names a
    role."""

    @app.context_processor
    def _navigation():
        signed_in = bool(getattr(current_user, "is_authenticated", False))
        return {
            "navigation_items": navigation_items,
            "may_open": may_open,
            "limited_to_authorities": signed_in and report_scope(current_user) is not None,
            "limited_to_organisation": signed_in and organisation_scope(current_user) is not None,
            "service_name": app.config["SERVICE_NAME"],
            "council_name": app.config["COUNCIL_NAME"],
        }

"""The bookings import takes SPEC 4.3's statuses: a request for approval is made on the pages, never loaded."""

from __future__ import annotations

from datetime import date

from tests.factories import make_practitioner, make_session
from tests.imports.helpers import partnership, run_import
from training_app.extensions import db


def test_requested_and_declined_are_refused_with_the_statuses_allowed(app_ctx):
    places = partnership()
    make_session(places["caf"], days=(date(2008, 1, 30),), code="CAF-1")
    make_practitioner(places["school"], email="p1@example.org")
    make_practitioner(places["school"], email="p2@example.org")
    db.session.commit()

    result = run_import(
        "bookings", "session,practitioner,status", "CAF-1,p1@example.org,requested", "CAF-1,p2@example.org,declined"
    )

    assert result.errors == [
        f"line {line}: status: must be one of booked, waitlisted, attended, absent, cancelled, late_cancelled, "
        f'no_show, not "{status}"'
        for line, status in ((2, "requested"), (3, "declined"))
    ]

"""How many statements each role's dashboard runs on the demo (issue 25): a fixed few, none of them counting the
whole workforce. The coordinator's, admin's and workforce lead's read their scope's kept summary
(services.reporting.summaries) instead of practitioners and their training records, so a count over everyone that
creeps back into a request fails here at demo scale, long before it stalls a national deployment."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from seeds.users import DEMO_PASSWORD, DEMO_USERS
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import DashboardSummary
from training_app.services.reporting.summaries import refresh_summaries

# Statements a dashboard request may run, per role, once the summaries are kept: the signed-in user, the role's own
# few figures, the registers the user teaches, the flashed messages and navigation; a coordinator's sessions below
# their minimum and a practitioner's evaluations to give (SPEC 3.3, 3.5) are one statement each. A booker's and a
# workforce lead's include their targets panel (issue 22): the targets and their groups, and for a booker their
# progress (one statement over their organisation's staff); a lead's lists them without counting anyone. A booker's
# and a practitioner's also list the waiting-list offers they may answer (issue 21): one statement.
MOST_STATEMENTS = {
    "admin": 7,
    "coordinator": 13,
    "booker": 11,
    "workforce_lead": 7,
    "finance": 4,
    "practitioner": 7,
}
# Tables whose whole-workforce counts the summaries hold: these dashboards never read them per request.
WORKFORCE_TABLES = re.compile(r"\b(practitioners|training_records|practitioner_authorities)\b")
READ_FROM_SUMMARIES = {"admin", "coordinator", "workforce_lead"}


@contextmanager
def statements_run() -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block, but for SQLite's BEGIN (PostgreSQL's driver begins
    without one), so the counts are the same on both databases."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if statement.strip().upper() not in {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"}:  # SQLite's own
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)


@pytest.fixture
def demo_with_summaries(app, shared_demo):
    """The shared demo with its summaries counted, as the scheduler keeps them; left as it was found."""
    refresh_summaries()
    yield
    db.session.execute(sa.delete(DashboardSummary))
    db.session.commit()


@pytest.mark.parametrize(("email", "role"), [(email, role) for email, role, _, _ in DEMO_USERS])
def test_each_dashboard_runs_a_fixed_few_statements_none_over_the_workforce(app, demo_with_summaries, email, role):
    client = signed_in(app.test_client(), email, DEMO_PASSWORD)

    with app.app_context(), statements_run() as seen:
        response = client.get("/")

    assert response.status_code == 200
    assert len(seen) <= MOST_STATEMENTS[role], "\n\n".join(seen)
    if role in READ_FROM_SUMMARIES:
        assert not [statement for statement in seen if WORKFORCE_TABLES.search(statement)]

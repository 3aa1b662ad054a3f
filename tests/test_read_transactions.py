"""A request that only read ends its transaction with a commit (the same as a rollback for it), so PostgreSQL keeps
the statements psycopg prepared across requests instead of planning every page's statements afresh (issue 25); a
transaction that wrote is still rolled back unless its code committed."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from tests.factories import make_authority, make_user
from tests.web.helpers import sign_in
from training_app.database import end_unwritten_transaction
from training_app.extensions import db
from training_app.models import Authority, Role

on_postgresql = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


@pytest.fixture
def ends(app):
    """How each transaction on the app's engine ended, in order: "commit" or "rollback"."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_commit(conn):
        seen.append("commit")

    def on_rollback(conn):
        seen.append("rollback")

    sa.event.listen(engine, "commit", on_commit)
    sa.event.listen(engine, "rollback", on_rollback)
    yield seen
    sa.event.remove(engine, "commit", on_commit)
    sa.event.remove(engine, "rollback", on_rollback)


def test_a_page_that_only_read_ends_with_a_commit(app, client, ends):
    with app.app_context():
        make_user(Role.COORDINATOR, "coordinator@example.test")
        db.session.commit()
    sign_in(client, "coordinator@example.test")
    ends.clear()

    page = client.get("/courses")

    assert page.status_code == 200
    assert ends and set(ends) == {"commit"}


def test_a_request_that_wrote_without_committing_is_rolled_back(app):
    with app.test_request_context("/"):
        make_authority("RUTLAND", "Rutland")
        db.session.flush()  # written, not committed: the request's end must not keep it

        end_unwritten_transaction(None)
        db.session.remove()

        assert db.session.scalar(sa.select(sa.func.count()).select_from(Authority)) == 0


def test_a_request_that_failed_is_rolled_back(app):
    with app.test_request_context("/"):
        db.session.execute(sa.select(Authority.id)).all()

        end_unwritten_transaction(RuntimeError("the view failed"))

        assert db.session().in_transaction()  # left to the usual rollback of the session's removal
        db.session.remove()


@pytest.mark.skipif(not on_postgresql, reason="psycopg's prepared statements")
def test_postgresql_keeps_the_statements_it_prepared_across_requests(app, client):
    with app.app_context():
        make_user(Role.COORDINATOR, "coordinator@example.test")
        db.session.commit()
    sign_in(client, "coordinator@example.test")

    for _ in range(12):  # psycopg prepares a statement on its 5th run in a connection
        assert client.get("/courses").status_code == 200

    with app.app_context():
        prepared = db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared > 0

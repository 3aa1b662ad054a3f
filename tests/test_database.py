"""How transactions begin: IMMEDIATE for work that may write, deferred for safe requests, on SQLite only."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.factories import make_authority, make_practitioner, make_session, make_user
from tests.web.helpers import sign_in
from training_app.database import configure_engine_events, read_only, write_transaction
from training_app.extensions import db
from training_app.models import ApiToken, Authority, Role, SignInFailure, utcnow
from training_app.services.accounts.accounts import issue_api_token
from training_app.services.common.calendar import london_today

WRITES = ("INSERT", "UPDATE", "DELETE")


# Two connections on one SQLite file, with the app's engine events.


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[sa.Engine]:
    """A SQLite file with one counter at 0, on an engine with the app's connect and begin events."""
    configure_engine_events()
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'locks.sqlite3'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO counters (id, n) VALUES (1, 0)")
    yield engine
    engine.dispose()


def _count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT n FROM counters WHERE id = 1").scalar_one()


def _increment_while_another_holds_the_write_lock(engine: sa.Engine, deferred: bool) -> BaseException | None:
    """Hold the write lock with one increment while another thread reads the counter and writes it plus one.

    Returns what the second thread raised, or None when its read-then-write succeeded.
    """
    holder = engine.connect()
    holder.begin()
    holder.exec_driver_sql("UPDATE counters SET n = n + 1 WHERE id = 1")
    trying, outcome = threading.Event(), []

    def read_then_write() -> None:
        try:
            with read_only() if deferred else nullcontext(), Session(engine) as session:
                if not deferred:
                    trying.set()  # its BEGIN IMMEDIATE now waits for the holder
                n = session.execute(sa.text("SELECT n FROM counters WHERE id = 1")).scalar_one()
                trying.set()  # a deferred one has read before the holder commits: its snapshot goes stale
                session.execute(sa.text("UPDATE counters SET n = :n WHERE id = 1"), {"n": n + 1})
                session.commit()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=read_then_write)
    thread.start()
    trying.wait(10)
    time.sleep(0.2)  # let the other thread reach the lock; the outcome is the same if it has not yet
    holder.commit()
    holder.close()
    thread.join(60)
    return outcome[0]


def test_a_read_then_write_waits_for_the_write_lock_and_keeps_both_increments(sqlite_file):
    error = _increment_while_another_holds_the_write_lock(sqlite_file, deferred=False)

    assert error is None
    assert _count(sqlite_file) == 2  # it read after the holder committed: no lost update


def test_a_deferred_read_then_write_fails_at_once_which_is_why_writes_begin_immediate(sqlite_file):
    error = _increment_while_another_holds_the_write_lock(sqlite_file, deferred=True)

    assert isinstance(error, OperationalError)
    assert "database is locked" in str(error)
    assert _count(sqlite_file) == 1


def test_a_read_only_transaction_reads_while_another_holds_the_write_lock(sqlite_file):
    holder = sqlite_file.connect()
    holder.begin()
    holder.exec_driver_sql("UPDATE counters SET n = 5 WHERE id = 1")
    try:
        with sqlite_file.connect() as reader:
            reader.connection.driver_connection.execute("PRAGMA busy_timeout = 0")  # fail instead of waiting
            with read_only():
                assert reader.exec_driver_sql("SELECT n FROM counters").scalar_one() == 0  # the last committed
            reader.rollback()
            with pytest.raises(OperationalError, match="database is locked"):
                reader.exec_driver_sql("SELECT n FROM counters")  # BEGIN IMMEDIATE queues behind the writer
    finally:
        holder.rollback()
        holder.close()


# Which BEGIN the app emits.


@pytest.fixture
def begins(count_statements) -> Iterator[Callable[[], list[tuple[str, list[str]]]]]:
    """Record the app's statements; the call returns each transaction's BEGIN ("" if none) and its writes."""
    with count_statements() as recorded:

        def transactions() -> list[tuple[str, list[str]]]:
            found: list[tuple[str, list[str]]] = []
            for statement in (sql.strip() for sql in recorded.sql):
                if statement.startswith("BEGIN"):
                    found.append((statement, []))
                elif statement.upper().startswith(WRITES):
                    if not found:  # the driver began the transaction itself (PostgreSQL)
                        found.append(("", []))
                    found[-1][1].append(" ".join(statement.split()[:3]))  # e.g. "UPDATE api_tokens SET"
            recorded.sql.clear()
            return found

        yield transactions


sqlite_only = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"), reason="SQLite's BEGIN modes"
)


def _token(app, used: bool) -> str:
    """A committed coordinator's API token, used a moment ago or never."""
    with app.app_context():
        user = make_user(Role.COORDINATOR)
        token = issue_api_token(user)
        if used:
            db.session.execute(sa.update(ApiToken).filter_by(user_id=user.id).values(last_used_at=utcnow()))
        db.session.commit()
    return token


@sqlite_only
def test_work_outside_requests_begins_immediate_unless_declared_read_only(app, begins):
    with app.app_context():
        db.session.execute(sa.select(Authority.id)).all()
        db.session.commit()
        with read_only():
            db.session.execute(sa.select(Authority.id)).all()
            db.session.commit()

    assert begins() == [("BEGIN IMMEDIATE", []), ("BEGIN", [])]


@sqlite_only
def test_get_and_head_requests_begin_deferred(app, begins):
    headers = {"Authorization": f"Bearer {_token(app, used=True)}"}
    client = app.test_client()
    begins()

    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert begins() == [("BEGIN", [])]
    assert client.head("/api/v1/me", headers=headers).status_code == 200
    assert begins() == [("BEGIN", [])]


@sqlite_only
def test_a_post_begins_immediate_and_keeps_the_wrong_password_it_records(app, begins):
    client = app.test_client()
    begins()

    response = sign_in(client, "someone@council.example", password="not the password")

    assert response.status_code == 200
    transactions = begins()
    assert transactions
    assert all(begin == "BEGIN IMMEDIATE" for begin, _ in transactions)
    assert any("INSERT INTO sign_in_failures" in writes for _, writes in transactions)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInFailure)) == 1


@sqlite_only
def test_a_fresh_tokens_first_use_is_written_in_its_own_immediate_transaction(app, begins):
    headers = {"Authorization": f"Bearer {_token(app, used=False)}"}
    client = app.test_client()
    begins()

    assert client.get("/api/v1/me", headers=headers).status_code == 200

    transactions = begins()
    assert transactions[0] == ("BEGIN", [])
    assert ("BEGIN IMMEDIATE", ["UPDATE api_tokens SET"]) in transactions
    assert all(not writes for begin, writes in transactions if begin == "BEGIN")
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None


@sqlite_only
def test_a_booking_and_its_emails_are_written_in_one_immediate_transaction_then_delivered(app, begins):
    headers = {"Authorization": f"Bearer {_token(app, used=True)}"}
    with app.app_context():
        session = make_session(code="ONE-LOCK", days=(london_today() + timedelta(days=30),))
        email = make_practitioner().email
        db.session.commit()
        del session
    client = app.test_client()
    begins()

    response = client.post("/api/v1/sessions/ONE-LOCK/bookings", json={"practitioner": email}, headers=headers)

    assert response.status_code == 201 and response.json["status"] == "booked"
    transactions = begins()
    assert all(begin == "BEGIN IMMEDIATE" for begin, writes in transactions if writes)
    booking, *delivery = [writes for _, writes in transactions if writes]
    # The booking and its email are one unit of work: a crash after the commit cannot lose the email.
    assert "INSERT INTO bookings" in booking and "INSERT INTO outgoing_mail" in booking
    # Then delivery claims the message (sending) and records it sent, in short transactions of their own.
    assert delivery == [["UPDATE outgoing_mail SET"], ["UPDATE outgoing_mail SET"]]


def test_postgresql_begins_are_left_to_the_driver(app, begins):
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    with app.app_context():
        make_authority("RUTLAND", "Rutland")
        db.session.commit()

    assert begins() == [("", ["INSERT INTO authorities"])]


def test_postgresql_connections_run_without_jit(app_ctx):
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    assert db.session.execute(sa.text("SHOW jit")).scalar_one() == "off"


# write_transaction, on both databases.


def test_write_transaction_in_read_only_work_commits_its_write(app_ctx):
    authority = make_authority("RUTLAND", "Rutland")
    db.session.commit()

    with read_only():
        db.session.get(Authority, authority.id)
        with write_transaction():
            db.session.execute(sa.update(Authority).filter_by(code="RUTLAND").values(name="Rutland County"))
        db.session.rollback()  # the request ending; the write is already committed

    db.session.expire_all()
    assert db.session.scalar(sa.select(Authority.name).filter_by(code="RUTLAND")) == "Rutland County"


def test_write_transaction_joins_a_callers_open_transaction_without_committing_it(app_ctx):
    make_authority("RUTLAND", "Rutland")

    with write_transaction():
        db.session.execute(sa.update(Authority).filter_by(code="RUTLAND").values(name="Rutland County"))
    db.session.rollback()  # the caller changed its mind: its own work and the helper's go together

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Authority)) == 0


def test_write_transaction_rolls_back_when_its_body_fails(app_ctx):
    authority = make_authority("RUTLAND", "Rutland")
    db.session.commit()

    with read_only(), pytest.raises(RuntimeError), write_transaction():
        db.session.execute(sa.update(Authority).filter_by(id=authority.id).values(name="Half done"))
        raise RuntimeError("the body failed")

    db.session.expire_all()
    assert db.session.scalar(sa.select(Authority.name).filter_by(code="RUTLAND")) == "Rutland"

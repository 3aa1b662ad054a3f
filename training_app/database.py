"""Engine settings per dialect, and how SQLite transactions begin: IMMEDIATE unless the work is read-only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any

from flask import Flask, g, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from .extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A statement that writes (or changes the schema): a transaction that sent one is never ended by a commit it did not
# ask for (end_unwritten_transaction).
WRITES = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE|CREATE|ALTER|DROP|TRUNCATE)\b", re.IGNORECASE)
WROTE = "transaction_wrote"  # in a connection's info: its transaction has sent a write

# Whether transactions begun now only read. The default is False (BEGIN IMMEDIATE) so that CLI commands, jobs,
# imports and tests are safe without thinking about it; only safe HTTP methods opt in to deferred reads.
_read_only: ContextVar[bool] = ContextVar("read_only_transactions", default=False)
_configured = False


def configure_engine_events() -> None:
    """SQLite: enforce foreign keys, wait for locks, and begin transactions ourselves (SQLAlchemy's recipe);
    PostgreSQL: no JIT compilation."""
    global _configured
    if _configured:
        return
    _configured = True

    @event.listens_for(Engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
        elif type(dbapi_connection).__module__.startswith("psycopg"):
            # No JIT: the reports' queries at 1M practitioners run in a few hundred ms, and compiling them (which
            # PostgreSQL does once a plan's estimated cost passes jit_above_cost) took longer than running them.
            cursor = dbapi_connection.cursor()
            cursor.execute("SET jit = off")
            cursor.close()
            dbapi_connection.commit()

    @event.listens_for(Engine, "before_cursor_execute")
    def _note_writes(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if not conn.info.get(WROTE) and WRITES.match(statement):
            conn.info[WROTE] = True

    @event.listens_for(Engine, "commit")
    @event.listens_for(Engine, "rollback")
    def _transaction_ended(conn: Connection) -> None:
        conn.info.pop(WROTE, None)

    @event.listens_for(Engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        if conn.dialect.name == "sqlite":  # PostgreSQL waits for row locks by itself: nothing to do there
            conn.exec_driver_sql(begin_statement())


def begin_statement() -> str:
    """The statement a SQLite transaction begins with now.

    A deferred transaction that has read cannot take the write lock while another connection holds it:
    SQLite answers `database is locked` at once (its snapshot may be stale) instead of waiting out the busy
    timeout. BEGIN IMMEDIATE takes the write lock at the start, where the busy timeout does apply, so writers
    queue instead of failing. Read-only work keeps a deferred BEGIN so that readers run alongside the writer
    in WAL mode.
    """
    return "BEGIN" if _read_only.get() else "BEGIN IMMEDIATE"


def is_read_only() -> bool:
    """Whether transactions begun now are declared read-only (deferred on SQLite)."""
    return _read_only.get()


@contextmanager
def read_only() -> Iterator[None]:
    """Declare the work inside read-only: its transactions begin deferred, so they never wait for a writer."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """Declare the work inside may write: its transactions begin IMMEDIATE on SQLite, even within a GET."""
    token = _read_only.set(False)
    try:
        yield
    finally:
        _read_only.reset(token)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the body in a committed write transaction (IMMEDIATE on SQLite): for the rare read that must write.

    In read-only work (a GET) the session's open transaction only read, so it is committed to end it (nothing is
    pending there) and the body gets a fresh IMMEDIATE transaction: writing from the deferred one could fail with
    `database is locked`. Neither commit expires what the request has loaded, so it goes on as if it had read in
    one snapshot, without loading it again. Elsewhere the work may already hold uncommitted writes of its caller;
    those are not this helper's to commit, so the body joins the open transaction and the caller's commit keeps it.
    """
    session = db.session()  # the request's own Session: the scoped proxy has no in_transaction()
    if not _read_only.get() and session.in_transaction():
        yield
        return
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    token = _read_only.set(False)
    try:
        session.commit()
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _read_only.reset(token)
        session.expire_on_commit = expire_on_commit


def commit_before_work() -> None:
    """Commit what the request did before its own work began (an API token's `last_used_at`), keeping what it
    loaded: a write the request then refuses and rolls back must not take that with it."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("commit_before_work would commit the caller's unfinished changes")
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit


@contextmanager
def reading_after_commit() -> Iterator[None]:
    """Reads that follow a committed unit of work (its emails, its answer) in a deferred transaction, ended without
    expiring what they loaded: on SQLite they neither take the write lock again nor leave a read open that a
    later write in the same session could not upgrade."""
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    token = _read_only.set(True)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _read_only.reset(token)
        session.expire_on_commit = expire_on_commit


def register_transaction_modes(app: Flask) -> None:
    """Requests with a safe method (GET, HEAD, OPTIONS) run read-only; every other request may write."""

    @app.before_request
    def _begin_mode_for_request() -> None:
        g._read_only_token = _read_only.set(request.method in SAFE_METHODS)

    @app.teardown_request
    def _end_unwritten(exc: BaseException | None) -> None:
        end_unwritten_transaction(exc)

    @app.teardown_request
    def _reset_begin_mode(exc: BaseException | None) -> None:
        token = g.pop("_read_only_token", None)
        if token is not None:
            _read_only.reset(token)


def end_unwritten_transaction(exc: BaseException | None) -> None:
    """End a request's transaction that wrote nothing with a commit, which for it is the same as a rollback.

    psycopg forgets every prepared statement on a rollback (one prepared in the transaction would be gone), and the
    session ends each request's transaction with one, so PostgreSQL planned every statement of every page afresh:
    1-3 ms a statement for a dashboard's or the reminders' at national scale, where a prepared one runs in a tenth
    of that. A transaction that sent a write, failed or met an error is left to the usual rollback.
    """
    session = db.session()
    if exc is not None or not session.is_active or not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return
    try:
        connection = session.connection()
        if connection.info.get(WROTE) or connection.in_nested_transaction():
            return
        session.commit()
    except Exception:  # noqa: BLE001 (a lost connection or failed transaction ends as it would have: rolled back)
        with suppress(Exception):
            session.rollback()

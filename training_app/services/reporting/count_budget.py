"""A time limit on a report's count within a web request (issue 25): no request may run into the worker's 30 s
timeout, so a count that a request makes is stopped after a few seconds and left to the scheduler (report_cache).

SQLite: a progress handler, called every few thousand virtual-machine steps, interrupts the statement running when the
time is up. PostgreSQL: each statement runs with `statement_timeout` set to the time left (SET LOCAL, so it ends with
the transaction). Either way the count raises CountTooSlow, and its transaction must be rolled back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from ...extensions import db

PROGRESS_STEPS = 20_000  # SQLite virtual-machine steps between looks at the clock (well under a millisecond)


class CountTooSlow(Exception):
    """The count ran past its time limit and was stopped."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Stop the statements the body runs on the session's connection once `seconds` have passed (None: no limit)."""
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + seconds
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        with _postgresql_limit(connection, deadline):
            yield
        return
    driver: Any = connection.connection.driver_connection
    driver.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
    try:
        yield
    except sa.exc.OperationalError as problem:
        if "interrupted" in str(problem.orig):
            raise CountTooSlow from problem
        raise
    finally:
        driver.set_progress_handler(None, 0)


@contextmanager
def _postgresql_limit(connection: sa.Connection, deadline: float) -> Iterator[None]:
    def limit(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise CountTooSlow
        cursor.execute(f"SET LOCAL statement_timeout = {max(1, int(left * 1000))}")

    event.listen(connection, "before_cursor_execute", limit)
    try:
        yield
    except sa.exc.OperationalError as problem:
        if getattr(problem.orig, "sqlstate", None) == "57014":  # query_canceled: the statement timeout
            raise CountTooSlow from problem
        raise
    finally:
        event.remove(connection, "before_cursor_execute", limit)
        if connection.in_transaction() and not connection.invalidated:
            # in an aborted transaction this fails: the caller rolls it back, which ends the setting too
            with suppress(sa.exc.DBAPIError):
                connection.exec_driver_sql("SET LOCAL statement_timeout = DEFAULT")

"""What sending after a commit needs, for mail (services/mail/mail_delivery) and webhooks (services/webhooks/delivery)
alike: a session of its own to claim and mark what it sends, and the caller's read transaction ended first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from ... import database
from ...extensions import db


@contextmanager
def delivery_session() -> Iterator[Session]:
    """A session of its own (its own connection), so delivery commits never touch the caller's unit of work."""
    with database.writing(), Session(db.engine, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def end_open_read(what: str) -> None:
    """End a transaction the app's session left open after reading, whose lock (SQLite) delivery would wait for.
    A session holding changes is a mistake: `what` (mail, webhooks) is delivered after the change that queued it."""
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError(f"deliver {what} after committing the change that queued it")
        expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
        session.commit()
        session.expire_on_commit = expire_on_commit

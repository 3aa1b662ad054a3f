"""Delivering the outgoing-mail table (SPEC 6): claim, hand to the server, record; retries with back-off.

A message is marked `sending` (committed) before it goes to the server and `sent` after, so a process killed in
between leaves it `sending`: it is never sent again automatically (that could send it twice) but listed for a
coordinator to check (`stuck_messages`) and, if it never arrived, send again (`send_again`). A refusal or an
unreachable server puts it back in the queue for a later attempt, until the last one marks it `failed`.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import threading
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import MailStatus, OutgoingMail
from ...models.base import utcnow
from ..common.delivery_sessions import delivery_session, end_open_read

# Minutes to wait after the 1st, 2nd, ... failed attempt; the attempt after the last of these is the final one.
BACKOFF_MINUTES = (1, 5, 30, 120)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
# A message `sending` for longer than this was left by a process that died mid-send.
STUCK_AFTER = timedelta(minutes=10)


# What sending a message needs of its row.
_SENDABLE = (OutgoingMail.id, OutgoingMail.sender, OutgoingMail.recipients, OutgoingMail.raw)
# How a change's emails leave after its commit (config MAIL_DELIVERY): `inline` in the request, `thread` beside
# it, `scheduler` only by the scheduler's mail-delivery job (for deployments running `flask scheduler`).
DELIVERY_MODES = ("inline", "thread", "scheduler")


class MailError(RuntimeError):
    """The message could not be handed to the mail server; the text says why."""


def deliver(
    mail_ids: Sequence[int], now: datetime | None = None, claimed_already: bool = False
) -> dict[int, MailStatus]:
    """Deliver these messages if they are queued and due (another process may have taken them): their new status.

    `claimed_already`: the caller stored them as `sending` in a transaction it committed, so they are its own."""
    now = now or utcnow()
    with delivery_session() as session:
        rows: Sequence[sa.Row[int, str, str, bytes]]
        if claimed_already:
            rows = session.execute(
                sa.select(*_SENDABLE).where(OutgoingMail.id.in_(list(mail_ids))).order_by(OutgoingMail.id)
            ).all()
            session.commit()
        else:
            rows = _claim(session, mail_ids, now)
        if not rows:
            return {}
        claimed = [row.id for row in rows]
        errors: dict[int, str] = {}
        for mail_id, sender, recipients, raw in rows:
            try:
                _transport(mail_id, sender, recipients, raw)
            except MailError as error:
                errors[mail_id] = str(error)
        return _record(session, claimed, errors, now)


def deliver_pending(now: datetime | None = None, limit: int = 500) -> dict[int, MailStatus]:
    """Deliver every queued message whose next attempt is due (the scheduler's mail-delivery job, `reminders run`)."""
    now = now or utcnow()
    end_open_read("mail")
    with delivery_session() as session:
        due = session.scalars(
            sa.select(OutgoingMail.id)
            .where(OutgoingMail.status == MailStatus.QUEUED, OutgoingMail.next_attempt_at <= now)
            .order_by(OutgoingMail.id)
            .limit(limit)
        ).all()
        session.commit()
    return deliver(due, now) if due else {}


def deliver_after_commit(mail_ids: list[int]) -> None:
    """Deliver what a transaction queued, right after it committed; never raises (the scheduler retries)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    mode = app.config.get("MAIL_DELIVERY")
    if mode == "scheduler":  # the scheduler's mail-delivery job sends them, in batches
        return
    if mode == "thread":
        threading.Thread(target=_deliver_in_thread, args=(app, list(mail_ids)), daemon=True).start()
        return
    _deliver_logged(list(mail_ids))


def mail_to_check(now: datetime | None = None, limit: int = 100) -> tuple[list[OutgoingMail], list[OutgoingMail]]:
    """The messages a coordinator must look at, in one statement (the reminders page): those left `sending` by a
    process that stopped mid-send, oldest claim first, and the newest `limit` that failed their last attempt, newest
    first."""
    cutoff = (now or utcnow()) - STUCK_AFTER
    stuck = sa.and_(OutgoingMail.status == MailStatus.SENDING, OutgoingMail.claimed_at < cutoff)
    failed = sa.select(OutgoingMail.id).where(OutgoingMail.status == MailStatus.FAILED)
    newest_failed = failed.order_by(OutgoingMail.id.desc()).limit(limit)
    found = list(db.session.scalars(sa.select(OutgoingMail).where(sa.or_(stuck, OutgoingMail.id.in_(newest_failed)))))
    by_claim = sorted((m for m in found if m.status == MailStatus.SENDING), key=lambda m: m.claimed_at or cutoff)
    newest_first = sorted((m for m in found if m.status == MailStatus.FAILED), key=lambda m: -m.id)
    return by_claim, newest_first


def stuck_messages(now: datetime | None = None) -> list[OutgoingMail]:
    """Messages left `sending` by a process that stopped mid-send: a coordinator checks whether they arrived."""
    return mail_to_check(now)[0]


def failed_messages(limit: int = 100) -> list[OutgoingMail]:
    """Messages that failed their last attempt, newest first."""
    return mail_to_check(limit=limit)[1]


def send_again(mail_id: int, now: datetime | None = None) -> bool:
    """Put a stuck or failed message back in the queue (a coordinator checked it never arrived); committed."""
    now = now or utcnow()
    result = db.session.execute(
        sa.update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.status.in_([MailStatus.SENDING, MailStatus.FAILED]))
        .values(status=MailStatus.QUEUED, attempts=0, next_attempt_at=now, claimed_at=None)
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def last_error(mail_id: int) -> str | None:
    """Why the message's last attempt failed, if it did."""
    with delivery_session() as session:
        return session.scalar(sa.select(OutgoingMail.last_error).where(OutgoingMail.id == mail_id))


def _claim(session: Session, mail_ids: Sequence[int], now: datetime) -> Sequence[sa.Row[int, str, str, bytes]]:
    """Mark the due, queued ones `sending` and commit: only one process can claim a message. Returns what
    sending needs of each claimed one, in id order, from the same statement."""
    if not mail_ids:
        return []
    result = session.execute(
        sa.update(OutgoingMail)
        .where(
            OutgoingMail.id.in_(list(mail_ids)),
            OutgoingMail.status == MailStatus.QUEUED,
            OutgoingMail.next_attempt_at <= now,
        )
        .values(status=MailStatus.SENDING, attempts=OutgoingMail.attempts + 1, claimed_at=now)
        .returning(*_SENDABLE)
    )
    claimed = sorted(result.all(), key=lambda row: row.id)
    session.commit()
    return claimed


def _record(session: Session, claimed: list[int], errors: dict[int, str], now: datetime) -> dict[int, MailStatus]:
    """Mark the delivered ones `sent` and put the others back for their next attempt (or `failed`), in one commit."""
    sent = [mail_id for mail_id in claimed if mail_id not in errors]
    outcome = dict.fromkeys(sent, MailStatus.SENT)
    if sent:
        session.execute(
            sa.update(OutgoingMail)
            .where(OutgoingMail.id.in_(sent))
            .values(status=MailStatus.SENT, sent_at=now, last_error=None)
        )
    attempts: dict[int, int] = {}
    if errors:
        query = sa.select(OutgoingMail.id, OutgoingMail.attempts).where(OutgoingMail.id.in_(list(errors)))
        attempts = {int(row.id): int(row.attempts) for row in session.execute(query)}
    for mail_id, error in errors.items():
        tried = attempts.get(mail_id, MAX_ATTEMPTS)
        status = MailStatus.FAILED if tried >= MAX_ATTEMPTS else MailStatus.QUEUED
        wait = timedelta(minutes=BACKOFF_MINUTES[min(tried, len(BACKOFF_MINUTES)) - 1])
        session.execute(
            sa.update(OutgoingMail)
            .where(OutgoingMail.id == mail_id)
            .values(status=status, next_attempt_at=now + wait, last_error=error[:2000])
        )
        outcome[mail_id] = status
        current_app.logger.warning("email %s not delivered (attempt %s, now %s): %s", mail_id, tried, status, error)
    session.commit()
    return outcome


def _transport(mail_id: int, sender: str, recipients: str, raw: bytes) -> None:
    config = current_app.config
    if config.get("MAIL_OUTBOX") or not config.get("MAIL_SERVER"):
        _write_to_outbox(mail_id, raw, Path(config.get("MAIL_OUTBOX") or Path(current_app.instance_path) / "outbox"))
    else:
        _send_by_smtp(parseaddr(sender)[1] or sender, [a.strip() for a in recipients.split(",") if a.strip()], raw)


def _write_to_outbox(mail_id: int, raw: bytes, folder: Path) -> Path:
    """One .eml per message, written whole (a temporary name, then renamed) so a reader never sees half of one."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{mail_id:010d}-{uuid.uuid4().hex[:8]}.eml"
        partial = folder / f".{path.name}.partial"
        partial.write_bytes(raw)
        os.replace(partial, path)
    except OSError as exc:
        raise MailError(f"could not write to the outbox {folder}: {exc}") from exc
    return path


def _send_by_smtp(sender: str, recipients: list[str], raw: bytes) -> None:
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            refused = smtp.sendmail(sender, recipients, raw)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"could not send email through {config['MAIL_SERVER']}: {exc}") from exc
    if refused:
        current_app.logger.warning("the mail server refused some recipients: %s", sorted(refused))


def _deliver_logged(mail_ids: list[int]) -> None:
    try:
        deliver(mail_ids)
    except Exception:  # the messages stay in the table; the scheduler's mail-delivery job delivers them
        current_app.logger.exception("delivery after commit failed for emails %s", mail_ids)


def _deliver_in_thread(app: Flask, mail_ids: list[int]) -> None:
    with app.app_context():
        _deliver_logged(mail_ids)

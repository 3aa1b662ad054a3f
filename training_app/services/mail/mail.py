"""Email that is never lost or sent twice (SPEC 6): every message is first written to the outgoing-mail table in the
transaction of the change that caused it, then delivered right after that transaction commits (and by the
scheduler for anything left), by SMTP or as one .eml file per message in the outbox folder.

`queue_email` joins the caller's transaction: the message exists exactly when the change does. `send_email` is the
older call made after a commit: when the caller's session has writes pending it queues the same way, otherwise it
stores the message in a short transaction of its own and delivers it at once, raising MailError if that failed (the
message stays queued and is retried). Delivery lives in `services/mail/mail_delivery.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email import encoders
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, getaddresses, make_msgid, parseaddr
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from ... import database
from ...extensions import db
from ...models import MailStatus, OutgoingMail
from ...models.base import utcnow
from ...validation import one_line
from ..common.calendar import LONDON
from . import mail_delivery
from .mail_delivery import MailError

__all__ = ["Attachment", "MailError", "build_message", "queue_email", "send_email"]

_AFTER_COMMIT = "mail_after_commit"
# Text parts in UTF-8, quoted-printable: readable as plain text wherever it is ASCII.
_TEXT_CHARSET = Charset("utf-8")
_TEXT_CHARSET.body_encoding = QP
_WROTE = "mail_session_wrote"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, e.g. a booking's .ics."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


def build_message(
    to: Sequence[str],
    subject: str,
    body: str,
    cc: Iterable[str] = (),
    attachments: Iterable[Attachment] = (),
    html: str | None = None,
) -> Message:
    """A plain-text message with an HTML alternative (as given, or the text's paragraphs through the
    `emails/message.html` template) from the configured sender, with its Message-ID; files make it
    multipart/mixed. Built with the `email.mime` classes: the same MIME as `EmailMessage`, in a third of the time
    (every booking builds one). An address that is not ASCII goes through `EmailMessage`, which encodes it. Never
    raises on what people typed: control characters in the subject and addresses become spaces."""
    # Titles and names reach the subject and display names; one saved before they were checked at input may hold a
    # line break, which would end the header (or start another), so every control character becomes a space.
    sender, subject = one_line(current_app.config["MAIL_DEFAULT_SENDER"]), one_line(subject)
    to = [one_line(address) for address in to]
    html = html if html is not None else html_of_text(subject, body)
    copied = [address for address in dict.fromkeys(one_line(address) for address in cc) if address not in to]
    if not all(address.isascii() for address in (*to, *copied, parseaddr(sender)[1])):
        return _email_message(sender, to, copied, subject, body, html, attachments)
    alternative = MIMEMultipart("alternative", boundary=_boundary())
    alternative.attach(MIMEText(body, "plain", _TEXT_CHARSET))  # type: ignore[arg-type]  # a Charset is accepted
    alternative.attach(MIMEText(html, "html", _TEXT_CHARSET))  # type: ignore[arg-type]
    files = list(attachments)
    message = alternative
    if files:
        message = MIMEMultipart("mixed", boundary=_boundary())
        message.attach(alternative)
        for attachment in files:
            message.attach(_attachment_part(attachment))
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # the email.mime classes give every part one; only the message needs it
    _address_headers(message, sender, to, copied)
    message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")  # type: ignore[assignment]
    message["Date"] = _date_now()
    message["Message-ID"] = make_msgid(domain=_sender_domain())
    return message


def _email_message(
    sender: str,
    to: Sequence[str],
    copied: list[str],
    subject: str,
    body: str,
    html: str,
    attachments: Iterable[Attachment],
) -> EmailMessage:
    """The same message through `EmailMessage`, whose header registry encodes addresses that are not ASCII."""
    message = EmailMessage()
    _address_headers(message, sender, to, copied)
    message["Subject"] = subject
    message["Date"] = _date_now()
    message["Message-ID"] = make_msgid(domain=_sender_domain())
    message.set_content(body)
    message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


def _date_now() -> str:
    """The Date header: now in London, with its offset (+0000 in winter, +0100 in summer; never -0000, which says
    the sender's zone is unknown, RFC 5322 3.3)."""
    return format_datetime(datetime.now(LONDON))


def _address_headers(message: Message, sender: str, to: Sequence[str], copied: list[str]) -> None:
    message["From"] = _address(sender) if isinstance(message, MIMEBase) else sender
    message["To"] = ", ".join(to)
    if copied:
        message["Cc"] = ", ".join(copied)


def _boundary() -> str:
    """A MIME boundary that no encoded part can contain: "=_" is neither quoted-printable nor base64 (RFC 2045),
    so the generator need not search the parts for it, as it does for a boundary it makes itself."""
    return f"=_{uuid.uuid4().hex}"


def _attachment_part(attachment: Attachment) -> MIMEBase:
    """A file as a base64 MIME part; parameters in its type (`text/calendar; method=REQUEST`) are kept."""
    kind, *parameters = [piece.strip() for piece in attachment.mime_type.split(";")]
    maintype, _, subtype = kind.partition("/")
    values = dict(parameter.partition("=")[::2] for parameter in parameters if "=" in parameter)
    part = MIMEBase(maintype, subtype or "octet-stream", **values)  # type: ignore[arg-type]  # parameters
    part.set_payload(attachment.content)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


def _address(value: str) -> str:
    """An address header's value, its display name encoded when it is not ASCII."""
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address or value


def html_of_text(subject: str, body: str) -> str:
    """The HTML alternative of a plain-text body: its paragraphs, with line breaks and links."""
    paragraphs = [block.splitlines() for block in body.strip().split("\n\n") if block.strip()]
    return render_template("emails/message.html", subject=subject, paragraphs=paragraphs)


def queue_email(
    to: Sequence[str],
    subject: str,
    body: str,
    cc: Iterable[str] = (),
    attachments: Iterable[Attachment] = (),
    html: str | None = None,
    dedupe_key: str | None = None,
) -> Message | None:
    """Write a message to the outgoing-mail table in the caller's open transaction; it is delivered after the
    caller commits (and never if it rolls back). With a `dedupe_key` already queued once, nothing is written and
    None is returned."""
    if not to:
        raise MailError("a message needs at least one recipient")
    message = build_message(to, subject, body, cc, attachments, html)
    session = db.session()
    mail_id = _store(session, message, dedupe_key)
    if mail_id is None:
        return None
    session.info.setdefault(_AFTER_COMMIT, []).append(mail_id)
    return message


def send_email(
    to: Sequence[str],
    subject: str,
    body: str,
    cc: Iterable[str] = (),
    attachments: Iterable[Attachment] = (),
    html: str | None = None,
) -> Message:
    """Store one message and deliver it: to the outbox when MAIL_OUTBOX is set or no MAIL_SERVER is, else by SMTP.

    Inside a unit of work that has written and not yet committed, the message joins it (`queue_email`). Otherwise
    it is stored in a transaction of its own and delivered now; MailError says delivery failed (it will be retried).
    """
    session = db.session()
    if _has_pending_writes(session):
        message = queue_email(to, subject, body, cc, attachments, html)
        assert message is not None  # no dedupe key, so always queued
        return message
    if not to:
        raise MailError("a message needs at least one recipient")
    message = build_message(to, subject, body, cc, attachments, html)
    with _own_transaction(session):  # stored already claimed: one write transaction fewer before it goes
        mail_id = _store(session, message, None, claimed=True)
    assert mail_id is not None
    status = mail_delivery.deliver([mail_id], claimed_already=True)
    if status.get(mail_id) != MailStatus.SENT:
        raise MailError(mail_delivery.last_error(mail_id) or "the message could not be delivered")
    return message


# Built once (every booking writes one): a plain insert, and one that does nothing when the dedupe key is taken.
_INSERT = sa.insert(OutgoingMail).returning(OutgoingMail.id)
_INSERT_ONCE: dict[str, Any] = {
    module.dialect.name: module.insert(OutgoingMail)
    .on_conflict_do_nothing(index_elements=["dedupe_key"])
    .returning(OutgoingMail.id)
    for module in (postgresql, sqlite)
}


def _store(session: Session, message: Message, dedupe_key: str | None, claimed: bool = False) -> int | None:
    """Insert the message's row in the session's transaction; None when its dedupe key was already used."""
    recipients = [address for _, address in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))]
    values: dict[str, Any] = {
        "message_id": str(message["Message-ID"]),
        "dedupe_key": dedupe_key,
        "status": MailStatus.SENDING if claimed else MailStatus.QUEUED,
        "sender": str(message["From"]),
        "recipients": ", ".join(recipients),
        "subject": str(message["Subject"])[:300],
        "raw": bytes(message),
        "attempts": 1 if claimed else 0,
        "next_attempt_at": utcnow(),
        "claimed_at": utcnow() if claimed else None,
        "created_at": utcnow(),
    }
    statement = _INSERT if dedupe_key is None else _INSERT_ONCE[session.get_bind().dialect.name]
    return session.execute(statement, values).scalar_one_or_none()


def _has_pending_writes(session: Session) -> bool:
    """Whether the session's open transaction holds changes its caller has still to commit."""
    if not session.in_transaction():
        return False
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


@contextmanager
def _own_transaction(session: Session) -> Iterator[None]:
    """A committed write transaction for the body, in the caller's session, keeping what the caller has loaded.

    Nothing of the caller's is pending (checked before), so ending a transaction it left open only ends a read; on
    SQLite a fresh BEGIN IMMEDIATE follows, and a second connection is never needed (it could wait for this one).
    """
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        with database.writing():
            session.commit()
            yield
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.expire_on_commit = expire_on_commit


def _sender_domain() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.rpartition("@")[2].strip(">") or "localhost"


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, flush_context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    session.info.pop(_WROTE, None)
    queued = session.info.pop(_AFTER_COMMIT, None)
    if queued:
        mail_delivery.deliver_after_commit(queued)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_WROTE, None)
    session.info.pop(_AFTER_COMMIT, None)

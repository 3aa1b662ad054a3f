"""Email: SMTP delivery, or one .eml file per message in the outbox folder for development (SPEC 6)."""

from __future__ import annotations

import smtplib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, e.g. a booking's .ics."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


class MailError(RuntimeError):
    """The message could not be handed to the mail server; the text says why."""


def build_message(
    to: Sequence[str],
    subject: str,
    body: str,
    cc: Iterable[str] = (),
    attachments: Iterable[Attachment] = (),
) -> EmailMessage:
    """A plain-text message from the configured sender."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = ", ".join(to)
    copied = [address for address in cc if address not in to]
    if copied:
        message["Cc"] = ", ".join(copied)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=_sender_domain())
    message.set_content(body)
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


def send_email(
    to: Sequence[str],
    subject: str,
    body: str,
    cc: Iterable[str] = (),
    attachments: Iterable[Attachment] = (),
) -> EmailMessage:
    """Build and deliver one message: to the outbox when MAIL_OUTBOX is set or no MAIL_SERVER is, else by SMTP."""
    if not to:
        raise MailError("a message needs at least one recipient")
    message = build_message(to, subject, body, cc, attachments)
    config = current_app.config
    if config.get("MAIL_OUTBOX") or not config.get("MAIL_SERVER"):
        _write_to_outbox(message, Path(config.get("MAIL_OUTBOX") or Path(current_app.instance_path) / "outbox"))
    else:
        _send_by_smtp(message)
    return message


def _write_to_outbox(message: EmailMessage, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.eml"
    path.write_bytes(bytes(message))
    return path


def _send_by_smtp(message: EmailMessage) -> None:
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"could not send email through {config['MAIL_SERVER']}: {exc}") from exc


def _sender_domain() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.rpartition("@")[2].strip(">") or "localhost"

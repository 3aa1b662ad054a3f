"""Reading the emails the app wrote to its MAIL_OUTBOX folder, and the links in them."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from flask import Flask

LINK = re.compile(r"https?://\S+")


def emails_to(app: Flask, address: str) -> list[EmailMessage]:
    """Every message in the outbox addressed to this address, oldest first."""
    folder = Path(app.config["MAIL_OUTBOX"])
    files = sorted(folder.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns) if folder.exists() else []
    messages = [message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]
    wanted = address.strip().lower()
    return [message for message in messages if wanted in _addresses(message["To"])]


def _addresses(header: str) -> list[str]:
    return [part.strip().lower() for part in header.split(",")]


def body_of(message: EmailMessage) -> str:
    """The plain-text body."""
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage) -> str:
    """The one link in the message's body."""
    [link] = LINK.findall(body_of(message))
    return link

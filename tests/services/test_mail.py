"""Email goes to the outbox folder in development and through a real SMTP server when one is set."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from training_app import create_app
from training_app.services.mail import Attachment, MailError, send_email


class _Collector:
    """An SMTP handler that keeps what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, collector
    controller.stop()


def _app(tmp_path, **mail):
    return create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://", **mail})


def test_without_a_mail_server_each_message_is_an_eml_file_in_the_outbox(tmp_path):
    outbox = tmp_path / "outbox"
    app = _app(tmp_path, MAIL_SERVER="", MAIL_OUTBOX=str(outbox), MAIL_DEFAULT_SENDER="training@leics.example")
    with app.app_context():
        send_email(
            ["pat@school.example"],
            "You are booked on CAF-2008-014",
            "See you on 1 October.",
            cc=["booker@school.example"],
            attachments=[Attachment("session.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
        )
    [saved] = list(outbox.glob("*.eml"))
    message = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert message["To"] == "pat@school.example"
    assert message["Cc"] == "booker@school.example"
    assert message["From"] == "training@leics.example"
    assert message["Subject"] == "You are booked on CAF-2008-014"
    assert message.get_body(("plain",)).get_content().strip() == "See you on 1 October."
    [ics] = list(message.iter_attachments())
    assert ics.get_filename() == "session.ics" and ics.get_content_type() == "text/calendar"


def test_with_a_mail_server_the_message_is_delivered_by_smtp(tmp_path, smtp_server):
    controller, collector = smtp_server
    app = _app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_OUTBOX="")
    with app.app_context():
        send_email(["pat@school.example"], "Reminder", "Your CAF training is due.", cc=["booker@school.example"])
    [envelope] = collector.envelopes
    assert sorted(envelope.rcpt_tos) == ["booker@school.example", "pat@school.example"]
    assert b"Your CAF training is due." in envelope.content
    assert not (tmp_path / "outbox").exists()


def test_an_unreachable_mail_server_is_a_clear_error(tmp_path):
    app = _app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port(), MAIL_OUTBOX="")
    with app.app_context(), pytest.raises(MailError, match="could not send email through 127.0.0.1"):
        send_email(["pat@school.example"], "Reminder", "Body")

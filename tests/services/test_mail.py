"""Email goes through the outgoing-mail table: to the outbox folder in development, through a real SMTP server
when one is set; retried with back-off, never sent twice, and a message left `sending` is not sent again."""

from __future__ import annotations

import email
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from aiosmtpd.controller import Controller

from training_app.extensions import db
from training_app.jobs import tasks
from training_app.models import MailStatus, OutgoingMail
from training_app.models.base import utcnow
from training_app.services.mail import mail_delivery
from training_app.services.mail.mail import Attachment, MailError, queue_email, send_email


class _Collector:
    """An SMTP handler that keeps what it receives; it can refuse the first messages with a 451."""

    def __init__(self, refuse_first: int = 0):
        self.envelopes = []
        self.refusals_left = refuse_first

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refusals_left:
            self.refusals_left -= 1
            return "451 Requested action aborted: try again later"
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(collector):
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    return controller


@pytest.fixture
def smtp_app(app, app_ctx, monkeypatch, tmp_path):
    """The app delivering to a real SMTP server started for the test (aiosmtpd); it refuses what `refuse` says."""
    collector = _Collector()
    controller = _serve(collector)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", "")
    yield collector
    controller.stop()


@pytest.fixture
def outbox(app, app_ctx, monkeypatch, tmp_path) -> Path:
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(folder))
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "training@leics.example")
    return folder


def _rows() -> list[OutgoingMail]:
    db.session.expire_all()
    rows = list(db.session.scalars(sa.select(OutgoingMail).order_by(OutgoingMail.id)))
    db.session.commit()  # end the read, so delivery (its own connection) can write
    return rows


def test_without_a_mail_server_each_message_is_an_eml_file_in_the_outbox(outbox):
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
    [row] = _rows()
    assert row.status == MailStatus.SENT and row.message_id == message["Message-ID"] and row.attempts == 1


@pytest.mark.parametrize(
    ("moment", "offset"),
    [(datetime(2027, 1, 14, 9, 30, tzinfo=UTC), "+0000"), (datetime(2027, 7, 15, 9, 30, tzinfo=UTC), "+0100")],
    ids=["GMT", "BST"],
)
@pytest.mark.parametrize("to", ["pat@school.example", "zoë@school.example"], ids=["ascii", "not-ascii"])
def test_the_date_header_is_london_time_with_its_offset(outbox, moment, offset, to):
    with time_machine.travel(moment, tick=False):
        send_email([to], "Reminder", "Plain words.")
    [saved] = list(outbox.glob("*.eml"))
    date_header = email.message_from_bytes(saved.read_bytes(), policy=policy.default)["Date"]
    assert date_header.endswith(offset)
    assert parsedate_to_datetime(date_header) == moment


def test_a_message_may_carry_an_html_body_beside_the_plain_text(outbox):
    send_email(["pat@school.example"], "Reminder", "Plain words.", html="<p>Plain <b>words</b>.</p>")
    [saved] = list(outbox.glob("*.eml"))
    message = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert message.get_body(("plain",)).get_content().strip() == "Plain words."
    assert "<b>words</b>" in message.get_body(("html",)).get_content()


def test_a_plain_text_message_gets_an_html_alternative_of_its_paragraphs_with_links(outbox):
    send_email(
        ["pat@school.example"],
        "You are booked <on> CAF-1",
        "Dear Pat,\n\nYou are booked on CAF-1 & more.\nSee https://training.example/sessions/CAF-1\n",
    )
    [saved] = list(outbox.glob("*.eml"))
    message = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    html = message.get_body(("html",)).get_content()
    assert "<p>Dear Pat,</p>" in html and "<title>You are booked &lt;on&gt; CAF-1</title>" in html
    assert "You are booked on CAF-1 &amp; more.<br>" in html
    assert '<a href="https://training.example/sessions/CAF-1"' in html
    assert message.get_body(("plain",)).get_content().startswith("Dear Pat,")


def test_with_a_mail_server_the_message_is_delivered_by_smtp(smtp_app, tmp_path):
    send_email(["pat@school.example"], "Reminder", "Your CAF training is due.", cc=["booker@school.example"])
    [envelope] = smtp_app.envelopes
    assert sorted(envelope.rcpt_tos) == ["booker@school.example", "pat@school.example"]
    assert b"Your CAF training is due." in envelope.content
    assert not (tmp_path / "outbox").exists()


def test_an_unreachable_mail_server_is_a_clear_error_and_the_message_waits_for_a_retry(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", "")
    with pytest.raises(MailError, match="could not send email through 127.0.0.1"):
        send_email(["pat@school.example"], "Reminder", "Body")
    [row] = _rows()
    assert row.status == MailStatus.QUEUED and row.attempts == 1 and "could not send" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=30)  # backed off, not retried at once


def test_a_server_that_refuses_and_then_accepts_gets_the_message_once_after_the_back_off(smtp_app):
    smtp_app.refusals_left = 1
    with pytest.raises(MailError):
        send_email(["pat@school.example"], "Reminder", "Your CAF training is due.")
    assert mail_delivery.deliver_pending() == {}  # not due yet
    later = utcnow() + timedelta(minutes=2)
    [(mail_id, status)] = mail_delivery.deliver_pending(later).items()
    assert status == MailStatus.SENT and len(smtp_app.envelopes) == 1
    assert mail_delivery.deliver_pending(later + timedelta(hours=1)) == {}
    assert len(smtp_app.envelopes) == 1


def test_after_the_last_attempt_a_message_is_failed_and_listed(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", "")
    with pytest.raises(MailError):
        send_email(["pat@school.example"], "Reminder", "Body")
    moment = utcnow()
    for _ in range(mail_delivery.MAX_ATTEMPTS - 1):
        moment += timedelta(hours=3)
        mail_delivery.deliver_pending(moment)
    [row] = _rows()
    assert row.status == MailStatus.FAILED and row.attempts == mail_delivery.MAX_ATTEMPTS
    assert [m.id for m in mail_delivery.failed_messages()] == [row.id]


def test_queued_mail_is_delivered_after_the_commit_and_never_when_the_change_rolls_back(outbox):
    queue_email(["gone@school.example"], "Never", "This change was rolled back.")
    db.session.rollback()
    assert _rows() == [] and not list(outbox.glob("*.eml"))
    queue_email(["pat@school.example"], "Booked", "Committed with its change.")
    assert not list(outbox.glob("*.eml"))  # nothing leaves before the commit
    db.session.commit()
    assert len(list(outbox.glob("*.eml"))) == 1
    assert [row.status for row in _rows()] == [MailStatus.SENT]


def test_send_email_inside_an_uncommitted_change_joins_its_transaction(outbox):
    db.session.add(OutgoingMail(message_id="<other@x>", sender="a@x", recipients="b@x", subject="s", raw=b"x"))
    db.session.flush()
    send_email(["pat@school.example"], "Booked", "Joins the change.")
    assert not list(outbox.glob("*.eml"))
    db.session.rollback()
    assert _rows() == []


def test_a_dedupe_key_queues_a_message_once(outbox):
    assert queue_email(["pat@school.example"], "Due", "Once.", dedupe_key="refresher:1:due") is not None
    db.session.commit()
    assert queue_email(["pat@school.example"], "Due", "Twice?", dedupe_key="refresher:1:due") is None
    db.session.commit()
    assert len(list(outbox.glob("*.eml"))) == 1


def test_a_message_left_sending_by_a_killed_process_is_not_sent_again_but_listed(outbox, monkeypatch):
    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies after handing the message over, before recording it

    record = mail_delivery._record
    monkeypatch.setattr(mail_delivery, "_record", killed)
    queue_email(["pat@school.example"], "Booked", "Handed over once.")
    with pytest.raises(KeyboardInterrupt):
        db.session.commit()
    monkeypatch.setattr(mail_delivery, "_record", record)
    db.session.remove()  # the "killed" process's session is gone with it
    assert len(list(outbox.glob("*.eml"))) == 1
    [row] = _rows()
    assert row.status == MailStatus.SENDING
    assert mail_delivery.deliver_pending(utcnow() + timedelta(days=1)) == {}
    assert len(list(outbox.glob("*.eml"))) == 1
    assert mail_delivery.stuck_messages() == []  # not yet: it may still be on its way
    [stuck] = mail_delivery.stuck_messages(utcnow() + timedelta(minutes=11))
    assert stuck.id == row.id
    assert mail_delivery.send_again(row.id)  # a coordinator checked: it never arrived
    mail_delivery.deliver_pending()
    assert len(list(outbox.glob("*.eml"))) == 2 and _rows()[0].status == MailStatus.SENT


def test_two_deliveries_of_the_same_message_at_once_send_it_once(app, outbox):
    queue_email(["pat@school.example"], "Booked", "Once only.")
    [mail_id] = db.session.info["mail_after_commit"]
    db.session.info["mail_after_commit"] = []  # deliver it from two threads instead of after the commit
    db.session.commit()
    results = []

    def deliver():
        with app.app_context():
            results.append(mail_delivery.deliver([mail_id]))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(result) for result in results) == [0, 0, 0, 1]
    assert len(list(outbox.glob("*.eml"))) == 1


KILLED_MID_SEND = """
import os, sys
from training_app import create_app
from training_app.extensions import db
from training_app.jobs import tasks
from training_app.services.mail import mail_delivery
from training_app.services.mail.mail import queue_email

config = {"SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "x", "MAIL_SERVER": "", "MAIL_OUTBOX": sys.argv[2]}
app = create_app(config)
mail_delivery._record = lambda *args: os._exit(9)  # the process dies after the hand-over, before recording it
with app.app_context():
    queue_email(["pat@school.example"], "Booked", "Handed over once.")
    db.session.commit()
"""


def test_a_process_killed_between_send_and_record_leaves_the_message_for_a_coordinator(app, outbox):
    script = subprocess.run(
        [sys.executable, "-c", KILLED_MID_SEND, app.config["SQLALCHEMY_DATABASE_URI"], str(outbox)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert script.returncode == 9, script.stderr
    assert len(list(outbox.glob("*.eml"))) == 1
    [row] = _rows()
    assert row.status == MailStatus.SENDING
    assert mail_delivery.deliver_pending(utcnow() + timedelta(days=1)) == {}
    assert len(list(outbox.glob("*.eml"))) == 1
    assert [m.id for m in mail_delivery.stuck_messages(utcnow() + timedelta(hours=1))] == [row.id]


def test_thread_delivery_sends_beside_the_request_after_the_commit(app, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "thread")
    queue_email(["pat@school.example"], "Booked", "Sent beside the request.")
    db.session.commit()
    deadline = time.monotonic() + 20
    while not list(outbox.glob("*.eml")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(list(outbox.glob("*.eml"))) == 1
    while _rows()[0].status != MailStatus.SENT and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _rows()[0].status == MailStatus.SENT


def test_scheduler_delivery_leaves_a_change_s_emails_to_the_mail_delivery_job(app, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "scheduler")
    queue_email(["pat@school.example"], "Booked", "Sent by the scheduler.")
    queue_email(["sam@school.example"], "Waiting", "Sent in the same batch.")
    db.session.commit()
    assert list(outbox.glob("*.eml")) == []
    assert [row.status for row in _rows()] == [MailStatus.QUEUED, MailStatus.QUEUED]
    assert tasks.deliver_mail() == 2
    assert len(list(outbox.glob("*.eml"))) == 2
    assert [row.status for row in _rows()] == [MailStatus.SENT, MailStatus.SENT]


@pytest.mark.parametrize("to", ["zoe@school.example", "zoë@school.example"])
def test_names_subjects_and_addresses_beyond_ascii_arrive_as_written(outbox, to):
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    send_email(
        [to],
        "Réservé: CAF for Zoë",
        "Zoë Ångström has a place.\n\n" + "A long line " * 200,
        cc=["booker@school.example", to],
        attachments=[Attachment("CAF-1.ics", ics, "text/calendar; method=REQUEST")],
    )
    [saved] = list(outbox.glob("*.eml"))
    message = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Réservé: CAF for Zoë"
    assert message["Cc"] == "booker@school.example"
    assert message.get_body(("plain",)).get_content().startswith("Zoë Ångström has a place.\n\nA long line A long")
    assert "Zoë Ångström has a place." in message.get_body(("html",)).get_content()
    [calendar] = list(message.iter_attachments())
    assert calendar.get_content_type() == "text/calendar" and calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "CAF-1.ics" and calendar.get_content().encode() == ics
    assert _rows()[0].recipients == f"{to}, booker@school.example"

"""The reminders page: the next run's preview, the log, and stuck or failed emails to send again."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_course, make_practitioner, make_record, make_user
from tests.web.helpers import h1_of, signed_in
from training_app.extensions import db
from training_app.jobs.process import build_scheduler
from training_app.models import MailStatus, OutgoingMail, Role
from training_app.models.base import utcnow
from training_app.services.common.calendar import london_today
from training_app.services.reminders.reminders import run_reminders
from training_app.services.reminders.scheduler_heartbeat import record_heartbeat


def _page_data(app):
    with app.app_context():
        make_user(Role.COORDINATOR, email="coord@council.example")
        course = make_course(code="CAF-R", validity_months=36)
        make_record(make_practitioner(email="due@school.example"), course, london_today(), expires_on=london_today())
        soon = london_today() + timedelta(days=10)
        make_record(make_practitioner(email="soon@school.example"), course, london_today(), expires_on=soon)
        stuck = OutgoingMail(
            message_id="<stuck@x>",
            sender="t@x",
            recipients="lost@school.example",
            subject="Booked: CAF",
            raw=b"Subject: x\r\n\r\nx",
            status=MailStatus.SENDING,
            attempts=1,
            claimed_at=utcnow() - timedelta(hours=1),
        )
        db.session.add(stuck)
        db.session.commit()
        return stuck.id


def test_a_coordinator_sees_the_next_run_the_log_and_stuck_mail_and_can_send_it_again(
    app, client, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(tmp_path))
    stuck_id = _page_data(app)
    signed_in(client, "coord@council.example")
    page = client.get("/reminders")
    assert page.status_code == 200 and h1_of(page) == "Reminders"
    html = page.get_data(as_text=True)
    assert "2 reminders would be sent" in html
    assert "due@school.example" in html and "soon@school.example" in html
    assert "lost@school.example" in html and "&lt;stuck@x&gt;" in html
    with app.app_context():
        run_reminders(london_today())
    html = client.get("/reminders").get_data(as_text=True)
    assert "Nothing is due." in html and "refresher:" in html
    answer = client.post(f"/reminders/mail/{stuck_id}/send-again", data={"csrf_token": csrf_token_from(html)})
    assert answer.status_code == 302
    with app.app_context():
        status = db.session.scalar(sa.select(OutgoingMail.status).where(OutgoingMail.id == stuck_id))
    assert status == MailStatus.QUEUED


def test_the_page_says_plainly_when_no_scheduler_is_running_and_when_one_last_ran(app, client):
    with app.app_context():
        make_user(Role.COORDINATOR, email="coord@council.example")
        db.session.commit()
    signed_in(client, "coord@council.example")
    never = client.get("/reminders").get_data(as_text=True)
    assert "The scheduler is not running, so no reminders or queued emails are being sent." in never
    assert "It has never run." in never and "flask --app training_app scheduler" in never

    with app.app_context():
        record_heartbeat("deliver_mail", now=utcnow() - timedelta(minutes=20))
    stopped = client.get("/reminders").get_data(as_text=True)
    assert "The scheduler is not running" in stopped and "It last ran at" in stopped

    with app.app_context():
        build_scheduler(app).get_job("mail-delivery").func()  # a job run by the scheduler notes its heartbeat
    running = client.get("/reminders").get_data(as_text=True)
    assert "The scheduler is running: it last ran at" in running and "is not running" not in running

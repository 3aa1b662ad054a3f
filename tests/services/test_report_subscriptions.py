"""Report subscriptions (SPEC 3.11, issue 23): a subscriber gets their scoped workbook once per period, weekly from
Monday 07:30 London time or monthly from the 1st; a switched-off account nothing; a role that may no longer read the
report nothing, and the subscription ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from io import BytesIO

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories import london, make_authority, make_course, make_practitioner, make_record, make_user
from tests.outbox import body_of, emails_to, link_in
from training_app.extensions import db
from training_app.models import AuditEvent, Frequency, OutgoingMail, ReportSubscription, Role, SubscribedReport
from training_app.services.reporting import subscription_mail
from training_app.services.reporting.subscription_mail import send_due_subscriptions
from training_app.services.reporting.subscriptions import (
    SubscriptionRefused,
    current_period,
    first_sending,
    period_containing,
    set_subscription,
)

pytestmark = pytest.mark.usefixtures("app_ctx")

MONDAY = date(2027, 3, 15)  # a Monday in GMT
SUMMER_MONDAY = date(2027, 7, 5)  # a Monday in BST: 07:30 London is 06:30 UTC
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def at(day: date, hour: int = 7, minute: int = 30) -> datetime:
    return london(day, time(hour, minute))


def subscribe(user, report=SubscribedReport.TRAINED_BY_AREA, frequency=Frequency.WEEKLY, since=None):
    """A subscription chosen at `since` (by default well before any period the tests send)."""
    since = since or datetime(2027, 1, 1, tzinfo=UTC)
    subscription = ReportSubscription(user=user, report=report, frequency=frequency, created_at=since)
    subscription.frequency_since = since
    db.session.add(subscription)
    db.session.commit()
    return subscription


@pytest.fixture
def partnership():
    """Leicester and Rutland, each with one person trained in 2026; a lead of Leicester."""
    leicester = make_authority("LEICESTER", "Leicester", order=3)
    rutland = make_authority("RUTLAND", "Rutland", order=1)
    caf = make_course(code="CAF", counts_as_trained=True)
    for authority, email in ((leicester, "lee@example.org"), (rutland, "rue@example.org")):
        make_record(make_practitioner(authorities=[authority], email=email), caf, date(2026, 6, 1))
    lead = make_user(Role.WORKFORCE_LEAD, authorities=[leicester])
    db.session.commit()
    return {"leicester": leicester, "rutland": rutland, "lead": lead}


def mails_with_key_prefix(prefix: str = "subscription:") -> list[OutgoingMail]:
    query = sa.select(OutgoingMail).where(OutgoingMail.dedupe_key.like(f"{prefix}%")).order_by(OutgoingMail.id)
    return list(db.session.scalars(query))


def workbook_of(message) -> tuple[str, str, openpyxl.Workbook]:
    [attachment] = list(message.iter_attachments())
    workbook = openpyxl.load_workbook(BytesIO(attachment.get_content()), read_only=True)
    return attachment.get_filename(), attachment.get_content_type(), workbook


def by_authority(workbook) -> dict[str, int]:
    rows = list(workbook["By authority"].iter_rows(min_row=2, values_only=True))
    return {label: trained for label, trained, *_ in rows}


def test_periods_start_on_monday_and_the_first_at_half_past_seven_london():
    week = period_containing(Frequency.WEEKLY, date(2027, 3, 18))
    assert (week.first_day, week.last_day, week.key, week.label) == (
        MONDAY,
        date(2027, 3, 21),
        "2027-W11",
        "week beginning 15 March 2027",
    )
    month = period_containing(Frequency.MONTHLY, date(2027, 2, 14))
    assert (month.first_day, month.last_day, month.key, month.label) == (
        date(2027, 2, 1),
        date(2027, 2, 28),
        "2027-02",
        "February 2027",
    )
    assert period_containing(Frequency.WEEKLY, SUMMER_MONDAY).sends_at == datetime(2027, 7, 5, 6, 30, tzinfo=UTC)
    assert current_period(Frequency.WEEKLY, at(MONDAY, 7, 29)) is None
    assert current_period(Frequency.WEEKLY, at(MONDAY)) == week
    assert period_containing(Frequency.WEEKLY, date(2027, 1, 1)).key == "2026-W53"  # ISO weeks cross years
    # Chosen on a Wednesday, the first weekly email is the next Monday's; chosen on a Monday at 07:00, that day's.
    assert first_sending(Frequency.WEEKLY, at(date(2027, 3, 17), 12)) == at(date(2027, 3, 22))
    assert first_sending(Frequency.WEEKLY, at(MONDAY, 7, 0)) == at(MONDAY)
    assert first_sending(Frequency.MONTHLY, at(date(2027, 3, 2))) == at(date(2027, 4, 1))


def test_a_weekly_subscription_is_sent_once_a_week_from_monday(app, partnership):
    lead = partnership["lead"]
    subscription = subscribe(lead)
    assert send_due_subscriptions(at(MONDAY, 7, 29)).sent == []  # not yet
    assert send_due_subscriptions(at(MONDAY)).sent == [f"subscription:{subscription.id}:2027-W11"]
    again = send_due_subscriptions(at(MONDAY, 7, 45))  # the job run twice
    assert (again.sent, again.already_sent) == ([], 1)
    assert send_due_subscriptions(at(date(2027, 3, 19), 9)).sent == []  # later the same week
    assert len(send_due_subscriptions(at(date(2027, 3, 22))).sent) == 1  # the next Monday
    assert len(emails_to(app, lead.email)) == 2


def test_a_run_that_missed_monday_still_sends_that_weeks_email_later(app, partnership):
    subscribe(partnership["lead"])
    assert len(send_due_subscriptions(at(date(2027, 3, 17), 7, 30)).sent) == 1  # Wednesday: Monday's was missed
    assert send_due_subscriptions(at(date(2027, 3, 21), 23, 59)).sent == []  # Sunday: sent already


def test_a_monthly_subscription_is_sent_on_the_first(app, partnership):
    subscription = subscribe(partnership["lead"], frequency=Frequency.MONTHLY)
    assert send_due_subscriptions(at(MONDAY)).sent == [f"subscription:{subscription.id}:2027-03"]  # March's, late
    assert send_due_subscriptions(at(date(2027, 3, 31), 23)).sent == []
    assert send_due_subscriptions(at(date(2027, 4, 1), 7, 0)).sent == []  # the 1st before 07:30
    assert send_due_subscriptions(at(date(2027, 4, 1))).sent == [f"subscription:{subscription.id}:2027-04"]
    assert send_due_subscriptions(at(date(2027, 4, 5))).sent == []  # a Monday is nothing to a monthly one
    message = emails_to(app, partnership["lead"].email)[-1]  # April's, after March's
    assert message["Subject"] == "Trained by area: April 2027"
    assert "(trained-by-area-2027-04-01.xlsx) for April 2027." in body_of(message)


def test_a_subscription_chosen_mid_week_waits_for_the_next_monday(app, partnership):
    subscribe(partnership["lead"], since=at(date(2027, 3, 17), 12))
    assert send_due_subscriptions(at(date(2027, 3, 18))).sent == []
    assert len(send_due_subscriptions(at(date(2027, 3, 22))).sent) == 1


def test_the_email_names_the_report_and_period_and_attaches_the_leads_workbook(app, partnership):
    lead = partnership["lead"]
    subscribe(lead)
    send_due_subscriptions(at(MONDAY))
    [message] = emails_to(app, lead.email)
    assert message["Subject"] == "Trained by area: week beginning 15 March 2027"
    body = body_of(message)
    assert "every week, on Mondays" in body and "the people who work for Leicester" in body
    assert "(trained-by-area-2027-03-15.xlsx) for the week beginning 15 March 2027." in body
    assert link_in(message).endswith("/report-emails")  # where to stop it
    filename, content_type, workbook = workbook_of(message)
    assert (filename, content_type) == ("trained-by-area-2027-03-15.xlsx", XLSX)
    rows = by_authority(workbook)
    assert rows["Leicester"] == 1 and rows["Total Number Trained"] == 1
    assert "Rutland" not in rows  # the lead's scope, as their page shows it


def test_a_lead_whose_authorities_change_gets_the_new_scopes_rows(app, partnership):
    lead = partnership["lead"]
    subscribe(lead)
    send_due_subscriptions(at(MONDAY))
    lead.authorities = [partnership["rutland"]]
    db.session.commit()
    send_due_subscriptions(at(date(2027, 3, 22)))
    first, second = emails_to(app, lead.email)
    assert "Leicester" in by_authority(workbook_of(first)[2])
    rows = by_authority(workbook_of(second)[2])
    assert rows["Rutland"] == 1 and "Leicester" not in rows and rows["Total Number Trained"] == 1
    assert "the people who work for Rutland" in body_of(second)


def test_a_coordinator_gets_everyone(app, partnership):
    coordinator = make_user(Role.COORDINATOR)
    subscribe(coordinator)
    send_due_subscriptions(at(MONDAY))
    [message] = emails_to(app, coordinator.email)
    rows = by_authority(workbook_of(message)[2])
    assert rows["Leicester"] == 1 and rows["Rutland"] == 1 and rows["Total Number Trained"] == 2


def test_a_switched_off_account_gets_nothing_and_keeps_its_subscription(app, partnership):
    lead = partnership["lead"]
    subscribe(lead)
    lead.active = False
    db.session.commit()
    outcome = send_due_subscriptions(at(MONDAY))
    assert (outcome.sent, outcome.switched_off) == ([], 1)
    assert emails_to(app, lead.email) == [] and mails_with_key_prefix() == []
    lead.active = True
    db.session.commit()
    assert len(send_due_subscriptions(at(MONDAY, 9)).sent) == 1  # switched on again the same week


def test_a_role_that_may_no_longer_read_the_report_ends_the_subscription(app, partnership):
    lead = partnership["lead"]
    subscription_id = subscribe(lead).id
    lead.role, lead.organisation = Role.BOOKER, make_practitioner().organisation
    db.session.commit()
    outcome = send_due_subscriptions(at(MONDAY))
    assert (outcome.sent, outcome.ended) == ([], 1)
    assert emails_to(app, lead.email) == []
    assert db.session.get(ReportSubscription, subscription_id) is None
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "report_subscription_ended"))
    assert event.actor == "system" and event.old_value == {"report": "trained-by-area", "frequency": "weekly"}


def test_two_runs_at_once_send_one_email(app, partnership, monkeypatch):
    """Two schedulers that each found nothing sent yet both build the workbook; the dedupe key lets one through."""
    lead = partnership["lead"]
    subscribe(lead)
    monkeypatch.setattr(subscription_mail, "_already_sent", lambda keys: set())
    assert len(send_due_subscriptions(at(MONDAY)).sent) == 1
    second = send_due_subscriptions(at(MONDAY))
    assert (second.sent, second.already_sent) == ([], 1)
    assert len(mails_with_key_prefix()) == 1 and len(emails_to(app, lead.email)) == 1


def test_attendance_covers_the_week_before(app, partnership):
    lead = partnership["lead"]
    subscribe(lead, SubscribedReport.ATTENDANCE_BY_AUTHORITY)
    send_due_subscriptions(at(MONDAY))
    [message] = emails_to(app, lead.email)
    assert message["Subject"] == "Attendance by authority: week beginning 15 March 2027"
    assert "from 8 March 2027 to 14 March 2027" in body_of(message)
    filename, _, workbook = workbook_of(message)
    assert filename == "attendance-by-authority-2027-03-08-to-2027-03-14.xlsx"
    header = next(workbook["Attendance by authority"].iter_rows(max_row=1, values_only=True))
    assert header == ("Authority", "Attended (08/03/2027 to 14/03/2027)")


def test_still_to_train_and_targets_come_as_their_pages_write_them(app, partnership):
    booker = make_user(Role.BOOKER)
    lead = partnership["lead"]
    subscribe(booker, SubscribedReport.TARGETS, Frequency.MONTHLY)
    subscribe(lead, SubscribedReport.STILL_TO_TRAIN, Frequency.MONTHLY)
    assert len(send_due_subscriptions(at(date(2027, 4, 1))).sent) == 2
    [targets] = emails_to(app, booker.email)
    filename, _, workbook = workbook_of(targets)
    assert filename == "targets-2027-04-01.xlsx" and workbook.sheetnames == ["Targets"]
    assert f"the targets of {booker.organisation.name}" in body_of(targets)
    [still] = emails_to(app, lead.email)
    filename, _, workbook = workbook_of(still)
    assert filename == "still-to-train-2027-04-01.xlsx" and workbook.sheetnames == ["Still to train"]


def test_subscribing_is_kept_to_the_reports_a_role_may_read(partnership):
    booker = make_user(Role.BOOKER)
    db.session.commit()
    with pytest.raises(SubscriptionRefused):
        set_subscription(booker, SubscribedReport.TRAINED_BY_AREA, Frequency.WEEKLY)
    done = set_subscription(booker, SubscribedReport.TARGETS, Frequency.WEEKLY)
    assert (done.old, done.new) == (None, Frequency.WEEKLY) and done.first_email_at is not None
    changed = set_subscription(booker, SubscribedReport.TARGETS, Frequency.MONTHLY)
    assert (changed.old, changed.new) == (Frequency.WEEKLY, Frequency.MONTHLY)
    stopped = set_subscription(booker, SubscribedReport.TARGETS, None)
    assert (stopped.old, stopped.new) == (Frequency.MONTHLY, None)
    assert db.session.scalar(sa.select(sa.func.count(ReportSubscription.id))) == 0
    changed = sa.select(AuditEvent.new_value).where(AuditEvent.action == "report_subscription_changed")
    assert list(db.session.scalars(changed.order_by(AuditEvent.id))) == [
        {"report": "targets", "frequency": "weekly"},
        {"report": "targets", "frequency": "monthly"},
        None,
    ]


def test_the_command_sends_what_is_due_once(app, partnership):
    lead = partnership["lead"]
    subscribe(lead)
    runner = app.test_cli_runner()
    sent = runner.invoke(args=["reminders", "report-emails", "--today", MONDAY.isoformat()])
    assert sent.exit_code == 0, sent.output
    assert sent.output == f"{lead.email}\ttrained-by-area\t2027-W11\nsent 1 report emails\n"
    again = runner.invoke(args=["reminders", "report-emails", "--today", "2027-03-16"])
    assert again.output == "sent 0 report emails\n"
    bad = runner.invoke(args=["reminders", "report-emails", "--today", "2027-02-30"])
    assert bad.exit_code == 2 and "--today" in bad.output


def test_one_workbook_that_fails_leaves_the_others_sent(app, partnership, monkeypatch):
    lead, coordinator = partnership["lead"], make_user(Role.COORDINATOR)
    broken = subscribe(lead, SubscribedReport.ATTENDANCE_BY_AUTHORITY)
    subscribe(coordinator)
    real = subscription_mail.workbook_attachment

    def failing(report, user, period, today):
        if report is SubscribedReport.ATTENDANCE_BY_AUTHORITY:
            raise OSError("disk full")
        return real(report, user, period, today)

    monkeypatch.setattr(subscription_mail, "workbook_attachment", failing)
    outcome = send_due_subscriptions(at(MONDAY))
    assert (len(outcome.sent), outcome.failed) == (1, 1)
    monkeypatch.setattr(subscription_mail, "workbook_attachment", real)
    assert send_due_subscriptions(at(MONDAY, 8)).sent == [f"subscription:{broken.id}:2027-W11"]  # tried again

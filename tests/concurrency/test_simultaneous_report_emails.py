"""Two schedulers (or a scheduler and someone at the command line) sending report emails at the same moment: each
subscriber still gets one email for the period (the outgoing mail's dedupe key)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from tests.factories import make_authority, make_user
from training_app.extensions import db
from training_app.models import Frequency, OutgoingMail, ReportSubscription, Role, SubscribedReport

from .server import app_environment

FLASK = Path(sys.executable).parent / "flask"
MONDAY = date(2027, 3, 15)
SUBSCRIBERS = 6
RUNS = 3


def test_runs_at_once_send_each_subscriber_one_email(app, app_ctx, tmp_path):
    authority = make_authority()
    for n in range(SUBSCRIBERS):
        user = make_user(Role.WORKFORCE_LEAD, authorities=[authority])
        report = SubscribedReport.TRAINED_BY_AREA if n % 2 else SubscribedReport.ATTENDANCE_BY_AUTHORITY
        since = datetime(2027, 1, 1, tzinfo=UTC)
        db.session.add(
            ReportSubscription(
                user=user, report=report, frequency=Frequency.WEEKLY, created_at=since, frequency_since=since
            )
        )
    db.session.commit()
    env = app_environment(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    command = [str(FLASK), "--app", "training_app", "reminders", "report-emails", "--today", MONDAY.isoformat()]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(RUNS)
    ]
    outputs = [run.communicate(timeout=180) for run in runs]
    assert [run.returncode for run in runs] == [0] * RUNS, outputs
    counts = [int(out.strip().splitlines()[-1].split()[1]) for out, _ in outputs]
    assert sum(counts) == SUBSCRIBERS, outputs
    keys = db.session.scalars(sa.select(OutgoingMail.dedupe_key).where(OutgoingMail.dedupe_key.like("subscription:%")))
    assert len(set(keys.all())) == SUBSCRIBERS
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == SUBSCRIBERS

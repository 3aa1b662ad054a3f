"""The demo's live programme (SPEC 5): sessions around the load day, pinned with --today, the 2008 figures untouched."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.reference import TRAINED_BY_AREA_2008_08_31
from training_app.extensions import db
from training_app.models import Authority, SessionDay, SessionStatus, TrainingSession
from training_app.models.sessions import session_trainers
from training_app.services.reporting.counting import trained_by_area

TODAY = date(2026, 12, 1)


def seed(app, *args):
    return app.test_cli_runner().invoke(args=["seed", "demo", *args])


def test_the_live_programme_runs_from_the_load_day_for_eight_weeks(app, app_ctx):
    result = seed(app, "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    live = db.session.scalars(sa.select(TrainingSession).where(TrainingSession.starts_on >= TODAY)).all()
    assert len(live) == 1 + 8 * 3
    assert all(s.status is SessionStatus.SCHEDULED and s.venue_id and s.host_area_id for s in live)
    running = db.session.scalars(sa.select(SessionDay.session_id).where(SessionDay.date == TODAY)).all()
    assert len(running) == 1
    assert max(s.starts_on for s in live) < TODAY + timedelta(weeks=9)
    hosts = db.session.scalars(
        sa.select(Authority.code)
        .join(TrainingSession, TrainingSession.host_authority_id == Authority.id)
        .where(TrainingSession.starts_on >= TODAY)
        .distinct()
    ).all()
    assert sorted(hosts) == ["LEICESTER", "LEICESTERSHIRE", "RUTLAND"]
    taught = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(session_trainers.c.session_id))).where(
            session_trainers.c.session_id.in_([s.id for s in live])
        )
    )
    assert taught == len(live)
    courses = {s.course_id for s in live}
    assert len(courses) == 7


def test_the_2008_figures_stay_as_they_were(app, app_ctx):
    assert seed(app, "--today", TODAY.isoformat()).exit_code == 0
    rows = [
        [row.label, row.trained, row.spaces_to_end_of_year, row.spaces_planned_next_year]
        for row in trained_by_area(date(2008, 8, 31))
    ]
    assert rows == TRAINED_BY_AREA_2008_08_31


def test_a_today_inside_the_history_or_not_a_date_is_refused(app, app_ctx):
    early = seed(app, "--today", "2008-09-01")
    assert early.exit_code == 2 and "must be 2010-01-01 or later" in early.output
    bad = seed(app, "--today", "2026-02-30")
    assert bad.exit_code == 2 and "is not a real date" in bad.output
    assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0

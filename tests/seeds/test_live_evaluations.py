"""The demo's evaluations (SPEC 3.5, 5): last month's completions asked, most answered and some awaited; the
refresher withholds its certificates, so the demo practitioner, who completed it, is told to evaluate it to get the
certificate; the results pages show the answers."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from seeds.users import DEMO_PASSWORD
from tests.web.helpers import sign_in
from training_app.extensions import db
from training_app.models import Booking, BookingStatus, Course, Evaluation, QuestionKind, Trainer, TrainingSession, User
from training_app.services.evaluation.evaluation_results import session_results
from training_app.services.evaluation.evaluations import awaited_evaluations

TODAY = date(2026, 12, 1)


def _client(app, email: str):
    client = app.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    return client


def test_last_months_completions_are_evaluated_or_awaited_and_the_refresher_withholds_its_certificate(app):
    # No app context of the test's own around the requests: they must not share `g` (and its signed-in user).
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    with app.app_context():
        completed = db.session.scalars(
            sa.select(Booking.id)
            .join(TrainingSession, TrainingSession.id == Booking.session_id)
            .where(Booking.status == BookingStatus.ATTENDED, TrainingSession.starts_on >= date(2026, 11, 1))
            .where(TrainingSession.starts_on < date(2026, 12, 1))
        ).all()
        evaluations = db.session.scalars(sa.select(Evaluation).where(Evaluation.booking_id.in_(completed))).all()
        assert len(evaluations) == len(completed) > 0  # every completion of last month was asked
        given = [e for e in evaluations if e.given_at is not None]
        assert 0 < len(given) < len(evaluations)  # most answered, some awaited
        assert db.session.scalar(sa.select(Course.certificate_after_evaluation).filter_by(code="CAF-REFRESH"))
        pat = db.session.scalar(sa.select(User.practitioner_id).filter_by(email="practitioner@demo.test"))
        [awaited] = awaited_evaluations(pat)
        assert awaited.withholds_certificate and awaited.session_code.startswith("CAF-REFRESH")
        results = session_results(
            db.session.scalar(sa.select(TrainingSession.id).filter_by(code=awaited.session_code)), with_names=True
        )
        assert 0 < results.responses < results.completed
        assert any(q.comments for q in results.questions) and all(
            q.mean for q in results.questions if q.kind == QuestionKind.RATING
        )
        helen = db.session.scalar(sa.select(Trainer.id).filter_by(email="helen.ward@bridges.example.org"))

    practitioner = _client(app, "practitioner@demo.test")
    dashboard = practitioner.get("/").get_data(as_text=True)
    assert "evaluate to get your certificate" in dashboard
    coordinator = _client(app, "coordinator@demo.test")
    session_page = coordinator.get(f"/sessions/{awaited.session_code}/evaluation").get_data(as_text=True)
    assert f"of {results.completed} people who completed it gave their evaluation" in session_page
    trainer_page = coordinator.get(f"/trainers/{helen}/evaluation")
    assert trainer_page.status_code == 200 and "Comments are shown without names." in trainer_page.get_data(True)

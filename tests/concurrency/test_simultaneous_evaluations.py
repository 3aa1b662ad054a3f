"""An evaluation is given once whatever arrives at the same moment (SPEC 3.5): ten pages sending the same booking's
answers at once at a 4-worker server leave one evaluation, one set of answers and one audit entry; the others are
told it was given already. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import AuditEvent, BookingStatus, Evaluation, EvaluationAnswer, QuestionKind, Role
from training_app.services.attendance.records import record_completions
from training_app.services.common.calendar import london_today
from training_app.services.evaluation.evaluation_forms import current_questions

from .server import all_at_once
from .test_simultaneous_decisions import TIMEOUT, _browsers, _post_form


def test_ten_simultaneous_evaluations_of_one_booking_give_it_once(app, app_ctx, shared_live_server):
    course = make_course(code="EVAL-RACE", certificate_after_evaluation=True)
    session = make_session(course=course, code="EVAL-RACE-1", days=(london_today() - timedelta(days=1),))
    person = make_practitioner(first_name="Rae", last_name="Race")
    booking = make_booking(session, person, BookingStatus.ATTENDED)
    user = make_user(Role.PRACTITIONER, email="rae.race@example.org", practitioner=person)
    db.session.commit()
    record_completions([booking])
    db.session.commit()
    booking_id, email = booking.id, user.email
    values = {QuestionKind.RATING: "4", QuestionKind.YES_NO: "yes", QuestionKind.TEXT: "Good"}
    answers = {f"q-{q.id}": values[q.kind] for q in current_questions(course.id)}
    db.session.commit()  # this process holds no transaction while the server's workers write (SQLite's one lock)
    server = shared_live_server
    page = f"/bookings/{booking_id}/evaluation"
    browsers = _browsers(server, email, 10, page)
    calls = [_post_form(b, server.url + page, {"csrf_token": t, **answers}) for b, t in browsers]

    answered = all_at_once(calls, TIMEOUT)

    assert Counter(answer.status_code for answer in answered) == {302: 1, 409: 9}, server.log()[-3000:]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Evaluation.id)).where(Evaluation.given_at.is_not(None))) == 1
    assert db.session.scalar(sa.select(sa.func.count(EvaluationAnswer.id))) == len(answers)
    audited = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "evaluation_given")
    assert db.session.scalar(audited) == 1
    assert "Traceback" not in server.log()

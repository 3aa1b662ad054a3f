"""Evaluation pages (SPEC 3.5): the practitioner evaluates from the email's link; errors in the GOV.UK summary with
nothing saved; the certificate waits for the evaluation; results for trainers without names and coordinators with
them; the course's form editor."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_course, make_practitioner, make_session, make_trainer, make_user
from tests.outbox import emails_to, link_in
from tests.web.helpers import sign_in, signed_in
from training_app.extensions import db
from training_app.models import (
    BookingStatus,
    Certificate,
    EvaluationAnswer,
    QuestionKind,
    Role,
    Trainer,
    TrainingRecord,
)
from training_app.services.attendance.records import record_completions
from training_app.services.common.calendar import london_today
from training_app.services.evaluation.evaluation_forms import current_questions


@pytest.fixture
def world(app):
    with app.app_context():
        course = make_course(code="CAF", title="CAF assessment", certificate_after_evaluation=True)
        session = make_session(course=course, code="CAF-9", days=(london_today() - timedelta(days=2),))
        ann = make_practitioner(first_name="Ann", last_name="Able")
        bob = make_practitioner(first_name="Bob", last_name="Bell")
        bookings = [make_booking(session, person, BookingStatus.ATTENDED) for person in (ann, bob)]
        trainer = make_user(Role.PRACTITIONER)
        session.trainers = [make_trainer(user=trainer)]
        users = {
            "ann": make_user(Role.PRACTITIONER, practitioner=ann),
            "bob": make_user(Role.PRACTITIONER, practitioner=bob),
            "coordinator": make_user(Role.COORDINATOR),
            "trainer": trainer,
        }
        db.session.commit()
        record_completions(bookings)
        db.session.commit()
        certificate = db.session.scalar(
            sa.select(Certificate.number)
            .join(TrainingRecord, TrainingRecord.id == Certificate.training_record_id)
            .where(TrainingRecord.booking_id == bookings[0].id)
        )
        return {
            "emails": {key: user.email for key, user in users.items()},
            "ann_email": ann.email,
            "booking": bookings[0].id,
            "course": course.id,
            "certificate": certificate,
        }


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _answers(app, course_id, **overrides) -> dict[str, str]:
    with app.app_context():
        questions = current_questions(course_id)
        values = {QuestionKind.RATING: "5", QuestionKind.YES_NO: "yes", QuestionKind.TEXT: "Very clear"}
        return {f"q-{q.id}": overrides.get(q.kind.value, values[q.kind]) for q in questions}


def test_the_practitioner_evaluates_from_the_emails_link_and_then_gets_the_certificate(app, client, world):
    [message] = emails_to(app, world["ann_email"])
    path = link_in(message).split("//", 1)[1].split("/", 1)[1]
    signed_in(client, world["emails"]["ann"])
    dashboard = client.get("/").get_data(as_text=True)
    assert "Evaluate CAF assessment" in dashboard and "evaluate to get your certificate" in dashboard
    withheld = client.get(f"/certificates/{world['certificate']}/certificate.pdf")
    assert withheld.status_code == 403 and "Evaluate the course to get your certificate" in withheld.get_data(True)
    assert "awaiting evaluation" in client.get(f"/certificates/{world['certificate']}").get_data(True)

    page = client.get(f"/{path}")
    assert page.status_code == 200 and "How useful was the course to your work?" in page.get_data(True)
    sent = client.post(f"/{path}", data={"csrf_token": _token(page.get_data(True)), **_answers(app, world["course"])})

    assert sent.status_code == 302
    pdf = client.get(f"/certificates/{world['certificate']}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "Evaluate CAF assessment" not in client.get("/").get_data(as_text=True)
    again = client.get(f"/{path}")
    assert again.status_code == 409 and "already evaluated" in again.get_data(True)


def test_missing_and_bad_answers_show_the_error_summary_and_save_nothing(app, client, world):
    signed_in(client, world["emails"]["ann"])
    url = f"/bookings/{world['booking']}/evaluation"
    token = _token(client.get(url).get_data(True))
    answers = _answers(app, world["course"], rating="9")
    answers.pop(next(iter(answers)))
    response = client.post(url, data={"csrf_token": token, **answers})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "There is a problem" in html
    assert "Answer “How useful was the course to your work?”" in html and "rating from 1 to 5" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(EvaluationAnswer.id))) == 0


def test_nobody_else_evaluates_someone_elses_booking(app, world):
    for who in ("bob", "coordinator"):
        client = signed_in(app.test_client(), world["emails"][who])
        assert client.get(f"/bookings/{world['booking']}/evaluation").status_code == 403


def test_results_show_names_to_coordinators_and_not_to_the_sessions_trainer(app, client, world):
    signed_in(client, world["emails"]["ann"])
    url = f"/bookings/{world['booking']}/evaluation"
    client.post(url, data={"csrf_token": _token(client.get(url).get_data(True)), **_answers(app, world["course"])})

    def results_as(who: str):
        return signed_in(app.test_client(), world["emails"][who]).get("/sessions/CAF-9/evaluation")

    coordinator, trainer = results_as("coordinator").get_data(as_text=True), results_as("trainer")
    assert results_as("bob").status_code == 403

    assert "1 of 2 people who completed it gave their evaluation (50%)" in coordinator
    assert "Very clear" in coordinator and "Ann Able" in coordinator
    assert trainer.status_code == 200 and "Very clear" in trainer.get_data(True)
    assert "Ann Able" not in trainer.get_data(True) and "<svg" in trainer.get_data(True)


def test_a_coordinator_adds_a_question_and_an_empty_one_is_refused(app, client, world):
    signed_in(client, world["emails"]["coordinator"])
    page = client.get("/courses/CAF/evaluation-form").get_data(as_text=True)
    assert "How useful was the course to your work?" in page
    token = _token(page)
    empty = client.post(
        "/courses/CAF/evaluation-form", data={"csrf_token": token, "action": "add", "text": " ", "kind": "rating"}
    )
    assert empty.status_code == 422 and "Enter the question" in empty.get_data(True)
    added = client.post(
        "/courses/CAF/evaluation-form",
        data={"csrf_token": token, "action": "add", "text": "Was the venue suitable?", "kind": "yes_no"},
    )
    assert added.status_code == 302
    with app.app_context():
        assert current_questions(world["course"])[-1].text == "Was the venue suitable?"


def test_a_trainer_reads_their_own_sessions_results_without_names(app, client, world):
    signed_in(client, world["emails"]["ann"])
    url = f"/bookings/{world['booking']}/evaluation"
    client.post(url, data={"csrf_token": _token(client.get(url).get_data(True)), **_answers(app, world["course"])})
    with app.app_context():
        trainer_id = db.session.scalar(sa.select(Trainer.id))

    def page_as(who: str):
        return signed_in(app.test_client(), world["emails"][who]).get(f"/trainers/{trainer_id}/evaluation")

    own = page_as("trainer")
    assert own.status_code == 200
    html = own.get_data(as_text=True)
    assert "1 of 2 people who completed them gave their evaluation (50%)" in html and "CAF-9" in html
    assert "Very clear" in html and "Ann Able" not in html
    assert page_as("coordinator").status_code == 200 and page_as("bob").status_code == 403


def test_the_default_form_changes_what_courses_without_their_own_ask_and_not_the_others(app, client, world):
    with app.app_context():
        other = make_course(code="LP", title="Lead professional")
        db.session.commit()
        other_id = other.id
    signed_in(client, world["emails"]["coordinator"])
    page = client.get("/evaluation-form").get_data(as_text=True)
    assert "The partnership's default evaluation form" in page
    added = client.post(
        "/evaluation-form",
        data={"csrf_token": _token(page), "action": "add", "text": "Would you come again?", "kind": "yes_no"},
    )
    assert added.status_code == 302
    with app.app_context():
        assert current_questions(other_id)[-1].text == "Would you come again?"  # asks the default still
        assert current_questions(world["course"])[-1].text != "Would you come again?"  # its own, copied when asked
    assert "your first change makes them the course's own" in client.get("/courses/LP/evaluation-form").get_data(True)


def test_the_emails_link_signed_out_leads_through_sign_in_to_the_form_and_the_verification_page_follows(
    app, client, world
):
    [message] = emails_to(app, world["ann_email"])
    path = "/" + link_in(message).split("//", 1)[1].split("/", 1)[1]
    signed_out = client.get(path)
    assert signed_out.status_code == 302 and "/sign-in" in signed_out.headers["Location"]
    back = sign_in(client, world["emails"]["ann"], next_path=path)
    assert back.status_code == 302 and back.headers["Location"] == path
    form = client.get(path)
    assert "How useful was the course to your work?" in form.get_data(as_text=True)
    assert "awaiting evaluation" in client.get(f"/certificates/{world['certificate']}").get_data(True)
    client.post(path, data={"csrf_token": _token(form.get_data(True)), **_answers(app, world["course"])})
    verified = client.get(f"/certificates/{world['certificate']}").get_data(as_text=True)
    assert "awaiting evaluation" not in verified and "CAF assessment" in verified and "Ann Able" in verified


def test_a_coordinator_rewords_requires_and_reorders_and_an_answered_question_retires(app, client, world):
    with app.app_context():
        first, second = (q.id for q in current_questions(world["course"])[:2])
    editor = "/courses/CAF/evaluation-form"
    signed_in(client, world["emails"]["coordinator"])
    token = _token(client.get(editor).get_data(as_text=True))

    def post(action: str, **fields):
        return client.post(editor, data={"csrf_token": token, "action": action, **fields})

    reworded_text = "How useful was the course to your daily work?"
    assert post(f"save:{first}", **{f"text-{first}": reworded_text}).status_code == 302
    assert post(f"down:{first}").status_code == 302
    with app.app_context():
        questions = current_questions(world["course"])
        assert [q.id for q in questions[:2]] == [second, first]
        assert (questions[1].text, questions[1].required) == ("How useful was the course to your daily work?", False)
    page = client.get(f"/bookings/{world['booking']}/evaluation")  # as the coordinator: not theirs
    assert page.status_code == 403

    ann = signed_in(app.test_client(), world["emails"]["ann"])
    url = f"/bookings/{world['booking']}/evaluation"
    form = ann.get(url).get_data(as_text=True)
    assert form.index("How well did the trainer") < form.index("How useful was the course to your daily work?")
    answers = _answers(app, world["course"])
    answers.pop(f"q-{first}")  # no longer required
    assert ann.post(url, data={"csrf_token": _token(form), **answers}).status_code == 302

    # The answered question keeps its words, yet can still be made required or not, and is retired, not removed.
    reworded = post(f"save:{second}", **{f"text-{second}": "Something else", f"required-{second}": "yes"})
    assert reworded.status_code == 422 and "has answers, so its words stay" in reworded.get_data(True)
    assert "Retire" in client.get(editor).get_data(as_text=True)
    assert post(f"save:{second}").status_code == 302  # an answered question has no words to send: required off
    with app.app_context():
        assert not next(q for q in current_questions(world["course"]) if q.id == second).required
    retired = post(f"remove:{second}")
    assert retired.status_code == 302
    assert "it is retired: its results stay" in client.get(editor).get_data(as_text=True)
    with app.app_context():
        assert second not in {q.id for q in current_questions(world["course"])}
    results = client.get("/sessions/CAF-9/evaluation").get_data(as_text=True)
    assert "How well did the trainer explain the material?" in results and "no longer asked" in results


def test_coordinators_download_the_evaluations_workbook_and_practitioners_do_not(app, world):
    coordinator = signed_in(app.test_client(), world["emails"]["coordinator"])
    download = coordinator.get("/evaluations.xlsx")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(BytesIO(download.data))
    assert workbook.sheetnames == ["CAF"]
    assert any(row[:2] == ("Completed", 2) for row in workbook["CAF"].iter_rows(values_only=True))
    assert signed_in(app.test_client(), world["emails"]["ann"]).get("/evaluations.xlsx").status_code == 403

"""Evaluation (SPEC 3.5): asked once on completion, reminded once, given once and whole, the certificate withheld
until it is in where the course says so, and results per session counted in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import group, make_booking, make_course, make_practitioner, make_session, make_user
from tests.imports.helpers import run_import
from tests.outbox import body_of, emails_to
from training_app.extensions import db
from training_app.models import (
    Booking,
    BookingStatus,
    Certificate,
    Evaluation,
    EvaluationAnswer,
    Pathway,
    PathwayCourse,
    PathwayStatus,
    QuestionKind,
    Requirement,
    Role,
    TrainingRecord,
    utcnow,
)
from training_app.services.attendance.certificates import can_download_certificate, check_certificate
from training_app.services.attendance.records import record_completions
from training_app.services.catalogue.pathways import pathway_of
from training_app.services.common.calendar import london_today
from training_app.services.evaluation.evaluation_forms import (
    FormRefused,
    add_question,
    change_question,
    current_questions,
    remove_question,
)
from training_app.services.evaluation.evaluation_results import course_results, session_results, sessions_with_results
from training_app.services.evaluation.evaluations import (
    EvaluationRefused,
    Refusal,
    awaited_evaluations,
    give_evaluation,
    remind_evaluations,
)

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def done():
    """Two people who completed yesterday's session of a course that withholds certificates, with accounts."""
    course = make_course(code="CAF", title="CAF assessment", certificate_after_evaluation=True)
    session = make_session(course=course, code="CAF-1", days=(london_today() - timedelta(days=1),))
    people, users, bookings = [], [], []
    for first in ("Ann", "Bob"):
        person = make_practitioner(first_name=first, last_name="Able")
        booking = make_booking(session, person, BookingStatus.ATTENDED)
        people.append(person)
        bookings.append(booking)
        users.append(make_user(Role.PRACTITIONER, practitioner=person))
    db.session.commit()
    record_completions(bookings)
    db.session.commit()
    emails = [person.email for person in people]
    return {
        "course": course,
        "session": session,
        "bookings": bookings,
        "users": users,
        "people": people,
        "emails": emails,
    }


def _answers(course_id, rating="4", yes="yes", text=""):
    values = {QuestionKind.RATING: rating, QuestionKind.YES_NO: yes, QuestionKind.TEXT: text}
    return {question.id: values[question.kind] for question in current_questions(course_id)}


def _certificate(booking) -> Certificate:
    record = db.session.scalar(sa.select(TrainingRecord).where(TrainingRecord.booking_id == booking.id))
    return db.session.scalar(sa.select(Certificate).where(Certificate.training_record_id == record.id))


def test_completion_asks_each_person_once_with_a_link_and_lists_it_on_their_dashboard(app, done):
    [message] = emails_to(app, done["emails"][0])
    assert "CAF assessment" in message["Subject"] and "CAF-1" in message["Subject"]
    assert f"/bookings/{done['bookings'][0].id}/evaluation" in body_of(message)
    assert "certificate" in body_of(message)
    record_completions(done["bookings"])  # recorded again (a register saved twice): nobody asked twice
    db.session.commit()
    assert len(emails_to(app, done["emails"][0])) == 1
    assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 2
    [awaited] = awaited_evaluations(done["people"][0].id)
    assert awaited.session_code == "CAF-1" and awaited.withholds_certificate


def test_history_long_past_asks_nobody(app):
    session = make_session(days=(london_today() - timedelta(days=400),))
    booking = make_booking(session, make_practitioner(email="old@example.org"), BookingStatus.ATTENDED)
    db.session.commit()
    record_completions([booking])
    db.session.commit()
    assert emails_to(app, "old@example.org") == []
    assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 0


def test_the_certificate_is_withheld_until_the_evaluation_is_in_and_the_record_counts_meanwhile(done):
    ann, booking = done["users"][0], done["bookings"][0]
    certificate = _certificate(booking)
    assert certificate.training_record is not None  # the record counts from completion
    assert not can_download_certificate(ann, certificate)
    check = check_certificate(certificate.number)
    assert check.genuine and not check.current and check.awaiting_evaluation

    give_evaluation(booking.id, _answers(done["course"].id, text="Useful\nthank you"), ann)

    assert can_download_certificate(ann, certificate)
    assert check_certificate(certificate.number).current
    assert awaited_evaluations(done["people"][0].id) == []


def test_a_course_that_does_not_withhold_releases_the_certificate_at_once(done):
    done["course"].certificate_after_evaluation = False
    db.session.commit()
    assert can_download_certificate(done["users"][0], _certificate(done["bookings"][0]))


def test_bad_answers_are_all_listed_and_nothing_is_written(done):
    course_id = done["course"].id
    answers = _answers(course_id, rating="6", yes="maybe")
    with pytest.raises(EvaluationRefused) as refused:
        give_evaluation(done["bookings"][0].id, answers, done["users"][0])
    messages = [problem.message for problem in refused.value.problems]
    assert sum("rating from 1 to 5" in m for m in messages) == 3 and any("yes or no" in m for m in messages)
    with pytest.raises(EvaluationRefused) as missing:
        give_evaluation(done["bookings"][0].id, {}, done["users"][0])
    assert len(missing.value.problems) == 4  # the comment is optional
    assert db.session.scalar(sa.select(sa.func.count(EvaluationAnswer.id))) == 0
    assert db.session.scalar(sa.select(Evaluation.given_at).limit(1)) is None


def test_a_second_evaluation_and_someone_elses_booking_are_refused(done):
    ann, bob = done["users"]
    with pytest.raises(EvaluationRefused) as other:
        give_evaluation(done["bookings"][0].id, _answers(done["course"].id), bob)
    assert other.value.kind == Refusal.FORBIDDEN
    give_evaluation(done["bookings"][0].id, _answers(done["course"].id), ann)
    with pytest.raises(EvaluationRefused) as again:
        give_evaluation(done["bookings"][0].id, _answers(done["course"].id, rating="1"), ann)
    assert again.value.kind == Refusal.CONFLICT
    ratings = db.session.scalars(sa.select(EvaluationAnswer.rating).where(EvaluationAnswer.rating.is_not(None)))
    assert set(ratings) == {4}


def test_one_reminder_after_seven_days_and_none_after_the_evaluation(app, done):
    assert remind_evaluations() == 0  # asked today
    later = utcnow() + timedelta(days=8)
    give_evaluation(done["bookings"][1].id, _answers(done["course"].id), done["users"][1])
    assert remind_evaluations(later) == 1
    assert remind_evaluations(later + timedelta(days=1)) == 0
    assert [m["Subject"].startswith("Reminder") for m in emails_to(app, done["emails"][0])] == [False, True]
    assert len(emails_to(app, done["emails"][1])) == 1


def test_a_leaver_is_not_reminded_to_evaluate(app, done):
    later = utcnow() + timedelta(days=8)
    done["people"][0].left_on = london_today()  # Ann has left; Bob is still in post
    db.session.commit()

    assert remind_evaluations(later) == 1
    assert [m["Subject"].startswith("Reminder") for m in emails_to(app, done["emails"][0])] == [False]
    assert [m["Subject"].startswith("Reminder") for m in emails_to(app, done["emails"][1])] == [False, True]


def test_results_count_the_response_rate_means_counts_and_comments(done):
    course_id = done["course"].id
    give_evaluation(done["bookings"][0].id, _answers(course_id, rating="5", text="Clear and useful"), done["users"][0])
    give_evaluation(done["bookings"][1].id, _answers(course_id, rating="2", yes="no"), done["users"][1])

    named = session_results(done["session"].id, with_names=True)
    anonymous = session_results(done["session"].id, with_names=False)

    assert (named.completed, named.responses, named.response_rate) == (2, 2, 100)
    first = named.questions[0]
    assert first.mean == 3.5 and first.counts == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    recommend = next(q for q in named.questions if q.kind == QuestionKind.YES_NO)
    assert recommend.counts == {"yes": 1, "no": 1}
    comments = next(q for q in named.questions if q.kind == QuestionKind.TEXT).comments
    assert comments == [("Ann Able", "Clear and useful")]
    assert next(q for q in anonymous.questions if q.kind == QuestionKind.TEXT).comments == [(None, "Clear and useful")]


def test_a_question_with_answers_is_retired_not_deleted_or_reworded(done):
    coordinator = make_user(Role.COORDINATOR)
    course_id = done["course"].id
    give_evaluation(done["bookings"][0].id, _answers(course_id), done["users"][0])
    answered = current_questions(course_id)[0]
    with pytest.raises(FormRefused):
        change_question(course_id, answered.id, "Something else entirely", True, coordinator)
    assert remove_question(course_id, answered.id, coordinator) == "retired"
    assert answered.id not in {q.id for q in current_questions(course_id)}
    add_question(course_id, "Was the venue suitable?", QuestionKind.YES_NO, False, coordinator)
    texts = [q.text for q in current_questions(course_id)]
    assert texts[-1] == "Was the venue suitable?" and len(texts) == 5
    results = session_results(done["session"].id, with_names=True)
    assert results.questions[0].retired and results.questions[0].counts["4"] == 1


def test_the_course_form_is_copied_from_the_default_once_and_edits_leave_the_default_alone(done):
    coordinator = make_user(Role.COORDINATOR)
    other = make_course(code="LP")
    db.session.commit()
    default = [q.text for q in current_questions(other.id)]
    add_question(done["course"].id, "Was the room warm enough?", QuestionKind.YES_NO, False, coordinator)
    assert [q.text for q in current_questions(other.id)] == default
    assert [q.text for q in current_questions(done["course"].id)] == [*default, "Was the room warm enough?"]
    bookings = db.session.scalars(sa.select(Booking)).all()
    assert all(b.status == BookingStatus.ATTENDED for b in bookings)


def test_a_completion_by_import_asks_once_and_importing_the_file_again_asks_nobody_twice(app):
    course = make_course(code="IMP", title="Imported course", certificate_after_evaluation=True)
    make_session(course=course, code="IMP-1", days=(london_today() - timedelta(days=3),))
    make_practitioner(email="imp@example.org", first_name="Ida", last_name="Port")
    db.session.commit()
    lines = ("session,practitioner,status", "IMP-1,imp@example.org,attended")
    assert run_import("bookings", *lines).ok
    [message] = emails_to(app, "imp@example.org")
    assert "Imported course" in message["Subject"] and "IMP-1" in body_of(message) and "/evaluation" in body_of(message)
    run_import("bookings", *lines)
    assert len(emails_to(app, "imp@example.org")) == 1
    assert db.session.scalar(sa.select(sa.func.count(Evaluation.id))) == 1


def test_a_withheld_certificates_completion_counts_on_the_pathway_at_once(done):
    pathway = Pathway(group=group("3"), name="Intensive")
    pathway.steps = [PathwayCourse(course=done["course"], requirement=Requirement.REQUIRED, position=1)]
    db.session.add(pathway)
    person = done["people"][0]
    person.group = group("3")
    db.session.commit()
    assert not can_download_certificate(done["users"][0], _certificate(done["bookings"][0]))  # withheld
    [step] = pathway_of(person, london_today()).courses
    assert step.status == PathwayStatus.CURRENT and step.completed_on == london_today() - timedelta(days=1)


def test_an_answered_question_keeps_its_words_but_may_be_made_optional(done):
    coordinator = make_user(Role.COORDINATOR)
    course_id = done["course"].id
    give_evaluation(done["bookings"][0].id, _answers(course_id), done["users"][0])
    answered = current_questions(course_id)[0]
    change_question(course_id, answered.id, None, False, coordinator)
    assert (answered.text, answered.required) == ("How useful was the course to your work?", False)
    answers = _answers(course_id)
    answers.pop(answered.id)
    give_evaluation(done["bookings"][1].id, answers, done["users"][1])  # the optional question left out
    assert session_results(done["session"].id, with_names=False).responses == 2


def test_the_response_rate_leaves_out_history_completed_before_anyone_was_asked(done):
    old = make_session(course=done["course"], code="CAF-OLD", days=(london_today() - timedelta(days=400),))
    history = [make_booking(old, make_practitioner(), BookingStatus.ATTENDED) for _ in range(3)]
    db.session.commit()
    record_completions(history)
    db.session.commit()
    give_evaluation(done["bookings"][0].id, _answers(done["course"].id), done["users"][0])

    results = course_results(done["course"].id, None, None, with_names=True)
    assert (results.completed, results.asked, results.responses, results.response_rate) == (5, 2, 1, 50)
    assert [row[0] for row in sessions_with_results(course_id=done["course"].id)] == ["CAF-1"]

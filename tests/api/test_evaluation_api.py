"""The evaluation API (SPEC 4.5): the form, the answers once (201, 409, 422 with fields, 403 for anyone else), and
a session's results for its trainers and coordinators."""

from __future__ import annotations

from datetime import timedelta

import jsonschema
import pytest
import sqlalchemy as sa

from tests.api.helpers import bearer, user_with_token
from tests.factories import make_booking, make_course, make_practitioner, make_session, make_trainer
from training_app.extensions import db
from training_app.models import BookingStatus, Evaluation, EvaluationAnswer, Role
from training_app.services.attendance.records import record_completions
from training_app.services.common.calendar import london_today


@pytest.fixture
def completed(app_ctx, headers_for):
    course = make_course(code="CAF", certificate_after_evaluation=True)
    session = make_session(course=course, code="CAF-3", days=(london_today() - timedelta(days=1),))
    ann = make_practitioner(first_name="Ann", last_name="Able")
    booking = make_booking(session, ann, BookingStatus.ATTENDED)
    trainer_user, trainer_token = user_with_token(Role.PRACTITIONER)
    session.trainers = [make_trainer(user=trainer_user)]
    db.session.commit()
    record_completions([booking])
    db.session.commit()
    return {
        "booking": booking.id,
        "ann": headers_for(Role.PRACTITIONER, practitioner=ann),
        "other": headers_for(Role.PRACTITIONER, practitioner=make_practitioner()),
        "coordinator": headers_for(Role.COORDINATOR),
        "trainer": bearer(trainer_token),
    }


def _answers(client, completed, **values):
    form = client.get(f"/api/v1/bookings/{completed['booking']}/evaluation", headers=completed["ann"]).get_json()
    kinds = {"rating": 4, "yes_no": True, "text": "Good"} | values
    return [{"question": q["id"], "value": kinds[q["kind"]]} for q in form["questions"]]


def test_the_practitioner_reads_the_form_and_evaluates_once(client, completed):
    url = f"/api/v1/bookings/{completed['booking']}/evaluation"
    form = client.get(url, headers=completed["ann"])
    assert form.status_code == 200
    assert [q["kind"] for q in form.get_json()["questions"]] == ["rating", "rating", "rating", "yes_no", "text"]

    answers = _answers(client, completed)
    given = client.post(url, json={"answers": answers}, headers=completed["ann"])
    again = client.post(url, json={"answers": answers}, headers=completed["ann"])

    assert given.status_code == 201
    assert again.status_code == 409 and "already evaluated" in again.get_json()["error"]["message"]
    assert client.get(url, headers=completed["ann"]).status_code == 409


def test_bad_answers_are_422_with_fields_and_nothing_is_written(client, completed):
    url = f"/api/v1/bookings/{completed['booking']}/evaluation"
    answers = _answers(client, completed, rating=7)
    bad = client.post(url, json={"answers": answers[1:]}, headers=completed["ann"])
    assert bad.status_code == 422
    fields = bad.get_json()["error"]["fields"]
    assert len(fields) == 3 and any("1 to 5" in message for message in fields.values())
    shape = client.post(url, json={"answers": "all good"}, headers=completed["ann"])
    assert shape.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(EvaluationAnswer.id))) == 0
    assert db.session.scalar(sa.select(Evaluation.given_at)) is None  # asked, and still not given
    assert client.post(url, json={"answers": _answers(client, completed)}, headers=completed["ann"]).status_code == 201


def test_someone_elses_booking_is_403(client, completed):
    url = f"/api/v1/bookings/{completed['booking']}/evaluation"
    assert client.get(url, headers=completed["other"]).status_code == 403
    assert client.post(url, json={"answers": []}, headers=completed["coordinator"]).status_code == 403
    assert client.get("/api/v1/bookings/999999/evaluation", headers=completed["ann"]).status_code == 404


def _conforms(client, name: str, body) -> None:
    components = client.get("/api/v1/openapi.json").get_json()["components"]
    schema = {"$ref": f"#/components/schemas/{name}", "components": components}
    jsonschema.Draft202012Validator(schema).validate(body)


def test_session_results_for_coordinators_name_the_comments_writers_and_for_its_trainer_do_not(client, completed):
    url = f"/api/v1/bookings/{completed['booking']}/evaluation"
    client.post(url, json={"answers": _answers(client, completed, text="Clear")}, headers=completed["ann"])

    results = client.get("/api/v1/sessions/CAF-3/evaluation", headers=completed["coordinator"]).get_json()
    assert (results["completed"], results["responses"]) == (1, 1)
    # SPEC 4.5: every question has id, text, kind, mean and counts; comments under "comments".
    assert all({"id", "text", "kind", "mean", "counts"} <= set(q) for q in results["questions"])
    first = results["questions"][0]
    assert first["mean"] == 4 and first["counts"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}
    assert results["questions"][3]["counts"] == {"yes": 1, "no": 0}
    assert results["questions"][4]["comments"] == [{"text": "Clear", "name": "Ann Able"}]
    _conforms(client, "EvaluationResults", results)

    trainers = client.get("/api/v1/sessions/CAF-3/evaluation", headers=completed["trainer"])
    assert trainers.status_code == 200
    assert trainers.get_json()["questions"][4]["comments"] == [{"text": "Clear"}]  # no name for the trainer
    assert "Ann Able" not in trainers.get_data(as_text=True)
    denied = client.get("/api/v1/sessions/CAF-3/evaluation", headers=completed["ann"])
    assert denied.status_code == 403 and denied.get_json()["error"]["message"]

"""Text that reaches an email header, a calendar or a PDF is refused at input when it holds a line break or another
control character, and codes keep to one alphabet (capital letters, digits, hyphens), on every page that saves
them: the form says why, and nothing is saved."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_authority, make_user
from tests.web.helpers import signed_in, title_of
from training_app.extensions import db
from training_app.models import Authority, Course, Role, Trainer, Venue

SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</ul>', re.S)
COURSE = {
    "code": "SAFE",
    "title": "Safeguarding",
    "kind": "other",
    "reminder_lead_days": "90",
    "booking_closes_days": "2",
    "cancellation_window_days": "2",
    "counts_as_trained": "no",
    "charge_half_day": "25.00",
    "charge_day": "50.00",
    "self_booking": "no",
    "waitlist_order": "first_come",
}
CODE_RULE = "The code must be capital letters, digits and hyphens, starting with a letter or digit, like CAF-REFRESH."


@pytest.fixture
def staff_client(app):
    with app.app_context():
        email = make_user(Role.ADMIN).email
        make_authority("LEICESTER", "Leicester")
        db.session.commit()
    return signed_in(app.test_client(), email)


def _post(client, path: str, **data):
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def _summary(response) -> str:
    match = SUMMARY.search(response.get_data(as_text=True))
    assert match, "no error summary"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))).replace("&#39;", "'")


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "Safeguarding\nPart 2"}, "The title must be on one line (it contains a line break)."),
        ({"title": "Safeguarding\rPart 2"}, "The title must be on one line (it contains a line break)."),
        ({"title": "Safe\u2028guarding"}, "The title must be on one line (it contains a line break)."),
        ({"title": "Safe\x1bguarding"}, "The title must not contain control characters (it contains U+001B)."),
        ({"title": "Safe\x85guarding"}, "The title must not contain control characters (it contains U+0085)."),
        ({"code": "SL/ASH"}, CODE_RULE),
        ({"code": ".."}, CODE_RULE),
        ({"code": "caf"}, CODE_RULE),
        ({"code": "CAF 2"}, CODE_RULE),
    ],
)
def test_a_course_with_a_hostile_title_or_code_is_refused_on_the_form(app, staff_client, fields, message):
    response = _post(staff_client, "/courses/new", **(COURSE | fields))

    assert response.status_code == 200
    assert title_of(response).startswith("Error:")
    assert message in _summary(response)
    with app.app_context():
        assert _count(Course) == 0


def test_a_course_code_of_the_alphabet_is_saved_and_its_edit_page_opens(app, staff_client):
    saved = _post(staff_client, "/courses/new", **(COURSE | {"code": "CAF-REFRESH-2"}))

    assert saved.status_code == 302
    assert staff_client.get("/courses/CAF-REFRESH-2/edit").status_code == 200


def test_a_venue_name_on_two_lines_is_refused(app, staff_client):
    response = _post(staff_client, "/venues/new", name="Town Hall\nRoom 2", capacity="20")

    assert response.status_code == 200
    assert "The name must be on one line (it contains a line break)." in _summary(response)
    with app.app_context():
        assert _count(Venue) == 0


def test_a_trainer_name_with_a_control_character_is_refused(app, staff_client):
    response = _post(staff_client, "/sessions/trainers", name="Sam\x07 Trainer", email="sam@council.example")

    assert "The name must not contain control characters (it contains U+0007)" in _summary(response)
    with app.app_context():
        assert _count(Trainer) == 0


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("RUT/LAND", "Rutland", "must be capital letters, digits and hyphens"),
        ("RUTLAND", "Rutland\nCounty", "must be on one line (it contains a line break)"),
    ],
)
def test_a_reference_record_with_a_bad_code_or_name_is_refused(app, staff_client, code, name, message):
    response = _post(
        staff_client, "/admin/reference/authorities/record", code=code, name=name, partner="yes", display_order="2"
    )

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(Authority.code)).all() == ["LEICESTER"]

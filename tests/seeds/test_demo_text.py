"""Every code, title and name the demo loads passes the checks the forms and imports apply (validation.py): the
demo's records can be edited through the pages and exported and imported again."""

from __future__ import annotations

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import (
    Area,
    Authority,
    AwarenessSignOff,
    Course,
    Organisation,
    Practitioner,
    ResponsibilityGroup,
    Trainer,
    TrainingSession,
    Venue,
)
from training_app.validation import code_problem, control_character_problem

CODES = (Authority.code, Organisation.code, Course.code, TrainingSession.code, ResponsibilityGroup.code)
TEXTS = (
    Authority.name,
    Area.name,
    Organisation.name,
    Course.title,
    Venue.name,
    Trainer.name,
    Practitioner.first_name,
    Practitioner.last_name,
    Practitioner.job_title,
    AwarenessSignOff.service,
    AwarenessSignOff.contact_name,
)


def test_every_demo_code_is_in_the_codes_alphabet(shared_demo):
    for column in CODES:
        codes = db.session.scalars(sa.select(column)).all()
        assert codes, column
        assert [code for code in codes if code_problem(code)] == [], column


def test_no_demo_title_or_name_holds_a_control_character(shared_demo):
    for column in TEXTS:
        values = db.session.scalars(sa.select(column).where(column.is_not(None))).all()
        assert [value for value in values if control_character_problem(value)] == [], column

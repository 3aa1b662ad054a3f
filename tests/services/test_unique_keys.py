"""A unique key taken between a service's check and its insert (a simultaneous request) is refused with the
check's own message and nothing is written, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.factories import make_area, make_authority, make_course, make_user
from tests.imports.helpers import run_import
from training_app.extensions import db
from training_app.imports.courses import CourseReader
from training_app.models import Area, AwarenessSignOff, Course, CourseKind, OrganisationKind, Role
from training_app.services.awareness import awareness
from training_app.services.awareness.awareness import SignOffValues
from training_app.services.catalogue import courses
from training_app.services.common.unique_keys import broken_unique_keys


def _refused(statement) -> IntegrityError:
    with pytest.raises(IntegrityError) as refused, db.session.begin_nested():
        db.session.execute(statement)
    return refused.value


def test_the_broken_key_is_named_on_either_database(app_ctx):
    authority = make_authority("RUTLAND", "Rutland")
    make_area(authority, "Oakham")
    make_course("CAF")

    code = _refused(sa.insert(Course).values(code="CAF", title="Again", kind=CourseKind.OTHER))
    pair = _refused(sa.insert(Area).values(authority_id=authority.id, name="Oakham"))
    not_unique = _refused(sa.insert(Area).values(authority_id=None, name="Nowhere"))

    assert broken_unique_keys(code) == {"uq_courses_code"}
    assert broken_unique_keys(pair) == {"uq_areas_authority_id_name"}
    assert broken_unique_keys(not_unique) == frozenset()  # a NOT NULL refusal is not a duplicate


def test_a_course_code_taken_after_the_check_is_refused_as_a_duplicate(app_ctx, monkeypatch):
    make_course("CAF")
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    monkeypatch.setattr(courses, "course_with_code", lambda code: None)  # the check ran before the other insert

    with pytest.raises(courses.CourseError) as refused:
        courses.create_course(courses.CourseSettings("CAF", "CAF again", CourseKind.OTHER), coordinator)

    assert refused.value.fields == {"code": "There is already a course with code CAF."}
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 1


def test_an_import_whose_key_is_taken_meanwhile_says_so_and_imports_nothing(app_ctx, monkeypatch):
    make_course("CAF", title="CAF practitioner")
    db.session.commit()
    load = CourseReader.load

    def load_before_the_other_insert(self, rows):
        load(self, rows)
        self.existing.pop("CAF")  # as if the file was checked before someone else created CAF

    monkeypatch.setattr(CourseReader, "load", load_before_the_other_insert)

    result = run_import(
        "courses", "code,title,kind,validity_months,counts_as_trained,prerequisites", "CAF,New,other,,no,"
    )

    assert result.errors == [
        "a record with the same key was saved by someone else while this file was imported, so nothing was "
        "imported: send the file again"
    ]
    assert db.session.scalars(sa.select(Course.title)).all() == ["CAF practitioner"]


def test_a_sign_off_recorded_meanwhile_for_the_same_service_is_a_duplicate(app_ctx, monkeypatch):
    make_authority("RUTLAND", "Rutland")
    values = SignOffValues("Youth service", OrganisationKind.YOUTH, ["RUTLAND"], "Sam", "CAF", date(2008, 1, 31))
    awareness.record_sign_off(values)
    monkeypatch.setattr(awareness, "_service_taken", lambda service, sign_off: False)

    with pytest.raises(awareness.SignOffError) as refused:
        awareness.record_sign_off(values)

    assert refused.value.duplicate  # the API's 409, as for a duplicate found by the check
    assert refused.value.fields == {"service": "Youth service already has a sign-off: change that one instead."}
    assert db.session.scalar(sa.select(sa.func.count(AwarenessSignOff.id))) == 1

"""A new session's code: one given keeps to the codes' alphabet; one the service numbers from its course's code
fits in a code's 40 characters, or the coordinator is asked for one (SPEC 3.3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa
import time_machine

from tests.factories import make_authority, make_course, make_user
from training_app.extensions import db
from training_app.models import Role, TrainingSession
from training_app.services.sessions import scheduling
from training_app.services.sessions.scheduling import DayPlan, SchedulingRefused, SessionPlan

LONG_CODE = "A" * 32  # 32 + "-2026-001" is 41 characters


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2026, 10, 1, 10, 0, tzinfo=UTC), tick=False):
        yield


def _plan(code: str = "") -> tuple[SessionPlan, object]:
    course, authority = make_course(LONG_CODE), make_authority("RUTLAND", "Rutland")
    coordinator = make_user(Role.COORDINATOR)
    day = DayPlan(date(2026, 10, 14), time(9, 30), time(16, 0))
    return SessionPlan(course.id, (day,), 12, authority.id, code=code), coordinator


def test_a_course_code_too_long_to_number_from_asks_for_a_session_code(app_ctx):
    plan, coordinator = _plan()

    with pytest.raises(SchedulingRefused) as refused:
        scheduling.create_session(plan, coordinator)

    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("code", f"course {LONG_CODE}'s code is too long to number its sessions from: enter a session code")
    ]
    assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0


def test_with_a_session_code_given_it_is_saved(app_ctx):
    plan, coordinator = _plan("LONG-2026-1")

    assert scheduling.create_session(plan, coordinator).session.code == "LONG-2026-1"


@pytest.mark.parametrize("code", ["caf-1", "CAF/1", "CAF 1", "..", "-CAF"])
def test_a_session_code_outside_the_alphabet_is_refused(app_ctx, code):
    plan, coordinator = _plan(code)

    with pytest.raises(SchedulingRefused) as refused:
        scheduling.create_session(plan, coordinator)

    assert [p.field for p in refused.value.problems] == ["code"]
    assert "capital letters, digits and hyphens" in refused.value.problems[0].message

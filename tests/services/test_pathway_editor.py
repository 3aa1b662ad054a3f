"""The pathway editor: add, remove, move and change requirement on one group's pathway, audited."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import group, make_booking, make_course, make_practitioner, make_session
from training_app.extensions import db
from training_app.models import AuditEvent, BookingStatus, Requirement, SessionStatus
from training_app.services.booking.places import coming_sessions_with_places
from training_app.services.catalogue.courses import retire_course
from training_app.services.catalogue.pathway_editor import (
    PathwayEditError,
    add_course,
    change_requirement,
    group_pathway,
    move_course,
    remove_course,
)

pytestmark = pytest.mark.usefixtures("app_ctx")
R, REC, OPT = Requirement.REQUIRED, Requirement.RECOMMENDED, Requirement.OPTIONAL


def _steps(code="3"):
    db.session.expire_all()
    pathway = group_pathway(group(code))
    return [(s.course.code, s.requirement) for s in sorted(pathway.steps, key=lambda s: s.position)]


@pytest.fixture
def courses():
    return {code: make_course(code=code) for code in ("AWARE", "CAF", "LP")}


def test_courses_are_added_in_order_to_a_group_without_a_pathway(courses):
    for code, requirement in (("AWARE", R), ("CAF", R), ("LP", OPT)):
        add_course(group("3"), courses[code], requirement, actor="c@council.example")
    assert _steps() == [("AWARE", R), ("CAF", R), ("LP", OPT)]
    events = db.session.scalars(sa.select(AuditEvent).filter_by(action="pathway_changed").order_by(AuditEvent.id)).all()
    assert len(events) == 3 and events[-1].old_value["steps"][-1]["course"] == "CAF"


def test_a_course_already_on_the_pathway_or_retired_is_not_added(courses):
    add_course(group("3"), courses["CAF"], R, actor=None)
    with pytest.raises(PathwayEditError, match="already on this pathway"):
        add_course(group("3"), courses["CAF"], REC, actor=None)
    retire_course(courses["LP"], actor=None)
    with pytest.raises(PathwayEditError, match="retired"):
        add_course(group("3"), courses["LP"], REC, actor=None)


def test_moving_swaps_with_the_neighbour_and_stops_at_the_ends(courses):
    for code in ("AWARE", "CAF", "LP"):
        add_course(group("3"), courses[code], R, actor=None)
    move_course(group("3"), courses["LP"], -1, actor=None)
    assert [code for code, _ in _steps()] == ["AWARE", "LP", "CAF"]
    move_course(group("3"), courses["AWARE"], 1, actor=None)
    assert [code for code, _ in _steps()] == ["LP", "AWARE", "CAF"]
    with pytest.raises(PathwayEditError, match="cannot move further up"):
        move_course(group("3"), courses["LP"], -1, actor=None)
    with pytest.raises(PathwayEditError, match="cannot move further down"):
        move_course(group("3"), courses["CAF"], 1, actor=None)


def test_changing_the_requirement_and_removing_keep_the_order_of_the_rest(courses):
    for code in ("AWARE", "CAF", "LP"):
        add_course(group("3"), courses[code], R, actor=None)
    change_requirement(group("3"), courses["LP"], REC, actor=None)
    remove_course(group("3"), courses["CAF"], actor=None)
    assert _steps() == [("AWARE", R), ("LP", REC)]
    with pytest.raises(PathwayEditError, match="not on this pathway"):
        remove_course(group("3"), courses["CAF"], actor=None)


def test_coming_sessions_with_places_leave_out_full_cancelled_started_and_other_courses():
    caf, other = make_course(code="CAF"), make_course(code="OTHER")
    open_ = make_session(course=caf, code="CAF-2", days=(date(2030, 2, 1),), capacity=2)
    make_booking(open_, make_practitioner())
    full = make_session(course=caf, code="CAF-3", days=(date(2030, 1, 1),), capacity=1)
    make_booking(full, make_practitioner())
    make_booking(full, make_practitioner(), status=BookingStatus.CANCELLED)
    make_session(course=caf, code="CAF-4", days=(date(2030, 3, 1),), status=SessionStatus.CANCELLED)
    make_session(course=caf, code="CAF-1", days=(date(2029, 12, 31),))  # started (today)
    make_session(course=other, code="OTHER-1", days=(date(2030, 1, 5),))
    found = coming_sessions_with_places([caf.id], today=date(2029, 12, 31))
    assert [(s.code, s.places_left) for s in found] == [("CAF-2", 1)]


def test_coming_sessions_are_the_first_few_of_each_course():
    caf, lp = make_course(code="CAF"), make_course(code="LP")
    for n in range(1, 6):
        make_session(course=caf, code=f"CAF-{n}", days=(date(2030, 1, n),))
    make_session(course=lp, code="LP-1", days=(date(2030, 1, 2),))
    found = coming_sessions_with_places([caf.id, lp.id], today=date(2029, 1, 1), per_course=2)
    assert [s.code for s in found] == ["CAF-1", "CAF-2", "LP-1"]


def test_coming_sessions_leave_out_those_whose_booking_window_has_closed():
    """A session in its last working days before day one cannot be booked, so it is not offered (nor counted among
    the first few of its course)."""
    caf = make_course(code="CAF")
    make_session(course=caf, code="CAF-CLOSED", days=(date(2030, 1, 3),), booking_closes_days=2)  # closed 1 January
    make_session(course=caf, code="CAF-OPEN", days=(date(2030, 1, 10),), booking_closes_days=2)
    make_session(course=caf, code="CAF-LATER", days=(date(2030, 1, 17),), booking_closes_days=2)
    found = coming_sessions_with_places([caf.id], today=date(2030, 1, 1), per_course=1)
    assert [s.code for s in found] == ["CAF-OPEN"]

"""Targets (SPEC 3.10): who is counted, the status at each boundary, scope, and bad input refused with nothing saved."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import (
    group,
    make_authority,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_user,
)
from training_app.extensions import db
from training_app.models import AuditEvent, Role, Target
from training_app.services.workforce.target_progress import month_ends, progress_over_time, target_progress
from training_app.services.workforce.targets import (
    TargetError,
    TargetStatus,
    TargetValues,
    change_target,
    count_targets,
    set_target,
    target_status,
    targets_for,
)

SET_ON = date(2026, 1, 1)
DUE_ON = date(2026, 12, 31)  # 364 days after SET_ON


def values(organisation=None, authority=None, groups=("3",), course=None, percent=80, due_on=DUE_ON):
    return TargetValues(organisation, authority, list(groups), course, percent, due_on)


@pytest.fixture
def caf(app_ctx):
    return make_course(code="CAF", counts_as_trained=True, validity_months=36)


def test_a_joint_worker_counts_once_in_each_authority_target_and_once_in_their_organisations(caf):
    leicester, shire = make_authority("LEICESTER"), make_authority("LEICESTERSHIRE")
    school = make_organisation(leicester, code="SCH1")
    joint = make_practitioner(school, [leicester, shire], group=group("3"))
    make_practitioner(school, [leicester], group=group("3"))
    make_record(joint, caf, date(2025, 6, 1))
    coordinator = make_user(Role.COORDINATOR)
    targets = [
        set_target(values(authority="LEICESTER"), coordinator, SET_ON),
        set_target(values(authority="LEICESTERSHIRE"), coordinator, SET_ON),
        set_target(values(organisation="SCH1"), coordinator, SET_ON),
    ]

    progress = target_progress(targets, date(2026, 3, 1))

    assert [(progress[t.id].in_post, progress[t.id].current) for t in targets] == [(2, 1), (1, 1), (2, 1)]
    assert progress[targets[1].id].status == TargetStatus.MET
    assert progress[targets[0].id].progress_percent == 50


def test_only_staff_in_post_in_the_groups_with_a_current_record_count(caf):
    refresher = make_course(code="CAF-REFRESH", renews_course_id=caf.id, validity_months=36)
    school = make_organisation(code="SCH1")
    on = date(2026, 6, 30)
    renewed = make_practitioner(school, group=group("3"))
    make_record(renewed, caf, date(2020, 1, 1))  # expired in 2023 ...
    make_record(renewed, refresher, date(2025, 1, 1))  # ... renewed by the refresher: current
    lapsed = make_practitioner(school, group=group("3"))
    make_record(lapsed, caf, date(2020, 1, 1))  # expired
    never = make_practitioner(school, group=group("3"))
    make_record(never, make_course(code="AWARE"), date(2025, 1, 1))  # another course: not counted as current
    make_record(make_practitioner(school, group=group("3"), left_on=date(2026, 5, 1)), caf, date(2025, 1, 1))
    make_record(make_practitioner(school, group=group("3"), started_on=date(2026, 7, 1)), caf, date(2025, 1, 1))
    make_record(make_practitioner(school, group=group("5")), caf, date(2025, 1, 1))  # another group
    target = set_target(values(organisation="SCH1"), make_user(Role.COORDINATOR), SET_ON)

    progress = target_progress([target], on)[target.id]

    assert (progress.in_post, progress.current) == (3, 1)
    assert progress.progress_percent == 33


def test_a_course_that_never_expires_stays_current(app_ctx):
    make_course(code="CAF", counts_as_trained=True, validity_months=None)
    induction = make_course(code="IND", validity_months=None)
    school = make_organisation(code="SCH1")
    make_record(make_practitioner(school, group=group("3")), induction, date(1990, 1, 1))
    target = set_target(values(organisation="SCH1", course="IND", percent=100), make_user(Role.ADMIN), SET_ON)

    assert target_progress([target], date(2026, 2, 1))[target.id].status == TargetStatus.MET
    assert target.course.code == "IND"


def test_the_course_defaults_to_the_one_that_counts_as_trained(caf):
    make_organisation(code="SCH1")
    target = set_target(values(organisation="SCH1"), make_user(Role.ADMIN), SET_ON)
    assert target.course.code == "CAF"
    assert db.session.scalars(sa.select(AuditEvent.action)).all() == ["target_set"]


@pytest.mark.parametrize(
    ("in_post", "current", "on", "expected"),
    [
        (10, 8, DUE_ON, TargetStatus.MET),  # exactly the percentage
        (10, 8, date(2027, 6, 1), TargetStatus.MET),  # met stays met after the date
        (10, 7, DUE_ON, TargetStatus.BEHIND),  # on the date, not met: behind, not yet missed
        (10, 7, date(2027, 1, 1), TargetStatus.MISSED),  # the day after the date
        (10, 4, date(2026, 7, 2), TargetStatus.ON_TRACK),  # 182 of 364 days: the line is exactly 40%
        (10, 3, date(2026, 7, 2), TargetStatus.BEHIND),  # just under the line
        (10, 4, date(2026, 7, 3), TargetStatus.BEHIND),  # the line has passed 40%
        (10, 0, SET_ON, TargetStatus.ON_TRACK),  # the day set, the line is at 0
        (0, 0, date(2026, 2, 1), TargetStatus.BEHIND),  # nobody in post is 0%
    ],
)
def test_each_status_at_its_boundary(in_post, current, on, expected):
    assert target_status(in_post, current, 80, SET_ON, DUE_ON, on) == expected


def test_statuses_from_the_database_match_the_rule(caf):
    school = make_organisation(code="SCH1")
    people = [make_practitioner(school, group=group("3")) for _ in range(10)]
    for person in people[:4]:
        make_record(person, caf, date(2025, 1, 1))
    target = set_target(values(organisation="SCH1"), make_user(Role.COORDINATOR), SET_ON)

    assert target_progress([target], date(2026, 7, 2))[target.id].status == TargetStatus.ON_TRACK
    assert target_progress([target], date(2026, 7, 3))[target.id].status == TargetStatus.BEHIND


def test_progress_over_time_is_one_statement_for_every_month_end(caf, count_statements):
    school = make_organisation(code="SCH1")
    person = make_practitioner(school, group=group("3"))
    make_practitioner(school, group=group("3"))
    make_record(person, caf, date(2026, 3, 15))
    target = set_target(values(organisation="SCH1"), make_user(Role.COORDINATOR), SET_ON)
    target = targets_for(make_user(Role.COORDINATOR))[0]

    with count_statements() as statements:
        series = progress_over_time(target, date(2026, 5, 10))

    assert statements.count == 1
    assert [(p.on, p.current, p.in_post) for p in series] == [
        (date(2026, 1, 31), 0, 2),
        (date(2026, 2, 28), 0, 2),
        (date(2026, 3, 31), 1, 2),
        (date(2026, 4, 30), 1, 2),
        (date(2026, 5, 10), 1, 2),
    ]


def test_month_ends_end_on_the_last_day():
    assert month_ends(date(2026, 1, 31), date(2026, 2, 28)) == [date(2026, 1, 31), date(2026, 2, 28)]
    assert month_ends(date(2026, 1, 5), date(2026, 1, 5)) == [date(2026, 1, 5)]


def test_progress_of_a_page_of_targets_is_one_statement(caf, count_statements):
    authority = make_authority("LEICESTER")
    coordinator = make_user(Role.COORDINATOR)
    for n in range(5):
        make_organisation(authority, code=f"SCH{n}")
        set_target(values(organisation=f"SCH{n}"), coordinator, SET_ON)
    set_target(values(authority="LEICESTER"), coordinator, SET_ON)
    targets = targets_for(coordinator)

    with count_statements() as statements:
        progress = target_progress(targets, date(2026, 2, 1))

    assert statements.count == 1
    assert len(progress) == 6


# -- scope -----------------------------------------------------------------------------------------------------------


def test_a_booker_sees_and_sets_only_their_organisations_targets(caf):
    mine = make_organisation(code="MINE")
    make_organisation(code="THEIRS")
    coordinator = make_user(Role.COORDINATOR)
    theirs_target = set_target(values(organisation="THEIRS"), coordinator, SET_ON)
    booker = make_user(Role.BOOKER, organisation=mine)

    own = set_target(values(organisation="MINE"), booker, SET_ON)
    with pytest.raises(TargetError) as refused:
        set_target(values(organisation="THEIRS"), booker, SET_ON)
    assert refused.value.forbidden
    with pytest.raises(TargetError) as refused:
        set_target(values(authority=mine.authority.code), booker, SET_ON)
    assert refused.value.forbidden
    with pytest.raises(TargetError) as refused:
        change_target(theirs_target.id, values(organisation="MINE"), booker)
    assert refused.value.forbidden

    assert [t.id for t in targets_for(booker)] == [own.id]
    assert count_targets(booker) == 1
    assert db.session.scalar(sa.select(sa.func.count(Target.id))) == 2


def test_a_workforce_lead_reads_only_their_authorities_and_their_organisations(caf):
    shire, city = make_authority("SHIRE"), make_authority("CITY")
    make_organisation(shire, code="IN-SHIRE")
    make_organisation(city, code="IN-CITY")
    coordinator = make_user(Role.COORDINATOR)
    visible = [
        set_target(values(authority="SHIRE"), coordinator, SET_ON).id,
        set_target(values(organisation="IN-SHIRE"), coordinator, SET_ON).id,
    ]
    set_target(values(authority="CITY"), coordinator, SET_ON)
    set_target(values(organisation="IN-CITY"), coordinator, SET_ON)
    lead = make_user(Role.WORKFORCE_LEAD, authorities=[shire])

    assert sorted(t.id for t in targets_for(lead)) == sorted(visible)
    with pytest.raises(TargetError) as refused:
        set_target(values(authority="SHIRE"), lead, SET_ON)
    assert refused.value.forbidden
    assert targets_for(make_user(Role.FINANCE)) == []


# -- bad input -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (values(organisation="SCH1", percent=0), "percent"),
        (values(organisation="SCH1", percent=101), "percent"),
        (values(organisation="SCH1", percent=None), "percent"),
        (values(organisation="SCH1", groups=()), "groups"),
        (values(organisation="SCH1", groups=("99",)), "groups"),
        (values(organisation="SCH1", authority="LEICESTER"), "organisation"),
        (values(), "organisation"),
        (values(organisation="NOPE"), "organisation"),
        (values(organisation="SCH1", course="NOPE"), "course"),
        (values(organisation="SCH1", due_on=date(2025, 12, 31)), "due_on"),
        (values(organisation="SCH1", due_on=None), "due_on"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(caf, given, field):
    make_authority("LEICESTER")
    make_organisation(code="SCH1")
    with pytest.raises(TargetError) as refused:
        set_target(given, make_user(Role.COORDINATOR), SET_ON)
    assert field in refused.value.fields
    assert not refused.value.forbidden
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Target.id))) == 0


def test_a_change_keeps_the_day_set_and_is_audited_with_old_and_new(caf):
    make_organisation(code="SCH1")
    coordinator = make_user(Role.COORDINATOR)
    target = set_target(values(organisation="SCH1"), coordinator, SET_ON)

    change_target(target.id, values(organisation="SCH1", groups=("3", "5"), percent=90), coordinator)

    changed = db.session.get(Target, target.id)
    assert (changed.percent, [g.code for g in changed.groups], changed.set_on) == (90, ["3", "5"], SET_ON)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "target_changed")).one()
    assert (event.old_value["percent"], event.new_value["percent"]) == (80, 90)


def test_a_change_of_a_target_that_is_gone_is_missing(caf):
    with pytest.raises(TargetError) as refused:
        change_target(999, values(organisation="SCH1"), make_user(Role.COORDINATOR))
    assert refused.value.missing

"""The counting rule of SPEC 3.9: each person once, under the exact set of authorities they work for."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import (
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
)
from training_app.extensions import db
from training_app.models import BookingStatus, CourseKind, SessionStatus
from training_app.services.reporting.counting import TOTAL_LABEL, AreaRow, trained_by_area

AS_OF = date(2008, 8, 31)


@pytest.fixture
def partnership(app_ctx):
    """Leicester, Leicestershire, Rutland (partners; display order as the demo's) and Nottingham, with a CAF course."""
    city = make_authority("LEICESTER", "Leicester", order=3)
    return {
        "city": city,
        "county": make_authority("LEICESTERSHIRE", "Leicestershire", order=2),
        "rutland": make_authority("RUTLAND", "Rutland", order=1),
        "notts": make_authority("NOTTINGHAM", "Nottingham", partner=False, order=4),
        "caf": make_course("CAF", counts_as_trained=True),
        "school": make_organisation(city),
    }


def person(p, *authorities):
    """A practitioner of the partnership's school working for the given authorities."""
    return make_practitioner(organisation=p["school"], authorities=[p[a] for a in authorities])


def trained_person(p, *authorities, on=date(2008, 1, 15)):
    practitioner = person(p, *authorities)
    make_record(practitioner, p["caf"], on)
    return practitioner


def table(as_of=AS_OF, scope=None) -> dict[str, int]:
    return {row.label: row.trained for row in trained_by_area(as_of, scope)}


def test_a_person_in_two_authorities_is_counted_once_in_the_joint_row(partnership):
    trained_person(partnership, "county", "city")
    trained_person(partnership, "city")

    assert table() == {
        "Rutland": 0,
        "Leicestershire": 0,
        "Leicester": 1,
        "Leicester and Leicestershire": 1,
        TOTAL_LABEL: 2,
    }


def test_rows_follow_the_reference_table_order_with_names_listed_alphabetically(partnership):
    p = partnership
    for authorities in [
        ("notts",),
        ("rutland", "county", "city"),
        ("rutland", "county"),
        ("county", "city"),
        ("rutland",),
        ("county",),
        ("city",),
    ]:
        trained_person(p, *authorities)

    assert list(table()) == [
        "Rutland",
        "Leicestershire",
        "Leicester",
        "Leicester and Leicestershire",
        "Leicestershire and Rutland",
        "Leicester, Leicestershire and Rutland",
        "Other – Nottingham",
        TOTAL_LABEL,
    ]
    assert "\u2013" in list(table())[6]  # an EN DASH, not a hyphen


def test_singles_follow_display_order_and_combinations_size_then_label_whatever_the_display_order(app_ctx):
    zed, bee, ant = (make_authority(name.upper(), name, order=i) for i, name in enumerate(("Zed", "Bee", "Ant"), 1))
    yew, elm = (make_authority(n.upper(), n, partner=False, order=9) for n in ("Yew", "Elm"))
    caf = make_course("CAF", counts_as_trained=True)
    school = make_organisation(zed)
    for authorities in [(zed, bee), (ant, zed), (bee, ant), (zed, ant, bee), (yew,), (elm,), (yew, elm), (ant,)]:
        make_record(make_practitioner(organisation=school, authorities=list(authorities)), caf, date(2008, 1, 1))

    assert list(table().items()) == [
        ("Zed", 0),
        ("Bee", 0),
        ("Ant", 1),
        ("Ant and Bee", 1),
        ("Ant and Zed", 1),
        ("Bee and Zed", 1),
        ("Ant, Bee and Zed", 1),
        ("Other – Elm", 1),
        ("Other – Yew", 1),
        ("Other – Elm and Yew", 1),
        (TOTAL_LABEL, 8),
    ]


def test_single_partner_rows_always_appear_with_zeros_and_the_total_is_last(partnership):
    rows = trained_by_area(AS_OF)

    assert rows == [
        AreaRow("Rutland", 0, 0, 0),
        AreaRow("Leicestershire", 0, 0, 0),
        AreaRow("Leicester", 0, 0, 0),
        AreaRow(TOTAL_LABEL, 0, None, None),
    ]


def test_the_as_of_date_is_inclusive(partnership):
    trained_person(partnership, "rutland", on=AS_OF)
    trained_person(partnership, "rutland", on=date(2008, 9, 1))

    assert table()["Rutland"] == 1
    assert table(date(2008, 8, 30))["Rutland"] == 0
    assert table(date(2008, 9, 1))["Rutland"] == 2


def test_only_courses_that_count_as_trained_count_and_each_person_once(partnership):
    p = partnership
    awareness = make_course("AWARE", kind=CourseKind.AWARENESS)
    renewed = trained_person(p, "county", on=date(2007, 6, 1))
    make_record(renewed, p["caf"], date(2008, 6, 1))  # a renewal is the same person
    make_record(person(p, "county"), awareness, date(2008, 1, 1))

    assert table()["Leicestershire"] == 1


def test_other_rows_appear_only_when_someone_is_trained(partnership):
    person(partnership, "notts")  # not trained

    assert "Other – Nottingham" not in table()


def test_a_set_mixing_partner_and_other_authorities_reads_as_a_partner_combination(partnership):
    trained_person(partnership, "notts", "county")
    trained_person(partnership, "notts", "county", "city")

    labels = list(table())
    assert labels[3:5] == ["Leicestershire and Nottingham", "Leicester, Leicestershire and Nottingham"]


def test_spaces_are_capacity_less_booked_places_on_sessions_to_the_end_of_the_year(partnership):
    p = partnership
    host = p["county"]
    half_full = make_session(p["caf"], days=(date(2008, 10, 1),), capacity=10, host=host)
    for status in (BookingStatus.BOOKED, BookingStatus.BOOKED, BookingStatus.CANCELLED):
        make_booking(half_full, person(p, "county"), status)
    make_booking(half_full, person(p, "county"), BookingStatus.WAITLISTED, position=1)
    overfull = make_session(p["caf"], days=(date(2008, 11, 5),), capacity=1, host=host)
    for _ in range(2):
        make_booking(overfull, person(p, "county"))
    make_session(p["caf"], days=(date(2008, 12, 31),), capacity=5, host=host)

    rows = {row.label: row for row in trained_by_area(AS_OF)}

    assert rows["Leicestershire"].spaces_to_end_of_year == 8 + 0 + 5  # never below 0 for a session
    assert rows["Leicester"].spaces_to_end_of_year == 0


def test_cancelled_sessions_other_courses_and_sessions_on_or_before_the_date_do_not_count(partnership):
    p = partnership
    host = p["city"]
    make_session(p["caf"], days=(date(2008, 10, 1),), capacity=20, host=host, status=SessionStatus.CANCELLED)
    make_session(make_course("LP", kind=CourseKind.LEAD_PROFESSIONAL), days=(date(2008, 10, 2),), host=host)
    make_session(p["caf"], days=(AS_OF,), capacity=20, host=host)

    leicester = trained_by_area(AS_OF)[2]

    assert (leicester.spaces_to_end_of_year, leicester.spaces_planned_next_year) == (0, 0)


def test_spaces_planned_next_year_are_the_capacity_of_next_years_sessions(partnership):
    p = partnership
    booked = make_session(p["caf"], days=(date(2009, 1, 14),), capacity=25, host=p["city"])
    make_booking(booked, person(p, "city"))
    make_session(p["caf"], days=(date(2009, 12, 31),), capacity=15, host=p["city"])
    make_session(p["caf"], days=(date(2010, 1, 5),), capacity=99, host=p["city"])

    leicester = trained_by_area(AS_OF)[2]

    assert (leicester.spaces_to_end_of_year, leicester.spaces_planned_next_year) == (0, 40)


def test_places_taken_by_people_who_came_still_count_for_a_date_in_the_past(partnership):
    p = partnership
    ran = make_session(
        p["caf"], days=(date(2008, 9, 10),), capacity=10, host=p["rutland"], status=SessionStatus.COMPLETED
    )
    for status in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW, BookingStatus.LATE_CANCELLED):
        make_booking(ran, person(p, "rutland"), status)

    assert trained_by_area(AS_OF)[0].spaces_to_end_of_year == 8


def test_a_scope_keeps_people_who_work_for_it_and_only_its_single_rows(partnership):
    p = partnership
    trained_person(p, "county")
    trained_person(p, "county", "rutland")
    trained_person(p, "city")
    trained_person(p, "rutland")
    trained_person(p, "notts")

    assert table(scope={p["county"].id}) == {
        "Leicestershire": 1,
        "Leicestershire and Rutland": 1,
        TOTAL_LABEL: 2,
    }


def test_the_number_of_queries_does_not_grow_with_the_data(partnership, app, count_statements):
    def statements_for_table() -> int:
        with count_statements() as seen:
            trained_by_area(AS_OF)
        return len(seen)

    trained_person(partnership, "city")
    few = statements_for_table()
    for authorities in [("city",), ("county", "city"), ("rutland",), ("notts",)] * 10:
        trained_person(partnership, *authorities)
        make_session(partnership["caf"], days=(date(2008, 10, 1),), host=partnership["county"])

    assert statements_for_table() == few


def test_renaming_an_authority_or_making_it_a_partner_relabels_its_rows_at_once(partnership):
    p = partnership
    trained_person(p, "notts")
    trained_person(p, "notts", "county")
    assert "Other – Nottingham" in table() and "Leicestershire and Nottingham" in table()

    p["notts"].name = "Nottinghamshire"
    db.session.flush()
    assert "Other – Nottinghamshire" in table() and "Leicestershire and Nottinghamshire" in table()

    p["notts"].partner = True
    db.session.flush()
    rows = table()
    assert rows["Nottinghamshire"] == 1 and "Other – Nottinghamshire" not in rows

"""A booker's staff list (SPEC 3.4): their organisation only, pathway status at a glance, who still needs a required
course, and adding or changing staff through the practitioners reader's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import (
    group,
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
)
from tests.web.helpers import h1_of, signed_in
from training_app.extensions import db
from training_app.models import CoverCategory, Organisation, Pathway, PathwayCourse, Practitioner, Requirement, Role
from training_app.services.booking.staff import ANY_REQUIRED, staff_page
from training_app.services.common.calendar import london_today


@pytest.fixture
def school(app):
    """A school whose group-3 pathway requires CAF (validity 36 months) and recommends LP; four staff: one trained,
    one expired, one booked, one not started; and a stranger at another school."""
    with app.app_context():
        leics = make_authority(code="LEICS", name="Leicestershire")
        make_authority(code="RUT", name="Rutland")
        school = make_organisation(authority=leics, name="Oak Primary", code="OAK")
        caf = make_course(code="CAF", title="CAF practitioner", validity_months=36)
        lp = make_course(code="LP", title="Lead professional")
        three = group("3")
        pathway = Pathway(group=three, name="Group 3")
        pathway.steps = [
            PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1),
            PathwayCourse(course=lp, requirement=Requirement.RECOMMENDED, position=2),
        ]
        db.session.add(pathway)
        today = london_today()
        people = {}
        for first in ("Ann", "Ben", "Cat", "Dee"):
            people[first] = make_practitioner(
                organisation=school, first_name=first, last_name="Oak", email=f"{first.lower()}@oak.example"
            )
            people[first].group_id = three.id
        make_record(people["Ann"], caf, today - timedelta(days=100), expires_on=today + timedelta(days=900))
        make_record(people["Ben"], caf, today - timedelta(days=1200), expires_on=today - timedelta(days=50))
        make_booking(make_session(course=caf, days=(today + timedelta(days=20),)), people["Cat"])
        stranger = make_practitioner(
            organisation=make_organisation(code="ELM"), first_name="Zed", email="zed@elm.example"
        )
        stranger.group_id = three.id
        booker = make_user(Role.BOOKER, organisation=school, email="bm@oak.example")
        db.session.commit()
        return {"booker": booker.email, "school_id": school.id, "stranger_id": stranger.id, "ann_id": people["Ann"].id}


def test_the_staff_list_shows_each_persons_pathway_status_and_only_the_organisations_staff(app, client, school):
    signed_in(client, school["booker"])
    page = client.get("/staff")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and h1_of(page) == "Staff"
    assert "Oak Primary" in text and "Zed" not in text
    assert "2 of your staff still need a course their pathway requires" in text
    with app.app_context():
        result = staff_page(school["school_id"], london_today())
        statuses = {m.first_name: [(s.course_code, s.status.value) for s in m.steps] for m in result.members}
    assert statuses == {
        "Ann": [("CAF", "current"), ("LP", "not_started")],
        "Ben": [("CAF", "expired"), ("LP", "not_started")],
        "Cat": [("CAF", "booked"), ("LP", "not_started")],
        "Dee": [("CAF", "not_started"), ("LP", "not_started")],
    }


def test_the_filter_shows_who_still_needs_a_required_course(app, client, school):
    signed_in(client, school["booker"])
    for needs in (ANY_REQUIRED, "CAF"):
        text = client.get(f"/staff?needs={needs}").get_data(as_text=True)
        assert "Ben Oak" in text and "Dee Oak" in text
        assert "Ann Oak" not in text and "Cat Oak" not in text
    assert "2 people found" in client.get("/staff?needs=any").get_data(as_text=True)
    assert "4 people found" in client.get("/staff?needs=NOT-A-COURSE").get_data(as_text=True)  # ignored
    assert "1 person found" in client.get("/staff?q=ann%40oak").get_data(as_text=True)


def test_the_staff_list_pages_in_sql_with_a_fixed_number_of_queries(app, school, count_statements):
    with app.app_context():
        school_row = school["school_id"]
        organisation = db.session.get(Organisation, school_row)
        for n in range(60):
            make_practitioner(organisation=organisation, first_name="Extra", last_name=f"Z{n:02d}")
        db.session.commit()
        with count_statements() as statements:
            first = staff_page(school_row, london_today(), per_page=50)
            second = staff_page(school_row, london_today(), page=2, per_page=50)
    assert (first.total, first.pages, len(first.members), len(second.members)) == (64, 2, 50, 14)
    selects = statements.starting("SELECT")
    assert len(selects) == 6  # three per page (one for both counts, the people, their pathways), whatever its size


def test_a_booker_adds_a_member_of_staff_in_their_organisation(app, client, school):
    signed_in(client, school["booker"])
    page = client.get("/staff/new")
    token = csrf_token_from(page.get_data(as_text=True))
    form = {
        "csrf_token": token,
        "first_name": "Eve",
        "last_name": "New",
        "email": "Eve@Oak.example",
        "job_title": "Teaching assistant",
        "group": "3",
        "authorities": ["LEICS", "RUT"],
        "cover_category": "teaching_assistant",
    }
    done = client.post("/staff/new", data=form, follow_redirects=True)
    assert "Eve New has been added to your staff." in done.get_data(as_text=True)
    with app.app_context():
        eve = db.session.execute(sa.select(Practitioner).filter_by(email="eve@oak.example")).scalar_one()
        assert eve.organisation_id == school["school_id"]
        assert sorted(a.code for a in eve.authorities) == ["LEICS", "RUT"]
        assert eve.cover_category == CoverCategory.TEACHING_ASSISTANT

    again = client.post("/staff/new", data=form)
    assert again.status_code == 422 and "Email address is already on your staff list" in again.get_data(as_text=True)
    theirs = client.post("/staff/new", data={**form, "email": "zed@elm.example"})
    assert "belongs to someone at another organisation" in theirs.get_data(as_text=True)
    bad = client.post("/staff/new", data={**form, "email": "not an email", "authorities": []})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "There is a problem" in text and "Select at least one authority" in text
    with app.app_context():
        zed = db.session.get(Practitioner, school["stranger_id"])
        assert zed.organisation.code == "ELM" and zed.first_name == "Zed"


def test_the_reader_checks_what_the_form_cannot(app, client, school):
    signed_in(client, school["booker"])
    token = csrf_token_from(client.get("/staff/new").get_data(as_text=True))
    form = {"csrf_token": token, "first_name": "Al", "last_name": "Bad", "email": "al@@oak", "authorities": ["LEICS"]}
    bad = client.post("/staff/new", data={**form, "group": "", "cover_category": "none"})
    assert bad.status_code == 422 and "There is a problem" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Practitioner).filter_by(last_name="Bad")) == 0


def test_a_booker_changes_their_staff_but_not_another_organisations(app, client, school):
    signed_in(client, school["booker"])
    page = client.get(f"/staff/{school['ann_id']}/edit")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="ann@oak.example"' in text and "readonly" in text
    form = {
        "csrf_token": csrf_token_from(text),
        "first_name": "Anne",
        "last_name": "Oak",
        "email": "hijack@elm.example",  # ignored: the email identifies the record
        "job_title": "Head",
        "group": "3",
        "authorities": ["LEICS"],
        "cover_category": "teacher",
    }
    done = client.post(f"/staff/{school['ann_id']}/edit", data=form, follow_redirects=True)
    assert "Anne Oak&#39;s details have been saved." in done.get_data(as_text=True)
    with app.app_context():
        ann = db.session.get(Practitioner, school["ann_id"])
        assert (ann.first_name, ann.email, ann.job_title, ann.cover_category) == (
            "Anne",
            "ann@oak.example",
            "Head",
            CoverCategory.TEACHER,
        )
    assert client.get(f"/staff/{school['stranger_id']}/edit").status_code == 403
    assert client.post(f"/staff/{school['stranger_id']}/edit", data=form).status_code == 403
    assert client.get("/staff/999999/edit").status_code == 404


def test_staff_pages_are_for_bookers_only(app, client, school):
    with app.app_context():
        coordinator = make_user(Role.COORDINATOR).email
        db.session.commit()
    signed_in(client, coordinator)
    assert client.get("/staff").status_code == 403
    assert client.get(f"/staff/{school['ann_id']}/edit").status_code == 403

"""Reference data pages: list and search, add and change a record checked by its kind's reader, and a
practitioner given an account from their record."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_authority, make_organisation, make_practitioner, make_user
from tests.outbox import emails_to
from tests.web.helpers import h1_of, signed_in, title_of
from training_app.extensions import db
from training_app.models import Authority, Organisation, Practitioner, Role, User, utcnow

ADMIN = "reference.admin@council.example"


@pytest.fixture
def admin_client(app):
    with app.app_context():
        make_user(Role.ADMIN, email=ADMIN)
        city = make_authority("LEICESTER", "Leicester", order=1)
        school = make_organisation(city, code="SCH1", name="Oakfield Primary")
        make_organisation(city, code="HLT1", name="City Health Centre", kind="health")
        make_practitioner(school, [city], email="pat.jones@oakfield.example", first_name="Pat", last_name="Jones")
        make_practitioner(school, [city], email="lee.smith@oakfield.example", first_name="Lee", last_name="Smith")
        db.session.commit()
    return signed_in(app.test_client(), ADMIN)


def _post(client, url: str, **data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_practitioners_are_searched_by_name_email_and_organisation(admin_client):
    by_name = admin_client.get("/admin/reference/practitioners?q=pat jones").get_data(as_text=True)
    by_email = admin_client.get("/admin/reference/practitioners?q=LEE.SMITH").get_data(as_text=True)
    by_organisation = admin_client.get("/admin/reference/practitioners?q=oakfield primary").get_data(as_text=True)

    assert "pat.jones@oakfield.example" in by_name and "lee.smith" not in by_name
    assert "lee.smith@oakfield.example" in by_email and "pat.jones" not in by_email
    assert "pat.jones" in by_organisation and "lee.smith" in by_organisation


def test_an_authority_is_added_and_changed_with_partner_flag_and_display_order(app, admin_client):
    added = _post(
        admin_client,
        "/admin/reference/authorities/record",
        code="RUTLAND",
        name="Rutland",
        partner="yes",
        display_order="2",
    )
    assert added.status_code == 302
    changed = _post(
        admin_client,
        "/admin/reference/authorities/record?key=RUTLAND",
        code="IGNORED",
        name="Rutland County",
        partner="no",
        display_order="5",
    )
    assert changed.status_code == 302
    with app.app_context():
        rutland = db.session.execute(sa.select(Authority).filter_by(code="RUTLAND")).scalar_one()
        assert (rutland.name, rutland.partner, rutland.display_order) == ("Rutland County", False, 5)
        assert db.session.execute(sa.select(Authority).filter_by(code="IGNORED")).first() is None


def test_a_bad_record_shows_the_readers_messages_on_its_fields_and_saves_nothing(app, admin_client):
    response = _post(
        admin_client,
        "/admin/reference/organisations/record?key=SCH1",
        code="SCH1",
        name="Oakfield",
        kind="castle",
        authority="NOWHERE",
        awareness_only="perhaps",
    )

    assert response.status_code == 200
    assert title_of(response).startswith("Error: Change an organisation")
    page = response.get_data(as_text=True)
    assert "Kind:" in page and "Authority:" in page and "Awareness only:" in page
    with app.app_context():
        school = db.session.execute(sa.select(Organisation).filter_by(code="SCH1")).scalar_one()
        assert school.name == "Oakfield Primary"


def test_an_organisation_is_marked_awareness_only(app, admin_client):
    page = admin_client.get("/admin/reference/organisations/record?key=HLT1")
    assert h1_of(page) == "Change an organisation"

    response = _post(
        admin_client,
        "/admin/reference/organisations/record?key=HLT1",
        code="HLT1",
        name="City Health Centre",
        kind="health",
        authority="LEICESTER",
        awareness_only="yes",
    )

    assert response.status_code == 302
    with app.app_context():
        assert db.session.execute(sa.select(Organisation.awareness_only).filter_by(code="HLT1")).scalar_one()


def test_a_practitioner_is_edited_and_given_an_account_from_their_record(app, admin_client):
    url = "/admin/reference/practitioners/record?key=pat.jones@oakfield.example"
    edited = _post(
        admin_client,
        url,
        email="pat.jones@oakfield.example",
        first_name="Patricia",
        last_name="Jones",
        job_title="Deputy head",
        organisation="SCH1",
        group="3",
        authorities="LEICESTER",
        cover_category="teacher",
    )
    assert edited.status_code == 302

    page = admin_client.get(url).get_data(as_text=True)
    assert "Give them an account" in page
    response = admin_client.post(
        "/admin/reference/practitioners/account?key=pat.jones@oakfield.example",
        data={"csrf_token": csrf_token_from(page)},
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/users/")
    with app.app_context():
        user = db.session.execute(sa.select(User).filter_by(email="pat.jones@oakfield.example")).scalar_one()
        practitioner = db.session.execute(sa.select(Practitioner).filter_by(email=user.email)).scalar_one()
        assert user.role == Role.PRACTITIONER and user.practitioner_id == practitioner.id
        assert (practitioner.first_name, practitioner.job_title) == ("Patricia", "Deputy head")
    assert len(emails_to(app, "pat.jones@oakfield.example")) == 1
    assert "Give them an account" not in admin_client.get(url).get_data(as_text=True)


def test_an_unknown_kind_or_record_is_not_found(admin_client):
    assert admin_client.get("/admin/reference/users").status_code == 404
    assert admin_client.get("/admin/reference/authorities/record?key=NOPE").status_code == 404


def test_an_admin_downloads_a_practitioners_data_then_anonymises_them(app, admin_client):
    url = "/admin/reference/practitioners/record?key=lee.smith@oakfield.example"
    page = admin_client.get(url).get_data(as_text=True)
    assert "Download their personal data" in page

    download = admin_client.get("/admin/reference/practitioners/lee.smith@oakfield.example/personal-data.json")
    assert download.mimetype == "application/json"
    assert download.get_json()["practitioner"]["email"] == "lee.smith@oakfield.example"

    confirm = admin_client.get("/admin/reference/practitioners/lee.smith@oakfield.example/anonymise")
    assert h1_of(confirm) == "Anonymise Lee Smith"
    response = admin_client.post(
        "/admin/reference/practitioners/lee.smith@oakfield.example/anonymise",
        data={"csrf_token": csrf_token_from(confirm.get_data(as_text=True))},
    )
    assert response.status_code == 302
    listing = admin_client.get("/admin/reference/practitioners").get_data(as_text=True)
    assert "lee.smith" not in listing and "Anonymised" in listing
    assert admin_client.get("/admin/reference/practitioners/lee.smith@oakfield.example/anonymise").status_code == 404


def test_the_retention_page_lists_people_with_no_recent_activity(app, admin_client):
    with app.app_context():  # the two were added seven years ago; someone added today is new, not inactive
        added = utcnow() - timedelta(days=7 * 366)
        db.session.execute(sa.update(Practitioner).values(created_at=added))
        make_practitioner(email="new.starter@oakfield.example")
        db.session.commit()
    response = admin_client.get("/admin/reference/practitioners/inactive")

    assert h1_of(response) == "Practitioners to anonymise"
    page = response.get_data(as_text=True)
    assert "kept for 6 years" in page
    assert "pat.jones@oakfield.example" in page and "lee.smith@oakfield.example" in page
    assert "new.starter@oakfield.example" not in page

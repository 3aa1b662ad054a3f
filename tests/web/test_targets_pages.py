"""The targets pages (SPEC 3.10): progress in words and numbers, the forms' GOV.UK error summary, scope on every page,
the chart over time, the dashboards' panels, and the workbook (read back with openpyxl) from the page and the CLI."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import group, make_authority, make_course, make_organisation, make_practitioner, make_record
from tests.web.helpers import make_user, signed_in, title_of
from training_app.extensions import db
from training_app.models import Authority, Organisation, Role, Target
from training_app.services.common.calendar import london_today
from training_app.services.reporting.summaries import refresh_summaries
from training_app.services.workforce.targets import TargetValues, set_target

SET_ON = date(2026, 1, 1)


@pytest.fixture
def world(app):
    with app.app_context():
        caf = make_course(code="CAF", counts_as_trained=True, validity_months=36, title="CAF practitioner")
        shire, city = make_authority("SHIRE", "Shire"), make_authority("CITY", "City")
        mine = make_organisation(shire, code="MINE", name="Mine Primary")
        make_organisation(city, code="THEIRS", name="Theirs Academy")
        for n in range(4):
            person = make_practitioner(mine, [shire], group=group("3"))
            if n < 3:
                make_record(person, caf, london_today() - timedelta(days=10))
        coordinator = make_user(Role.COORDINATOR, email="coordinator@council.example")
        make_user(Role.BOOKER, email="booker@council.example", organisation=mine)
        make_user(Role.WORKFORCE_LEAD, email="lead@council.example", authorities=[shire])
        due = london_today() + timedelta(days=200)
        ids = {
            code: set_target(TargetValues(code, None, ["3"], None, 50, due), coordinator, london_today()).id
            for code in ("MINE", "THEIRS")
        }
        ids["CITY"] = set_target(TargetValues(None, "CITY", ["3"], None, 50, due), coordinator, london_today()).id
        db.session.commit()
        return ids


def page(client, url):
    response = client.get(url)
    return response, response.get_data(as_text=True)


def test_the_list_shows_progress_in_words_and_numbers_not_colour_alone(app, world):
    client = signed_in(app.test_client(), "coordinator@council.example")

    response, html = page(client, "/targets")

    assert response.status_code == 200 and title_of(response).startswith("Targets –")
    assert "Mine Primary" in html and "Theirs Academy" in html and "City" in html
    assert "75%" in html and "(3 of 4)" in html and ">Met</strong>" in html
    assert 'aria-hidden="true"' in html  # the bar repeats the text, hidden from assistive technology
    assert "Authorities’ targets" in html and "Organisations’ targets" in html


def test_a_booker_sees_only_their_organisations_targets_and_not_anothers(app, world):
    client = signed_in(app.test_client(), "booker@council.example")

    _, html = page(client, "/targets")

    assert "Mine Primary" in html and "Theirs Academy" not in html
    assert client.get(f"/targets/{world['THEIRS']}").status_code == 403
    assert client.get(f"/targets/{world['THEIRS']}/edit").status_code == 403
    assert client.get(f"/targets/{world['MINE']}/edit").status_code == 200
    assert client.get("/targets/999").status_code == 404


def test_a_booker_sets_a_target_for_their_own_organisation(app, world):
    client = signed_in(app.test_client(), "booker@council.example")
    token = csrf_token_from(client.get("/targets/new").get_data(as_text=True))
    due = london_today() + timedelta(days=90)
    form = {"csrf_token": token, "organisation": "THEIRS", "authority": "CITY", "groups": ["3", "5"], "course": "CAF"}
    form |= {"percent": "60", "due_on": [str(due.day), str(due.month), str(due.year)]}

    response = client.post("/targets/new", data=form)

    assert response.status_code == 302
    with app.app_context():
        newest = db.session.scalars(sa.select(Target).order_by(Target.id.desc())).first()
        assert (newest.organisation.code, newest.authority_id, newest.percent) == ("MINE", None, 60)


def test_a_workforce_lead_reads_their_authorities_targets_and_may_set_none(app, world):
    client = signed_in(app.test_client(), "lead@council.example")

    _, html = page(client, "/targets")

    assert "Mine Primary" in html and "Theirs Academy" not in html and "City" not in html
    assert "Set a target" not in html
    assert client.get("/targets/new").status_code == 403
    assert client.get(f"/targets/{world['CITY']}").status_code == 403


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"percent": "0"}, "Percentage must be a whole number from 1 to 100"),
        ({"percent": "101"}, "Percentage must be a whole number from 1 to 100"),
        ({"groups": []}, "Choose at least one responsibility group"),
        ({"authority": "SHIRE"}, "Give an organisation or an authority, not both"),
    ],
)
def test_bad_input_shows_the_error_summary_and_saves_nothing(app, world, fields, message):
    client = signed_in(app.test_client(), "coordinator@council.example")
    token = csrf_token_from(client.get("/targets/new").get_data(as_text=True))
    due = london_today() + timedelta(days=90)
    form = {"csrf_token": token, "organisation": "MINE", "authority": "", "groups": ["3"], "course": "CAF"}
    form |= {"percent": "60", "due_on": [str(due.day), str(due.month), str(due.year)]} | fields

    response = client.post("/targets/new", data=form)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert title_of(response).startswith("Error: ")
    assert "govuk-error-summary" in html and message in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Target.id))) == 3


def test_a_target_page_charts_progress_at_month_ends_with_a_table(app, world):
    client = signed_in(app.test_client(), "coordinator@council.example")

    response, html = page(client, f"/targets/{world['MINE']}")

    assert response.status_code == 200
    assert 'role="img"' in html and "<polyline" in html
    assert "Progress at each month end" in html and "75%" in html


def test_the_workbook_downloads_and_opens(app, world):
    client = signed_in(app.test_client(), "lead@council.example")

    response = client.get("/targets.xlsx", query_string={"as_of": london_today().isoformat()})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Targets"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("For", "Code", "Name")
    assert [row[1:3] for row in rows[2:]] == [("MINE", "Mine Primary")]
    assert rows[2][8:11] == (4, 3, 75) and rows[2][12] == "Met"
    assert sheet.print_title_rows == "$1:$2" and sheet.page_setup.orientation == "landscape"


def test_the_export_command_writes_every_target(app, world, tmp_path):
    out = tmp_path / "targets.xlsx"

    result = app.test_cli_runner().invoke(args=["export", "targets", "--out", str(out), "--as-of", "2026-12-01"])

    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out)["Targets"].iter_rows(values_only=True))
    assert len(rows) == 2 + 3
    bad = app.test_cli_runner().invoke(args=["export", "targets", "--out", str(out), "--as-of", "2026-02-30"])
    assert bad.exit_code != 0 and "--as-of" in bad.output


def test_the_dashboards_show_a_short_panel_of_targets(app, world):
    booker = signed_in(app.test_client(), "booker@council.example")
    lead = signed_in(app.test_client(), "lead@council.example")

    booker_html = booker.get("/").get_data(as_text=True)
    lead_html = lead.get("/").get_data(as_text=True)

    assert "Mine Primary" in booker_html and 'href="/targets"' in booker_html and "Met" in booker_html
    assert "now 75% (3 of 4)" in " ".join(booker_html.split())
    assert "Mine Primary" in lead_html and 'href="/targets"' in lead_html and "Theirs Academy" not in lead_html
    # The lead's progress comes from their scope's dashboard summary, counted when it was first read.
    assert "now 75% (3 of 4)" in " ".join(lead_html.split()) and "Met" in lead_html


def test_the_leads_panel_shows_progress_as_the_summary_counted_it_until_counted_again(app, world):
    lead = signed_in(app.test_client(), "lead@council.example")
    lead.get("/")  # the scope's summary counted now
    with app.app_context():
        shire = db.session.scalars(sa.select(Authority).filter_by(code="SHIRE")).one()
        make_practitioner(
            db.session.scalars(sa.select(Organisation).filter_by(code="MINE")).one(), [shire], group=group("3")
        )
        db.session.commit()

    assert "now 75% (3 of 4)" in " ".join(lead.get("/").get_data(as_text=True).split())  # as counted
    with app.app_context():
        refresh_summaries()  # the scheduler's job
    assert "now 60% (3 of 5)" in " ".join(lead.get("/").get_data(as_text=True).split())

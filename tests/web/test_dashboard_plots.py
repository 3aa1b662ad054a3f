"""The plots on the coordinator's and a workforce lead's dashboards: SVG drawn on the server, figures in a table."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.factories import (
    make_area,
    make_authority,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_user,
)
from tests.web.helpers import signed_in
from tests.web.test_reports_page import tables_of
from training_app.extensions import db
from training_app.models import Role
from training_app.services.common.calendar import london_today


def build(app):
    with app.app_context():
        rutland = make_authority("RUTLAND", "Rutland", order=1)
        county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
        caf = make_course("CAF", counts_as_trained=True, validity_months=36)
        melton = make_organisation(county, area=make_area(county, "Melton"))
        oakham = make_organisation(rutland, area=make_area(rutland, "Oakham"))
        today = london_today()
        for organisation, on, expires_in in (
            (melton, date(2008, 1, 5), -1),
            (melton, date(2009, 2, 1), 30),
            (oakham, date(2009, 2, 3), 400),
        ):
            make_record(make_practitioner(organisation), caf, on, expires_on=today + timedelta(days=expires_in))
        users = {
            "coordinator": make_user(Role.COORDINATOR).email,
            "lead": make_user(Role.WORKFORCE_LEAD, authorities=[rutland]).email,
        }
        db.session.commit()
    return users


def test_the_coordinator_sees_each_plot_with_its_table(app, client):
    signed_in(client, build(app)["coordinator"])

    page = client.get("/").get_data(as_text=True)

    assert page.count('<svg class="app-chart"') == 4
    assert "style=" not in page
    assert re.search(r'<title id="plot-time-title">Staff trained over time</title>', page)
    tables = tables_of(client.get("/"))
    assert tables["Staff trained by authority"][1:] == [["Rutland", "1"], ["Leicestershire", "2"]]
    running = tables["Staff trained over time (running total)"][1:]
    assert running == [["January 2008", "1"], ["February 2009", "3"]]
    assert tables["Refresher status by area"][1:] == [
        ["Oakham (Rutland)", "1", "0", "0"],
        ["Melton (Leicestershire)", "0", "1", "1"],
    ]


def test_a_lead_sees_plots_of_their_authorities_only(app, client):
    signed_in(client, build(app)["lead"])

    tables = tables_of(client.get("/"))

    assert tables["Staff trained by authority"][1:] == [["Rutland", "1"]]
    assert tables["Staff trained by area"][1:] == [["Oakham (Rutland)", "1"]]

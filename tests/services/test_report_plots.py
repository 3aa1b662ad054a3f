"""The dashboards' plot figures: trained over time (cumulative, each person once) and refresher status by area."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import (
    make_area,
    make_authority,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
)
from training_app.services.reporting.report_plots import (
    RefresherRow,
    dashboard_plots,
    refresher_status_by_area,
    trained_over_time,
)

TODAY = date(2010, 6, 15)


@pytest.fixture
def p(app_ctx):
    """Rutland (Oakham) and Leicestershire (Melton); CAF lasts 36 months with a 90-day reminder lead."""
    rutland = make_authority("RUTLAND", "Rutland", order=1)
    county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    return {
        "rutland": rutland,
        "county": county,
        "caf": make_course("CAF", counts_as_trained=True, validity_months=36),
        "other": make_course("LP"),
        "oakham": make_organisation(rutland, area=make_area(rutland, "Oakham")),
        "melton": make_organisation(county, area=make_area(county, "Melton")),
        "no_area": make_organisation(county),
    }


def trained(p, where, *records, course="caf", authorities=None):
    person = make_practitioner(p[where], authorities or [p[where].authority])
    for completed_on, expires_on in records:
        make_record(person, p[course], completed_on, expires_on=expires_on)
    return person


def test_trained_over_time_counts_each_person_once_in_their_first_month_cumulatively(p):
    trained(p, "melton", (date(2007, 1, 10), date(2010, 1, 10)), (date(2009, 12, 1), date(2012, 12, 1)))  # renewed
    trained(p, "melton", (date(2007, 1, 31), None))
    trained(p, "oakham", (date(2007, 3, 1), None))
    trained(p, "oakham", (date(2008, 2, 1), None), course="other")  # not the course that counts
    trained(p, "oakham", (date(2011, 1, 1), None))  # after today

    assert trained_over_time(TODAY) == [(date(2007, 1, 1), 2), (date(2007, 3, 1), 3)]
    assert trained_over_time(TODAY, {p["rutland"].id}) == [(date(2007, 3, 1), 1)]


def test_refresher_status_takes_each_persons_latest_expiry(p):
    trained(p, "melton", (date(2009, 1, 1), date(2012, 1, 1)))  # current
    trained(p, "melton", (date(2007, 8, 1), date(2010, 8, 1)))  # within 90 days: due soon
    trained(p, "melton", (date(2007, 6, 15), TODAY))  # expired on its expiry date
    trained(p, "melton", (date(2005, 1, 1), date(2008, 1, 1)), (date(2008, 3, 1), date(2011, 3, 1)))  # renewed: current
    trained(p, "oakham", (date(2006, 1, 1), date(2009, 1, 1)))  # expired
    trained(p, "no_area", (date(2009, 1, 1), None))  # never expires: current
    trained(p, "oakham", (date(2011, 1, 1), date(2014, 1, 1)))  # completed after today: not counted

    assert refresher_status_by_area(TODAY) == [
        RefresherRow("Rutland", "Oakham", 0, 0, 1),
        RefresherRow("Leicestershire", "Melton", 2, 1, 1),
        RefresherRow("", "No area", 1, 0, 0),
    ]
    assert refresher_status_by_area(TODAY, {p["rutland"].id}) == [RefresherRow("Rutland", "Oakham", 0, 0, 1)]


def test_the_dashboard_plots_leave_out_the_total_and_keep_to_a_scope(p):
    trained(p, "melton", (date(2009, 1, 1), date(2012, 1, 1)))
    trained(p, "oakham", (date(2009, 1, 1), date(2012, 1, 1)), authorities=[p["rutland"], p["county"]])

    plots = dashboard_plots(TODAY, {p["rutland"].id})

    assert [(row.label, row.trained) for row in plots.by_authority] == [
        ("Rutland", 0),
        ("Leicestershire and Rutland", 1),
    ]
    assert [(row.area, row.trained) for row in plots.by_area] == [("Oakham", 1)]
    assert plots.over_time == [(date(2009, 1, 1), 1)]

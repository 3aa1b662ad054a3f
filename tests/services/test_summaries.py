"""Dashboard summaries (issue 25): the kept figures equal the live ones once refreshed, stay as counted (saying when)
until the next refresh, and a refresh after a write shows it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
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
from training_app.extensions import db
from training_app.jobs import tasks
from training_app.models import DashboardSummary, Practitioner, Role
from training_app.services.accounts import settings
from training_app.services.accounts.personal_data import count_inactive_practitioners, retention_cutoff
from training_app.services.common.calendar import london_today
from training_app.services.reporting import summaries
from training_app.services.reporting.refresher_outlook import refresher_outlook
from training_app.services.reporting.report_plots import dashboard_plots
from training_app.services.reporting.summaries import dashboard_summary, refresh_summaries, refresh_summary


def live(authority_ids=None):
    """The figures counted now, as the dashboards counted them on every request before summaries."""
    today = london_today()
    plots = dashboard_plots(today, authority_ids)
    return {
        "by_authority": [(row.label, row.trained) for row in plots.by_authority],
        "by_area": plots.by_area,
        "over_time": plots.over_time,
        "refreshers": plots.refreshers,
        "outlook": refresher_outlook(today, authority_ids),
    }


def kept(authority_ids=None):
    summary = dashboard_summary(authority_ids)
    return {
        "by_authority": [(row.label, row.trained) for row in summary.plots.by_authority],
        "by_area": summary.plots.by_area,
        "over_time": summary.plots.over_time,
        "refreshers": summary.plots.refreshers,
        "outlook": summary.outlook,
    }


@pytest.fixture
def partnership(app_ctx):
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
        (oakham, today - timedelta(days=3 * 365 - 60), 60),
    ):
        make_record(make_practitioner(organisation), caf, on, expires_on=today + timedelta(days=expires_in))
    make_practitioner(melton, authorities=[county, rutland])  # untrained, working for both
    db.session.commit()
    return {"rutland": rutland, "county": county, "caf": caf, "melton": melton}


def test_after_a_refresh_the_kept_figures_equal_the_live_ones(partnership):
    refresh_summaries()

    assert kept() == live()
    scope = {partnership["rutland"].id}
    assert kept(scope) == live(scope)
    summary = dashboard_summary(None)
    assert summary.practitioners == db.session.execute(sa.select(sa.func.count(Practitioner.id))).scalar_one()
    retention = settings.current(settings.RETENTION_YEARS)
    assert summary.due_for_anonymising == count_inactive_practitioners(retention_cutoff(london_today(), retention))
    assert [(row.name, row.practitioners) for row in dashboard_summary(scope).authorities] == [("Rutland", 3)]


def test_a_write_shows_after_the_next_refresh_and_not_before(partnership):
    refresh_summaries()
    before = kept()
    make_record(make_practitioner(partnership["melton"]), partnership["caf"], date(2010, 3, 1))
    db.session.commit()

    assert kept() == before  # as counted, until the next refresh
    assert live() != before

    assert tasks.dashboard_summaries() >= 1  # the scheduler's job
    assert kept() == live()
    assert dict(kept()["by_authority"])["Leicestershire"] == dict(before["by_authority"])["Leicestershire"] + 1


def test_a_scope_nobody_counted_yet_is_counted_on_its_first_read_and_kept(partnership):
    scope = {partnership["county"].id}

    assert kept(scope) == live(scope)
    assert db.session.execute(sa.select(DashboardSummary.scope)).scalars().all() == [str(partnership["county"].id)]


def test_a_changed_retention_period_is_counted_again(partnership):
    old = make_practitioner(partnership["melton"])
    old.created_at = old.created_at - timedelta(days=8 * 366)
    db.session.commit()
    assert refresh_summary(None).due_for_anonymising == 4  # the three trained in 2008-09 and the one added 8 years ago

    settings.change(settings.RETENTION_YEARS, "20", make_user(Role.ADMIN))

    summary = dashboard_summary(None)
    assert (summary.retention_years, summary.due_for_anonymising) == (20, 0)


def test_a_dashboard_table_keeps_its_largest_rows_and_says_what_it_left_out(partnership, monkeypatch):
    monkeypatch.setattr(summaries, "TOP_ROWS", 1)

    summary = refresh_summary(None)

    full = live()["by_authority"]
    assert [(row.label, row.trained) for row in summary.plots.by_authority] == [max(full, key=lambda row: row[1])]
    left = [row for row in full if row != max(full, key=lambda row: row[1])]
    assert summary.left_out["by_authority"] == (len(left), sum(count for _, count in left))


def test_the_coordinator_counts_again_now_and_the_page_says_as_of_when(app, client, partnership):
    email = make_user(Role.COORDINATOR).email
    db.session.commit()
    signed_in(client, email)
    refresh_summaries()
    make_record(make_practitioner(partnership["melton"]), partnership["caf"], date(2010, 3, 1))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Figures counted across the workforce are as of " in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in page  # Leicestershire, as counted

    response = client.post("/dashboard/refresh", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Figures counted again: they are as of " in page
    assert 'Leicestershire</th><td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in page


def test_a_workforce_lead_may_not_count_again(app, client, partnership):
    email = make_user(Role.WORKFORCE_LEAD, authorities=[partnership["rutland"]]).email
    db.session.commit()
    page = signed_in(client, email).get("/").get_data(as_text=True)

    assert "Count again now" not in page
    assert client.post("/dashboard/refresh", data={"csrf_token": csrf_token_from(page)}).status_code == 403

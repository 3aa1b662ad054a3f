"""Every count of staff counts those in post on its date (SPEC 3.1): before, between and after people join and leave.

One Leicestershire school whose group-3 staff must hold CAF (never expiring here, so trained means current):
- Always: no dates, trained 2007-01-10 (the 2008 history: dates not known, always in post).
- Leaver: trained 2007-05-01, left 2010-06-30 (still counted trained as of 2008).
- Late starter: trained 2006-03-01 elsewhere, started here 2008-01-15.
- Joiner: started 2009-01-05, trained 2009-02-01.
- Gone untrained: left 2009-03-31, never trained.
- New untrained: started 2009-06-01, never trained.
- Newest untrained: started 2010-09-01, never trained.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import (
    group,
    make_area,
    make_authority,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_user,
)
from training_app.extensions import db
from training_app.models import Pathway, PathwayCourse, Requirement, Role
from training_app.services.common.calendar import london_today
from training_app.services.reporting.counting import trained_by_area
from training_app.services.reporting.coverage import coverage_grid, still_to_train_in_cell
from training_app.services.reporting.dashboards import booker_figures
from training_app.services.reporting.refresher_outlook import refresher_outlook
from training_app.services.reporting.report_lists import still_to_train_people
from training_app.services.reporting.report_plots import (
    dashboard_plots,
    refresher_status_by_area,
    trained_over_time,
)
from training_app.services.reporting.report_rows import (
    report_sheets,
    still_to_train,
    trained_by_group,
    trained_by_organisation_area,
    trained_by_organisation_kind,
)
from training_app.services.reporting.summaries import dashboard_summary, practitioners_by_authority

BEFORE, BETWEEN, AFTER = date(2008, 8, 31), date(2009, 9, 1), date(2011, 1, 1)


@pytest.fixture
def w(app_ctx):
    county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    make_authority("RUTLAND", "Rutland", order=1)
    caf = make_course("CAF", counts_as_trained=True)
    pathway = Pathway(group=group("3"), name="Pathway 3")
    pathway.steps = [PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1)]
    db.session.add(pathway)
    melton = make_area(county, "Melton")
    school = make_organisation(county, area=melton)
    w = {"county": county, "caf": caf, "melton": melton, "school": school}

    def person(name, trained_on=None, **dates):
        practitioner = make_practitioner(school, [county], last_name=name, group=group("3"), **dates)
        if trained_on:
            make_record(practitioner, caf, trained_on)
        w[name] = practitioner

    person("Always", date(2007, 1, 10))
    person("Leaver", date(2007, 5, 1), left_on=date(2010, 6, 30))
    person("Late", date(2006, 3, 1), started_on=date(2008, 1, 15))
    person("Joiner", date(2009, 2, 1), started_on=date(2009, 1, 5))
    person("Gone", left_on=date(2009, 3, 31))
    person("New", started_on=date(2009, 6, 1))
    person("Newest", started_on=date(2010, 9, 1))
    db.session.commit()
    return w


def trained_total(on, authority_ids=None):
    return trained_by_area(on, authority_ids)[-1].trained


def still_total(on, authority_ids=None):
    return still_to_train(on, authority_ids)[-1].count


def still_names(on):
    return [row.last_name for row in still_to_train_people(on)]


@pytest.mark.parametrize(
    ("on", "trained", "still"),
    [(BEFORE, 3, ["Gone"]), (BETWEEN, 4, ["New"]), (AFTER, 3, ["New", "Newest"])],
)
def test_trained_and_still_to_train_count_those_in_post_on_the_date(w, on, trained, still):
    scope = {w["county"].id}
    assert trained_total(on) == trained_total(on, scope) == trained
    assert still_total(on) == still_total(on, scope) == len(still)
    assert still_names(on) == still


def test_a_leaver_who_left_in_2010_is_still_counted_trained_as_of_2008(w):
    assert trained_total(date(2010, 6, 29)) == 4  # their last day in post
    assert trained_total(date(2010, 6, 30)) == 3  # gone on the day they left
    assert trained_total(BEFORE) == 3  # Always, Leaver, Late
    assert trained_total(date(2007, 12, 31)) == 2  # Late trained elsewhere, not yet here


@pytest.mark.parametrize("on", [BEFORE, BETWEEN, AFTER])
def test_the_workbooks_sheets_count_those_in_post_as_the_single_builders_do(w, on):
    sheets = report_sheets(on)
    in_post = {BEFORE: 4, BETWEEN: 5, AFTER: 5}[on]  # staff in post on the date
    trained = trained_total(on)

    assert sheets.trained_by_key == {str(w["county"].id): trained}
    assert sheets.areas == trained_by_organisation_area(on)
    assert [(row.area, row.trained) for row in sheets.areas] == [("Melton", trained)]
    assert sheets.groups == trained_by_group(on)
    assert [(row.trained, row.untrained) for row in sheets.groups if row.code == "3"] == [(trained, in_post - trained)]
    assert sheets.kinds == trained_by_organisation_kind(on)
    assert [(row.trained, row.staff) for row in sheets.kinds if row.kind == "school"] == [(trained, in_post)]
    assert sheets.still_to_train == still_to_train(on)
    scoped, scope = report_sheets(on, {w["county"].id}), {w["county"].id}
    assert (scoped.trained_by_key, scoped.groups, scoped.kinds) == (sheets.trained_by_key, sheets.groups, sheets.kinds)
    assert scoped.still_to_train == still_to_train(on, scope)


@pytest.mark.parametrize(
    ("on", "required", "current", "still"),
    [(BEFORE, 4, 3, ["Gone"]), (BETWEEN, 5, 4, ["New"]), (AFTER, 5, 3, ["New", "Newest"])],
)
def test_the_coverage_grid_and_its_cells_count_those_in_post(w, on, required, current, still):
    melton, group_id = w["melton"].id, group("3").id
    for scope in (None, {w["county"].id}):
        cell = coverage_grid(on, scope).areas[0].cells[group_id]
        assert (cell.required, cell.current) == (required, current)
        rows, total = still_to_train_in_cell(on, melton, group_id, scope)
        assert ([row.last_name for row in rows], total) == (still, len(still))


def test_trained_over_time_follows_joinings_and_leavings_month_by_month(w):
    series = trained_over_time(AFTER)

    assert series == [
        (date(2007, 1, 1), 1),
        (date(2007, 5, 1), 2),
        (date(2008, 1, 1), 3),  # Late, trained in 2006, counted from the month they started
        (date(2009, 2, 1), 4),
        (date(2010, 6, 1), 3),  # Leaver
    ]
    ends = {date(2007, 1, 31), date(2008, 1, 31), date(2009, 2, 28), date(2010, 5, 31), date(2010, 6, 30)}
    by_month = dict(series)
    for end in ends:  # each month's point is the in-post count of trained_by_area at its end
        point = max(month for month in by_month if month <= end)
        assert by_month[point] == trained_total(end)
    assert trained_over_time(date(2010, 6, 29))[-1] == (date(2009, 2, 1), 4)  # not left yet


def test_the_dashboard_plots_count_those_in_post_on_their_day(w):
    plots = dashboard_plots(AFTER)
    assert [(row.label, row.trained) for row in plots.by_authority] == [("Rutland", 0), ("Leicestershire", 3)]
    assert [(row.area, row.trained) for row in plots.by_area] == [("Melton", 3)]
    assert [row.values for row in refresher_status_by_area(AFTER)] == [(3, 0, 0)]
    assert [row.values for row in refresher_status_by_area(BETWEEN)] == [(4, 0, 0)]


def test_the_refresher_outlook_leaves_out_people_who_have_left(app_ctx):
    today = london_today()
    county = make_authority("LEICESTERSHIRE", "Leicestershire")
    caf = make_course("CAF", counts_as_trained=True, validity_months=36)
    school = make_organisation(county, area=make_area(county, "Melton"))
    staying = make_practitioner(school, [county])
    leaving = make_practitioner(school, [county], left_on=today + timedelta(days=10))
    gone = make_practitioner(school, [county], left_on=today)
    for person in (staying, leaving, gone):
        make_record(person, caf, today - timedelta(days=30), expires_on=today + timedelta(days=40))
    db.session.commit()

    rows = refresher_outlook(today).rows

    assert [(row.area, row.total) for row in rows] == [("Melton", 2)]


def test_the_dashboards_count_staff_in_post_today(app_ctx):
    today = london_today()
    county = make_authority("LEICESTERSHIRE", "Leicestershire")
    rutland = make_authority("RUTLAND", "Rutland")
    school = make_organisation(county)
    make_practitioner(school, [county])
    make_practitioner(school, [county, rutland], started_on=today - timedelta(days=400))
    make_practitioner(school, [county], left_on=today - timedelta(days=365))  # left last year
    make_practitioner(school, [county, rutland], left_on=today)  # leaves today
    make_practitioner(school, [rutland], started_on=today + timedelta(days=30))  # joins next month
    make_practitioner(school, [rutland], started_on=today, left_on=today + timedelta(days=1))
    booker = make_user(Role.BOOKER, organisation=school)
    db.session.commit()

    assert practitioners_by_authority({county.id, rutland.id}, today) == [["Leicestershire", 2], ["Rutland", 2]]
    assert dashboard_summary(None).practitioners == 3
    assert [(a.name, a.practitioners) for a in dashboard_summary({county.id}).authorities] == [("Leicestershire", 2)]
    assert booker_figures(booker)["staff_count"] == 3

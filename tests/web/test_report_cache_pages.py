"""Report pages serve a kept answer (issue 25): counted once per change of the data, exact after every write (a new
record, an import, a new practitioner), kept per scope, and a visit while another counts is told to come back."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import group, make_attendance, make_organisation, make_practitioner, make_record, make_user
from tests.web.helpers import signed_in
from tests.web.test_reports_page import AS_OF, build_partnership, tables_of
from training_app.database import read_only
from training_app.extensions import db
from training_app.imports import import_csv
from training_app.models import Authority, Course, ReportAnswer, Role
from training_app.services.common.calendar import london_today
from training_app.services.reporting import report_cache
from training_app.services.reporting.attendance_counts import attendance_by_authority
from training_app.services.reporting.counting import trained_by_area
from training_app.services.reporting.coverage import coverage_grid
from training_app.services.reporting.kept_reports import count_todays_reports
from training_app.services.reporting.report_rows import still_to_train

TABLE = "Staff trained to 31/08/2008"
STILL = "Still to train on 31/08/2008"


@pytest.fixture
def partnership(app):
    with app.app_context():
        places = build_partnership()
        ids = {name: authority.id for name, authority in places.items()}
        emails = {
            "coordinator": make_user(Role.COORDINATOR).email,
            "county": make_user(Role.WORKFORCE_LEAD, authorities=[places["county"]]).email,
            "city": make_user(Role.WORKFORCE_LEAD, authorities=[places["city"]]).email,
        }
        db.session.commit()
    return {"ids": ids, "emails": emails}


def _report(name: str) -> str:
    """The report's name as kept: with the digest of the code that counted it."""
    return f"{name}@{report_cache.code_version()}"


def _total(response) -> str:
    return tables_of(response)[TABLE][-1][1]


def _live_total(app, authority_ids=None) -> str:
    with app.app_context():
        return str(trained_by_area(date(2008, 8, 31), authority_ids)[-1].trained)


def test_the_page_counts_once_then_serves_the_kept_answer_saying_when_it_was_counted(
    app, client, partnership, monkeypatch
):
    signed_in(client, partnership["emails"]["coordinator"])
    counted = []
    live = report_cache._count_and_keep
    monkeypatch.setattr(report_cache, "_count_and_keep", lambda *a: counted.append(a[0][0]) or live(*a))

    first = client.get("/reports/trained-by-area" + AS_OF)
    second = client.get("/reports/trained-by-area" + AS_OF)

    assert counted == [_report("trained-by-area"), _report("still-to-train")]
    assert tables_of(first) == tables_of(second)
    assert _total(second) == "5" == _live_total(app)
    assert "Counted at " in second.get_data(as_text=True)


def test_a_new_record_a_new_practitioner_and_an_import_are_counted_at_once(app, client, partnership):
    signed_in(client, partnership["emails"]["coordinator"])
    assert _total(client.get("/reports/trained-by-area" + AS_OF)) == "5"

    with app.app_context():
        caf = db.session.scalar(sa.select(Course).where(Course.code == "CAF"))
        city = db.session.get(Authority, partnership["ids"]["city"])
        make_record(make_practitioner(make_organisation(city), [city]), caf, date(2008, 7, 1))
        db.session.commit()
    assert _total(client.get("/reports/trained-by-area" + AS_OF)) == "6" == _live_total(app)

    with app.app_context():
        city = db.session.get(Authority, partnership["ids"]["city"])
        email = make_practitioner(make_organisation(city), [city], group=group("3")).email
        db.session.commit()
    still = tables_of(client.get("/reports/trained-by-area" + AS_OF))[STILL]
    assert still[-1] == ["Total Still to Train", "2"]

    with app.app_context():
        result = import_csv("training-records", f"practitioner,course,completed_on\n{email},CAF,2008-08-01\n".encode())
    assert result.ok, result.errors
    response = client.get("/reports/trained-by-area" + AS_OF)
    assert _total(response) == "7" == _live_total(app)
    with app.app_context():
        assert tables_of(response)[STILL][-1][1] == str(still_to_train(date(2008, 8, 31))[-1].count)
    assert tables_of(response)[STILL][-1] == ["Total Still to Train", "1"]


def test_a_lead_never_sees_another_scopes_kept_answer(app, client, partnership):
    ids = partnership["ids"]
    signed_in(client, partnership["emails"]["coordinator"])
    assert _total(client.get("/reports/trained-by-area" + AS_OF)) == "5"

    county = app.test_client()
    signed_in(county, partnership["emails"]["county"])
    assert _total(county.get("/reports/trained-by-area" + AS_OF)) == "2" == _live_total(app, {ids["county"]})
    city = app.test_client()
    signed_in(city, partnership["emails"]["city"])
    assert _total(city.get("/reports/trained-by-area" + AS_OF)) == "3" == _live_total(app, {ids["city"]})
    assert _total(county.get("/reports/trained-by-area" + AS_OF)) == "2"

    with app.app_context():
        scopes = set(
            db.session.scalars(sa.select(ReportAnswer.scope).where(ReportAnswer.report == _report("trained-by-area")))
        )
    assert scopes == {"all", str(ids["county"]), str(ids["city"])}


def test_the_coverage_page_is_kept_and_counted_again_after_a_change(app, client, partnership):
    signed_in(client, partnership["emails"]["coordinator"])
    url = "/reports/coverage?as_of=31&as_of=8&as_of=2008"
    first = client.get(url)
    assert first.status_code == 200 and "Counted at " in first.get_data(as_text=True)
    with app.app_context():
        required_before = coverage_grid(date(2008, 8, 31)).total.required
        city = db.session.get(Authority, partnership["ids"]["city"])
        make_practitioner(make_organisation(city), [city], group=group("3"))
        db.session.commit()
        required_after = coverage_grid(date(2008, 8, 31)).total.required
    assert required_after == required_before + 1
    page = client.get(url).get_data(as_text=True)
    assert f"{required_after}" in page
    with app.app_context():
        kept = db.session.scalar(sa.select(ReportAnswer.answer).where(ReportAnswer.report == _report("coverage")))
        assert report_cache.from_json(type(coverage_grid(date(2008, 8, 31))), kept) == coverage_grid(date(2008, 8, 31))


def test_a_visit_while_another_counts_is_told_to_refresh_and_never_counts_too(app, client, partnership, monkeypatch):
    signed_in(client, partnership["emails"]["coordinator"])
    monkeypatch.setattr(report_cache, "WAIT_SECONDS", 0.3)
    with app.app_context():  # another worker has claimed the count and is still at it
        db.session.add(
            ReportAnswer(
                report=_report("trained-by-area"),
                as_of=date(2008, 8, 31),
                scope="all",
                claimed_generation=report_cache.current_generation(),
                claimed_at=report_cache.utcnow(),
            )
        )
        db.session.commit()

    response = client.get("/reports/trained-by-area" + AS_OF)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The figures are being counted" in page
    assert 'href="/reports/trained-by-area?as_of=31&amp;as_of=8&amp;as_of=2008" id="refresh"' in page


def test_a_claim_left_by_a_worker_that_died_expires(app, client, partnership):
    signed_in(client, partnership["emails"]["coordinator"])
    with app.app_context():
        db.session.add(
            ReportAnswer(
                report=_report("trained-by-area"),
                as_of=date(2008, 8, 31),
                scope="all",
                claimed_generation=1,
                claimed_at=report_cache.utcnow() - report_cache.CLAIM_EXPIRES * 2,
            )
        )
        db.session.commit()

    assert _total(client.get("/reports/trained-by-area" + AS_OF)) == "5"


def test_simultaneous_first_visits_count_once(app, partnership):
    """Threads stand in for workers: one counts, the others wait for its answer."""
    counts = []
    barrier = threading.Barrier(4)

    def visit() -> None:
        with app.app_context(), read_only():
            barrier.wait()

            def count():
                counts.append(1)
                threading.Event().wait(0.3)
                return trained_by_area(date(2008, 8, 31))

            kept = report_cache.kept_answer("trained-by-area", list, date(2008, 8, 31), None, count)
            assert kept is not None
            db.session.remove()

    threads = [threading.Thread(target=visit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counts) == 1


def test_the_attendance_page_is_kept_per_period_and_counted_again_after_a_register_mark(app, client, partnership):
    signed_in(client, partnership["emails"]["coordinator"])
    url = "/reports/attendance-by-authority?from=1&from=1&from=2008&to=31&to=12&to=2008"
    before = client.get(url).get_data(as_text=True)
    assert "Counted at " in before and _attended(before) == "0"
    with app.app_context():
        city = db.session.get(Authority, partnership["ids"]["city"])
        make_attendance(make_practitioner(make_organisation(city), [city]), (date(2008, 3, 3),))
        db.session.commit()
        live = attendance_by_authority(date(2008, 1, 1), date(2008, 12, 31))
    assert _attended(client.get(url).get_data(as_text=True)) == "1" == str(live[-1].attended)
    other_period = client.get("/reports/attendance-by-authority?from=1&from=1&from=2009&to=31&to=12&to=2009")
    assert _attended(other_period.get_data(as_text=True)) == "0"


def _attended(page: str) -> str:
    """The total attended, from the table's last row."""
    found = re.search(
        r'app-table__total">\s*<th scope="row" class="govuk-table__header">[^<]+</th>\s*<td[^>]*>(\d+)</td>', page
    )
    assert found is not None
    return found.group(1)


def test_an_answer_counted_by_other_code_is_never_shown(app, client, partnership):
    """After a deploy that changes a counting rule the data has not changed, but the kept answers are not the rule's."""
    signed_in(client, partnership["emails"]["coordinator"])
    with app.app_context():
        generation = report_cache.current_generation()
        db.session.add(
            ReportAnswer(
                report="trained-by-area@0000000000",
                as_of=date(2008, 8, 31),
                scope="all",
                generation=generation,
                counted_at=report_cache.utcnow(),
                answer=[{"label": "Total Number Trained", "trained": 999}],
            )
        )
        db.session.commit()

    assert _total(client.get("/reports/trained-by-area" + AS_OF)) == "5"


def test_the_scheduler_counts_todays_answers_of_every_scope_before_the_first_visit(
    app, client, partnership, monkeypatch
):
    ids = partnership["ids"]
    with app.app_context():
        assert count_todays_reports(london_today()) == 3  # everyone's, and the two leads'
        kept = set(db.session.execute(sa.select(ReportAnswer.report, ReportAnswer.scope)).all())
    names = ("trained-by-area", "still-to-train", "coverage-opening", "coverage")
    assert kept == {(_report(name), scope) for name in names for scope in ("all", str(ids["county"]), str(ids["city"]))}
    counted = []
    monkeypatch.setattr(report_cache, "_count_and_keep", lambda *a: counted.append(a))
    signed_in(client, partnership["emails"]["county"])
    assert client.get("/reports/trained-by-area").status_code == 200
    assert client.get("/reports/coverage").status_code == 200
    assert counted == []
    with app.app_context():  # nothing changed: nothing is counted again
        count_todays_reports(london_today())
    assert counted == []

"""No report request counts for more than a few seconds (issue 25): a count that runs past report_cache's
REQUEST_BUDGET is stopped and handed over to the scheduler; meanwhile the page shows the figures kept before the data
changed, saying when they were counted and that newer ones are being counted. A kept answer is rebuilt once per
process, so later visits read only the row that says which answer is current."""

from __future__ import annotations

import time
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests.factories import make_organisation, make_practitioner, make_record
from tests.web import test_report_cache_pages
from tests.web.helpers import signed_in
from tests.web.test_reports_page import AS_OF, tables_of
from training_app.extensions import db
from training_app.models import Authority, Course
from training_app.services.common.calendar import london_today
from training_app.services.reporting import kept_reports, report_cache
from training_app.services.reporting.counting import trained_by_area

TABLE = "Staff trained to 31/08/2008"
partnership = test_report_cache_pages.partnership  # the fixture
SLOW_SQLITE = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT max(i) FROM n"


def _slow_count(as_of: date, scope: set[int] | None):
    """The real count after a statement that takes far longer than a request may (10 s and more)."""
    slow = "SELECT pg_sleep(10)" if db.session.get_bind().dialect.name == "postgresql" else SLOW_SQLITE
    db.session.execute(sa.text(slow))
    return trained_by_area(as_of, scope)


def _add_trained_record(app, partnership) -> None:
    with app.app_context():
        caf = db.session.scalar(sa.select(Course).where(Course.code == "CAF"))
        city = db.session.get(Authority, partnership["ids"]["city"])
        make_record(make_practitioner(make_organisation(city), [city]), caf, date(2008, 7, 1))
        db.session.commit()


@pytest.fixture
def slow_counts(monkeypatch):
    monkeypatch.setattr(report_cache, "REQUEST_BUDGET", 0.5)
    monkeypatch.setattr(kept_reports, "trained_by_area", _slow_count)
    return monkeypatch


def test_a_count_too_slow_for_a_request_shows_the_older_figures_until_the_scheduler_counts_them(
    app, client, partnership, slow_counts
):
    signed_in(client, partnership["emails"]["coordinator"])
    slow_counts.setattr(kept_reports, "trained_by_area", trained_by_area)
    assert tables_of(client.get("/reports/trained-by-area" + AS_OF))[TABLE][-1][1] == "5"
    slow_counts.setattr(kept_reports, "trained_by_area", _slow_count)
    _add_trained_record(app, partnership)

    started = time.monotonic()
    stale = client.get("/reports/trained-by-area" + AS_OF)
    again = client.get("/reports/trained-by-area" + AS_OF)
    assert time.monotonic() - started < 5  # one stopped count (0.5 s), then none: the scheduler has it

    page = stale.get_data(as_text=True)
    assert tables_of(stale)[TABLE][-1][1] == "5" and "newer figures are being counted" in page
    assert "from the data as it stands now" not in page
    assert tables_of(again)[TABLE][-1][1] == "5"
    slow_counts.setattr(kept_reports, "trained_by_area", trained_by_area)
    with app.app_context():
        kept_reports.count_todays_reports(london_today())
    counted = client.get("/reports/trained-by-area" + AS_OF)
    assert tables_of(counted)[TABLE][-1][1] == "6"
    assert "from the data as it stands now" in counted.get_data(as_text=True)


def test_a_first_count_too_slow_for_a_request_says_it_is_being_counted_and_the_scheduler_counts_it(
    app, client, partnership, slow_counts
):
    signed_in(client, partnership["emails"]["coordinator"])
    started = time.monotonic()
    response = client.get("/reports/trained-by-area" + AS_OF)
    assert time.monotonic() - started < 3
    assert "The figures are being counted" in response.get_data(as_text=True)

    slow_counts.setattr(kept_reports, "trained_by_area", trained_by_area)
    with app.app_context():
        kept_reports.count_todays_reports(london_today())
    assert tables_of(client.get("/reports/trained-by-area" + AS_OF))[TABLE][-1][1] == "5"


def test_a_kept_answer_is_read_from_the_database_once_per_process(app, client, partnership):
    signed_in(client, partnership["emails"]["coordinator"])
    client.get("/reports/coverage" + AS_OF.replace("as_of=", "as_of=", 1))
    statements: list[str] = []

    def note(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        first, second = (client.get("/reports/coverage" + AS_OF) for _ in range(2))
        statements.clear()
        third = client.get("/reports/coverage" + AS_OF)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert tables_of(third) == tables_of(second) == tables_of(first)
    assert not [s for s in statements if "report_answers.answer" in s]

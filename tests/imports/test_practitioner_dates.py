"""The practitioners file's optional workforce dates, started_on and left_on (SPEC 3.1, 4.3)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
import time_machine

from tests.factories import make_practitioner
from tests.imports.helpers import partnership, run_import, table_counts
from training_app.extensions import db
from training_app.models import Practitioner

HEADER = "email,first_name,last_name,job_title,organisation,group,authorities,cover_category"
IMPORT_DAY = date(2026, 3, 4)
NOON_ON_IMPORT_DAY = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def dates_of(email: str) -> tuple[date | None, date | None]:
    db.session.expire_all()
    found = db.session.execute(sa.select(Practitioner).filter_by(email=email)).scalar_one()
    return found.started_on, found.left_on


def test_a_file_with_the_dates_sets_them_and_an_empty_cell_means_not_known(app_ctx):
    partnership()
    make_practitioner(email="old@example.org", started_on=date(2001, 1, 1), left_on=date(2020, 1, 1))
    db.session.commit()

    result = run_import(
        "practitioners",
        HEADER + ",started_on,left_on",
        "new@example.org,New,Joiner,,SCH1,3,LEICESTERSHIRE,,2009-01-05,",
        "gone@example.org,Gone,Leaver,,SCH1,3,LEICESTERSHIRE,,2004-09-01,2010-06-30",
        "unknown@example.org,Not,Known,,SCH1,3,LEICESTERSHIRE,,,",
        "old@example.org,Old,Hand,,SCH1,3,LEICESTERSHIRE,,,",
    )

    assert result.ok, result.errors
    assert dates_of("new@example.org") == (date(2009, 1, 5), None)
    assert dates_of("gone@example.org") == (date(2004, 9, 1), date(2010, 6, 30))
    assert dates_of("unknown@example.org") == (None, None)
    assert dates_of("old@example.org") == (None, None)  # the file says both are not known now


def test_a_file_without_the_dates_leaves_existing_people_alone_and_new_people_start_on_the_import_day(app_ctx):
    partnership()
    make_practitioner(email="old@example.org", started_on=date(2001, 1, 1), left_on=date(2020, 1, 1))
    make_practitioner(email="history@example.org")
    db.session.commit()

    with time_machine.travel(NOON_ON_IMPORT_DAY, tick=False):
        result = run_import(
            "practitioners",
            HEADER,
            "old@example.org,Old,Hand,,SCH1,3,LEICESTERSHIRE,",
            "history@example.org,From,2008,,SCH1,3,LEICESTERSHIRE,",
            "new@example.org,New,Person,,SCH1,3,LEICESTERSHIRE,",
        )

    assert result.summary == "imported 3 practitioners (1 created, 2 updated)"
    assert dates_of("old@example.org") == (date(2001, 1, 1), date(2020, 1, 1))
    assert dates_of("history@example.org") == (None, None)
    assert dates_of("new@example.org") == (IMPORT_DAY, None)


def test_one_date_column_sets_that_date_and_leaves_the_other_alone(app_ctx):
    partnership()
    make_practitioner(email="old@example.org", started_on=date(2001, 1, 1))
    db.session.commit()

    with time_machine.travel(NOON_ON_IMPORT_DAY, tick=False):
        result = run_import(
            "practitioners",
            HEADER + ",left_on",
            "old@example.org,Old,Hand,,SCH1,3,LEICESTERSHIRE,,2025-12-31",
            "new@example.org,New,Person,,SCH1,3,LEICESTERSHIRE,,2026-09-30",
        )

    assert result.ok, result.errors
    assert dates_of("old@example.org") == (date(2001, 1, 1), date(2025, 12, 31))
    assert dates_of("new@example.org") == (IMPORT_DAY, date(2026, 9, 30))


def test_bad_dates_are_all_listed_and_nothing_is_written(app_ctx):
    partnership()
    make_practitioner(email="old@example.org", started_on=date(2015, 5, 1))
    db.session.commit()
    before = table_counts()

    with time_machine.travel(NOON_ON_IMPORT_DAY, tick=False):
        result = run_import(
            "practitioners",
            HEADER + ",started_on,left_on",
            "good@example.org,Good,Row,,SCH1,3,LEICESTERSHIRE,,2009-01-05,",
            "a@example.org,Not,Real,,SCH1,3,LEICESTERSHIRE,,2009-02-30,05/01/2010",
            "b@example.org,Left,Early,,SCH1,3,LEICESTERSHIRE,,2010-06-01,2010-05-31",
            "c@example.org,Same,Day,,SCH1,3,LEICESTERSHIRE,,2010-06-01,2010-06-01",
            "d@example.org,,Nameless,,SCH1,3,LEICESTERSHIRE,,2010-06-01,2009-06-01",
        )
        only_left = run_import(
            "practitioners",
            HEADER + ",left_on",
            "old@example.org,Old,Hand,,SCH1,3,LEICESTERSHIRE,,2014-12-31",
            "new@example.org,New,Person,,SCH1,3,LEICESTERSHIRE,,2026-03-03",
        )
        nothing_written = table_counts() == before
        only_started = run_import(
            "practitioners",
            HEADER + ",started_on",
            "old@example.org,Old,Hand,,SCH1,3,LEICESTERSHIRE,,2015-05-02",
        )

    assert result.errors == [
        "line 3: started_on: 2009-02-30 is not a real date",
        'line 3: left_on: must be a date as YYYY-MM-DD, not "05/01/2010"',
        "line 4: left_on: 2010-05-31 is before started_on (2010-06-01): nobody leaves before they start",
        "line 6: first_name: is required",
        "line 6: left_on: 2009-06-01 is before started_on (2010-06-01): nobody leaves before they start",
    ]
    assert only_left.errors == [
        "line 2: left_on: 2014-12-31 is before started_on (2015-05-01): nobody leaves before they start",
        "line 3: left_on: 2026-03-03 is before started_on (2026-03-04): nobody leaves before they start",
    ]
    assert nothing_written
    assert only_started.ok  # nobody has left, so any start will do
    assert dates_of("old@example.org") == (date(2015, 5, 2), None)


def test_a_start_after_the_leaving_date_already_held_is_refused(app_ctx):
    partnership()
    make_practitioner(email="gone@example.org", started_on=date(2015, 5, 1), left_on=date(2018, 7, 31))
    db.session.commit()
    before = table_counts()

    result = run_import(
        "practitioners",
        HEADER + ",started_on",
        "gone@example.org,Gone,Away,,SCH1,3,LEICESTERSHIRE,,2019-01-01",
    )

    assert result.errors == ["line 2: started_on: 2019-01-01 is after left_on (2018-07-31), the date this person left"]
    assert table_counts() == before
    assert dates_of("gone@example.org") == (date(2015, 5, 1), date(2018, 7, 31))

"""Refresher status per area over the coming months (the workforce dashboard)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_area, make_authority, make_course, make_organisation, make_practitioner, make_record
from training_app.extensions import db
from training_app.services.reporting.refresher_outlook import refresher_outlook

pytestmark = pytest.mark.usefixtures("app_ctx")


def test_latest_records_are_counted_by_area_and_month_of_expiry():
    authority = make_authority()
    melton = make_organisation(authority, area=make_area(authority, "Melton"))
    course = make_course(validity_months=36)
    renewed = make_practitioner(melton)
    make_record(renewed, course, date(2023, 6, 1), expires_on=date(2026, 6, 1))
    make_record(renewed, course, date(2026, 1, 5), expires_on=date(2029, 1, 5))  # the renewal counts, not the old
    make_record(make_practitioner(melton), course, date(2023, 6, 1), expires_on=date(2026, 6, 1))
    make_record(make_practitioner(melton), course, date(2023, 3, 1), expires_on=date(2026, 3, 1))  # expired
    make_record(make_practitioner(melton), course, date(2023, 8, 31), expires_on=date(2026, 8, 31))
    make_record(make_practitioner(), course, date(2023, 5, 20), expires_on=date(2026, 5, 20))
    db.session.commit()
    outlook = refresher_outlook(date(2026, 5, 10))
    assert outlook.months[0] == date(2026, 5, 1) and outlook.months[-1] == date(2026, 10, 1)
    rows = {row.area: row for row in outlook.rows}
    assert rows["Melton"].expired == 1 and rows["Melton"].by_month == (0, 1, 0, 1, 0, 0)
    assert [row.area for row in outlook.rows][-1] != "Melton" or len(rows) == 1
    other = next(row for row in outlook.rows if row.area != "Melton")
    assert other.by_month[0] == 1

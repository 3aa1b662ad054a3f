"""Awareness presentations (SPEC 3.8): people counted, not names; totals by year, sector and area."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.awareness_data import awareness_world
from tests.factories import make_area
from training_app.extensions import db
from training_app.models import Authority, OrganisationKind
from training_app.services.awareness.presentations import (
    PresentationError,
    PresentationValues,
    TotalRow,
    TotalsBy,
    presentation_totals,
    presentations,
    record_presentation,
)

pytestmark = pytest.mark.usefixtures("app_ctx")


def _three_presentations():
    awareness_world()
    record_presentation(
        PresentationValues(date(2006, 5, 1), "Staff meeting", 20, "Helen Ward", OrganisationKind.GP, "Melton")
    )
    record_presentation(
        PresentationValues(date(2007, 6, 1), "Team briefing", 12, None, OrganisationKind.PRISON, "LEICESTER")
    )
    record_presentation(PresentationValues(date(2007, 9, 3), "Induction day", 8, None, OrganisationKind.GP, "RUTLAND"))


def test_totals_by_year_sector_and_area_add_up():
    _three_presentations()

    assert presentation_totals(TotalsBy.YEAR) == [
        TotalRow("2006", 1, 20),
        TotalRow("2007", 2, 20),
        TotalRow("Total", 3, 40),
    ]
    assert presentation_totals(TotalsBy.SECTOR) == [
        TotalRow("Prison", 1, 12),
        TotalRow("GP", 2, 28),
        TotalRow("Total", 3, 40),
    ]
    assert presentation_totals(TotalsBy.AREA) == [
        TotalRow("Rutland", 1, 8),
        TotalRow("Leicestershire: Melton", 1, 20),
        TotalRow("Leicester", 1, 12),
        TotalRow("Total", 3, 40),
    ]


def test_totals_keep_to_the_period_and_the_scope():
    _three_presentations()
    rutland = db.session.scalar(sa.select(Authority.id).filter_by(code="RUTLAND"))
    assert presentation_totals(TotalsBy.YEAR, start=date(2007, 1, 1))[-1] == TotalRow("Total", 2, 20)
    assert presentation_totals(TotalsBy.YEAR, authority_ids={rutland}) == [
        TotalRow("2007", 1, 8),
        TotalRow("Total", 1, 8),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"headcount": -1}, "headcount"), ({"audience": " "}, "audience"), ({"place": "Narnia"}, "area")],
)
def test_a_bad_presentation_is_refused_and_names_the_field(changes, field):
    awareness_world()
    base = {"presented_on": date(2007, 1, 8), "audience": "Staff meeting", "headcount": 10, "place": "Melton"}

    with pytest.raises(PresentationError) as refused:
        record_presentation(PresentationValues(**(base | changes)))

    assert list(refused.value.fields) == [field]


def test_the_latest_presentations_list_each_presentation_once():
    _three_presentations()
    shire = db.session.scalar(sa.select(Authority).filter_by(code="LEICESTERSHIRE"))
    make_area(shire, "Charnwood")
    make_area(shire, "Hinckley")
    db.session.commit()

    assert [p.audience for p in presentations()] == ["Induction day", "Team briefing", "Staff meeting"]

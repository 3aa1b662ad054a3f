"""Shared data for the awareness tests: three authorities with areas, and sign-off values to record."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tests.factories import make_area, make_authority, make_organisation
from training_app.extensions import db
from training_app.models import OrganisationKind
from training_app.models.awareness import SignOffStatus
from training_app.services.awareness.awareness import SignOffValues


def awareness_world() -> dict:
    """Leicester, Leicestershire and Rutland (partners) with areas, and an awareness-only probation service."""
    shire = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    city = make_authority("LEICESTER", "Leicester", order=3)
    rutland = make_authority("RUTLAND", "Rutland", order=1)
    melton = make_area(shire, "Melton")
    make_area(city, "City North")
    probation = make_organisation(shire, OrganisationKind.PROBATION, code="AW-PROB", awareness_only=True)
    db.session.commit()
    return {"shire": shire, "city": city, "rutland": rutland, "melton": melton, "probation": probation}


def values(**changes) -> SignOffValues:
    """A probation sign-off covering Leicestershire, completed in October 2007 (the month only)."""
    base = SignOffValues(
        service="Probation Service",
        sector_kind=OrganisationKind.PROBATION,
        authority_codes=["LEICESTERSHIRE"],
        contact_name="Martin Curran",
        contact_role="Assistant Chief Officer",
        package="Leicestershire Awareness Package",
        package_version="2007.1",
        completed_on=date(2007, 10, 31),
        completed_month_only=True,
        signed_off_by_name="Bridges Training Coordinator",
        evidence_notes="Appendix B",
        status=SignOffStatus.SIGNED_OFF,
    )
    return replace(base, **changes)

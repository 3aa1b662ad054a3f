"""Awareness-only services signed off service by service (seed 000, Appendix B) and awareness presentations.

"Since 2003 Bridges have delivered over 650 Awareness presentations capturing approximately 10,000 staff."
"""

from __future__ import annotations

from datetime import date

from training_app.models import AwarenessPresentation, AwarenessSignOff, OrganisationKind
from training_app.models.awareness import SignOffStatus, signoff_authorities
from training_app.services.awareness.awareness import completed_month

from .common import Demo, insert_links, insert_rows, spread_dates
from .names import AREAS

PACKAGE = "Leicestershire Awareness Package"
EVIDENCE = (
    "Listed in Appendix B of the Bridges CAF/LP update report to the Children and Young People's Executive, Oct 2008."
)

# service, sector kind, organisation code, contact, contact's role, completed (year, month), authorities
APPENDIX_B = [
    (
        "Probation Service",
        "probation",
        "AW-PROB",
        "Martin Curran",
        "Assistant Chief Officer",
        (2007, 10),
        ("LEICESTER", "LEICESTERSHIRE", "RUTLAND"),
    ),
    (
        "Prison Service",
        "prison",
        "AW-GLEN",
        "Kevin Edmundston",
        "Prison and YOC Area Training Officer",
        (2007, 10),
        ("LEICESTER", "LEICESTERSHIRE"),
    ),
    ("School Governors", "other", "AW-GOV", "Raj Kachhela", None, (2007, 10), ("LEICESTERSHIRE",)),
    (
        "GPs",
        "gp",
        "AW-GP",
        "All Practices in Leicestershire and Rutland",
        None,
        (2007, 10),
        ("LEICESTERSHIRE", "RUTLAND"),
    ),
    ("Citizens Advice", "voluntary", "AW-CAB", "Sue Julkes", "Training Officer", (2007, 11), ("LEICESTERSHIRE",)),
    (
        "Adult Services Hinckley",
        "adult_services",
        "AW-AS-HIN",
        "Sheila Rochester",
        "Service Manager, Adult Services",
        (2007, 10),
        ("LEICESTERSHIRE",),
    ),
    (
        "Adult Services Coalville",
        "adult_services",
        "AW-AS-COA",
        "Jim Lawrenson",
        "Team Manager",
        (2008, 7),
        ("LEICESTERSHIRE",),
    ),
    (
        "Adult Services, Blaby",
        "adult_services",
        "AW-AS-BLA",
        "Dawn Howard",
        "Team Manager",
        (2008, 7),
        ("LEICESTERSHIRE",),
    ),
    (
        "Adult Services Loughborough",
        "adult_services",
        "AW-AS-LOU",
        "Fiona Campbell",
        "Team Manager",
        (2008, 7),
        ("LEICESTERSHIRE",),
    ),
    (
        "Adult Services Melton and Market Harborough",
        "adult_services",
        "AW-AS-MEL",
        "John Barsby",
        "Team Manager",
        (2008, 7),
        ("LEICESTERSHIRE",),
    ),
]

PRESENTATIONS = 650
PEOPLE_REACHED = 10_000
AUDIENCES = ["Staff meeting", "Team briefing", "Locality forum", "Conference workshop", "Induction day"]


def seed_awareness(demo: Demo) -> int:
    """The ten sign-offs of Appendix B and 650 presentations; returns how many sign-offs were made."""
    coordinator = demo.user_ids.get("coordinator@demo.test")
    rows = [
        {
            "service": service,
            "sector_kind": OrganisationKind(kind),
            "organisation_id": demo.organisation(code).id,
            "contact_name": contact,
            "contact_role": role,
            "package": PACKAGE,
            "package_version": "2007.1",
            "completed_on": completed_month(*month),
            "completed_month_only": True,  # Appendix B records the month only ("Oct-07")
            "status": SignOffStatus.SIGNED_OFF,
            "signed_off_by_id": coordinator,
            "signed_off_by_name": "Bridges Training Coordinator",
            "evidence_notes": EVIDENCE,
        }
        for service, kind, code, contact, role, month, _ in APPENDIX_B
    ]
    ids = insert_rows(AwarenessSignOff, rows)
    insert_links(
        signoff_authorities,
        [
            {"signoff_id": id_, "authority_id": demo.authority_ids[a]}
            for id_, row in zip(ids, APPENDIX_B, strict=True)
            for a in row[-1]
        ],
    )
    _seed_presentations(demo)
    return len(ids)


def _seed_presentations(demo: Demo) -> None:
    rng = demo.rng
    headcounts = _headcounts(rng)
    audiences = [o for o in demo.organisations if o.authority != "NOTTINGHAM"]
    rows = []
    for day, headcount in zip(
        spread_dates(date(2003, 9, 1), date(2008, 8, 29), PRESENTATIONS), headcounts, strict=True
    ):
        organisation = rng.choice(audiences)
        area = organisation.area or rng.choice(sorted(AREAS[organisation.authority]))
        rows.append(
            {
                "presented_on": day,
                "audience": f"{rng.choice(AUDIENCES)}: {organisation.name}",
                "organisation_id": organisation.id,
                "sector_kind": OrganisationKind(organisation.kind),
                "authority_id": demo.authority_ids[organisation.authority],
                "area_id": demo.area_ids[(organisation.authority, area)],
                "headcount": headcount,
                "presenter": rng.choice(["Helen Ward", "Mark Ellis", "Sunita Patel"]),
            }
        )
    insert_rows(AwarenessPresentation, rows)


def _headcounts(rng) -> list[int]:
    """650 audience sizes between 4 and 40 that add up to exactly 10,000."""
    counts = [rng.randint(6, 25) for _ in range(PRESENTATIONS)]
    while (gap := PEOPLE_REACHED - sum(counts)) != 0:
        index = rng.randrange(PRESENTATIONS)
        step = 1 if gap > 0 else -1
        if 4 <= counts[index] + step <= 40:
            counts[index] += step
    return counts

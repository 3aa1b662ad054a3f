"""Authorities, their areas and venues, and every kind of organisation (SPEC 3.1)."""

from __future__ import annotations

from dataclasses import dataclass

from training_app.models import Area, Authority, Organisation, OrganisationKind, Venue

from .common import Demo, insert_rows
from .names import AREAS, AUTHORITIES, SCHOOL_KINDS

PREFIX = {"LEICESTER": "LC", "LEICESTERSHIRE": "LS", "RUTLAND": "RU", "NOTTINGHAM": "NT"}

# code, name, kind, authority, area (None = authority-wide)
AGENCIES = [
    ("LS-SC", "Leicestershire Children's Social Care", "social_care", "LEICESTERSHIRE", None),
    ("LS-YS", "Leicestershire Youth Service", "youth", "LEICESTERSHIRE", None),
    ("LS-VOL", "Voluntary Action Leicestershire", "voluntary", "LEICESTERSHIRE", None),
    ("LS-FE-LOU", "Loughborough College", "fe", "LEICESTERSHIRE", "Charnwood"),
    ("LS-FE-BMC", "Brooksby Melton College", "fe", "LEICESTERSHIRE", "Melton"),
    ("LS-POL", "Leicestershire Constabulary", "police", "LEICESTERSHIRE", None),
    ("LS-PCT", "Leicestershire County and Rutland PCT", "health", "LEICESTERSHIRE", None),
    ("LS-LPT", "Leicestershire Partnership NHS Trust", "health", "LEICESTERSHIRE", None),
    ("LS-YOS", "Leicestershire and Rutland Youth Offending Service", "youth", "LEICESTERSHIRE", None),
    ("LC-SC", "Leicester City Children's Social Care", "social_care", "LEICESTER", None),
    ("LC-YS", "Leicester City Youth Service", "youth", "LEICESTER", None),
    ("LC-VOL", "Voluntary Action Leicester", "voluntary", "LEICESTER", None),
    ("LC-NSPCC", "NSPCC Leicester", "voluntary", "LEICESTER", None),
    ("LC-FE", "Leicester College", "fe", "LEICESTER", "Central Leicester"),
    ("LC-PCT", "Leicester City PCT", "health", "LEICESTER", None),
    ("LC-CNX", "Connexions Leicester Shire", "youth", "LEICESTER", None),
    ("RU-SC", "Rutland Children's Services", "social_care", "RUTLAND", None),
    ("RU-YS", "Rutland Youth Service", "youth", "RUTLAND", None),
    ("RU-VOL", "Voluntary Action Rutland", "voluntary", "RUTLAND", None),
    ("NT-PCT", "Nottingham City PCT", "health", "NOTTINGHAM", None),
    ("NT-SC", "Nottingham City Children's Services", "social_care", "NOTTINGHAM", None),
]

# Services that need awareness only: signed off as a service (seed 000, Appendix B).
AWARENESS_ONLY = [
    ("AW-PROB", "Leicestershire and Rutland Probation Area", "probation", "LEICESTERSHIRE", None),
    ("AW-HMP", "HMP Leicester", "prison", "LEICESTER", None),
    ("AW-GLEN", "HMYOI Glen Parva", "prison", "LEICESTERSHIRE", "Blaby"),
    ("AW-GOV", "Leicestershire School Governors", "other", "LEICESTERSHIRE", None),
    ("AW-GP", "GP practices in Leicestershire and Rutland", "gp", "LEICESTERSHIRE", None),
    ("AW-CAB", "Citizens Advice Leicestershire", "voluntary", "LEICESTERSHIRE", None),
    ("AW-AS-HIN", "Adult Services Hinckley", "adult_services", "LEICESTERSHIRE", "Hinckley and Bosworth"),
    ("AW-AS-COA", "Adult Services Coalville", "adult_services", "LEICESTERSHIRE", "North West Leicestershire"),
    ("AW-AS-BLA", "Adult Services Blaby", "adult_services", "LEICESTERSHIRE", "Blaby"),
    ("AW-AS-LOU", "Adult Services Loughborough", "adult_services", "LEICESTERSHIRE", "Charnwood"),
    ("AW-AS-MEL", "Adult Services Melton and Market Harborough", "adult_services", "LEICESTERSHIRE", "Melton"),
]


@dataclass
class OrgSeed:
    """An organisation as the rest of the seed needs to know it."""

    code: str
    name: str
    kind: str
    authority: str
    area: str | None
    awareness_only: bool = False
    urn: str | None = None
    phase: str | None = None
    pupils: int | None = None
    id: int = 0


def seed_places(demo: Demo) -> None:
    """Authorities, areas, one venue per partner area, and the organisations."""
    ids = insert_rows(
        Authority, [{"code": c, "name": n, "partner": p, "display_order": o} for c, n, p, o in AUTHORITIES]
    )
    demo.authority_ids = {code: id_ for (code, *_), id_ in zip(AUTHORITIES, ids, strict=True)}
    keys = [(authority, area) for authority, areas in AREAS.items() for area in areas]
    ids = insert_rows(Area, [{"authority_id": demo.authority_ids[a], "name": name} for a, name in keys])
    demo.area_ids = dict(zip(keys, ids, strict=True))
    _seed_venues(demo)
    _seed_organisations(demo)


def _seed_venues(demo: Demo) -> None:
    keys = [(a, area) for a, area in demo.area_ids if a != "NOTTINGHAM"]
    rows = [
        {
            "name": f"{AREAS[a][area][0]} Training Centre",
            "address": f"{AREAS[a][area][0]}",
            "capacity": 30,
            "authority_id": demo.authority_ids[a],
        }
        for a, area in keys
    ]
    demo.venue_ids = dict(zip(keys, insert_rows(Venue, rows), strict=True))


def _seed_organisations(demo: Demo) -> None:
    organisations = _schools(demo) + _area_agencies()
    organisations += [OrgSeed(*row) for row in AGENCIES]
    organisations += [OrgSeed(*row, awareness_only=True) for row in AWARENESS_ONLY]
    rows = [
        {
            "code": o.code,
            "name": o.name,
            "kind": OrganisationKind(o.kind),
            "authority_id": demo.authority_ids[o.authority],
            "area_id": demo.area_ids[(o.authority, o.area)] if o.area else None,
            "urn": o.urn,
            "phase": o.phase,
            "pupils": o.pupils,
            "awareness_only": o.awareness_only,
        }
        for o in organisations
    ]
    for organisation, id_ in zip(organisations, insert_rows(Organisation, rows), strict=True):
        organisation.id = id_
    demo.organisations = organisations


def _schools(demo: Demo) -> list[OrgSeed]:
    """One school per place, numbered within its authority."""
    schools = []
    for authority, areas in AREAS.items():
        places = [(area, place) for area, names in areas.items() for place in names]
        for number, (area, place) in enumerate(places, start=1):
            suffix, phase, (low, high) = SCHOOL_KINDS[(number - 1) % len(SCHOOL_KINDS)]
            schools.append(
                OrgSeed(
                    code=f"{PREFIX[authority]}-SCH-{number:03d}",
                    name=f"{place} {suffix}",
                    kind="school",
                    authority=authority,
                    area=area,
                    urn=str(120003 + len(schools) * 7),
                    phase=phase,
                    pupils=demo.rng.randint(low, high),
                )
            )
    return schools


def _area_agencies() -> list[OrgSeed]:
    """A children's centre and a health visiting team in every partner area."""
    agencies = []
    for authority, areas in AREAS.items():
        if authority == "NOTTINGHAM":
            continue
        for number, (area, places) in enumerate(areas.items(), start=1):
            prefix = PREFIX[authority]
            agencies.append(
                OrgSeed(f"{prefix}-CC-{number:02d}", f"{places[0]} Children's Centre", "early_years", authority, area)
            )
            agencies.append(
                OrgSeed(f"{prefix}-HV-{number:02d}", f"{area} Health Visiting Team", "health", authority, area)
            )
    return agencies

"""Sessions that ran from May 2007 to August 2008, in the phased network areas of seed 000 (section 6)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from training_app.models import SessionStatus

from .common import Demo, spread_dates
from .names import AREAS
from .sessions import SessionPlan, days_for

CAPACITY = 24
PER_SESSION = 22
# Leicestershire rolled CAF out district by district; Leicester and Rutland ran sessions throughout.
PHASES = {
    "North West Leicestershire": (date(2007, 5, 8), date(2007, 7, 20)),
    "Hinckley and Bosworth": (date(2007, 9, 10), date(2007, 11, 23)),
    "Charnwood": (date(2007, 12, 3), date(2008, 2, 22)),
    "Melton": (date(2008, 3, 3), date(2008, 4, 25)),
    "Oadby and Wigston": (date(2008, 5, 6), date(2008, 8, 15)),
    "Blaby": (date(2008, 5, 6), date(2008, 8, 15)),
    "Harborough": (date(2008, 5, 6), date(2008, 8, 15)),
}
THROUGHOUT = (date(2007, 5, 8), date(2008, 8, 15))
NO_SHOWS = {"LEICESTERSHIRE": 12, "LEICESTER": 5, "RUTLAND": 2}
PATTERNS = ["two_full", "full", "full", "two_half", "full", "full"]
LEAD_PROFESSIONAL_DAY = date(2008, 6, 18)


def historic_plans(demo: Demo, trained: list, pools: dict[str, list]) -> list[SessionPlan]:
    """CAF sessions that trained everyone in `trained`, a few no-shows, and one Lead Professional session."""
    buckets = defaultdict(list)
    for person in trained:
        buckets[_host_and_area(person)].append(person)
    plans = []
    for (host, area), people in sorted(buckets.items()):
        plans += _bucket_sessions(host, area, people, len(plans))
    _add_no_shows(plans, pools)
    plans.append(_lead_professional(buckets[("LEICESTERSHIRE", "North West Leicestershire")]))
    return plans


def _host_and_area(person) -> tuple[str, str]:
    """People from outside the partnership joined a Leicester session."""
    if person.organisation.authority == "NOTTINGHAM":
        return "LEICESTER", "Central Leicester"
    return person.organisation.authority, person.area


def _bucket_sessions(host: str, area: str, people: list, numbered: int) -> list[SessionPlan]:
    count = -(-len(people) // PER_SESSION)
    size = -(-len(people) // count)
    start, end = PHASES.get(area, THROUGHOUT) if host == "LEICESTERSHIRE" else THROUGHOUT
    plans = []
    for index, day in enumerate(spread_dates(start, end, count)):
        pattern = PATTERNS[(numbered + index) % len(PATTERNS)]
        plans.append(
            SessionPlan(
                "CAF",
                host,
                area,
                days_for(day, pattern),
                CAPACITY,
                SessionStatus.COMPLETED,
                attended=people[index * size : (index + 1) * size],
            )
        )
    return plans


def _add_no_shows(plans: list[SessionPlan], pools: dict[str, list]) -> None:
    """A few booked people never came: taken from the end of each untrained pool, which stays untrained."""
    for host, count in NO_SHOWS.items():
        absent = pools[host][-count:]
        sessions = [p for p in plans if p.host == host]
        for index, person in enumerate(absent):
            sessions[index * len(sessions) // count].no_show.append(person)


def _lead_professional(candidates: list) -> SessionPlan:
    """Lead Professional training for people trained to CAF in the first phase (its prerequisite)."""
    return SessionPlan(
        "LP",
        "LEICESTERSHIRE",
        "Charnwood",
        days_for(LEAD_PROFESSIONAL_DAY, "full"),
        20,
        SessionStatus.COMPLETED,
        attended=candidates[:18],
    )


assert set(PHASES) == set(AREAS["LEICESTERSHIRE"])

"""Sessions after 31 August 2008: September's, now run, and those booked to the end of 2008 and in 2009.

Their free places give the spaces columns of seed 000: 25/300/375 to the end of 2008 and 0/125/200
planned for 2009 (SPEC 3.9). Places held = people booked, or who attended or did not show.
"""

from __future__ import annotations

from datetime import date

from training_app.models import SessionStatus

from .common import spread_dates
from .names import AREAS
from .sessions import SessionPlan, days_for

# Run in September 2008: host, area, first day, capacity, attended, no-shows.
SEPTEMBER = [
    ("RUTLAND", "Oakham", date(2008, 9, 17), 16, 14, 0),
    ("LEICESTERSHIRE", "Oadby and Wigston", date(2008, 9, 10), 24, 22, 0),
    ("LEICESTERSHIRE", "Blaby", date(2008, 9, 24), 24, 20, 0),
    ("LEICESTER", "Central Leicester", date(2008, 9, 18), 24, 20, 1),
]

# Scheduled, by host: capacity and people booked per session; the first session is full with a waiting list.
TO_END_OF_2008 = {
    "RUTLAND": {"capacities": [16, 20, 12], "booked": [16, 7, 2], "waitlisted": 3},
    "LEICESTERSHIRE": {"capacities": [25] * 14, "booked": [25, 6, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0, 0], "waitlisted": 4},
    "LEICESTER": {
        "capacities": [25] * 18,
        "booked": [25, 8, 7, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0],
        "waitlisted": 5,
    },
}
IN_2009 = {
    "LEICESTERSHIRE": {"capacities": [25] * 5, "booked": [4, 3, 2, 1, 0], "waitlisted": 0},
    "LEICESTER": {"capacities": [25] * 8, "booked": [3, 2, 2, 1, 0, 0, 0, 0], "waitlisted": 0},
}
WINDOWS = {2008: (date(2008, 10, 1), date(2008, 12, 17)), 2009: (date(2009, 1, 14), date(2009, 3, 25))}
# Cancelled (they never count): host, area, first day, capacity, people whose bookings were cancelled.
CANCELLED = [
    ("LEICESTERSHIRE", "Melton", date(2008, 10, 22), 25, 8),
    ("LEICESTER", "South Leicester", date(2008, 11, 5), 25, 5),
]
PATTERNS = ["full", "full", "two_half", "full", "two_full"]


def trained_in_september() -> dict[str, int]:
    """How many people per host authority the September sessions train (they come out of the untrained pools)."""
    counts = dict.fromkeys(TO_END_OF_2008, 0)
    for host, *_, attended, no_shows in SEPTEMBER:
        counts[host] += attended + no_shows
    return counts


def future_plans(pools: dict[str, list], trained: list) -> list[SessionPlan]:
    """September's sessions, the scheduled ones, two cancelled, and sessions of courses that are not CAF."""
    queues = {host: iter(pool) for host, pool in pools.items()}
    plans = [_september(row, queues) for row in SEPTEMBER]
    for year, table in ((2008, TO_END_OF_2008), (2009, IN_2009)):
        for host, spec in table.items():
            plans += _scheduled(host, year, spec, queues)
    plans += [_cancelled(row, plans) for row in CANCELLED]
    plans += _other_courses(queues, trained)
    return plans


def _take(queues: dict, host: str, count: int) -> list:
    return [next(queues[host]) for _ in range(count)]


def _september(row, queues) -> SessionPlan:
    host, area, day, capacity, attended, no_shows = row
    return SessionPlan(
        "CAF",
        host,
        area,
        days_for(day, "full"),
        capacity,
        SessionStatus.COMPLETED,
        attended=_take(queues, host, attended),
        no_show=_take(queues, host, no_shows),
    )


def _scheduled(host: str, year: int, spec: dict, queues) -> list[SessionPlan]:
    areas = sorted(AREAS[host])
    dates = spread_dates(*WINDOWS[year], len(spec["capacities"]))
    plans = []
    for index, (day, capacity, booked) in enumerate(zip(dates, spec["capacities"], spec["booked"], strict=True)):
        plan = SessionPlan(
            "CAF",
            host,
            areas[index % len(areas)],
            days_for(day, PATTERNS[index % len(PATTERNS)]),
            capacity,
            booked=_take(queues, host, booked),
        )
        if index == 0:
            plan.waitlisted = _take(queues, host, spec["waitlisted"])
        plans.append(plan)
    return plans


def _cancelled(row, plans: list[SessionPlan]) -> SessionPlan:
    """Its people were moved to the host's later sessions, so their cancelled bookings sit beside live ones."""
    host, area, day, capacity, count = row
    moved = [person for plan in plans if plan.host == host and plan.starts_on > day for person in plan.booked]
    return SessionPlan(
        "CAF", host, area, days_for(day, "full"), capacity, SessionStatus.CANCELLED, cancelled=moved[:count]
    )


def _other_courses(queues, trained: list) -> list[SessionPlan]:
    """Lead Professional (for people already trained to CAF) and awareness plus: they do not count as trained."""
    leicester_trained = [p for p in trained if p.authorities == ("LEICESTER",)]
    return [
        SessionPlan(
            "LP",
            "LEICESTER",
            "North East Leicester",
            days_for(date(2008, 10, 29), "full"),
            20,
            booked=leicester_trained[:6],
        ),
        SessionPlan(
            "AWARE-PLUS",
            "LEICESTERSHIRE",
            "Charnwood",
            days_for(date(2008, 11, 19), "two_half"),
            30,
            booked=_take(queues, "LEICESTERSHIRE", 10),
        ),
    ]

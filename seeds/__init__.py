"""The deterministic demo partnership of SPEC 5: Leicester, Leicestershire, Rutland and Nottingham, 2007-09.

load_demo() builds it in one transaction from code and fixed data (no clock, one seeded random source),
so every run gives the same rows; each module seeds one concept.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from training_app.extensions import db
from training_app.services.common.calendar import london_today

from .awareness import seed_awareness
from .common import Demo
from .courses import seed_courses
from .funds import seed_fund
from .history import historic_plans
from .live import live_plans
from .live_bookings import seed_live_bookings
from .live_claims import seed_live_claims
from .live_council_it import seed_live_council_it
from .live_evaluations import seed_live_evaluations
from .live_interest import seed_live_interest
from .live_refreshers import seed_live_refreshers
from .live_registers import seed_live_registers
from .live_targets import seed_live_targets
from .live_workforce import seed_live_workforce
from .people import seed_people
from .places import seed_places
from .schedule import future_plans, trained_in_september
from .sessions import seed_trainers, write_sessions
from .users import seed_users


def load_demo(today: date | None = None) -> Counter:
    """Load the demo partnership into an empty database and commit; returns rows made per kind.

    `today` (the London date by default) is the day the live programme is built around.
    """
    live = live_plans(today or london_today())
    demo = Demo()
    seed_places(demo)
    seed_courses(demo)
    trained, pools = seed_people(demo, trained_in_september())
    seed_trainers(demo)
    counts = write_sessions(demo, historic_plans(demo, trained, pools) + future_plans(pools, trained))
    live_counts = write_sessions(demo, live)
    counts.update(sessions=live_counts["sessions"], session_days=live_counts["session_days"])
    counts.update(
        authorities=len(demo.authority_ids),
        organisations=len(demo.organisations),
        practitioners=len(demo.people),
        users=seed_users(demo),
        awareness_sign_offs=seed_awareness(demo),
        claims=seed_fund(demo),
    )
    counts.update(seed_live_registers(demo, today or london_today()))  # before the live claims, which read it
    counts.update(claims=seed_live_claims(demo, today or london_today()))  # after last month's registers
    counts.update(seed_live_evaluations(demo, today or london_today()))  # last month's completions, evaluated
    counts.update(seed_live_bookings(demo, today or london_today()))  # through the booking services, which commit
    counts.update(seed_live_workforce(demo, today or london_today()))  # a joiner and a leaver, after the bookings
    counts.update(seed_live_refreshers(demo, today or london_today()))  # after the slices whose people it avoids
    counts.update(seed_live_interest(demo, today or london_today()))  # a course without dates, and who waits for it
    counts.update(seed_live_council_it(demo, today or london_today()))  # report emails and a paused webhook
    counts.update(seed_live_targets(demo, today or london_today()))  # last: it counts what the others made
    db.session.commit()
    return counts

"""The live programme around the day the demo is loaded (SPEC 5): a session running that day and the courses'
sessions over the next eight weeks across the three partner authorities and their areas, with venues and trainers.

It starts in 2010 at the earliest, after the 2007-09 history, so the 2008 figures cannot move.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from training_app.models import SessionStatus

from .courses import COURSES
from .names import AREAS
from .sessions import SessionPlan, days_for

EARLIEST_LIVE_DAY = date(2010, 1, 1)
WEEKS = 8
PARTNERS = ("LEICESTER", "LEICESTERSHIRE", "RUTLAND")
PATTERNS = ("full", "two_full", "two_half")
CAPACITY = 20


def live_plans(today: date) -> list[SessionPlan]:
    """Today's session, then one session a week in each partner authority, rotating areas, courses and lengths."""
    if today < EARLIEST_LIVE_DAY:
        raise ValueError(f"the live programme starts on {EARLIEST_LIVE_DAY.isoformat()} or later, after the history")
    areas = {authority: sorted(AREAS[authority]) for authority in PARTNERS}
    courses = [code for code, *_ in COURSES]
    first_area = areas["LEICESTER"][0]
    plans = [SessionPlan(courses[2], "LEICESTER", first_area, [(today, time(9, 30), time(16, 0))], CAPACITY)]
    monday = today - timedelta(days=today.weekday())
    for week in range(1, WEEKS + 1):
        for index, authority in enumerate(PARTNERS):
            number = week * len(PARTNERS) + index
            start = monday + timedelta(weeks=week, days=1 + index)  # Tuesday, Wednesday or Thursday
            area = areas[authority][number % len(areas[authority])]
            days = days_for(start, PATTERNS[number % len(PATTERNS)])
            plans.append(SessionPlan(courses[number % len(courses)], authority, area, days, CAPACITY))
    for plan in plans:
        plan.status = SessionStatus.SCHEDULED
    return plans

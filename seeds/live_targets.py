"""The live programme's targets (SPEC 3.10, 5): agencies' own training targets, set through the targets service, so the
targets page and the booker's and workforce lead's dashboards show targets met, on track and behind.

The 2007-08 CAF records have long expired, so the targets are where the live programme made people current: the
demo booker's school and another organisation, each for the group of a member of staff holding a current CAF record
(last month's registers, the refreshers), and Leicestershire (the demo lead's authority) for every group. The
percentage is chosen from the progress counted on the load day, so each status holds whatever the day: met at the
progress reached, on track at twice it with half the time gone, behind at 100% with nine tenths gone. Targets count
people and change none: the 2008 figures cannot move.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import Course, Organisation, Practitioner, ResponsibilityGroup, User
from training_app.services.attendance.completions import latest_completions
from training_app.services.workforce.target_progress import preview_progress
from training_app.services.workforce.targets import TargetStatus, TargetValues, set_target

from .common import Demo
from .courses import CAF
from .funds import BOOKER_SCHOOL_INDEX, claim_schools

COORDINATOR = "coordinator@demo.test"
LEAD_AUTHORITY = "LEICESTERSHIRE"
# status: (days since set, days to go)
SPANS = {TargetStatus.MET: (120, 180), TargetStatus.ON_TRACK: (100, 100), TargetStatus.BEHIND: (270, 30)}


def seed_live_targets(demo: Demo, today: date) -> Counter:
    """Set the targets as the coordinator (committed by the service); returns how many."""
    coordinator = db.session.get(User, demo.user_ids[COORDINATOR])
    assert coordinator is not None
    school = claim_schools(demo)[BOOKER_SCHOOL_INDEX][0].code
    holders = _current_holders(today)
    others = sorted(code for code in holders if code != school)
    chosen = [(school, TargetStatus.ON_TRACK)] if school in holders else []
    chosen += [(code, status) for code, status in zip(others, (TargetStatus.MET, TargetStatus.BEHIND), strict=False)]
    made = 0
    for code, status in chosen:
        values = TargetValues(code, None, sorted(holders[code]), None, 1, None)
        made += _set(values, status, coordinator, today) or _set(values, TargetStatus.MET, coordinator, today)
    every_group = list(db.session.scalars(sa.select(ResponsibilityGroup.code).order_by(ResponsibilityGroup.code)))
    values = TargetValues(None, LEAD_AUTHORITY, every_group, None, 1, None)
    made += _set(values, TargetStatus.BEHIND, coordinator, today)
    return Counter(targets=made)


def _current_holders(today: date) -> dict[str, set[str]]:
    """Organisation code to the groups of its staff holding a CAF record current today (a refresher's counts)."""
    caf = db.session.scalars(sa.select(Course.id).where(Course.code == CAF)).one()
    latest = latest_completions(None, [caf], as_of=today)
    query = (
        sa.select(Organisation.code, ResponsibilityGroup.code)
        .select_from(latest)
        .join(Practitioner, Practitioner.id == latest.c.practitioner_id)
        .join(Organisation, Organisation.id == Practitioner.organisation_id)
        .join(ResponsibilityGroup, ResponsibilityGroup.id == Practitioner.group_id)
        .where(sa.or_(latest.c.expires_on.is_(None), latest.c.expires_on > today))
    )
    holders: dict[str, set[str]] = {}
    for organisation, group in db.session.execute(query):
        holders.setdefault(organisation, set()).add(group)
    return holders


def _set(values: TargetValues, status: TargetStatus, actor: User, today: date) -> int:
    """Set the target with the percentage that gives it `status` on `today`; none when its progress cannot."""
    since, to_go = SPANS[status]
    set_on, due_on = today - timedelta(days=since), today + timedelta(days=to_go)
    reached = preview_progress(replace(values, due_on=due_on), actor, set_on, today).progress_percent
    percent = {TargetStatus.MET: reached, TargetStatus.ON_TRACK: 2 * reached, TargetStatus.BEHIND: 100}[status]
    if not 1 <= percent <= 100 or (status == TargetStatus.BEHIND and reached >= 90):
        return 0
    set_target(replace(values, percent=percent, due_on=due_on), actor, set_on)
    return 1

"""In post on a date (SPEC 3.1), the one rule every count of staff uses.

A practitioner is in post on a date D when `started_on` is empty or on/before D, and `left_on` is empty or after D.
Empty `started_on` means not known and is treated as always in post, so the 2008 history (nobody has dates) counts
as before. Counts of staff (totals, still to train, targets, coverage) filter with `in_post_on(D)`; trained counts
keep leavers for the dates when they were in post, which is the same filter on the as-of date.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from ...models import Practitioner


def in_post_on(on: date | ColumnElement[date]) -> ColumnElement[bool]:
    """SQL condition: the practitioner (the `practitioners` table in the query) is in post on `on`."""
    return sa.and_(
        sa.or_(Practitioner.started_on.is_(None), Practitioner.started_on <= on),
        sa.or_(Practitioner.left_on.is_(None), Practitioner.left_on > on),
    )


def not_left_by(on: date | ColumnElement[date]) -> ColumnElement[bool]:
    """SQL condition: the practitioner (the `practitioners` table in the query) has not left by `on` (SPEC 3.1:
    leavers get no reminders): refresher, session and evaluation reminders, interest emails, the staff list. `on` may
    be a bound parameter, for a statement built once."""
    return sa.or_(Practitioner.left_on.is_(None), Practitioner.left_on > on)


def is_in_post(practitioner: Practitioner, on: date) -> bool:
    """The same rule for one practitioner already loaded."""
    started, left = practitioner.started_on, practitioner.left_on
    return (started is None or started <= on) and (left is None or left > on)


def has_left(practitioner: Practitioner, on: date) -> bool:
    """A leaver on `on`: `left_on` is on or before it (no reminders, no booking; records and certificates kept)."""
    return practitioner.left_on is not None and practitioner.left_on <= on

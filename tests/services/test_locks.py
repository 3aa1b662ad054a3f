"""The one locking load (services.common.locks): what it returns is the row as the database holds it now, never the
copy the request loaded before the lock (the copy every check ran on, on PostgreSQL, before issue 24)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import make_booking, make_practitioner, make_session
from training_app.extensions import db
from training_app.models import BookingStatus, Charge, ChargeReason, TrainingSession
from training_app.services.booking.bookings import lock_session
from training_app.services.common.locks import fresh, lock_row


def _charge() -> Charge:
    booking = make_booking(make_session(), make_practitioner(), BookingStatus.NO_SHOW)
    charge = Charge(booking_id=booking.id, reason=ChargeReason.NO_SHOW, amount_pence=5000, waived_reason=None)
    db.session.add(charge)
    db.session.flush()
    return charge


def _changed_behind_the_session(statement: sa.Update) -> None:
    """Change rows as another transaction committing would: the session's copies are left as they were."""
    db.session.execute(statement.execution_options(synchronize_session=False))


def test_lock_row_overwrites_the_copy_loaded_before_the_lock(app_ctx):
    charge = _charge()
    assert charge.waived_reason is None
    _changed_behind_the_session(sa.update(Charge).values(waived_reason="Waived a moment ago"))

    assert db.session.scalars(sa.select(Charge)).one().waived_reason is None  # a plain load keeps the stale copy
    locked = lock_row(Charge, charge.id)
    assert locked is charge and locked.waived_reason == "Waived a moment ago"


def test_fresh_reads_and_the_session_lock_overwrite_stale_copies_too(app_ctx):
    charge = _charge()
    session = db.session.get(TrainingSession, charge.booking.session_id)
    _changed_behind_the_session(sa.update(Charge).values(amount_pence=2500))
    _changed_behind_the_session(sa.update(TrainingSession).values(capacity=3))

    assert db.session.scalars(fresh(sa.select(Charge))).one().amount_pence == 2500
    assert lock_session(session.id).capacity == 3

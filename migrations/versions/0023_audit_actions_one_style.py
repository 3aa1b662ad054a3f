"""Audit actions in one style (issue 19): the six dotted names become noun_verb like every other
(`session.created` -> `session_created`, ...), and a promotion from a waiting list keeps its values in one shape
(old: waitlisted at its position; new: booking_values), so the audit log filters and reads them alike.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

RENAMED = {
    "session.created": "session_created",
    "session.changed": "session_changed",
    "session.cancelled": "session_cancelled",
    "trainer.added": "trainer_added",
    "trainer.feed_issued": "trainer_feed_issued",
    "trainer.feed_revoked": "trainer_feed_revoked",
}

EVENTS = sa.table("audit_events", sa.column("action", sa.String))


def upgrade():
    for old, new in RENAMED.items():
        op.execute(EVENTS.update().where(EVENTS.c.action == old).values(action=new))


def downgrade():
    for old, new in RENAMED.items():
        op.execute(EVENTS.update().where(EVENTS.c.action == new).values(action=old))

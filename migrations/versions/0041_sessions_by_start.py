"""Sessions by their first day (issue 25): the sessions list with closed sessions shown, the trainers' feeds and the
minimum-numbers check order every session by (starts_on, code); with this index they read it in order instead of
sorting 40,000 sessions a request, and an SQLite database without planner statistics no longer picks the status
index for the open sessions.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-06
"""

from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_sessions_starts_on_code", "sessions", ["starts_on", "code"])


def downgrade():
    op.drop_index("ix_sessions_starts_on_code", table_name="sessions")

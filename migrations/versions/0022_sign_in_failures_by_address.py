"""Sign-in failures counted per address as well as per email (issue 24): an index to count one address's recent
failures, as ix_sign_in_failures_email_at does an email's. The address column was there from the start.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_sign_in_failures_ip_at", "sign_in_failures", ["ip", "at"])


def downgrade():
    op.drop_index("ix_sign_in_failures_ip_at", table_name="sign_in_failures")

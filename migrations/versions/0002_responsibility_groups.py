"""The eight training groups of Working Together to Safeguard Children, present in every database.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GROUPS = [
    (
        "1",
        "Infrequent contact",
        "Staff in infrequent or incidental contact with children, young people or parents "
        "who may become aware of possible abuse, neglect or unmet need (e.g. receptionists, librarians, leisure staff).",
    ),
    (
        "2",
        "Regular contact",
        "Staff and volunteers in regular contact with children, young people or parents who "
        "could contribute to identifying need and to assessing, planning and reviewing (e.g. teaching assistants).",
    ),
    (
        "3",
        "Intensive contact",
        "Practitioners who work predominantly with children, young people or parents and "
        "may undertake common assessments or act as lead professional (e.g. teachers, health visitors, youth workers).",
    ),
    (
        "4",
        "Specialist practitioners",
        "Practitioners with particular responsibility for safeguarding or "
        "assessment in their service (e.g. designated teachers, school nurses, social workers).",
    ),
    (
        "5",
        "Designated and named professionals",
        "Designated and named professionals and lead officers who advise "
        "colleagues and quality-assure assessments within their agency.",
    ),
    (
        "6",
        "Operational managers",
        "First-line and operational managers who supervise practitioners and are "
        "accountable for the quality of common assessments and integrated working in their teams.",
    ),
    (
        "7",
        "Senior managers",
        "Senior managers responsible for the strategic management of services and for "
        "releasing their workforce for training.",
    ),
    ("8", "Board members", "Members of Local Safeguarding Children Boards and Children's Trust boards."),
]

groups = sa.table(
    "responsibility_groups",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("definition", sa.Text),
)


def upgrade():
    op.bulk_insert(groups, [{"code": c, "name": n, "definition": d} for c, n, d in GROUPS])


def downgrade():
    op.execute(groups.delete().where(groups.c.code.in_([c for c, _, _ in GROUPS])))

"""Demo sign-ins, one per role, for local use only (the README quotes this list)."""

from __future__ import annotations

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import Trainer, User
from training_app.services.accounts.accounts import create_user

from .common import Demo
from .funds import BOOKER_SCHOOL_INDEX, claim_schools

DEMO_PASSWORD = "demo-password"  # noqa: S105 (demo data for local use, printed in the README)

# email, role, name, scope: "school" = the booker's school, an authority code, or None
DEMO_USERS = [
    ("admin@demo.test", "admin", "Alex Admin", None),
    ("coordinator@demo.test", "coordinator", "Helen Ward", None),
    ("booker@demo.test", "booker", "Brenda Booker", "school"),
    ("lead@demo.test", "workforce_lead", "Lee Lead", "LEICESTERSHIRE"),
    ("finance@demo.test", "finance", "Fran Finance", None),
    ("practitioner@demo.test", "practitioner", "Pat Practitioner", None),
]


def seed_users(demo: Demo) -> int:
    """Create the demo users; the practitioner is a trained teacher at the booker's school."""
    school = claim_schools(demo)[BOOKER_SCHOOL_INDEX][0]
    for email, role, name, scope in DEMO_USERS:
        user = create_user(
            email,
            role,
            DEMO_PASSWORD,
            name=name,
            organisation_code=school.code if scope == "school" else None,
            authority_codes=[scope] if scope and scope != "school" else [],
            link_practitioner=False,  # joined to a trained teacher below
        )
        demo.user_ids[email] = user.id
    trained_teacher = next(a.person for a in demo.attended_days if a.person.organisation.id == school.id)
    db.session.execute(
        sa.update(User).where(User.email == "practitioner@demo.test").values(practitioner_id=trained_teacher.id)
    )
    db.session.execute(
        sa.update(Trainer)
        .where(Trainer.email == "helen.ward@bridges.example.org")
        .values(user_id=demo.user_ids["coordinator@demo.test"])
    )
    return len(DEMO_USERS)

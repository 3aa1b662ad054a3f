"""Seeding the demo through the CLI, and emptying the database between two seeds in one test."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import ClaimLine, Practitioner, SessionDay, TrainingRecord, TrainingSession

KEEP_TABLES = {"alembic_version", "responsibility_groups"}


def seed_demo(app):
    """Run `flask seed demo`; returns the click result."""
    return app.test_cli_runner().invoke(args=["seed", "demo"])


def empty_database() -> None:
    """Delete every row the seed made, as a fresh migrated database would be."""
    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())


def fingerprint() -> str:
    """A digest of who is in the demo, where they were trained and what was claimed, free of ids."""
    queries = [
        sa.select(Practitioner.email, Practitioner.job_title, Practitioner.cover_category).order_by(Practitioner.email),
        sa.select(TrainingSession.code, TrainingSession.capacity, SessionDay.date, SessionDay.starts_at)
        .join(SessionDay.session)
        .order_by(TrainingSession.code, SessionDay.date),
        sa.select(Practitioner.email, TrainingRecord.completed_on)
        .join(TrainingRecord.practitioner)
        .order_by(Practitioner.email, TrainingRecord.completed_on),
        sa.select(Practitioner.email, ClaimLine.amount_pence, ClaimLine.evidence_invoice)
        .join(ClaimLine.practitioner)
        .order_by(Practitioner.email, ClaimLine.amount_pence, ClaimLine.evidence_invoice),
    ]
    digest = hashlib.sha256()
    for query in queries:
        for row in db.session.execute(query):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()

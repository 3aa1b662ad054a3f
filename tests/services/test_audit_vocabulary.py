"""The audit trail's vocabulary: every action is an AuditAction, named in one style, recorded through the enum."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from tests.factories import make_user
from training_app.extensions import db
from training_app.models import AuditAction, AuditEvent, Role
from training_app.services.accounts import audit

PACKAGE = Path(__file__).resolve().parents[2] / "training_app"
LITERAL_ACTION = re.compile(r"audit\.record\(\s*[^,()]+(\([^()]*\))?,\s*f?[\"']")


def test_every_action_is_named_noun_verb_in_one_style():
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", action.value) for action in AuditAction)


def test_no_service_records_an_action_as_a_bare_string():
    offenders = [
        f"{path.relative_to(PACKAGE)}" for path in PACKAGE.rglob("*.py") if LITERAL_ACTION.search(path.read_text())
    ]
    assert offenders == []


def test_an_event_keeps_the_actions_name(app_ctx):
    user = make_user(Role.ADMIN)
    db.session.flush()
    audit.record(user, AuditAction.SESSION_CREATED, user)
    db.session.commit()
    assert db.session.scalars(sa.select(AuditEvent.action)).all() == ["session_created"]

"""The audit trail, written in one way by every service: who, what, which record, old and new values."""

from __future__ import annotations

from typing import Any

from ...extensions import db
from ...models import AuditAction, AuditEvent, User

SYSTEM = "system"


def record(
    actor: User | str | None,
    action: AuditAction,
    target: Any = None,
    old: Any = None,
    new: Any = None,
    entity_type: str | None = None,
) -> AuditEvent:
    """Add an audit event in the caller's transaction (like pretix's log_action).

    `actor` is the user who acted, or a label such as "system" or "import"; `target` is the record changed
    (its table name and id are kept), or None with `entity_type` naming what kind of thing changed.
    """
    user = actor if isinstance(actor, User) else None
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        actor=user.email if user is not None else (actor or SYSTEM),
        action=action,
        entity_type=entity_type or _entity_type(target),
        entity_id=getattr(target, "id", None),
        old_value=old,
        new_value=new,
    )
    db.session.add(event)
    return event


def _entity_type(target: Any) -> str:
    """The singular name of a record's kind: its table name without the plural 's'."""
    table = getattr(target, "__tablename__", None)
    if not isinstance(table, str):
        raise ValueError("an audit event needs a target record or an entity_type")
    return table.removesuffix("s")

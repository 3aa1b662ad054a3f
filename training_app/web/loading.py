"""One way for a view to load and authorise the record its address names (as Flaskr's `get_post(id, check_author)`
and Indico's view bases do): 404 for what does not exist, 403 for what exists but is out of the user's scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from ..extensions import db

T = TypeVar("T")


def in_reach(record: T | None, may: Callable[[Any, T], bool] | None = None) -> T:
    """The record, once it exists (404) and the signed-in user may act on it (`may(user, record)`, 403)."""
    if record is None:
        abort(404)
    if may is not None and not may(current_user._get_current_object(), record):
        abort(403)
    return record


def load(model: type[T], record_id: int, may: Callable[[Any, T], bool] | None = None) -> T:
    """The `model` row with this id, checked as `in_reach` checks it."""
    return in_reach(db.session.get(model, record_id), may)

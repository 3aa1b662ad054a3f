"""Fixtures for the API tests."""

from __future__ import annotations

import pytest
from schemathesis.pytest.plugin import SchemathesisFunction

from training_app.extensions import db
from training_app.models import Role

from .helpers import bearer, user_with_token


def pytest_itemcollected(item: pytest.Item) -> None:
    """Give each operation schemathesis fuzzes its own node id, `test_...[GET /sessions]` as its name says.

    Under pytest 9 schemathesis 4 gives every operation's test the same node id, and pytest-xdist hands tests
    out by node id: under `make test` (-n 2) only the first operation was fuzzed, and the other 22 never ran.
    """
    if isinstance(item, SchemathesisFunction) and not item.nodeid.endswith("]"):
        from _pytest.nodeid import NodeId  # pytest 9 (8 built the id from the name, so never came here)

        item._id = NodeId.parse(f"{item.parent.nodeid}::{item.name}")


@pytest.fixture
def headers_for(app_ctx):
    """Make a user of a role with a token, commit, and return the Authorization header to send."""

    def make(role: Role = Role.ADMIN, **fields) -> dict[str, str]:
        _, token = user_with_token(role, **fields)
        db.session.commit()
        return bearer(token)

    return make

"""Fixtures for the API tests."""

from __future__ import annotations

import pytest

from training_app.extensions import db
from training_app.models import Role

from .helpers import bearer, user_with_token


@pytest.fixture
def headers_for(app_ctx):
    """Make a user of a role with a token, commit, and return the Authorization header to send."""

    def make(role: Role = Role.ADMIN, **fields) -> dict[str, str]:
        _, token = user_with_token(role, **fields)
        db.session.commit()
        return bearer(token)

    return make

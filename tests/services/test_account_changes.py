"""Changing a user's role and scope, switching accounts off and on, and API tokens' names and revoking."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import make_authority, make_organisation, make_user
from training_app.extensions import db
from training_app.models import ApiToken, AuditEvent, Role, User
from training_app.services.accounts.accounts import (
    AccountError,
    api_tokens_of,
    change_access,
    deactivate_user,
    grant_api_token,
    reactivate_user,
    revoke_api_token,
    user_for_token,
)


@pytest.fixture
def admin(app_ctx):
    user = make_user(Role.ADMIN)
    db.session.commit()
    return user


def test_a_role_and_scope_change_is_checked_and_audited(admin):
    organisation = make_organisation(code="SCH9")
    user = make_user(Role.COORDINATOR, email="moving@council.example")
    db.session.commit()

    with pytest.raises(AccountError, match="a booker needs an organisation"):
        change_access(user, Role.BOOKER, None, [], by=admin)
    db.session.rollback()
    assert db.session.get(User, user.id).role == Role.COORDINATOR

    assert change_access(user, Role.BOOKER, "SCH9", [], by=admin)
    assert db.session.get(User, user.id).organisation == organisation
    event = db.session.execute(sa.select(AuditEvent).filter_by(action="user_access_changed")).scalar_one()
    assert event.old_value["role"] == "coordinator" and event.new_value == {
        "role": "booker",
        "organisation": "SCH9",
        "authorities": [],
    }
    assert not change_access(user, Role.BOOKER, "SCH9", [], by=admin)


def test_a_workforce_lead_keeps_at_least_one_authority(admin):
    authority = make_authority(code="RUT")
    lead = make_user(Role.WORKFORCE_LEAD, authorities=[authority])
    db.session.commit()

    with pytest.raises(AccountError, match="at least one authority"):
        change_access(lead, Role.WORKFORCE_LEAD, None, [], by=admin)


def test_an_admin_cannot_change_their_own_role_or_switch_themself_off(admin):
    with pytest.raises(AccountError, match="your own role"):
        change_access(admin, Role.COORDINATOR, None, [], by=admin)
    with pytest.raises(AccountError, match="your own account"):
        deactivate_user(admin, by=admin)


def test_switching_a_user_off_revokes_their_tokens_and_on_again_does_not_restore_them(admin):
    user = make_user(Role.COORDINATOR)
    db.session.commit()
    token = grant_api_token(user, by=admin, name="Reporting script")
    assert user_for_token(token) == user

    assert deactivate_user(user, by=admin)
    assert user_for_token(token) is None
    assert reactivate_user(user, by=admin)
    assert user_for_token(token) is None
    assert [listed.revoked_at is not None for listed in api_tokens_of(user)] == [True]
    assert user_for_token(grant_api_token(user, by=admin)) == user


def test_a_revoked_token_stops_working_and_keeps_its_name(admin):
    user = make_user(Role.COORDINATOR)
    db.session.commit()
    token = grant_api_token(user, by=admin, name="  Nightly export ")
    row = db.session.execute(sa.select(ApiToken)).scalar_one()
    assert row.name == "Nightly export"

    assert revoke_api_token(row, by=admin)
    assert user_for_token(token) is None
    assert not revoke_api_token(row, by=admin)

"""`flask users create` and `flask users token`."""

import pytest
import sqlalchemy as sa

from tests.factories import make_authority, make_organisation
from training_app.extensions import db
from training_app.models import ApiToken, Role, User, hash_token
from training_app.services.accounts import user_for_token

PASSWORD = "a long enough password"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def scope(app):
    """An organisation and two authorities to give users."""
    with app.app_context():
        make_organisation(code="HOPE")
        make_authority(code="RUTLAND")
        make_authority(code="LEICESTER")
        db.session.commit()


def _create(runner, *args: str, password: str = PASSWORD):
    return runner.invoke(args=["users", "create", *args], input=password + "\n")


def _users(app) -> list[User]:
    with app.app_context():
        users = db.session.execute(sa.select(User).order_by(User.email)).scalars().all()
        for user in users:
            user.authority_codes = sorted(a.code for a in user.authorities)
            user.organisation_code = user.organisation.code if user.organisation else None
        db.session.expunge_all()
        return users


@pytest.mark.parametrize(
    ("role", "extra"),
    [
        ("admin", []),
        ("coordinator", []),
        ("booker", ["--organisation", "HOPE"]),
        ("workforce_lead", ["--authority", "RUTLAND", "--authority", "LEICESTER"]),
        ("finance", []),
        ("practitioner", []),
    ],
)
def test_create_makes_a_user_of_each_role_who_can_sign_in(app, runner, scope, role, extra):
    result = _create(runner, "--email", "New.User@Council.example", "--role", role, "--name", "New User", *extra)

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"created {role} new.user@council.example"
    [user] = _users(app)
    assert user.role == Role(role)
    assert user.name == "New User"
    assert user.check_password(PASSWORD)
    assert user.password_hash != PASSWORD
    if role == "booker":
        assert user.organisation_code == "HOPE"
    if role == "workforce_lead":
        assert user.authority_codes == ["LEICESTER", "RUTLAND"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "overlord"], "role must be one of: admin, coordinator, booker"),
        (["--role", "booker"], "a booker needs --organisation"),
        (["--role", "booker", "--organisation", "NOPE"], "no organisation with code NOPE"),
        (["--role", "workforce_lead"], "a workforce lead needs at least one --authority"),
        (["--role", "workforce_lead", "--authority", "RUTLAND", "--authority", "MARS"], "no authority with code MARS"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(app, runner, scope, args, message):
    result = _create(runner, "--email", "someone@council.example", *args)

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert _users(app) == []


def test_create_refuses_a_short_or_empty_password(app, runner):
    for password in ("", "short"):
        result = _create(runner, "--email", "a@council.example", "--role", "admin", password=password)
        assert result.exit_code == 1
        assert "password must be at least 10 characters" in result.output
    assert _users(app) == []


def test_create_refuses_a_duplicate_email_whatever_its_case(app, runner):
    assert _create(runner, "--email", "dup@council.example", "--role", "admin").exit_code == 0

    result = _create(runner, "--email", "DUP@council.example", "--role", "finance")

    assert result.exit_code == 1
    assert "a user with email dup@council.example already exists" in result.output
    assert [user.role for user in _users(app)] == [Role.ADMIN]


def test_token_prints_a_working_token_and_stores_only_its_hash(app, runner):
    _create(runner, "--email", "api@council.example", "--role", "coordinator")

    result = runner.invoke(args=["users", "token", "--email", "API@council.example"])

    assert result.exit_code == 0, result.output
    token = result.output.strip()
    with app.app_context():
        stored = db.session.execute(sa.select(ApiToken.token_hash)).scalars().all()
        assert stored == [hash_token(token)]
        assert token not in stored
        assert user_for_token(token).email == "api@council.example"


def test_each_token_is_new(app, runner):
    _create(runner, "--email", "api@council.example", "--role", "coordinator")

    first = runner.invoke(args=["users", "token", "--email", "api@council.example"]).output.strip()
    second = runner.invoke(args=["users", "token", "--email", "api@council.example"]).output.strip()

    assert first != second


def test_token_for_an_unknown_email_fails(app, runner):
    result = runner.invoke(args=["users", "token", "--email", "ghost@council.example"])

    assert result.exit_code == 1
    assert "no user with email ghost@council.example" in result.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(ApiToken)).scalar_one() == 0

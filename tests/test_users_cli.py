"""`flask users create`, `token`, `password`, `deactivate` and `activate`."""

import pytest
import sqlalchemy as sa

from tests.factories import make_authority, make_organisation, make_practitioner
from tests.web.helpers import sign_in
from training_app.extensions import db
from training_app.models import ApiToken, AuditEvent, Role, User, hash_token
from training_app.services.accounts.accounts import user_for_token

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
        make_practitioner(email="new.user@council.example")
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
        (["--role", "booker"], "a booker needs an organisation"),
        (["--role", "booker", "--organisation", "NOPE"], "no organisation with code NOPE"),
        (["--role", "workforce_lead"], "a workforce lead needs at least one authority"),
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


NEW_PASSWORD = "an even longer new password"
EMAIL = "kim.lee@council.example"


@pytest.fixture
def kim(app, runner):
    """A coordinator made on the command line, signed in in a browser; returns that browser."""
    assert _create(runner, "--email", EMAIL, "--role", "coordinator").exit_code == 0
    browser = app.test_client()
    assert sign_in(browser, EMAIL, PASSWORD).headers["Location"] == "/"
    assert browser.get("/").status_code == 200
    return browser


def _user(app, email: str = EMAIL) -> User:
    with app.app_context():
        user = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one()
        db.session.expunge(user)
        return user


def _audit(app) -> list[tuple[str, str, str, int | None, object, object]]:
    with app.app_context():
        events = db.session.execute(
            sa.select(AuditEvent)
            .where(AuditEvent.action.not_in(["sign_in", "sign_out", "user_created", "api_token_issued"]))
            .order_by(AuditEvent.id)
        ).scalars()
        return [(e.actor, e.action, e.entity_type, e.entity_id, e.old_value, e.new_value) for e in events]


def test_password_sets_the_password_from_standard_input_and_signs_the_user_out_everywhere(app, runner, kim):
    result = runner.invoke(args=["users", "password", "--email", "Kim.Lee@council.example"], input=NEW_PASSWORD + "\n")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"changed the password for {EMAIL} and signed them out everywhere"
    user = _user(app)
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert kim.get("/").status_code == 302
    assert sign_in(kim, EMAIL, NEW_PASSWORD).headers["Location"] == "/"
    assert _audit(app) == [("cli", "password_changed", "user", user.id, None, None)]


def test_password_refuses_a_short_password_and_changes_nothing(app, runner, kim):
    result = runner.invoke(args=["users", "password", "--email", EMAIL], input="short\n")

    assert result.exit_code == 1
    assert "password must be at least 10 characters" in result.output
    assert _user(app).check_password(PASSWORD)
    assert kim.get("/").status_code == 200
    assert _audit(app) == []


@pytest.mark.parametrize("command", ["password", "deactivate", "activate"])
def test_commands_for_an_unknown_email_fail_and_say_so(app, runner, command):
    result = runner.invoke(args=["users", command, "--email", "Ghost@council.example"], input=NEW_PASSWORD + "\n")

    assert result.exit_code == 1
    assert "no user with email ghost@council.example" in result.output
    assert "Traceback" not in result.output


def test_deactivate_switches_the_user_off_ends_their_sessions_and_stops_their_tokens(app, runner, kim):
    token = runner.invoke(args=["users", "token", "--email", EMAIL]).output.strip()

    result = runner.invoke(args=["users", "deactivate", "--email", EMAIL])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"switched off {EMAIL} and signed them out everywhere"
    user = _user(app)
    assert user.active is False
    assert kim.get("/").status_code == 302
    refused = sign_in(kim, EMAIL, PASSWORD)
    assert "Your account has been switched off" in refused.get_data(as_text=True)
    with app.app_context():
        assert user_for_token(token) is None
    assert _audit(app) == [
        ("cli", "user_deactivated", "user", user.id, {"active": True}, {"active": False, "api_tokens_revoked": 1})
    ]


def test_deactivating_twice_says_so_and_records_one_event(app, runner, kim):
    runner.invoke(args=["users", "deactivate", "--email", EMAIL])

    result = runner.invoke(args=["users", "deactivate", "--email", EMAIL])

    assert result.exit_code == 0
    assert result.output.strip() == f"{EMAIL} is already switched off"
    assert [event[1] for event in _audit(app)] == ["user_deactivated"]


def test_activate_lets_a_switched_off_user_sign_in_again(app, runner, kim):
    runner.invoke(args=["users", "deactivate", "--email", EMAIL])

    result = runner.invoke(args=["users", "activate", "--email", EMAIL])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"switched on {EMAIL}"
    user = _user(app)
    assert user.active is True
    assert sign_in(kim, EMAIL, PASSWORD).headers["Location"] == "/"
    assert kim.get("/").status_code == 200
    assert _audit(app)[-1] == ("cli", "user_reactivated", "user", user.id, {"active": False}, {"active": True})
    again = runner.invoke(args=["users", "activate", "--email", EMAIL])
    assert again.output.strip() == f"{EMAIL} is already switched on"


def test_creating_a_user_and_a_token_are_audited_without_the_secret(app, runner):
    created = runner.invoke(
        args=["users", "create", "--email", "Ann@council.example", "--role", "admin"], input=PASSWORD + "\n"
    )
    token = runner.invoke(args=["users", "token", "--email", "ann@council.example"]).output.strip()

    assert created.exit_code == 0, created.output
    with app.app_context():
        events = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        assert [(e.actor, e.action, e.entity_type) for e in events] == [
            ("cli", "user_created", "user"),
            ("cli", "api_token_issued", "user"),
        ]
        assert events[0].new_value == {"email": "ann@council.example", "role": "admin"}
        assert token not in str(events[1].new_value) and events[1].new_value == {"prefix": token[:10]}


def test_a_practitioners_account_joins_the_record_with_its_email_which_must_exist(app, runner, scope):
    missing = _create(runner, "--email", "nobody@council.example", "--role", "practitioner")
    assert missing.exit_code == 1
    assert "no practitioner record has the email nobody@council.example: add the practitioner first" in missing.output

    assert _create(runner, "--email", "new.user@council.example", "--role", "practitioner").exit_code == 0
    with app.app_context():
        user = db.session.execute(sa.select(User).filter_by(email="new.user@council.example")).scalar_one()
        assert user.practitioner is not None and user.practitioner.email == "new.user@council.example"
    assert not [u for u in _users(app) if u.email == "nobody@council.example"]

"""`flask users create` and `flask users token`."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Role, User
from ..services.accounts import AccountError, create_user, issue_api_token

users_cli = AppGroup("users", help="Create users and API tokens.")


def _fail(message: str) -> NoReturn:
    """Undo anything pending, print the reason and exit with status 1."""
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def read_password() -> str:
    """The password: prompted twice, hidden, at a terminal; otherwise the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.option("--email", required=True, help="The user's email address, used to sign in.")
@click.option("--role", required=True, help=f"What the user may do: {', '.join(r.value for r in Role)}.")
@click.option("--organisation", "organisation_code", help="Organisation code (required for a booker).")
@click.option("--authority", "authority_codes", multiple=True, help="Authority code (repeat for several).")
@click.option("--name", default="", help="The user's name.")
def create_command(email: str, role: str, organisation_code: str | None, authority_codes: tuple[str, ...], name: str):
    """Create a user; the password is read from standard input."""
    password = read_password()
    try:
        user = create_user(email, role, password, organisation_code, authority_codes, name)
        db.session.commit()
    except AccountError as error:
        _fail(str(error))
    except IntegrityError:
        _fail(f"a user with email {email.strip().lower()} already exists")
    click.echo(f"created {user.role.value} {user.email}")


@users_cli.command("token")
@click.option("--email", required=True, help="The user the token acts as.")
def token_command(email: str):
    """Print a new API token for the user (shown once; only its hash is kept)."""
    user = db.session.execute(sa.select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()
    if user is None:
        _fail(f"no user with email {email.strip().lower()}")
    if not user.active:
        _fail(f"the user {user.email} is switched off")
    token = issue_api_token(user)
    db.session.commit()
    click.echo(token)

"""`flask users create`, `token`, `password`, `deactivate` and `activate`."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask.cli import AppGroup

from ..extensions import db
from ..models import Role, User
from ..services.accounts.accounts import (
    AccountError,
    change_password,
    deactivate_user,
    grant_api_token,
    reactivate_user,
    register_user,
    user_with_email,
)

users_cli = AppGroup("users", help="Create users and API tokens, change passwords, switch users off and on.")
ACTOR = "cli"  # who the audit trail says acted, as for imports from the command line


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
        user = register_user(email, role, password, organisation_code, authority_codes, name, by=ACTOR)
    except AccountError as error:
        _fail(str(error))
    click.echo(f"created {user.role.value} {user.email}")


@users_cli.command("token")
@click.option("--email", required=True, help="The user the token acts as.")
def token_command(email: str):
    """Print a new API token for the user (shown once; only its hash is kept)."""
    try:
        token = grant_api_token(_user(email), by=ACTOR)
    except AccountError as error:
        _fail(str(error))
    click.echo(token)


def _user(email: str) -> User:
    """The user with this email, or exit with the reason."""
    try:
        return user_with_email(email)
    except AccountError as error:
        _fail(str(error))


@users_cli.command("password")
@click.option("--email", required=True, help="The user whose password to change.")
def password_command(email: str):
    """Set a new password, read from standard input, and sign the user out everywhere."""
    user = _user(email)
    password = read_password()
    try:
        change_password(user, password, by=ACTOR)
    except AccountError as error:
        _fail(str(error))
    click.echo(f"changed the password for {user.email} and signed them out everywhere")


@users_cli.command("deactivate")
@click.option("--email", required=True, help="The user to switch off.")
def deactivate_command(email: str):
    """Switch a user off: they are signed out everywhere and can no longer sign in or use API tokens."""
    user = _user(email)
    if deactivate_user(user, by=ACTOR):
        click.echo(f"switched off {user.email} and signed them out everywhere")
    else:
        click.echo(f"{user.email} is already switched off")


@users_cli.command("activate")
@click.option("--email", required=True, help="The user to switch back on.")
def activate_command(email: str):
    """Switch a user back on so they can sign in again."""
    user = _user(email)
    if reactivate_user(user, by=ACTOR):
        click.echo(f"switched on {user.email}")
    else:
        click.echo(f"{user.email} is already switched on")

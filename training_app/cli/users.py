"""`flask users create` and `flask users token`."""

from flask.cli import AppGroup

users_cli = AppGroup("users", help="Create users and API tokens.")

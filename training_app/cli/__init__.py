"""Flask commands: seed, import, export, reminders, users, scheduler."""

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every command group to the app's CLI."""

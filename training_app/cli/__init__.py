"""Flask commands: seed, import, export, users, reminders, scheduler, backup and restore."""

from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach every command group to the app's CLI."""
    from .backups import backup_command, restore_command
    from .export import export_cli
    from .imports import import_command
    from .reminders import reminders_cli, scheduler_command
    from .seed import seed_cli
    from .users import users_cli

    app.cli.add_command(seed_cli)
    app.cli.add_command(import_command)
    app.cli.add_command(export_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

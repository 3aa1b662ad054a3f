"""`flask seed demo`."""

from flask.cli import AppGroup

seed_cli = AppGroup("seed", help="Load demonstration data.")

"""`flask export trained-by-area`."""

from flask.cli import AppGroup

export_cli = AppGroup("export", help="Write report workbooks.")

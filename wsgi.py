"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from training_app import create_app
from training_app.runtime import freeze_startup_objects

app = create_app()
freeze_startup_objects()  # the app's objects live as long as the worker: no collection need walk them

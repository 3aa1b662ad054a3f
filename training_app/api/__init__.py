"""The JSON API at /api/v1."""

from flask import Flask


def register_api(app: Flask) -> None:
    """Attach the API blueprint, exempt from CSRF: it authenticates by bearer token only, never by cookie."""
    from ..extensions import csrf
    from . import openapi  # noqa: F401  (importing it attaches every API module's views to the blueprint)
    from .routes import bp

    csrf.exempt(bp)
    app.register_blueprint(bp)

"""The JSON API at /api/v1."""

from flask import Flask


def register_api(app: Flask) -> None:
    """Attach the API blueprint, exempt from CSRF: it authenticates by bearer token only."""
    from ..extensions import csrf
    from .routes import bp

    csrf.exempt(bp)
    app.register_blueprint(bp)

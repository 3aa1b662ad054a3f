"""Web pages, one blueprint per feature."""

from flask import Flask


def register_web(app: Flask) -> None:
    """Attach every web blueprint."""
    from .auth.routes import bp as auth_bp
    from .main.routes import bp as main_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)

"""Friendly error pages for the web, JSON errors for the API; never a stack trace."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

TITLES = {
    400: "Sorry, there is a problem with that request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, that action is not allowed here",
    413: "That file is too large",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def wants_json() -> bool:
    """Everything under /api/ answers in JSON, even for URLs that match no route."""
    return request.path == "/api" or request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    """One handler for HTTP errors and one for anything unexpected."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if wants_json():
            from .api.errors import http_error_response

            return http_error_response(error)
        status = error.code or 500
        title = TITLES.get(status, error.name)
        return render_template("errors/error.html", status=status, title=title, error=error), status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return _http_error(InternalServerError())

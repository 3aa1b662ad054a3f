"""URL converters every blueprint shares, registered once on the app before any blueprint adds its rules."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter


class NumberConverter(BaseConverter):
    """`<number:name>`: one to nine ASCII digits, so every value fits an INTEGER on SQLite and PostgreSQL.

    Werkzeug's `int` takes any length (SQLite then cannot bind it) and Unicode digits. Longer values fail the
    pattern rather than a ValidationError, which Werkzeug would answer 405 on the rule's other methods.
    """

    regex = r"[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


def register_converters(app: Flask) -> None:
    """`<number:...>` for every page and API route."""
    app.url_map.converters["number"] = NumberConverter

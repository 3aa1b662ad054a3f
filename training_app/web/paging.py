"""Page numbers from the query string, bounded so a huge or odd value is page 1, never an overflow."""

from __future__ import annotations

from collections.abc import Mapping

MAX_PAGE = 100_000


def page_number(args: Mapping[str, str]) -> int:
    """`?page=N` as a whole number from 1 to MAX_PAGE; anything else is page 1."""
    text = args.get("page", "1")
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_PAGE)):
        return 1
    return min(max(int(text), 1), MAX_PAGE)

"""Audit values as people read them: no None or [] but a dash or "none", GOV.UK dates, Yes and No, pounds."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from ..filters import humanise, london_datetime, long_date, money

NOTHING = "—"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def shown_fields(value: Any) -> list[tuple[str, str]] | None:
    """A recorded mapping as (label, text) pairs in key order; None for a value that is not a mapping."""
    if not isinstance(value, dict):
        return None
    return [(field_label(str(key)), shown(item, str(key))) for key, item in sorted(value.items())]


def field_label(key: str) -> str:
    """A recorded key for people: 'amount_pence' -> 'Amount', 'starts_on' -> 'Starts on'."""
    return humanise(key.removesuffix("_pence"))


def shown(value: Any, key: str = "") -> str:
    """One recorded value as text: '—' for nothing, 'none' for an empty list, Yes or No, a GOV.UK date."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int) and key.endswith("_pence"):
        return money(value)
    if isinstance(value, list):
        return ", ".join(shown(item, key) for item in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(str(k))}: {shown(v, str(k))}" for k, v in sorted(value.items())) or "none"
    if isinstance(value, str):
        return _dated(value)
    return str(value)


def _dated(text: str) -> str:
    try:
        if ISO_DATE.fullmatch(text):
            return long_date(date.fromisoformat(text))
        if ISO_MOMENT.match(text):
            moment = datetime.fromisoformat(text)
            return london_datetime(moment) if moment.tzinfo else f"{long_date(moment)}, {moment:%H:%M}"
    except ValueError:
        pass
    return text

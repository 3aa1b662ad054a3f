"""Settings an administrator changes from a page. Each is declared once here, with its bounds and its default;
a value nobody has set falls back to the app's configuration, then to the default."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from ...extensions import db
from ...models import AuditAction, Setting, User, utcnow
from ..common.locks import locking
from . import audit


class SettingRefused(ValueError):
    """The value is not allowed for the setting; the message says why."""


@dataclass(frozen=True)
class WholeNumberSetting:
    key: str
    label: str
    config_key: str
    default: int
    minimum: int
    maximum: int
    unit: str


RETENTION_YEARS = WholeNumberSetting(
    key="retention_years",
    label="Retention period",
    config_key="RETENTION_YEARS",
    default=6,
    minimum=1,
    maximum=100,
    unit="years",
)


def current(setting: WholeNumberSetting) -> int:
    """The setting's value: as last saved, else the configuration's, else its default."""
    row = db.session.get(Setting, setting.key)
    if row is not None:
        return int(row.value)
    return _configured(setting)


def _configured(setting: WholeNumberSetting) -> int:
    """The value a setting nobody has saved takes: the app's configuration's, else its default."""
    return int(current_app.config.get(setting.config_key, setting.default))


def problem(setting: WholeNumberSetting, text: str) -> str | None:
    """Why `text` cannot be the setting's value, or None."""
    text = text.strip()
    if not text:
        return f"Enter the {setting.label.lower()} in {setting.unit}"
    if not (text.isascii() and text.isdigit()) or len(text) > 4:
        return f"{setting.label} must be a whole number of {setting.unit}, like {setting.default}"
    if not setting.minimum <= int(text) <= setting.maximum:
        return f"{setting.label} must be between {setting.minimum} and {setting.maximum} {setting.unit}"
    return None


def change(setting: WholeNumberSetting, text: str, by: User) -> int:
    """Save a new value from what was typed; audited, committed. Raises SettingRefused."""
    if message := problem(setting, text):
        raise SettingRefused(message)
    value = int(text.strip())
    row = _locked_row(setting)
    old = int(row.value) if row.value else _configured(setting)
    row.value, row.changed_at, row.changed_by_id = str(value), utcnow(), by.id
    audit.record(
        by, AuditAction.SETTING_CHANGED, entity_type="setting", old={setting.key: old}, new={setting.key: value}
    )
    db.session.commit()
    return value


def _locked_row(setting: WholeNumberSetting) -> Setting:
    """The setting's row, locked and read afresh: a change at the same moment is audited after this one, from the
    value it left. A setting never saved gets its row first (value "" until this change fills it); two first
    changes at once make it once, as the insert does nothing where the row is already there."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(
        insert(Setting)
        .values(key=setting.key, value="", changed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return db.session.execute(locking(sa.select(Setting).filter_by(key=setting.key))).scalar_one()

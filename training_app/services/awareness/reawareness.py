"""Re-awareness (SPEC 3.8): when a signed-off service is due again (the renewal period after completion, or sooner
when a new version of its package is delivered), and the coordinator's summary of the awareness work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from ...models import AwarenessPresentation, AwarenessSignOff
from ...models.awareness import SignOffStatus
from ..attendance.records import add_months
from .awareness import sign_offs

DEFAULT_RENEWAL_MONTHS = 36  # re-awareness after three years unless the app's AWARENESS_RENEWAL_MONTHS says otherwise


@dataclass(frozen=True)
class PackageVersion:
    """A package's current version (that of its latest signed-off delivery) and when it was first delivered."""

    version: str | None
    since: date


def current_versions() -> dict[str, PackageVersion]:
    """Each package's current version, from the signed-off sign-offs, in one query."""
    rows = db.session.execute(
        sa.select(AwarenessSignOff.package, AwarenessSignOff.package_version, AwarenessSignOff.completed_on)
        .where(AwarenessSignOff.status == SignOffStatus.SIGNED_OFF)
        .order_by(AwarenessSignOff.completed_on, AwarenessSignOff.id)
    ).all()
    current: dict[str, PackageVersion] = {}
    for package, version, completed_on in rows:
        held = current.get(package)
        if held is None or held.version != version:
            current[package] = PackageVersion(version, completed_on)
    return current


def renewal_months() -> int:
    """How many months after completion re-awareness falls due: the app's AWARENESS_RENEWAL_MONTHS (default 36)."""
    return int(current_app.config.get("AWARENESS_RENEWAL_MONTHS", DEFAULT_RENEWAL_MONTHS))


def reawareness_due_on(
    sign_off: AwarenessSignOff, versions: Mapping[str, PackageVersion], months: int | None = None
) -> date | None:
    """When a signed-off service is due re-awareness: the renewal period after completion, or sooner, from the day
    a new version of its package was first delivered. None for a sign-off not yet signed off."""
    if sign_off.status != SignOffStatus.SIGNED_OFF:
        return None
    due = add_months(sign_off.completed_on, renewal_months() if months is None else months)
    current = versions.get(sign_off.package)
    if current is not None and current.version != sign_off.package_version and current.since > sign_off.completed_on:
        due = min(due, current.since)
    return due


@dataclass(frozen=True)
class Reawareness:
    """When a signed-off service is due re-awareness, and whether that day has passed."""

    due_on: date
    overdue: bool


def reawareness(sign_off: AwarenessSignOff, versions: Mapping[str, PackageVersion], today: date) -> Reawareness | None:
    """A sign-off's re-awareness as the register shows it: overdue once the due day has come (as the reminders count
    it), however long ago. None for a sign-off not yet signed off."""
    due = reawareness_due_on(sign_off, versions)
    return Reawareness(due, due <= today) if due is not None else None


def due_for_reawareness(on: date, months: int | None = None) -> list[tuple[AwarenessSignOff, date]]:
    """Signed-off services whose re-awareness is due on or before a day, with the date (for the reminders)."""
    versions = current_versions()
    due = [(s, reawareness_due_on(s, versions, months)) for s in sign_offs(status=SignOffStatus.SIGNED_OFF)]
    return [(sign_off, day) for sign_off, day in due if day is not None and day <= on]


@dataclass(frozen=True)
class AwarenessSummary:
    """The awareness work at a glance, for the coordinator's dashboard."""

    signed_off: int
    in_progress: int
    due: int
    presentations: int
    people: int


def awareness_summary(today: date) -> AwarenessSummary:
    """Sign-offs signed off and still in progress, those due re-awareness by today, and presentations given."""
    by_status = dict(
        db.session.execute(sa.select(AwarenessSignOff.status, sa.func.count()).group_by(AwarenessSignOff.status)).all()
    )
    given, people = db.session.execute(
        sa.select(
            sa.func.count(AwarenessPresentation.id), sa.func.coalesce(sa.func.sum(AwarenessPresentation.headcount), 0)
        )
    ).one()
    signed_off = by_status.get(SignOffStatus.SIGNED_OFF, 0)
    return AwarenessSummary(
        signed_off, sum(by_status.values()) - signed_off, len(due_for_reawareness(today)), given, people
    )

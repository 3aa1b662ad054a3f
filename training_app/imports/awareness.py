"""`awareness-sign-offs` and `presentations` (SPEC 4.3): the partnership's awareness registers, all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import Authority, AwarenessPresentation, AwarenessSignOff, OrganisationKind
from ..services.awareness import awareness, presentations
from ..services.awareness.awareness import SignOffValues
from ..services.awareness.presentations import Place, PresentationValues
from ..services.common.batches import fetch_in
from ..services.common.calendar import DateProblem, DateProblemKind
from .base import Reader, Row, date_message, shown, shown_codes


@dataclass
class SignOffRecord:
    """A checked awareness-sign-offs row and the sign-off it updates, if any."""

    row: Row
    existing: AwarenessSignOff | None
    values: SignOffValues


class AwarenessSignOffReader(Reader):
    """The sign-off register, one row per service; imported rows are signed off."""

    kind = "awareness-sign-offs"
    columns = (
        "service",
        "sector",
        "authorities",
        "contact_name",
        "contact_role",
        "package",
        "version",
        "completed_on",
        "signed_off_by",
        "notes",
    )
    key_columns = ("service",)

    def key(self, row: Row) -> tuple[str, ...]:
        return (row["service"].lower(),)

    def load(self, rows: Sequence[Row]) -> None:
        self.authorities = {authority.code: authority for authority in db.session.scalars(sa.select(Authority))}
        services = (row["service"].lower() for row in rows)
        found = fetch_in(sa.select(AwarenessSignOff), sa.func.lower(AwarenessSignOff.service), services)
        self.existing = {sign_off.service.lower(): sign_off for sign_off in found}

    def check(self, row: Row) -> SignOffRecord | None:
        service = row.text("service", 200)
        sector = row.choice("sector", OrganisationKind)
        codes = row.code_list("authorities")
        if not codes:
            row.error("authorities", "is required (authority codes separated by ;)")
        elif unknown := [code for code in codes if code not in self.authorities]:
            row.error("authorities", f"no authority with code {shown_codes(unknown)}")
        contact = row.text("contact_name", 200)
        role = row.text("contact_role", 200, required=False)
        package = row.text("package", 200)
        version = row.text("version", 40, required=False)
        completed = self._completed(row)
        signed_off_by = row.text("signed_off_by", 200, required=False)
        notes = row.text("notes", 10_000, required=False, multiline=True)
        if not row.ok:
            return None
        service, (completed_on, month_only) = row.checked(service), row.checked(completed)
        values = SignOffValues(
            service,
            row.checked(sector),
            codes,
            row.checked(contact),
            row.checked(package),
            completed_on,
            month_only,
            role,
            version,
            signed_off_by,
            notes or "",
        )
        return SignOffRecord(row, self.existing.get(service.lower()), values)

    def _completed(self, row: Row) -> tuple[date, bool] | None:
        value = row["completed_on"]
        if not value:
            row.error("completed_on", "is required")
            return None
        try:
            return awareness.parse_completed(value)
        except DateProblem as problem:
            if awareness.ISO_MONTH.fullmatch(value) and problem.kind is DateProblemKind.NOT_REAL:
                row.error("completed_on", f"{value} is not a real month")
            else:
                row.error("completed_on", date_message(value, problem).replace("YYYY-MM-DD", "YYYY-MM-DD or YYYY-MM"))
            return None

    def write(self, records: list[SignOffRecord]) -> tuple[int, int]:
        rows = [(record.existing, record.values) for record in records]
        return awareness.save_sign_offs(rows, self.authorities, {})


@dataclass
class PresentationRecord:
    """A checked presentations row."""

    row: Row
    values: PresentationValues
    place: Place | None


class PresentationReader(Reader):
    """Awareness presentations by date and audience: people reached, not names."""

    kind = "presentations"
    columns = ("date", "audience", "sector", "area", "presenter", "headcount")
    key_columns = ("date", "audience")

    def load(self, rows: Sequence[Row]) -> None:
        self.authorities, self.areas = presentations.places()
        dates = {row["date"] for row in rows}
        found = db.session.scalars(
            sa.select(AwarenessPresentation).where(
                AwarenessPresentation.presented_on.in_(
                    [day for text in dates if (day := _date_or_none(text)) is not None]
                )
            )
        )
        self.existing = {(p.presented_on, p.audience): p for p in found}

    def check(self, row: Row) -> PresentationRecord | None:
        day = row.date("date")
        audience = row.text("audience", 200)
        sector = row.choice("sector", OrganisationKind, default=None) if row["sector"] else None
        place = None
        if row["area"]:
            place, problem = presentations.place_problem(row["area"], self.authorities, self.areas)
            if problem:
                row.error("area", problem.replace(row["area"], shown(row["area"])))
        presenter = row.text("presenter", 200, required=False)
        headcount = row.integer("headcount", minimum=0, required=True)
        if headcount is not None and headcount > presentations.MAX_HEADCOUNT:
            row.error("headcount", f"must be at most {presentations.MAX_HEADCOUNT}, not {headcount}")
        if not row.ok:
            return None
        values = PresentationValues(row.checked(day), row.checked(audience), row.checked(headcount), presenter, sector)
        return PresentationRecord(row, values, place)

    def write(self, records: list[PresentationRecord]) -> tuple[int, int]:
        created = 0
        for record in records:
            existing = self.existing.get((record.values.presented_on, record.values.audience))
            if existing is None:
                db.session.add(presentations.build_presentation(record.values, record.place))
                created += 1
            else:
                presentations.update_presentation(existing, record.values, record.place)
        return created, len(records) - created


def _date_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None

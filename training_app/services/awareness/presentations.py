"""Awareness presentations (SPEC 3.8): people reached, not names, and their totals by period, sector and area."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Area, AuditAction, Authority, AwarenessPresentation, Organisation, OrganisationKind, User
from ...validation import control_character_problem
from ..accounts import audit
from ..common.batches import Query

MAX_HEADCOUNT = 100_000  # more than any one presentation could reach; keeps sums far inside an INTEGER
TOTAL = "Total"
NO_SECTOR = "No sector"
NO_AREA = "No area"


class TotalsBy(enum.StrEnum):
    """How presentation totals are grouped."""

    YEAR = "year"
    SECTOR = "sector"
    AREA = "area"


@dataclass(frozen=True)
class PresentationValues:
    """One presentation as read from a form or a CSV row: the place is an area's name or an authority's code."""

    presented_on: date
    audience: str
    headcount: int
    presenter: str | None = None
    sector_kind: OrganisationKind | None = None
    place: str | None = None
    organisation_code: str | None = None


@dataclass(frozen=True)
class Place:
    """Where a presentation was given: an authority, and an area of it when known."""

    authority_id: int
    area_id: int | None


@dataclass(frozen=True)
class TotalRow:
    """Presentations and people reached under one label."""

    label: str
    presentations: int
    people: int


class PresentationError(ValueError):
    """A presentation was refused; `fields` maps each bad field to a message."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = dict(fields)


def places() -> tuple[dict[str, Place], dict[str, list[Place]]]:
    """Every authority by code and every area by name (a name may be an area of several authorities)."""
    authorities = {code: Place(id_, None) for code, id_ in db.session.execute(sa.select(Authority.code, Authority.id))}
    areas: dict[str, list[Place]] = {}
    for name, authority_id, area_id in db.session.execute(sa.select(Area.name, Area.authority_id, Area.id)):
        areas.setdefault(name.lower(), []).append(Place(authority_id, area_id))
    return authorities, areas


def place_problem(
    place: str, authorities: Mapping[str, Place], areas: Mapping[str, list[Place]]
) -> tuple[Place | None, str | None]:
    """The place named by an area's name or an authority's code, or what is wrong with the name."""
    if place in authorities:
        return authorities[place], None
    found = areas.get(place.lower(), [])
    if len(found) == 1:
        return found[0], None
    if found:
        return None, f"{place} is an area of more than one authority: give the authority's code instead"
    return None, f"there is no area or authority called {place}"


def value_problems(values: PresentationValues) -> dict[str, str]:
    """What is wrong with a presentation on its own, by field."""
    problems: dict[str, str] = {}
    if not values.audience.strip():
        problems["audience"] = "Enter who the audience was."
    elif len(values.audience) > 200:
        problems["audience"] = "Must be 200 characters or fewer."
    if values.presenter and len(values.presenter) > 200:
        problems["presenter"] = "Must be 200 characters or fewer."
    for name in ("audience", "presenter"):
        if name not in problems and (problem := control_character_problem(getattr(values, name) or "")):
            problems[name] = f"{problem[0].upper()}{problem[1:]}."
    if not 0 <= values.headcount <= MAX_HEADCOUNT:
        problems["headcount"] = f"The headcount must be a whole number from 0 to {MAX_HEADCOUNT:,}."
    return problems


def record_presentation(values: PresentationValues, actor: User | str | None = None) -> AwarenessPresentation:
    """Record a presentation, audited and committed; PresentationError when refused."""
    problems = value_problems(values)
    authorities, areas = places()
    place, problem = place_problem(values.place, authorities, areas) if values.place else (None, None)
    if problem:
        problems["area"] = problem[0].upper() + problem[1:] + "."
    organisation = _organisation(values.organisation_code) if values.organisation_code else None
    if values.organisation_code and organisation is None:
        problems["organisation"] = f"There is no organisation with code {values.organisation_code}."
    if problems:
        raise PresentationError(problems)
    presentation = build_presentation(values, place, organisation)
    db.session.add(presentation)
    db.session.flush()
    audit.record(
        actor, AuditAction.AWARENESS_PRESENTATION_RECORDED, presentation, None, {"headcount": values.headcount}
    )
    db.session.commit()
    return presentation


def build_presentation(
    values: PresentationValues, place: Place | None, organisation: Organisation | None = None
) -> AwarenessPresentation:
    """A presentation row from checked values; the sector defaults to the organisation's kind."""
    presentation = AwarenessPresentation(presented_on=values.presented_on)
    update_presentation(presentation, values, place, organisation)
    return presentation


def update_presentation(
    presentation: AwarenessPresentation,
    values: PresentationValues,
    place: Place | None,
    organisation: Organisation | None = None,
) -> None:
    """Set a presentation's audience, place, sector, presenter and headcount from checked values."""
    presentation.audience = values.audience.strip()
    presentation.headcount = values.headcount
    presentation.presenter = values.presenter or None
    presentation.organisation_id = organisation.id if organisation else None
    if place is None and organisation is not None:
        place = Place(organisation.authority_id, organisation.area_id)
    presentation.authority_id = place.authority_id if place else None
    presentation.area_id = place.area_id if place else None
    presentation.sector_kind = values.sector_kind or (organisation.kind if organisation else None)


def presentation_totals(
    by: TotalsBy,
    start: date | None = None,
    end: date | None = None,
    authority_ids: set[int] | None = None,
) -> list[TotalRow]:
    """Presentations and people reached grouped by year, sector or area, in one query; a total row last."""
    label_columns = _labels(by)
    query: Query = (
        sa.select(*label_columns, sa.func.count(AwarenessPresentation.id), sa.func.sum(AwarenessPresentation.headcount))
        .select_from(AwarenessPresentation)
        .outerjoin(Authority, Authority.id == AwarenessPresentation.authority_id)
        .outerjoin(Area, Area.id == AwarenessPresentation.area_id)
        .group_by(*label_columns)
        .order_by(*label_columns)
    )
    query = _filtered(query, start, end, authority_ids)
    rows = [_row(by, tuple(found[:-2]), found[-2], found[-1]) for found in db.session.execute(query)]
    rows.sort(key=lambda row: (row.label in (NO_SECTOR, NO_AREA), _order(by, row.label)))
    total = TotalRow(TOTAL, sum(row.presentations for row in rows), sum(row.people for row in rows))
    return [*rows, total]


def presentations(
    start: date | None = None, end: date | None = None, authority_ids: set[int] | None = None, limit: int = 200
) -> list[AwarenessPresentation]:
    """The latest presentations, newest first, each once."""
    query = sa.select(AwarenessPresentation)
    query = _filtered(query, start, end, authority_ids)
    order = (AwarenessPresentation.presented_on.desc(), AwarenessPresentation.id.desc())
    return list(db.session.scalars(query.order_by(*order).limit(limit)))


def _labels(by: TotalsBy) -> list[Any]:
    if by is TotalsBy.YEAR:
        return [sa.extract("year", AwarenessPresentation.presented_on)]
    if by is TotalsBy.SECTOR:
        return [AwarenessPresentation.sector_kind]
    return [Authority.display_order, Authority.name, Area.name]


def _row(by: TotalsBy, labels: tuple[object, ...], count: int, people: int | None) -> TotalRow:
    if by is TotalsBy.YEAR:
        label = str(int(str(labels[0])))
    elif by is TotalsBy.SECTOR:
        label = sector_label(labels[0]) if labels[0] is not None else NO_SECTOR
    else:
        _, authority, area = labels
        label = f"{authority}: {area}" if area else (str(authority) if authority else NO_AREA)
    return TotalRow(label, count, int(people or 0))


def _order(by: TotalsBy, label: str) -> object:
    if by is TotalsBy.SECTOR:
        return [sector_label(kind) for kind in OrganisationKind].index(label) if label != NO_SECTOR else 0
    return label if by is TotalsBy.YEAR else 0


def sector_label(kind: object) -> str:
    """An organisation kind as people read it: 'Adult services', 'GP'."""
    value = kind.value if isinstance(kind, OrganisationKind) else str(kind)
    return {"gp": "GP", "fe": "Further education"}.get(value, value.replace("_", " ").capitalize())


def _filtered(query: Query, start: date | None, end: date | None, authority_ids: Iterable[int] | None) -> Query:
    if start is not None:
        query = query.where(AwarenessPresentation.presented_on >= start)
    if end is not None:
        query = query.where(AwarenessPresentation.presented_on <= end)
    if authority_ids is not None:
        query = query.where(AwarenessPresentation.authority_id.in_(list(authority_ids) or [0]))
    return query


def _organisation(code: str) -> Organisation | None:
    return db.session.scalars(sa.select(Organisation).filter_by(code=code)).first()

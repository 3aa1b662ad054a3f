"""The lists forms and filters offer (courses, authorities, areas, groups), each read in one query in its order."""

from __future__ import annotations

import sqlalchemy as sa

from ...extensions import db
from ...models import Area, Authority, Course, ResponsibilityGroup, Trainer, Venue


def course_choices() -> list[tuple[str, str]]:
    """Every course as (code, title), by code."""
    return [
        (code, title) for code, title in db.session.execute(sa.select(Course.code, Course.title).order_by(Course.code))
    ]


def authority_choices() -> list[tuple[str, str]]:
    """Every authority as (code, name), in display order."""
    query = sa.select(Authority.code, Authority.name).order_by(Authority.display_order, Authority.name)
    return [(code, name) for code, name in db.session.execute(query)]


def authorities_in_scope(scope: set[int] | None) -> list[Authority]:
    """The authorities a reader may see (all when `scope` is None), partners first, in display order."""
    query = sa.select(Authority).order_by(Authority.partner.desc(), Authority.display_order, Authority.name)
    if scope is not None:
        query = query.where(Authority.id.in_(scope or {0}))
    return list(db.session.scalars(query))


def area_choices() -> list[tuple[int, str, str]]:
    """Every area as (id, authority name, area name), by authority then area."""
    query = sa.select(Area.id, Authority.name, Area.name).join(Authority).order_by(Authority.display_order, Area.name)
    return [(area_id, authority, area) for area_id, authority, area in db.session.execute(query)]


def group_choices() -> list[tuple[str, str]]:
    """Every responsibility group as (code, name), by code."""
    query = sa.select(ResponsibilityGroup.code, ResponsibilityGroup.name).order_by(ResponsibilityGroup.code)
    return [(code, name) for code, name in db.session.execute(query)]


def courses_by_id() -> list[tuple[int, str, str]]:
    """Every course as (id, code, title), by code."""
    query = sa.select(Course.id, Course.code, Course.title).order_by(Course.code)
    return [(course_id, code, title) for course_id, code, title in db.session.execute(query)]


def areas_to_filter_by(authority_code: str | None, area_id: int | None) -> list[tuple[int, str, str]]:
    """The areas of one authority (by code), and the area already chosen, as area_choices gives them: a list's
    filter offers a handful, not every area in the country."""
    wanted = [Authority.code == authority_code] if authority_code else []
    if area_id is not None:
        wanted.append(Area.id == area_id)
    if not wanted:
        return []
    query = (
        sa.select(Area.id, Authority.name, Area.name)
        .join(Authority)
        .where(sa.or_(*wanted))
        .order_by(Authority.display_order, Area.name)
    )
    return [(found, authority, area) for found, authority, area in db.session.execute(query)]


def venue_choices() -> list[tuple[int, str, int]]:
    """Every venue as (id, name, room capacity), by name."""
    query = sa.select(Venue.id, Venue.name, Venue.capacity).order_by(Venue.name)
    return [(venue_id, name, capacity) for venue_id, name, capacity in db.session.execute(query)]


def trainer_choices() -> list[tuple[int, str]]:
    """Every trainer as (id, name), by name."""
    query = sa.select(Trainer.id, Trainer.name).order_by(Trainer.name)
    return [(trainer_id, name) for trainer_id, name in db.session.execute(query)]


def authorities_by_id() -> list[tuple[int, str]]:
    """Every authority as (id, name), in display order."""
    query = sa.select(Authority.id, Authority.name).order_by(Authority.display_order, Authority.name)
    return [(authority_id, name) for authority_id, name in db.session.execute(query)]

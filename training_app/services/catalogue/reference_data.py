"""Reference data as administrators see it: each kind's records listed, searched and paged in SQL, and one
record as the CSV columns of its kind (the form that changes it is checked by that kind's import reader)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Area, Authority, Organisation, Practitioner, ResponsibilityGroup
from ..common.locks import fresh, lock_name

AnySelect = sa.Select[*tuple[Any, ...]]
REFERENCE_KINDS = ("authorities", "areas", "organisations", "practitioners")


@dataclass(frozen=True)
class ReferencePage:
    """One page of a kind's records as plain rows, with how many match."""

    rows: list[sa.Row[*tuple[Any, ...]]]
    total: int
    page: int
    pages: int


def reference_page(kind: str, search: str = "", page: int = 1, per_page: int = 50) -> ReferencePage:
    """A page of the kind's records matching the search (name, code or email, and organisation for people)."""
    query = _LISTS[kind]()
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(sa.or_(*(sa.func.lower(column).like(pattern, escape="\\") for column in _SEARCHED[kind]())))
    total = db.session.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(db.session.execute(query.offset((page - 1) * per_page).limit(per_page)))
    return ReferencePage(rows, total, page, pages)


def record_row(kind: str, key: str) -> dict[str, str] | None:
    """The record with this key (code, email, or "authority code/area name") as its kind's CSV cells, as the
    database holds it now (not a copy the request loaded before)."""
    return _ROWS[kind](key)


def record_row_to_change(kind: str, key: str) -> dict[str, str] | None:
    """`record_row` read under the kind's import lock, for a change that keeps the cells it does not give (the API's
    PUT): saved by `import_one_row` in the same transaction, which takes the same lock again, it merges with what
    the change before it left, never with what was there before that one committed."""
    lock_name(f"import:{kind}")
    return record_row(kind, key)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _authority_row(code: str) -> dict[str, str] | None:
    found = db.session.execute(fresh(sa.select(Authority).filter_by(code=code))).scalar_one_or_none()
    if found is None:
        return None
    return {
        "code": found.code,
        "name": found.name,
        "partner": _yes_no(found.partner),
        "display_order": str(found.display_order),
    }


def _area_row(key: str) -> dict[str, str] | None:
    code, _, name = key.partition("/")
    found = db.session.execute(
        fresh(sa.select(Area).join(Authority).where(Authority.code == code, Area.name == name))
    ).scalar_one_or_none()
    return None if found is None else {"authority": found.authority.code, "name": found.name}


def _organisation_row(code: str) -> dict[str, str] | None:
    found = db.session.execute(fresh(sa.select(Organisation).filter_by(code=code))).scalar_one_or_none()
    if found is None:
        return None
    return {
        "code": found.code,
        "name": found.name,
        "kind": found.kind.value,
        "authority": found.authority.code,
        "area": found.area.name if found.area else "",
        "urn": found.urn or "",
        "phase": found.phase or "",
        "pupils": "" if found.pupils is None else str(found.pupils),
        "awareness_only": _yes_no(found.awareness_only),
    }


def _practitioner_row(email: str) -> dict[str, str] | None:
    query = sa.select(Practitioner).options(selectinload(Practitioner.authorities)).filter_by(email=email.lower())
    found = db.session.execute(fresh(query)).scalar_one_or_none()
    if found is None:
        return None
    return {
        "email": found.email,
        "first_name": found.first_name,
        "last_name": found.last_name,
        "job_title": found.job_title or "",
        "organisation": found.organisation.code if found.organisation else "",
        "group": found.group.code if found.group else "",
        "authorities": ";".join(sorted(a.code for a in found.authorities)),
        "cover_category": found.cover_category.value,
    }


_ROWS = {
    "authorities": _authority_row,
    "areas": _area_row,
    "organisations": _organisation_row,
    "practitioners": _practitioner_row,
}

_LISTS: dict[str, Callable[[], AnySelect]] = {
    "authorities": lambda: sa.select(
        Authority.code, Authority.name, Authority.partner, Authority.display_order
    ).order_by(Authority.display_order, Authority.name),
    "areas": lambda: (
        sa.select(Authority.code.label("authority"), Authority.name.label("authority_name"), Area.name)
        .join(Authority, Authority.id == Area.authority_id)
        .order_by(Authority.display_order, Area.name)
    ),
    "organisations": lambda: (
        sa.select(
            Organisation.code,
            Organisation.name,
            Organisation.kind,
            Authority.name.label("authority"),
            Organisation.awareness_only,
        )
        .join(Authority, Authority.id == Organisation.authority_id)
        .order_by(Organisation.name, Organisation.code)
    ),
    "practitioners": lambda: (
        sa.select(
            Practitioner.email,
            Practitioner.first_name,
            Practitioner.last_name,
            Practitioner.job_title,
            Organisation.name.label("organisation"),
            ResponsibilityGroup.code.label("group"),
        )
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .outerjoin(ResponsibilityGroup, ResponsibilityGroup.id == Practitioner.group_id)
        .order_by(Practitioner.last_name, Practitioner.first_name, Practitioner.email)
    ),
}

_SEARCHED: dict[str, Callable[[], tuple[Any, ...]]] = {
    "authorities": lambda: (Authority.code, Authority.name),
    "areas": lambda: (Area.name, Authority.name),
    "organisations": lambda: (Organisation.code, Organisation.name),
    "practitioners": lambda: (
        Practitioner.email,
        Practitioner.first_name,
        Practitioner.last_name,
        Practitioner.first_name + " " + Practitioner.last_name,
        Organisation.name,
        Organisation.code,
    ),
}

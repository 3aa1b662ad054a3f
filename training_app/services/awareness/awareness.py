"""Awareness sign-offs (SPEC 3.8): one record per service and its status (re-awareness dates: reawareness.py)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (
    AuditAction,
    Authority,
    AwarenessSignOff,
    Organisation,
    OrganisationKind,
    User,
)
from ...models.awareness import SignOffStatus, signoff_authorities
from ...validation import control_character_problem
from ..accounts import audit
from ..common.calendar import DateProblem, DateProblemKind, check_supported, parse_iso_date
from ..common.locks import lock_row
from ..common.unique_keys import refused_if_taken

ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
DUPLICATE = "already has a sign-off"
TEXT_LIMITS = {"service": 200, "contact_name": 200, "contact_role": 200, "package": 200, "package_version": 40}
TEXT_LIMITS |= {"signed_off_by_name": 200}


@dataclass(frozen=True)
class SignOffValues:
    """What a sign-off records, as read from a form, the API or a CSV row (authorities by code)."""

    service: str
    sector_kind: OrganisationKind
    authority_codes: Sequence[str]
    contact_name: str
    package: str
    completed_on: date
    completed_month_only: bool = False
    contact_role: str | None = None
    package_version: str | None = None
    signed_off_by_name: str | None = None
    evidence_notes: str = ""
    status: SignOffStatus = SignOffStatus.SIGNED_OFF
    organisation_code: str | None = None


class SignOffError(ValueError):
    """A sign-off was refused; `fields` maps each bad field to a message; `duplicate` when only the service clashes."""

    def __init__(self, fields: Mapping[str, str], duplicate: bool = False) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = dict(fields)
        self.duplicate = duplicate


def month_end(year: int, month: int) -> date:
    """The last day of a month: the date a sign-off recorded only by its month is kept under."""
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_completed(text: str) -> tuple[date, bool]:
    """A completion written YYYY-MM-DD, or YYYY-MM as the registers record it; returns the date and whether only
    the month is known (then the month's last day). DateProblem when it is neither or not real."""
    match = ISO_MONTH.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return parse_iso_date(text), False
    return completed_month(int(match[1]), int(match[2])), True


def completed_month(year: int, month: int) -> date:
    """The date kept for a completion known only by its month; DateProblem for a month that does not exist."""
    if not 1 <= month <= 12:
        raise DateProblem(f"{year:04d}-{month:02d} is not a real month", DateProblemKind.NOT_REAL)
    if year < 1 or year > 9998:
        raise DateProblem("is outside the years this system keeps", DateProblemKind.OUT_OF_RANGE)
    return check_supported(month_end(year, month))


def completed_label(sign_off: AwarenessSignOff) -> str:
    """The completion as the register shows it: 'October 2007' when only the month is known, else '3 October 2007'."""
    if sign_off.completed_month_only:
        return f"{sign_off.completed_on:%B %Y}"
    return f"{sign_off.completed_on.day} {sign_off.completed_on:%B %Y}"


def value_problems(
    values: SignOffValues, authority_codes: Collection[str], organisation_codes: Collection[str] = ()
) -> dict[str, str]:
    """Every rule the values break on their own, by field, given the authority and organisation codes that exist."""
    problems: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        text = getattr(values, name)
        if text is not None and len(text) > limit:
            problems[name] = f"Must be {limit} characters or fewer."
        elif text is not None and (problem := control_character_problem(text)):
            problems[name] = f"{problem[0].upper()}{problem[1:]}."
    for name, label in (("service", "service"), ("contact_name", "named contact"), ("package", "package")):
        if not (getattr(values, name) or "").strip():
            problems[name] = f"Enter the {label}."
    if not values.authority_codes:
        problems["authorities"] = "Select at least one authority the sign-off covers."
    elif unknown := [code for code in values.authority_codes if code not in authority_codes]:
        problems["authorities"] = f"There is no authority with code {', '.join(unknown[:5])}."
    if values.organisation_code and values.organisation_code not in organisation_codes:
        problems["organisation"] = f"There is no organisation with code {values.organisation_code}."
    return problems


def sign_off_problems(values: SignOffValues, sign_off: AwarenessSignOff | None = None) -> dict[str, str]:
    """Every rule the values break, by field: required text, lengths, known codes, and a service held only once."""
    organisations = (
        [values.organisation_code] if values.organisation_code and _organisation(values.organisation_code) else []
    )
    problems = value_problems(values, _authorities(values.authority_codes), organisations)
    if "service" not in problems and _service_taken(values.service.strip(), sign_off):
        problems["service"] = _taken(values.service)
    return problems


def _taken(service: str) -> str:
    return f"{service.strip()} {DUPLICATE}: change that one instead."


def _service_kept(service: str) -> AbstractContextManager[None]:
    """A simultaneous request that recorded the same service first: refused as a duplicate found by the check is."""
    return refused_if_taken(
        {"uq_awareness_signoffs_service": lambda: SignOffError({"service": _taken(service)}, duplicate=True)}
    )


def record_sign_off(values: SignOffValues, actor: User | str | None = None) -> AwarenessSignOff:
    """Record a new service's sign-off, audited and committed; SignOffError when refused (a duplicate service too)."""
    problems = sign_off_problems(values)
    if problems:
        raise SignOffError(problems, duplicate=list(problems) == ["service"] and DUPLICATE in problems["service"])
    sign_off = AwarenessSignOff(service=values.service.strip(), signed_off_by_id=_user_id(actor))
    db.session.add(sign_off)
    _apply_loaded(sign_off, values)
    with _service_kept(values.service):
        db.session.flush()
        audit.record(actor, AuditAction.AWARENESS_SIGN_OFF_RECORDED, sign_off, None, sign_off_values(sign_off))
        db.session.commit()
    return sign_off


def change_sign_off(sign_off: AwarenessSignOff, values: SignOffValues, actor: User | str | None = None) -> None:
    """Change a sign-off (its service may be renamed, not to another's), audited and committed."""
    sign_off = locked_sign_off(sign_off.id)
    problems = sign_off_problems(values, sign_off)
    if problems:
        raise SignOffError(problems)
    old = sign_off_values(sign_off)  # as the change before this one left it
    sign_off.service = values.service.strip()
    _apply_loaded(sign_off, values)
    with _service_kept(values.service):
        db.session.flush()
        if (new := sign_off_values(sign_off)) != old:
            audit.record(actor, AuditAction.AWARENESS_SIGN_OFF_CHANGED, sign_off, old, new)
        db.session.commit()


def locked_sign_off(sign_off_id: int) -> AwarenessSignOff:
    """The sign-off with what its audit values read, as it is now and locked until the commit (changes at the same
    moment each audit the values the one before left)."""
    return lock_row(
        AwarenessSignOff,
        sign_off_id,
        selectinload(AwarenessSignOff.authorities),
        selectinload(AwarenessSignOff.organisation),
    )


def save_sign_offs(
    rows: Iterable[tuple[AwarenessSignOff | None, SignOffValues]],
    authorities: Mapping[str, Authority],
    organisations: Mapping[str, Organisation],
) -> tuple[int, int]:
    """Create or update many checked sign-offs in the caller's transaction (the import), with the authorities and
    organisations they name already loaded; returns how many were created and updated."""
    created = updated = 0
    for sign_off, values in rows:
        if sign_off is None:
            sign_off = AwarenessSignOff(service=values.service.strip())
            db.session.add(sign_off)
            created += 1
        else:
            updated += 1
        _apply(sign_off, values, authorities, organisations)
    return created, updated


def set_awareness_only(organisation: Organisation, awareness_only: bool, actor: User | str | None = None) -> None:
    """Mark an organisation awareness-only (its staff leave every 'still to train' count) or not; committed."""
    organisation = lock_row(Organisation, organisation.id)
    if organisation.awareness_only != awareness_only:
        audit.record(actor, AuditAction.AWARENESS_ONLY_SET, organisation, organisation.awareness_only, awareness_only)
        organisation.awareness_only = awareness_only
    db.session.commit()


def sign_off_values(sign_off: AwarenessSignOff) -> dict[str, Any]:
    """A sign-off as plain JSON values, for the audit trail and the API."""
    return {
        "id": sign_off.id,
        "service": sign_off.service,
        "sector": sign_off.sector_kind.value,
        "authorities": sorted(authority.code for authority in sign_off.authorities),
        "organisation": sign_off.organisation.code if sign_off.organisation else None,
        "contact_name": sign_off.contact_name,
        "contact_role": sign_off.contact_role,
        "package": sign_off.package,
        "version": sign_off.package_version,
        "completed_on": sign_off.completed_on.strftime("%Y-%m")
        if sign_off.completed_month_only
        else sign_off.completed_on.isoformat(),
        "status": sign_off.status.value,
        "signed_off_by": sign_off.signed_off_by_name,
        "notes": sign_off.evidence_notes,
        "evidence_file": sign_off.evidence_filename,
    }


def sign_offs(
    authority_ids: set[int] | None = None,
    sector: OrganisationKind | None = None,
    status: SignOffStatus | None = None,
    authority_id: int | None = None,
) -> list[AwarenessSignOff]:
    """The register in completion order; a workforce lead's scope keeps the sign-offs covering their authorities."""
    query = sa.select(AwarenessSignOff).options(
        selectinload(AwarenessSignOff.authorities), selectinload(AwarenessSignOff.organisation)
    )
    for ids in (authority_ids, {authority_id} if authority_id is not None else None):
        if ids is not None:
            query = query.where(AwarenessSignOff.id.in_(_covering(ids)))
    if sector is not None:
        query = query.where(AwarenessSignOff.sector_kind == sector)
    if status is not None:
        query = query.where(AwarenessSignOff.status == status)
    query = query.order_by(AwarenessSignOff.completed_on, AwarenessSignOff.id)
    return list(db.session.scalars(query))


def covers_any(sign_off: AwarenessSignOff, authority_ids: set[int] | None) -> bool:
    """Whether a sign-off is in a report scope (None: everything)."""
    return authority_ids is None or bool(authority_ids & {authority.id for authority in sign_off.authorities})


def authority_ids_by_code(codes: Iterable[str]) -> dict[str, int]:
    """The ids of the authorities with these codes, by code (unknown codes are left out)."""
    return {code: authority.id for code, authority in _authorities(codes).items()}


def _covering(authority_ids: set[int]) -> sa.Select[tuple[int]]:
    return sa.select(signoff_authorities.c.signoff_id).where(signoff_authorities.c.authority_id.in_(authority_ids))


def _authorities(codes: Iterable[str]) -> dict[str, Authority]:
    found = db.session.scalars(sa.select(Authority).where(Authority.code.in_(list(codes))))
    return {authority.code: authority for authority in found}


def _organisation(code: str) -> Organisation | None:
    return db.session.scalars(sa.select(Organisation).filter_by(code=code)).first()


def _service_taken(service: str, sign_off: AwarenessSignOff | None) -> bool:
    query = sa.select(AwarenessSignOff.id).where(sa.func.lower(AwarenessSignOff.service) == service.lower())
    if sign_off is not None and sign_off.id is not None:
        query = query.where(AwarenessSignOff.id != sign_off.id)
    return db.session.scalar(query.limit(1)) is not None


def _user_id(actor: User | str | None) -> int | None:
    return actor.id if isinstance(actor, User) else None


def _apply_loaded(sign_off: AwarenessSignOff, values: SignOffValues) -> None:
    with db.session.no_autoflush:  # the new row is not complete until applied
        code = values.organisation_code
        organisations = {code: organisation} if code and (organisation := _organisation(code)) else {}
        _apply(sign_off, values, _authorities(values.authority_codes), organisations)


def _apply(
    sign_off: AwarenessSignOff,
    values: SignOffValues,
    authorities: Mapping[str, Authority],
    organisations: Mapping[str, Organisation],
) -> None:
    sign_off.sector_kind = values.sector_kind
    sign_off.authorities = [authorities[code] for code in dict.fromkeys(values.authority_codes)]
    sign_off.organisation = organisations.get(values.organisation_code) if values.organisation_code else None
    sign_off.contact_name, sign_off.contact_role = values.contact_name.strip(), values.contact_role or None
    sign_off.package, sign_off.package_version = values.package.strip(), values.package_version or None
    sign_off.completed_on, sign_off.completed_month_only = values.completed_on, values.completed_month_only
    sign_off.signed_off_by_name = values.signed_off_by_name or None
    sign_off.evidence_notes = values.evidence_notes or ""
    sign_off.status = values.status

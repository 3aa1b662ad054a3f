"""Whose data a user may see: one answer for pages, the API, workbook downloads and exports."""

from __future__ import annotations

from ..models import Role, User


def report_scope(user: User) -> set[int] | None:
    """The ids of the authorities a workforce lead may see in reports; None (everything) for other readers."""
    return user.authority_ids if user.role == Role.WORKFORCE_LEAD else None

"""Who may use each route: every view is marked, and a test walks the URL map to prove it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from .models import Role
from .services.accounts.scope import STAFF_ROLES

PUBLIC = frozenset({"public"})
SIGNED_IN = frozenset(Role)
STAFF = STAFF_ROLES
# Who may read the partnership reports (trained by area, still to train); a workforce lead within their scope.
REPORT_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.WORKFORCE_LEAD})
# Who may read targets (SPEC 3.10): the report readers and bookers, each within their scope.
TARGET_READERS = REPORT_READERS | {Role.BOOKER}


def mark_allowed(view: Callable, roles: frozenset[Role] | frozenset[str]) -> Callable:
    """Record on a view who may open it, as `allowed_roles` (read by may_open and the route-permission tests).
    A function's own attributes have no declared type, so it goes straight into the function's namespace."""
    vars(view)["allowed_roles"] = roles
    return view


def public(view: Callable) -> Callable:
    """Mark a view as open to everyone (sign-in page, health check)."""
    return mark_allowed(view, PUBLIC)


def allow(*roles: Role | Iterable[Role]) -> Callable[[Callable], Callable]:
    """Let only signed-in users with one of these roles in; others get 403, strangers the sign-in page."""
    allowed = flatten_roles(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return mark_allowed(wrapped, allowed)

    return decorator


def flatten_roles(roles: Iterable[Role | Iterable[Role]]) -> frozenset[Role]:
    """Roles given one by one or as sets (SIGNED_IN, STAFF), as one set."""
    flat: set[Role] = set()
    for item in roles:
        if isinstance(item, Role):
            flat.add(item)
        else:
            flat.update(item)
    return frozenset(flat)


def may_open(endpoint: str) -> bool:
    """Whether the signed-in user may open an endpoint, read from its view's own declaration (templates ask this
    rather than naming roles, so a link shows exactly when its page would let the user in)."""
    user = current_user._get_current_object()
    role = user.role if getattr(user, "is_authenticated", False) else None
    return role_may_open(endpoint, role)


def role_may_open(endpoint: str, role: Role | None) -> bool:
    """Whether someone of this role (None: not signed in) may open an endpoint, by its view's declaration."""
    view = current_app.view_functions.get(endpoint)
    allowed = getattr(view, "allowed_roles", None)
    if allowed is None:
        return False
    if allowed == PUBLIC:
        return True
    return role is not None and role in allowed

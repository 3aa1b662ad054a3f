"""Bearer-token authentication for the API: the session cookie never authenticates it (it is CSRF-exempt)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import g, request

from ..models import Role, User
from ..permissions import flatten_roles, mark_allowed
from ..services.accounts.accounts import user_for_token
from .errors import ApiError

MAX_TOKEN_LENGTH = 200


def api_allow(*roles: Role | Iterable[Role]) -> Callable[[Callable], Callable]:
    """Let in only requests with a valid bearer token whose user has one of these roles (401 / 403 otherwise)."""
    allowed = flatten_roles(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = authenticate()
            if user.role not in allowed:
                raise ApiError(403, f"Your role ({user.role.value}) does not allow this.")
            g.api_user = user
            return view(*args, **kwargs)

        return mark_allowed(wrapped, allowed)

    return decorator


def authenticate() -> User:
    """The active user whose token is in the Authorization header, or a 401."""
    token = bearer_token()
    if token is None:
        raise ApiError(401, headers={"WWW-Authenticate": 'Bearer realm="api"'})
    user = user_for_token(token) if len(token) <= MAX_TOKEN_LENGTH else None
    if user is None:
        raise ApiError(
            401,
            "That API token is not valid: it may be mistyped, revoked or belong to a deactivated user.",
            headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
        )
    return user


def bearer_token() -> str | None:
    """The token from 'Authorization: Bearer TOKEN', or None when the header is missing or another scheme."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token

"""Which URLs a webhook may have: http or https, and never the service itself (it would call its own pages)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

from ...validation import control_character_problem

MAX_URL = 2000
# Names that always mean this machine: at the service's own port they are the service itself.
LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]"}  # noqa: S104 (names compared, nothing bound)


def url_problem(url: str) -> str | None:
    """Why this URL cannot receive webhooks, or None: not http(s), no host, a user name or password in it, a bad
    port, or the service's own address (SERVICE_URL's host and port, the address the request registering it came
    to, or a loopback name at either's port)."""
    if not url:
        return "Enter the URL to send events to"
    if len(url) > MAX_URL:
        return f"The URL must be {MAX_URL} characters or fewer"
    if control_character_problem(url) or any(character.isspace() for character in url):
        return "The URL must not contain spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Enter a URL like https://example.org/hooks/training"
    if parts.scheme.lower() not in ("http", "https"):
        return "The URL must start with http:// or https://"
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "Enter a URL like https://example.org/hooks/training"
    if parts.username or parts.password:
        return "The URL must not contain a user name or password"
    if _is_the_service(host, port or _default_port(parts.scheme)):
        return "The URL points at this service itself: enter the address of the system to tell"
    return None


def _is_the_service(host: str, port: int) -> bool:
    """Whether host and port are where this service answers: SERVICE_URL, or the address this request came to."""
    return any(_same_place(host, port, address) for address in _own_addresses())


def _own_addresses() -> list[str]:
    addresses = [current_app.config.get("SERVICE_URL") or ""]
    if has_request_context():
        addresses.append(request.host_url)
    return addresses


def _same_place(host: str, port: int, address: str) -> bool:
    own = urlsplit(address)
    try:
        own_port = own.port or _default_port(own.scheme)
    except ValueError:
        return False
    own_host = (own.hostname or "").rstrip(".").lower()
    if port != own_port:
        return False
    return host == own_host or host in LOOPBACK or host.startswith("127.")


def _default_port(scheme: str) -> int:
    return 443 if scheme.lower() == "https" else 80

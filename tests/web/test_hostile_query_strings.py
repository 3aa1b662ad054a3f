"""No page answers a 5xx to a hostile query string: huge, negative and non-ASCII numbers, out-of-range and odd dates,
NULs and very long values, in every query parameter the pages read, for each role that may open them.

Pages are found from the URL map (every GET route without path arguments), so a page added later is covered.
"""

from __future__ import annotations

import pytest

from tests.web.helpers import signed_in, users_for_every_role
from training_app.models import Role

PARAMETERS = (
    "page", "as_of", "month", "year", "day", "from", "to", "date_from", "date_to", "course", "authority", "area",
    "session", "sector", "status", "kind", "q", "who", "record", "organisation", "group", "today", "has_places",
    "needs",
)  # fmt: skip
VALUES = (
    "99999999999999999999",
    "-1",
    "٣",  # an Arabic-Indic digit
    "9999-12-31",
    "0000-00-00",
    "2008-W35-7",
    "%00",
    "x" * 5000,
)
ROLES = (Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.WORKFORCE_LEAD, Role.PRACTITIONER, Role.FINANCE)


def _pages(app, role: Role) -> list[str]:
    """Paths of the GET pages without path arguments that the role may open (static files and the API aside)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static" or rule.rule.startswith("/api"):
            continue
        allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", ())
        if role in allowed or "public" in allowed:
            paths.append(rule.rule)
    return paths


@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
def test_no_page_fails_on_a_hostile_query_string(app, client, role):
    signed_in(client, users_for_every_role(app)[role])
    failures = []
    for path in _pages(app, role):
        for value in VALUES:
            query = "&".join(f"{name}={value}" for name in PARAMETERS)
            response = client.get(f"{path}?{query}")
            if response.status_code >= 500:
                failures.append(f"{path} with {value[:25]!r}: {response.status_code}")
    assert failures == []

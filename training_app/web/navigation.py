"""The service navigation: links to the pages that exist and that the signed-in user's role may open."""

from __future__ import annotations

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..models import Role
from ..permissions import may_open, role_may_open
from ..services.accounts.scope import organisation_scope, report_scope

# (endpoint, link text), in the order they appear. An entry shows only when its endpoint is
# registered and the user may open it (permissions.may_open), so a new page adds one line here.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("main.dashboard", "Dashboard"),
    ("sessions.list_page", "Sessions"),
    ("bookings.list_page", "Bookings"),
    ("booking_requests.mine_page", "My bookings"),
    ("staff.list_page", "Staff"),
    ("sessions.trainers_page", "Trainers"),
    ("reports.trained_by_area_page", "Reports"),
    ("targets.list_page", "Targets"),
    ("awareness.sign_off_register", "Awareness"),
    ("claims.claims_page", "Claims"),
    ("claims.finance_page", "Funds"),
    ("courses.course_list", "Courses"),
    ("pathways.matrix", "Pathways"),
    ("venues.venue_list", "Venues"),
    ("imports.upload_page", "Imports"),
    ("admin.users_page", "Users"),
    ("reference.list_page", "Reference data"),
    ("reminders.reminders_page", "Reminders"),
    ("audit_log.log_page", "Audit log"),
    ("webhooks.list_page", "Webhooks"),
    ("accounts.api_tokens", "API tokens"),
)


def _entries_for(role: Role) -> tuple[tuple[str, str, str], ...]:
    """(endpoint, address, text) of the entries a role may open, worked out once per role and address root: which
    pages a role may open is fixed when the app is made, and every page draws the navigation."""
    cache: dict[tuple[Role, str], tuple[tuple[str, str, str], ...]] = current_app.extensions.setdefault(
        "navigation", {}
    )
    key = (role, request.script_root)
    found = cache.get(key)
    if found is None:
        found = cache[key] = tuple(
            (endpoint, url_for(endpoint), text) for endpoint, text in NAVIGATION if role_may_open(endpoint, role)
        )
    return found


ACCOUNT_SLOT = "<!-- app: the account's items -->"
NAVIGATION_TEMPLATE = (
    '{% from "govuk_frontend_jinja/components/service-navigation/macro.html" import govukServiceNavigation %}'
    "{{ govukServiceNavigation(params) }}"
)


def service_navigation(account_items: Markup) -> Markup:
    """The service navigation's HTML with the signed-in user's own items (their email, the sign-out form) at its end.
    The rest depends only on the role, which entry is the current page and the address root, so it is drawn once per
    such key and kept: every page draws it, and the macro costs more than many a page's own content."""
    role = current_user.role if current_user.is_authenticated else None
    entries = _entries_for(role) if role is not None else ()
    here = request.endpoint if any(endpoint == request.endpoint for endpoint, _, _ in entries) else None
    cache: dict[tuple[Role | None, str | None, str], str] = current_app.extensions.setdefault("navigation_html", {})
    key = (role, here, request.script_root)
    html = cache.get(key)
    if html is None:
        template = current_app.jinja_env.from_string(NAVIGATION_TEMPLATE)
        params = {
            "serviceName": current_app.config["SERVICE_NAME"],
            "serviceUrl": url_for("main.dashboard"),
            "navigation": [
                {"href": href, "text": text, "current": here == endpoint} for endpoint, href, text in entries
            ],
            "navigationLabel": "Menu",
            "slots": {"navigationEnd": ACCOUNT_SLOT},
        }
        html = cache[key] = template.render(params=params)
    # Both parts are the output of the app's own autoescaping templates.
    return Markup(html).replace(ACCOUNT_SLOT, account_items)  # noqa: S704


HEADER_TEMPLATE = (
    '{% from "govuk_frontend_jinja/components/generic-header/macro.html" import govukGenericHeader %}'
    '{% set council_logo %}<span class="app-header__council">{{ council_name }}</span>{% endset %}'
    '{{ govukGenericHeader({"url": url, "logoHtml": council_logo}) }}'
)


def service_header() -> Markup:
    """The council's header, the same on every page of an address root: drawn once and kept."""
    cache: dict[str, str] = current_app.extensions.setdefault("header_html", {})
    html = cache.get(request.script_root)
    if html is None:
        template = current_app.jinja_env.from_string(HEADER_TEMPLATE)
        html = cache[request.script_root] = template.render(
            council_name=current_app.config["COUNCIL_NAME"], url=url_for("main.dashboard")
        )
    return Markup(html)  # noqa: S704 (the output of the app's own autoescaping template)


def register_navigation(app: Flask) -> None:
    """Give every template the navigation, the service's names, `may_open(endpoint)` and the user's scope
    (`limited_to_authorities`: a workforce lead's; `limited_to_organisation`: a booker's): no template names a
    role."""

    @app.context_processor
    def _navigation():
        signed_in = bool(getattr(current_user, "is_authenticated", False))
        return {
            "service_navigation": service_navigation,
            "service_header": service_header,
            "may_open": may_open,
            "limited_to_authorities": signed_in and report_scope(current_user) is not None,
            "limited_to_organisation": signed_in and organisation_scope(current_user) is not None,
            "service_name": app.config["SERVICE_NAME"],
            "council_name": app.config["COUNCIL_NAME"],
        }

"""Single sign-on in Chromium against a real provider (oidc-provider-mock on a thread), on a server of its own with
single sign-on on and password sign-in for admins only: the button at 390 px, the provider's page and back, a refused
email's page, and an admin's password behind the "Administrators" details; axe-core on each of the app's pages."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations
from tests.browser.conftest import ROOT, _ensure_assets, _free_port, _wait_until_up
from tests.oidc_provider import ProviderUnderTest, running

pytestmark = pytest.mark.browser

PROVIDER_NAME = "Council Microsoft account"
COORDINATOR = "sso.coordinator@council.example"
ADMIN = "sso.admin@council.example"
PASSWORD = "browser test password"


def _flask(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    command = [sys.executable, "-m", "flask", "--app", "training_app", *args]
    subprocess.run(command, cwd=ROOT, env=env, input=stdin, text=True, check=True, capture_output=True)


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderUnderTest]:
    with running(ProviderUnderTest()) as provider:
        yield provider


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory, provider) -> Iterator[str]:
    """The app with single sign-on through `provider`, PASSWORD_SIGN_IN=0, a coordinator and an admin."""
    _ensure_assets()
    folder: Path = tmp_path_factory.mktemp("sso-live")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'sso.sqlite3'}",
        "INSTANCE_PATH": str(folder / "instance"),
        "SECRET_KEY": "browser-test-secret",
        "SESSION_COOKIE_SECURE": "0",
        "MAIL_OUTBOX": str(folder / "outbox"),
        "SERVICE_URL": url,
        "OIDC_ISSUER": provider.url,
        "OIDC_CLIENT_ID": "training-service",
        "OIDC_CLIENT_SECRET": "s3cret",
        "OIDC_NAME": PROVIDER_NAME,
        "PASSWORD_SIGN_IN": "0",
    }
    env.pop("FLASK_DEBUG", None)
    _flask(env, "db", "upgrade")
    _flask(env, "users", "create", "--email", COORDINATOR, "--role", "coordinator", stdin=PASSWORD + "\n")
    _flask(env, "users", "create", "--email", ADMIN, "--role", "admin", stdin=PASSWORD + "\n")
    log = folder / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "training_app", "run", "--host", "127.0.0.1", "--port", str(port)]
            + ["--no-reload", "--no-debugger"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def phone(browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})  # axe is injected inline
    yield context.new_page()
    context.close()


def _fits(page) -> None:
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, page.url


def _through_the_provider(page, base_url: str, sub: str) -> None:
    page.goto(base_url + "/sign-in")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    assert page.url.startswith(page.url.split("/oauth2/")[0] + "/oauth2/authorize")
    page.locator('input[name="sub"]').fill(sub)
    with page.expect_navigation(url=f"{base_url}/**"):
        page.locator('input[name="sub"]').press("Enter")


def test_a_coordinator_signs_in_through_the_provider_on_a_phone(sso_server, provider, phone, tmp_path):
    phone.goto(sso_server + "/sign-in")
    assert phone.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").is_visible()
    assert not phone.get_by_label("Password", exact=True).is_visible()  # in the closed "Administrators" details
    _fits(phone)
    assert serious_violations(phone) == []
    phone.screenshot(path=str(tmp_path / "sign-in-single-sign-on-390.png"), full_page=True)

    provider.set_user("casey", email=COORDINATOR, email_verified=True)
    _through_the_provider(phone, sso_server, "casey")

    assert phone.url == sso_server + "/"
    expect(phone.locator("h1")).to_have_text("Training coordination")
    phone.get_by_role("button", name="Menu").click()  # the service navigation folds away on a phone
    phone.get_by_role("button", name="Sign out").click()
    phone.wait_for_url(sso_server + "/sign-in")


def test_an_unknown_email_sees_why_on_a_phone(sso_server, provider, phone):
    provider.set_user("stranger", email="stranger@elsewhere.example", email_verified=True)

    _through_the_provider(phone, sso_server, "stranger")

    expect(phone.locator("h1")).to_have_text(f"You cannot sign in with {PROVIDER_NAME}")
    assert "There is no account for stranger@elsewhere.example" in phone.locator("#reason").inner_text()
    _fits(phone)
    assert serious_violations(phone) == []


def test_an_admin_signs_in_with_a_password_under_the_administrators_details(sso_server, phone):
    phone.goto(sso_server + "/sign-in")
    phone.get_by_text("Administrators: sign in with a password").click()
    phone.get_by_label("Email address").fill(ADMIN)
    phone.get_by_label("Password", exact=True).fill(PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Sign in", exact=True).click()

    expect(phone.locator("h1")).to_have_text("Administration")


def test_a_coordinators_password_is_refused_with_the_reason_shown(sso_server, phone):
    phone.goto(sso_server + "/sign-in")
    phone.get_by_text("Administrators: sign in with a password").click()
    phone.get_by_label("Email address").fill(COORDINATOR)
    phone.get_by_label("Password", exact=True).fill(PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Sign in", exact=True).click()

    summary = phone.locator(".govuk-error-summary").inner_text()
    assert f"Sign in with {PROVIDER_NAME}. Only administrators can sign in with a password" in summary
    assert phone.get_by_label("Password", exact=True).is_visible()  # the details stay open to show the error
    _fits(phone)
    assert serious_violations(phone) == []

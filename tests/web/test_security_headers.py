"""Security headers, no-store on every personal response, cookie flags, and Secure cookies in production."""

import base64
import hashlib
import re

import pytest

from tests.factories import make_user
from tests.web.helpers import sign_in
from training_app import create_app
from training_app.config import from_environment
from training_app.extensions import db
from training_app.models import Role

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def _csp(response) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    return dict(directives)


@pytest.mark.parametrize("path", ["/sign-in", "/no-such-page"])
def test_pages_carry_the_security_headers(client, path):
    response = client.get(path)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["script-src"].startswith("'self'")
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


@pytest.fixture
def signed_in_admin(app, client):
    with app.app_context():
        email = make_user(Role.ADMIN).email
        db.session.commit()
    assert sign_in(client, email).headers["Location"] == "/"
    return client


@pytest.mark.parametrize("path", ["/", "/no-such-page", "/health"])
def test_signed_in_responses_are_never_stored_whatever_their_type(signed_in_admin, path):
    response = signed_in_admin.get(path)

    assert response.headers["Cache-Control"] == "no-store"


def test_the_workbook_download_is_not_stored(signed_in_admin):
    response = signed_in_admin.get("/reports/trained-by-area.xlsx?as_of=2008-08-31")

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api", "/api/v1/me"])
def test_api_answers_outside_its_routes_are_not_stored(client, path):
    response = client.get(path, headers={"Authorization": "Bearer not-a-token"})

    assert response.status_code in {401, 404}
    assert response.is_json
    assert response.headers["Cache-Control"] == "no-store"


def test_static_assets_may_be_cached(client):
    response = client.get("/static/app/favicon.svg")

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_the_only_inline_script_is_allowed_by_its_hash(client):
    response = client.get("/sign-in")

    scripts = INLINE_SCRIPT.findall(response.get_data(as_text=True))
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in _csp(response)["script-src"]


def test_the_session_cookie_is_http_only_and_same_site_lax(client):
    response = client.get("/sign-in")

    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.fixture
def production_environment(monkeypatch, tmp_path):
    for name in ("FLASK_DEBUG", "SESSION_COOKIE_SECURE", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "production-like-secret")
    return tmp_path


def test_production_configuration_makes_cookies_secure(production_environment):
    settings = from_environment(str(production_environment))

    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True


def test_a_production_app_sends_secure_cookies_and_hsts(production_environment):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    response = app.test_client().get("/sign-in")

    assert app.config["SESSION_COOKIE_SECURE"] is True
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "Secure" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_debug_mode_allows_plain_http_cookies_for_local_use(production_environment, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")

    assert from_environment(str(production_environment))["SESSION_COOKIE_SECURE"] is False


def test_a_nul_anywhere_in_a_pages_address_or_form_is_a_400_on_either_database(client):
    for path in ("/sessions/?course=%00", "/sign-in?next=%00", "/sessions/A%00B"):
        assert client.get(path).status_code == 400, path
    posted = client.post("/sign-in", data={"email": "a\x00@example.org", "password": "x"})
    assert posted.status_code == 400
    assert "Nothing has been changed." in posted.get_data(as_text=True)

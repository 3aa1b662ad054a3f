"""Single sign-on with OpenID Connect (SPEC 3.11), with Authlib as the client: the provider found by discovery from
OIDC_ISSUER when first used (so the service starts while it is down), the authorization code flow with PKCE, state and
nonce, and the ID token checked (signature against the provider's keys, issuer, audience, expiry, nonce) before its
verified email signs in through `sign_in.sign_in_with_verified_email`. Every failure is audited with its reason and
becomes a SingleSignOnFailed with a message safe to show; none is a 500."""

from __future__ import annotations

from typing import Any, NoReturn

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import Flask, Response, current_app, session
from joserfc.errors import ExpiredTokenError, JoseError

from ...extensions import db
from ...models import User
from . import sign_in

CLIENT_NAME = "oidc"
SCOPE = "openid email profile"
PROVIDER_TIMEOUT_SECONDS = 10
# Allowed difference between the provider's clock and ours when checking an ID token's times.
CLOCK_LEEWAY_SECONDS = 60
DISCOVERY_PATH = "/.well-known/openid-configuration"


class SingleSignOnFailed(sign_in.SignInRefused):
    """Signing in through the provider went wrong before any account was looked at; `reason` is what the audit
    keeps, `title` and `message` what the person is shown."""

    def __init__(self, reason: str, title: str, message: str, status: int, detail: str | None = None):
        super().__init__(message, status)
        self.reason = reason
        self.title = title
        self.detail = detail


def redirect_to_provider(redirect_uri: str, ip: str | None = None) -> Response:
    """Start the authorization code flow: a redirect to the provider's sign-in page, with the state, nonce and PKCE
    verifier kept in the (signed) session for the return."""
    try:
        client = _client(ip)
        _forget_unfinished_sign_ins()
        response: Response = client.authorize_redirect(redirect_uri)
        return response
    except (requests.RequestException, ValueError, AuthlibBaseError) as error:
        _unreachable(error, ip)


def finish_sign_in(ip: str | None = None) -> User:
    """Handle the provider's return: exchange the code (with the PKCE verifier), check the ID token, then sign in the
    active account with its verified email. Raises SignInRefused (a SingleSignOnFailed for the protocol's failures)."""
    try:
        client = _client(ip)
        token = client.authorize_access_token(claims_options=_claims_options(client), leeway=CLOCK_LEEWAY_SECONDS)
    except MismatchingStateError:
        _fail("state_mismatch", "Signing in did not finish", _STATE_MESSAGE, 400, ip=ip)
    except OAuthError as error:
        _provider_said(error, ip)
    except ExpiredTokenError:
        _bad_token("ID token expired", ip)
    except JoseError as error:
        _bad_token(f"ID token refused: {error}", ip)
    except (requests.RequestException, ValueError, AuthlibBaseError) as error:
        _unreachable(error, ip)
    claims = token.get("userinfo")
    if not claims:
        _bad_token("no ID token in the provider's answer", ip)
    return sign_in.sign_in_with_verified_email(claims.get("email"), claims.get("email_verified"), ip=ip)


def _forget_unfinished_sign_ins() -> None:
    """Keep one sign-in in flight per browser: each start keeps its state, nonce and verifier in the session cookie,
    and a cookie grown past 4KB by abandoned starts would be dropped by the browser, signing nobody in."""
    for key in [key for key in session if key.startswith(f"_state_{CLIENT_NAME}_")]:
        session.pop(key)


def _client(ip: str | None) -> FlaskOAuth2App:
    """The Authlib client for the configured provider, made once per app and settings; it loads the provider's
    discovery document and keys when first needed, and again after a failure."""
    config = current_app.config
    settings = (config["OIDC_ISSUER"], config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    clients: dict[tuple[str, str, str], FlaskOAuth2App] = current_app.extensions.setdefault("single_sign_on", {})
    if settings not in clients:
        clients[settings] = _make_client(*settings)
    client = clients[settings]
    _check_issuer(client, ip)
    return client


def _make_client(issuer: str, client_id: str, client_secret: str) -> FlaskOAuth2App:
    return FlaskOAuth2App(
        FlaskIntegration(CLIENT_NAME),
        name=CLIENT_NAME,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=issuer.rstrip("/") + DISCOVERY_PATH,
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "default_timeout": PROVIDER_TIMEOUT_SECONDS,
        },
    )


def _check_issuer(client: FlaskOAuth2App, ip: str | None) -> None:
    """The discovery document must name the configured issuer (OpenID Connect Discovery 1.0, section 4.3)."""
    metadata: dict[str, Any] = client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != _issuer():
        client.server_metadata.pop("_loaded_at", None)  # look again next time, in case it is being fixed
        detail = f"discovery names issuer {metadata.get('issuer')!r}, not {current_app.config['OIDC_ISSUER']!r}"
        _fail("provider_misconfigured", _unreachable_title(), _unreachable_message(), 502, detail, ip)


def _claims_options(client: FlaskOAuth2App) -> dict[str, dict[str, Any]]:
    """What the ID token must say: issued by the issuer discovery named (checked to be ours), to us, with an expiry
    and a subject. The nonce and the signature are checked by Authlib against the session and the provider's keys."""
    return {
        "iss": {"essential": True, "value": client.server_metadata["issuer"]},
        "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }


def _issuer() -> str:
    return str(current_app.config["OIDC_ISSUER"]).rstrip("/")


def _provider_said(error: OAuthError, ip: str | None) -> NoReturn:
    """The provider answered with an error: the person said no (or was not allowed), or the exchange failed."""
    detail = f"{error.error}: {error.description}" if error.description else str(error.error)
    if error.error == "access_denied":
        message = f"{_name()} did not let you sign in: you may have cancelled, or your account may not be allowed to "
        message += "use this service. Ask your IT service desk if you think you should be"
        _fail("access_denied", f"{_name()} did not sign you in", message, 403, detail, ip)
    message = f"{_name()} could not complete signing you in ({error.error}). Try again. If it happens again, tell "
    message += "your IT service desk"
    _fail("provider_error", "Signing in did not finish", message, 400, detail, ip)


def _bad_token(detail: str, ip: str | None) -> NoReturn:
    """The provider's ID token failed a check (signature, issuer, audience, expiry, nonce): never trusted."""
    message = f"The answer from {_name()} could not be checked, so you have not been signed in. Try again. If it "
    message += "happens again, tell your IT service desk that the ID token was refused"
    _fail("id_token_invalid", "Signing in did not finish", message, 400, detail, ip)


def _fail(
    reason: str, title: str, message: str, status: int, detail: str | None = None, ip: str | None = None
) -> NoReturn:
    """Audit the failure with its reason, commit, and raise it."""
    sign_in.record_refusal(sign_in.BY_SINGLE_SIGN_ON, reason, ip=ip, detail=detail)
    db.session.commit()
    raise SingleSignOnFailed(reason, title, message, status, detail)


def _unreachable(error: Exception, ip: str | None) -> NoReturn:
    """The provider could not be reached, or answered with something that is not OpenID Connect."""
    detail = f"{type(error).__name__}: {error}"[:500]
    _fail("provider_unreachable", _unreachable_title(), _unreachable_message(), 502, detail, ip)


def _name() -> str:
    return str(current_app.config["OIDC_NAME"])


def _unreachable_title() -> str:
    return f"{_name()} cannot be reached"


def _unreachable_message() -> str:
    return (
        f"We could not reach {_name()} to sign you in. It may be down or busy. Try again in a few minutes. "
        "If it keeps happening, tell your IT service desk"
    )


_STATE_MESSAGE = (
    "Your sign-in could not be matched to this browser. This happens if it took too long, or was started in "
    "another tab or browser. Start again from the sign-in page"
)


def forget_clients(app: Flask) -> None:
    """Drop the cached clients and what they discovered (tests, or after the provider's settings change)."""
    app.extensions.pop("single_sign_on", None)

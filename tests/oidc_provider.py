"""A real OpenID provider for the single sign-on tests: oidc-provider-mock's server on a thread, behind a thin WSGI
wrapper that can make it misbehave the ways a wrongly set-up (or hostile) provider would.

The wrapper never touches the app under test: it changes what the provider issues (an ID token for another client,
or one signed with a key the provider never published) and notes what the app sent (the PKCE challenge and verifier).
"""

from __future__ import annotations

import base64
import io
import json
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import requests
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

with warnings.catch_warnings():
    # The provider imports Authlib's deprecated jose and httpx modules. Authlib's own "always" filter for its
    # warnings goes first when authlib.deprecate is imported, so it is imported before the "ignore" is.
    import authlib.deprecate  # noqa: F401

    warnings.simplefilter("ignore")
    import oidc_provider_mock


class ProviderUnderTest:
    """The mock provider's WSGI app with switches the tests flip; reset between tests."""

    def __init__(self, access_token_max_age: timedelta = timedelta(hours=1)) -> None:
        self.inner = oidc_provider_mock.app(require_nonce=True, access_token_max_age=access_token_max_age)
        self.url = ""
        self.reset()

    def reset(self) -> None:
        # Exchange codes as this client instead of the one the app authenticates as: the ID token's audience is then
        # this client's (the provider set up for another service).
        self.token_client: str | None = None
        # Re-sign the ID token with a key the provider never published, under the published key's id.
        self.forge_signature = False
        # Name this issuer in the discovery document instead of the provider's own.
        self.claimed_issuer: str | None = None
        self.code_challenges: list[str] = []
        self.code_verifiers: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/.well-known/openid-configuration" and self.claimed_issuer:
            return self._rewritten(environ, start_response, lambda answer: answer | {"issuer": self.claimed_issuer})
        if path == "/oauth2/authorize":
            self.code_challenges += parse_qs(environ.get("QUERY_STRING", "")).get("code_challenge", [])
        if path != "/oauth2/token":
            return self.inner(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.code_verifiers += parse_qs(body.decode()).get("code_verifier", [])
        environ["wsgi.input"] = io.BytesIO(body)
        if self.token_client:
            credentials = base64.b64encode(f"{self.token_client}:any-secret".encode()).decode()
            environ["HTTP_AUTHORIZATION"] = f"Basic {credentials}"
        if not self.forge_signature:
            return self.inner(environ, start_response)
        return self._rewritten(environ, start_response, self._forged)

    def _forged(self, answer: dict[str, Any]) -> dict[str, Any]:
        """The token endpoint's answer with its ID token's claims signed again by a stranger's key."""
        original = jwt.decode(answer["id_token"], self._published_keys(), algorithms=["RS256"])
        stranger = RSAKey.generate_key(2048)
        answer["id_token"] = jwt.encode(dict(original.header), original.claims, stranger, algorithms=["RS256"])
        return answer

    def _rewritten(self, environ: dict[str, Any], start_response: Any, change: Callable[[dict], dict]) -> Any:
        """The provider's JSON answer, changed."""
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"], captured["headers"] = status, headers

        body = json.dumps(change(json.loads(b"".join(self.inner(environ, keep))))).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _published_keys(self) -> Any:
        return KeySet.import_key_set(requests.get(f"{self.url}/jwks", timeout=5).json())

    def set_user(self, sub: str, **claims: Any) -> None:
        """Who the provider says `sub` is (its claims, e.g. email and email_verified)."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        assert response.status_code == 204, response.text


@contextmanager
def running(provider: ProviderUnderTest) -> Iterator[ProviderUnderTest]:
    """Serve the provider on a free localhost port in a thread; its issuer is http://localhost:PORT."""
    server = werkzeug.serving.make_server("localhost", 0, provider, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    provider.url = f"http://localhost:{server.server_port}"
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

"""A real OpenID Connect provider for the tests: oidc-provider-mock (Flask, authlib) served on
a free local port in a thread, with its people and their claims set over its own API.

Some ID tokens a provider should never issue (for another client, expired, from another
issuer) the mock cannot be asked for. For those the provider is wrapped: it publishes one
more key of the test's own in its JWKS, and, when a test asks, re-signs the ID token of the
next real token answer with that key after changing the claims the test names. The app
fetches and trusts that JWKS like any other, so the one check under test is the one that
refuses the token; a forged token with nothing changed signs in, showing it is so.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
import oidc_provider_mock
import requests
import werkzeug.serving
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from werkzeug.wrappers import Request, Response

TEST_KID = "auditloop-test-key"

# The value that removes a claim from a forged token.
REMOVE = object()


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class ForgingProvider:
    """WSGI: the mock, with the test's key in its JWKS and the next ID token re-signed on
    request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.key = _rsa_key()
        self.changes: dict[str, Any] | None = None
        self.sign_with: rsa.RSAPrivateKey | None = None
        self.lock = threading.Lock()

    def public_jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        assert isinstance(jwk, dict)
        return {**jwk, "kid": TEST_KID, "alg": "RS256", "use": "sig"}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = Request(environ).path
        if path == "/jwks":
            response = Response.from_app(self.app, environ)
            keys = json.loads(response.get_data())
            keys["keys"].append(self.public_jwk())
            response.set_data(json.dumps(keys))
            return response(environ, start_response)
        if path != "/oauth2/token":
            return self.app(environ, start_response)
        with self.lock:
            changes, self.changes = self.changes, None
            sign_with, self.sign_with = self.sign_with, None
        if changes is not None:
            response = Response.from_app(self.app, environ)
            answer = json.loads(response.get_data())
            if "id_token" in answer:
                claims = jwt.decode(answer["id_token"], options={"verify_signature": False})
                for name, value in changes.items():
                    if value is REMOVE:
                        claims.pop(name, None)
                    else:
                        claims[name] = value
                answer["id_token"] = jwt.encode(
                    claims,
                    sign_with or self.key,
                    algorithm="RS256",
                    headers={"kid": TEST_KID},
                )
                response.set_data(json.dumps(answer))
            return response(environ, start_response)
        return self.app(environ, start_response)


class LocalProvider:
    """The running provider: its address, its people, and the forging switch."""

    def __init__(self, url: str, forger: ForgingProvider) -> None:
        self.url = url
        self.forger = forger

    @property
    def issuer(self) -> str:
        return self.url

    def settings(self) -> dict[str, Any]:
        """Django settings that point auditloop's single sign-on at this provider."""
        return {
            "AUDITLOOP_SSO_ENABLED": True,
            "OIDC_RP_CLIENT_ID": "auditloop-tests",
            "OIDC_RP_CLIENT_SECRET": "auditloop-tests-secret",
            "AUDITLOOP_OIDC_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/oauth2/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/oauth2/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "AUDITLOOP_OIDC_PROVIDER_NAME": "Sign in with your Northshire account",
        }

    def person(self, sub: str, **claims: Any) -> None:
        """Someone the provider can sign in, with the claims its tokens carry."""
        answer = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        answer.raise_for_status()

    def authorize(self, authorize_url: str, sub: str, **changes: str) -> str:
        """Submit the provider's authorize form as `sub` (what the person's click sends), with
        any query parameter changed as an attacker might; the address it sends them back to."""
        if changes:
            parts = urlsplit(authorize_url)
            params = {**dict(parse_qsl(parts.query)), **changes}
            authorize_url = urlunsplit(parts._replace(query=urlencode(params)))
        answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        return str(answer.headers["Location"])

    def deny(self, authorize_url: str) -> str:
        """The person presses "Deny access" at the provider."""
        answer = requests.post(
            authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=10
        )
        assert answer.status_code == 302, answer.text[:500]
        return str(answer.headers["Location"])

    def forge_next_id_token(
        self, *, sign_with: rsa.RSAPrivateKey | None = None, **changes: Any
    ) -> None:
        """The next token answer's ID token carries these claims changed, signed with the key
        the provider publishes for the test (or with `sign_with`, one it does not publish)."""
        with self.forger.lock:
            self.forger.changes = changes
            self.forger.sign_with = sign_with


def unpublished_key() -> rsa.RSAPrivateKey:
    """A key the provider does not publish: a token signed with it is a forgery."""
    return _rsa_key()


@contextmanager
def local_provider() -> Iterator[LocalProvider]:
    """The provider on a free port of 127.0.0.1, stopped at the end."""
    forger = ForgingProvider(oidc_provider_mock.app(require_nonce=True))
    server = werkzeug.serving.make_server("127.0.0.1", 0, forger, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield LocalProvider(f"http://127.0.0.1:{server.server_port}", forger)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

"""A small OpenID Connect provider for tests: a real HTTP server on 127.0.0.1 that serves the
discovery document and the key set, signs tokens, rotates keys and can be taken down."""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

_KEY_POOL: list[dict[str, Any]] = []
_POOL_INDEX = itertools.count()


class TestProvider:
    __test__ = False  # not a test class

    def __init__(self, path: str = "") -> None:
        """``path``: where the issuer lives on the server, e.g. ``/realms/x`` as in Keycloak."""
        self.keys = [self._new_key()]
        self.down = False
        self.jwks_uri: str | None = None  # None: this server's own /keys
        self.claimed_issuer: str | None = None  # None: its own URL, as it should be
        self.discovery_redirect: str | None = None  # answer discovery with a redirect there
        self.discovery_body: bytes | None = None  # answer discovery with these bytes
        self.discovery_hits = 0
        self.jwks_hits = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if provider.down:
                    self.send_error(503)
                    return
                if self.path == path + "/.well-known/openid-configuration":
                    provider.discovery_hits += 1
                    if provider.discovery_redirect:
                        self.send_response(302)
                        self.send_header("Location", provider.discovery_redirect)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self._json(
                        {
                            "issuer": provider.claimed_issuer or provider.issuer,
                            "jwks_uri": provider.jwks_uri or provider.issuer + "/keys",
                        },
                        raw=provider.discovery_body,
                    )
                elif self.path == path + "/keys":
                    provider.jwks_hits += 1
                    self._json(KeySet(provider.keys).as_dict(private=False))
                else:
                    self.send_error(404)

            def _json(self, body: dict[str, Any], raw: bytes | None = None) -> None:
                data = raw if raw is not None else json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}{path}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @staticmethod
    def _new_key() -> RSAKey:
        """A fresh key id on one of a few RSA keys made once (2048-bit generation is slow)."""
        if not _KEY_POOL:
            _KEY_POOL.extend(RSAKey.generate_key(2048).as_dict(private=True) for _ in range(3))
        material = _KEY_POOL[next(_POOL_INDEX) % len(_KEY_POOL)]
        return RSAKey.import_key(material, parameters={"kid": uuid.uuid4().hex, "alg": "RS256"})

    def rotate(self) -> None:
        """A new signing key; the old one is no longer published."""
        self.keys = [self._new_key()]

    def token(self, *, audience: str = "chapters", key: RSAKey | None = None, **claims: Any) -> str:
        key = key or self.keys[0]
        now = int(time.time())
        body = {"iss": self.issuer, "aud": audience, "iat": now, "exp": now + 300, **claims}
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, body, key)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

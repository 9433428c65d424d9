"""Bearer tokens: what the service issues is accepted on its tenant only; everything in the
rejection corpus is answered 401 with a challenge, which says what was wrong in development
and nothing in production."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from joserfc.jwk import ECKey

from chapters.auth.keys import SigningKeys, generate_signing_key
from chapters.auth.tokens import InvalidToken, issue_access_token, verify_access_token
from tests.support import data_of, gql

VIEWER = "{ viewer { email } }"
# RFC 6750 section 3: error_description is printable ASCII without '"' and '\\'.
CHALLENGE = re.compile(r'Bearer error="invalid_token"(, error_description="[ !#-\[\]-~]+")?')


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _es256(key: ECKey, signing_input: bytes) -> bytes:
    der = key.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def forge(header: dict, claims: dict, sign: Callable[[bytes], bytes]) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


@dataclasses.dataclass
class Corpus:
    keys: SigningKeys
    settings: object
    tenant_id: uuid.UUID
    subject: str

    def claims(self, **changes) -> dict:
        now = int(time.time())
        claims = {
            "iss": self.settings.jwt_issuer,
            "aud": self.settings.jwt_audience,
            "sub": self.subject,
            "tid": str(self.tenant_id),
            "client_id": "chapters",
            "iat": now,
            "exp": now + 600,
            "jti": uuid.uuid4().hex,
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def header(self, **changes) -> dict:
        header = {"alg": "ES256", "kid": self.keys.kid, "typ": "at+jwt"}
        header.update(changes)
        return {k: v for k, v in header.items() if v is not None}

    def sign(self, header: dict | None = None, claims: dict | None = None) -> str:
        return forge(
            header or self.header(),
            claims or self.claims(),
            lambda data: _es256(self.keys.signing_key, data),
        )


def _public_pem(keys: SigningKeys) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return keys.signing_key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(uuid.uuid4())
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def _raw(header: str, payload: str) -> str:
    """A token whose parts are the given JSON texts, as they are, with a junk signature."""
    return f"{_b64(header.encode())}.{_b64(payload.encode())}.{_b64(b'sig')}"


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


REJECTED: dict[str, Callable[[Corpus], str]] = {
    "alg none": lambda c: forge(c.header(alg="none"), c.claims(), lambda _: b""),
    "HS256 signed with the public key": lambda c: forge(
        c.header(alg="HS256"),
        c.claims(),
        lambda data: hmac.new(_public_pem(c.keys), data, hashlib.sha256).digest(),
    ),
    "algorithm outside the allow-list": lambda c: c.sign(header=c.header(alg="ES384")),
    "missing typ": lambda c: c.sign(header=c.header(typ=None)),
    "typ JWT (an ID token shape)": lambda c: c.sign(header=c.header(typ="JWT")),
    "wrong iss": lambda c: c.sign(claims=c.claims(iss="https://evil.example")),
    "wrong aud": lambda c: c.sign(claims=c.claims(aud="someone-else")),
    "expired": lambda c: c.sign(claims=c.claims(exp=int(time.time()) - 3600)),
    "nbf in the future": lambda c: c.sign(claims=c.claims(nbf=int(time.time()) + 3600)),
    "missing sub": lambda c: c.sign(claims=c.claims(sub=None)),
    "missing exp": lambda c: c.sign(claims=c.claims(exp=None)),
    "missing tid": lambda c: c.sign(claims=c.claims(tid=None)),
    "unknown kid": lambda c: c.sign(header=c.header(kid="not-a-known-key")),
    "missing kid": lambda c: c.sign(header=c.header(kid=None)),
    "embedded jwk": lambda c: c.sign(
        header=c.header(jwk=c.keys.signing_key.as_dict(private=False))
    ),
    "jku header": lambda c: c.sign(header=c.header(jku="https://evil.example/jwks.json")),
    "x5u header": lambda c: c.sign(header=c.header(x5u="https://evil.example/cert.pem")),
    "unknown crit": lambda c: c.sign(header=c.header(crit=["exp-custom"])),
    "signed by another key with our kid": lambda c: forge(
        c.header(), c.claims(), lambda data: _es256(generate_signing_key(), data)
    ),
    "tampered payload": lambda c: _tamper(c.sign()),
    "oversized token": lambda c: c.sign(claims=c.claims(padding="x" * 10_000)),
    "not a JWT": lambda c: "not-a-jwt",
    # JSON nested beyond the parser's recursion limit, yet within the size limit ...
    "payload nested 2,500 deep": lambda c: _raw(json.dumps(c.header()), _nested(2_500)),
    "header nested 2,500 deep": lambda c: _raw(_nested(2_500), json.dumps(c.claims())),
    "claim nested 2,500 deep": lambda c: _raw(
        json.dumps(c.header()), '{"iss": "x", "a": ' + _nested(2_500) + "}"
    ),
    # ... and beyond it: refused before anything reads it
    "payload nested 5,000 deep": lambda c: _raw(
        json.dumps(c.header()), '{"a":' * 5_000 + "1" + "}" * 5_000
    ),
    "payload that is not UTF-8": lambda c: ".".join(
        [_b64(json.dumps(c.header()).encode()), _b64(b"\xff\xfe"), "x"]
    ),
    "NUL in iss": lambda c: _raw(json.dumps(c.header()), '{"iss": "\\u0000"}'),
    "lone surrogate in iss": lambda c: _raw(json.dumps(c.header()), '{"iss": "\\ud800"}'),
    "subject of no person": lambda c: c.sign(claims=c.claims(sub=str(uuid.uuid4()))),
}


@pytest.fixture(scope="module")
async def corpus_tenant(tenants):
    return await tenants.create(people={"p@x.example": None})


@pytest.fixture(scope="module")
def corpus(keys, settings, corpus_tenant) -> Corpus:
    person = corpus_tenant.people["p@x.example"]
    return Corpus(keys, settings, corpus_tenant.id, str(person.id))


async def test_the_corpus_baseline_is_accepted(client, corpus, corpus_tenant) -> None:
    """Control: the forger's unmodified token works, so each rejection below is the change's."""
    body = await gql(client, corpus_tenant.slug, VIEWER, token=corpus.sign())
    assert data_of(body) == {"viewer": {"email": "p@x.example"}}


@pytest.mark.parametrize("case", sorted(REJECTED))
async def test_rejected_token(client, corpus, corpus_tenant, case: str) -> None:
    token = REJECTED[case](corpus)
    response = await client.post(
        f"/t/{corpus_tenant.slug}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401
    # In development (the tests' mode) the challenge says why, in characters a header allows.
    assert CHALLENGE.fullmatch(response.headers["www-authenticate"]), response.headers
    assert response.json() == {"error": "Invalid or expired bearer token", "status": 401}


async def test_a_token_for_one_tenant_is_refused_on_another(client, tenants) -> None:
    a = await tenants.create()
    b = await tenants.create()
    response = await client.post(
        f"/t/{b.slug}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": f"Bearer {a.token('admin@x.example')}"},
    )
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   "])
async def test_malformed_authorization_headers_are_refused(client, corpus_tenant, header) -> None:
    response = await client.post(
        f"/t/{corpus_tenant.slug}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": header},
    )
    assert response.status_code == 401


def test_issued_tokens_are_rfc9068_shaped(keys, settings) -> None:
    tenant_id = uuid.uuid4()
    token = issue_access_token(keys, settings, tenant_id=tenant_id, subject="someone")
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "ES256", "kid": keys.kid, "typ": "at+jwt"}
    claims = verify_access_token(token, keys, settings)
    assert (claims.subject, claims.tenant_id) == ("someone", tenant_id)


def test_verification_reasons_name_the_problem(keys, settings) -> None:
    """Reasons go to the log (never to the client) and must say what was wrong."""
    token = issue_access_token(keys, settings, tenant_id=uuid.uuid4(), subject="x")
    other = dataclasses.replace(settings, jwt_audience="elsewhere")
    with pytest.raises(InvalidToken, match="aud"):
        verify_access_token(token, keys, other)


# --- the issuer -----------------------------------------------------------------------------


def test_the_issuer_does_not_depend_on_where_the_service_listens(monkeypatch) -> None:
    from chapters.settings import load_settings

    monkeypatch.delenv("CHAPTERS_JWT_ISSUER", raising=False)
    issuers = set()
    for port in ("8000", "8001"):
        monkeypatch.setenv("CHAPTERS_PORT", port)
        issuers.add(load_settings().jwt_issuer)
    assert issuers == {"chapters"}
    monkeypatch.setenv("CHAPTERS_JWT_ISSUER", "https://chapters.example.org")
    assert load_settings().jwt_issuer == "https://chapters.example.org"


async def _answer_to_foreign_issuer(client, keys, settings, tenant) -> httpx.Response:
    """A token signed with the service's own key by a service configured with another issuer
    (as `chapters token` printed it before the issuer was a setting of its own)."""
    elsewhere = dataclasses.replace(settings, jwt_issuer="http://127.0.0.1:8001")
    person = tenant.people["p@x.example"]
    token = issue_access_token(keys, elsewhere, tenant_id=tenant.id, subject=str(person.id))
    return await client.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_a_token_of_another_issuer_is_explained_in_development(
    client, keys, settings, corpus_tenant
) -> None:
    assert settings.env == "development"
    response = await _answer_to_foreign_issuer(client, keys, settings, corpus_tenant)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        'Bearer error="invalid_token", error_description="issued by http://127.0.0.1:8001,'
        f' this server is {settings.jwt_issuer} and no identity provider of this tenant is"'
    )


async def test_an_expired_token_is_explained_in_development(
    client, keys, settings, corpus_tenant
) -> None:
    person = corpus_tenant.people["p@x.example"]
    expired = dataclasses.replace(settings, jwt_ttl_seconds=-3600)
    token = issue_access_token(keys, expired, tenant_id=corpus_tenant.id, subject=str(person.id))
    response = await client.post(
        f"/t/{corpus_tenant.slug}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert CHALLENGE.fullmatch(challenge) and "expired" in challenge.lower(), challenge


async def test_a_token_of_another_issuer_is_not_explained_in_production(
    keys, settings, urls, corpus_tenant
) -> None:
    from chapters.app import create_app
    from tests.support import serving

    production = dataclasses.replace(settings, env="production")
    async with serving(create_app(production, app_url=urls.app, keys=keys)) as client:
        response = await _answer_to_foreign_issuer(client, keys, settings, corpus_tenant)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {"error": "Invalid or expired bearer token", "status": 401}

"""API clients (OAuth2 client credentials) and external OpenID Connect sign-in, end to end
through the HTTP endpoints with real tokens and a real provider on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import statistics
import time
import uuid

import httpx
import pytest

from chapters.app import create_app
from chapters.models import TenantRole
from tests.support import data_of, gql, person_id, serving, trust_provider

CREATE_CLIENT = """mutation ($input: ApiClientCreateInput!) { apiClientCreate(input: $input) {
  client { id clientId name kind scopes revokedAt } clientSecret errors { field code message } } }"""


def _claims(token: str) -> tuple[dict, dict]:
    header, payload, _ = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(payload)


async def _service_client(client, tenant, scopes: list[str]) -> dict:
    body = await gql(
        client,
        tenant.slug,
        CREATE_CLIENT,
        {"input": {"name": "Website sync", "kind": "SERVICE", "scopes": scopes}},
        token=tenant.token("admin@x.example"),
    )
    return data_of(body)["apiClientCreate"]


async def _token(client, client_id: str, secret: str, **form) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", **form},
        auth=(client_id, secret),
    )


@pytest.fixture
async def tenant(tenants):
    return await tenants.create(
        people={
            "owner@x.example": TenantRole.OWNER,
            "admin@x.example": TenantRole.ADMIN,
            "member@x.example": None,
        }
    )


async def test_a_client_gets_a_short_lived_rfc9068_token(client, tenant, settings) -> None:
    created = await _service_client(client, tenant, ["chapters:read", "activities:read"])
    assert created["errors"] == [] and len(created["clientSecret"]) >= 40
    client_id = created["client"]["clientId"]
    assert client_id.startswith(tenant.slug + ".")
    response = await _token(client, client_id, created["clientSecret"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    header, claims = _claims(body["access_token"])
    assert header["typ"] == "at+jwt" and header["alg"] == "ES256" and header["kid"]
    assert claims["iss"] == settings.jwt_issuer and claims["aud"] == settings.jwt_audience
    assert claims["client_id"] == claims["sub"] == client_id
    assert claims["tid"] == str(tenant.id) and claims["client_kind"] == "service"
    assert set(claims["scope"].split()) == {"chapters:read", "activities:read"}
    listed = await gql(
        client, tenant.slug, "{ apiClients { clientId } }", token=tenant.token("admin@x.example")
    )
    assert "clientSecret" not in json.dumps(listed) and created["clientSecret"] not in json.dumps(
        listed
    )


async def test_a_client_token_works_on_its_tenant_within_its_scopes(
    client, tenant, tenants
) -> None:
    created = await _service_client(client, tenant, ["activities:read"])
    token = (await _token(client, created["client"]["clientId"], created["clientSecret"])).json()[
        "access_token"
    ]
    body = await gql(client, tenant.slug, "{ tenant { slug } viewer { email } }", token=token)
    assert data_of(body) == {"tenant": {"slug": tenant.slug}, "viewer": None}
    people = await gql(
        client, tenant.slug, "{ people { edges { node { displayName } } } }", token=token
    )
    assert people["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other = await tenants.create()
    await gql(client, other.slug, "{ tenant { slug } }", token=token, expect_status=401)


async def test_requested_scopes_are_narrowed_to_the_allowed_ones(client, tenant) -> None:
    created = await _service_client(client, tenant, ["activities:read"])
    response = await _token(
        client,
        created["client"]["clientId"],
        created["clientSecret"],
        scope="activities:read export",
    )
    assert _claims(response.json()["access_token"])[1]["scope"] == "activities:read"


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "nope.0000"}, 401, "invalid_client"),
        ({"client_id": "no-dot"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
async def test_bad_token_requests_are_refused(client, tenant, change, status, error) -> None:
    created = await _service_client(client, tenant, ["activities:read"])
    client_id = change.get("client_id", created["client"]["clientId"])
    secret = change.get("secret", created["clientSecret"])
    response = await client.post(
        "/oauth/token",
        data={"grant_type": change.get("grant_type", "client_credentials")},
        auth=(client_id, secret),
    )
    assert response.status_code == status
    assert response.json()["error"] == error


async def test_rotation_and_revocation(client, tenant) -> None:
    admin = tenant.token("admin@x.example")
    created = await _service_client(client, tenant, ["activities:read"])
    client_id, old_secret = created["client"]["clientId"], created["clientSecret"]
    token = (await _token(client, client_id, old_secret)).json()["access_token"]
    rotated = await gql(
        client,
        tenant.slug,
        "mutation ($id: ID!) { apiClientRotateSecret(id: $id) { clientSecret errors { code } } }",
        {"id": created["client"]["id"]},
        token=admin,
    )
    new_secret = data_of(rotated)["apiClientRotateSecret"]["clientSecret"]
    assert (await _token(client, client_id, old_secret)).status_code == 401
    assert (await _token(client, client_id, new_secret)).status_code == 200
    revoked = await gql(
        client,
        tenant.slug,
        "mutation ($id: ID!) { apiClientRevoke(id: $id) { client { revokedAt } errors { code } } }",
        {"id": created["client"]["id"]},
        token=admin,
    )
    assert data_of(revoked)["apiClientRevoke"]["client"]["revokedAt"] is not None
    # The token issued before revocation is refused, and no new one is issued.
    response = await client.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": "{ tenant { slug } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert (await _token(client, client_id, new_secret)).status_code == 401


async def test_only_admins_manage_clients(client, tenant) -> None:
    body = await gql(
        client,
        tenant.slug,
        CREATE_CLIENT,
        {"input": {"name": "Mine", "kind": "SERVICE", "scopes": ["export"]}},
        token=tenant.token("member@x.example"),
    )
    assert data_of(body)["apiClientCreate"]["errors"][0]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"name": "P", "kind": "PARTNER", "scopes": ["activities:read"]}, "organisationId"),
        ({"name": "S", "kind": "SERVICE", "scopes": ["everything"]}, "scopes"),
        ({"name": " ", "kind": "SERVICE", "scopes": []}, "name"),
    ],
)
async def test_client_input_is_checked(client, tenant, input, field) -> None:
    body = await gql(
        client, tenant.slug, CREATE_CLIENT, {"input": input}, token=tenant.token("admin@x.example")
    )
    assert [e["field"] for e in data_of(body)["apiClientCreate"]["errors"]] == [field]


# --- external OpenID Connect providers -------------------------------------------------------

LINK = """mutation ($input: PersonIdentityInput!) { personLinkIdentity(input: $input) { errors { code } } }"""


async def test_a_provider_token_signs_in_the_linked_person(client, tenant, provider) -> None:
    from chapters.api.ids import global_id

    await trust_provider(client, tenant, provider, linkByVerifiedEmail=False)
    member = tenant.people["member@x.example"]
    linked = await gql(
        client,
        tenant.slug,
        LINK,
        {
            "input": {
                "personId": global_id("Person", member.id),
                "issuer": provider.issuer,
                "subject": "kc-42",
            }
        },
        token=tenant.token("owner@x.example"),  # the owner links at once
    )
    assert data_of(linked)["personLinkIdentity"]["errors"] == []
    body = await gql(client, tenant.slug, "{ viewer { email } }", token=provider.token(sub="kc-42"))
    assert data_of(body) == {"viewer": {"email": "member@x.example"}}


async def test_a_verified_email_links_on_first_sign_in_when_allowed(
    client, tenant, provider
) -> None:
    await trust_provider(client, tenant, provider, linkByVerifiedEmail=True)
    token = provider.token(sub="new-7", email="MEMBER@x.example", email_verified=True)
    assert data_of(await gql(client, tenant.slug, "{ viewer { email } }", token=token)) == {
        "viewer": {"email": "member@x.example"}
    }
    # Now linked: the subject alone is enough.
    again = provider.token(sub="new-7")
    assert data_of(await gql(client, tenant.slug, "{ viewer { email } }", token=again))["viewer"]


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "stranger"},
        {"sub": "stranger", "email": "member@x.example", "email_verified": False},
        {"sub": "stranger", "email": "nobody@x.example", "email_verified": True},
        {"sub": "stranger", "email": "member@x.example\x00", "email_verified": True},
    ],
)
async def test_an_unlinked_sign_in_is_a_clear_403(client, tenant, provider, claims) -> None:
    await trust_provider(client, tenant, provider, linkByVerifiedEmail=True)
    response = await client.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": "{ viewer { email } }"},
        headers={"Authorization": f"Bearer {provider.token(**claims)}"},
    )
    assert response.status_code == 403
    assert "not linked to a person" in response.json()["error"]


async def test_a_provider_token_with_a_subject_the_database_cannot_hold_is_a_401(
    client, tenant, provider
) -> None:
    await trust_provider(client, tenant, provider, linkByVerifiedEmail=False)
    token = provider.token(sub="kc\x00")
    await gql(client, tenant.slug, "{ viewer { email } }", token=token, expect_status=401)


async def test_an_untrusted_or_disabled_provider_is_refused(
    client, tenant, provider, tenants
) -> None:
    other = await tenants.create()
    await trust_provider(
        client, other, provider, linkByVerifiedEmail=False
    )  # trusted by another tenant only
    token = provider.token(sub="kc-1")
    await gql(client, tenant.slug, "{ viewer { email } }", token=token, expect_status=401)
    provider_id = await trust_provider(client, tenant, provider, linkByVerifiedEmail=False)
    await gql(
        client,
        tenant.slug,
        "mutation ($id: ID!) { identityProviderSetEnabled(id: $id, enabled: false) { errors { code } } }",
        {"id": provider_id},
        token=tenant.token("admin@x.example"),
    )
    await gql(client, tenant.slug, "{ viewer { email } }", token=token, expect_status=401)


async def test_a_key_rotation_at_the_provider_is_followed(
    settings, keys, urls, tenants, provider
) -> None:

    tenant = await tenants.create(
        people={
            "owner@x.example": TenantRole.OWNER,
            "admin@x.example": TenantRole.ADMIN,
            "m@x.example": None,
        }
    )
    app = create_app(
        dataclasses.replace(settings, oidc_jwks_refresh_seconds=1), app_url=urls.app, keys=keys
    )
    async with serving(app) as http:
        await trust_provider(http, tenant, provider, linkByVerifiedEmail=False)
        await gql(
            http,
            tenant.slug,
            LINK,
            {
                "input": {
                    "personId": person_id(tenant, "m@x.example"),
                    "issuer": provider.issuer,
                    "subject": "kc-9",
                }
            },
            token=tenant.token("owner@x.example"),
        )
        assert data_of(
            await gql(http, tenant.slug, "{ viewer { email } }", token=provider.token(sub="kc-9"))
        )
        provider.rotate()
        await asyncio.sleep(1.1)
        body = await gql(
            http, tenant.slug, "{ viewer { email } }", token=provider.token(sub="kc-9")
        )
        assert data_of(body) == {"viewer": {"email": "m@x.example"}}
    assert provider.jwks_hits == 2


# --- the token endpoint under hostile input ---------------------------------------------------


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _basic(raw: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw).decode(), **FORM}


GRANT = b"grant_type=client_credentials"

# Each: (headers, body) given the tenant's slug. None of these can be a client's credentials.
MALFORMED_CREDENTIALS = {
    "Basic not UTF-8": lambda slug: (_basic(b"\xff\xfe:\xff"), GRANT),
    "Basic not base64": lambda slug: ({"Authorization": "Basic ***", **FORM}, GRANT),
    "Basic id with NUL": lambda slug: (_basic(slug.encode() + b".a\x00b:secret"), GRANT),
    "Basic id with %00": lambda slug: (_basic(slug.encode() + b".a%00b:secret"), GRANT),
    "Basic slug with NUL": lambda slug: (_basic(b"de\x00mo.abc:secret"), GRANT),
    "Basic secret with NUL": lambda slug: (_basic(slug.encode() + b".abc:se\x00cret"), GRANT),
    "Basic id with a lone surrogate": lambda slug: (_basic(slug.encode() + b".%ED%A0%80:s"), GRANT),
    "form id with NUL": lambda slug: (
        FORM,
        GRANT + b"&client_id=" + slug.encode() + b".a%00b&client_secret=x",
    ),
    "form slug with NUL": lambda slug: (FORM, GRANT + b"&client_id=a%00b.c&client_secret=x"),
    "form secret with NUL": lambda slug: (
        FORM,
        GRANT + b"&client_id=" + slug.encode() + b".abc&client_secret=x%00",
    ),
    "form not UTF-8": lambda slug: (FORM, GRANT + b"&client_id=\xff\xfe.x&client_secret=\xff"),
    "form %-escapes not UTF-8": lambda slug: (
        FORM,
        GRANT + b"&client_id=%ff%fe.x&client_secret=%ff",
    ),
    "very long client id": lambda slug: (
        FORM,
        GRANT + b"&client_id=" + slug.encode() + b"." + b"a" * 100_000 + b"&client_secret=x",
    ),
    "very long secret": lambda slug: (
        _basic(slug.encode() + b".abc:" + b"s" * 100_000),
        GRANT,
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_CREDENTIALS))
async def test_malformed_client_credentials_are_an_invalid_client(client, tenant, case) -> None:
    headers, body = MALFORMED_CREDENTIALS[case](tenant.slug)
    response = await client.post("/oauth/token", headers=headers, content=body)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


async def test_form_credentials_work_as_well_as_basic(client, tenant) -> None:
    created = await _service_client(client, tenant, ["activities:read"])
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client"]["clientId"],
            "client_secret": created["clientSecret"],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"


async def test_the_answer_does_not_tell_which_client_ids_exist(client, tenant) -> None:
    """Unknown, revoked and known client ids with a wrong secret take as long (the secret is
    checked against a hash either way) and get the same answer."""
    known = (await _service_client(client, tenant, ["activities:read"]))["client"]
    revoked = (await _service_client(client, tenant, ["activities:read"]))["client"]
    await gql(
        client,
        tenant.slug,
        "mutation ($id: ID!) { apiClientRevoke(id: $id) { errors { code } } }",
        {"id": revoked["id"]},
        token=tenant.token("admin@x.example"),
    )
    attempts = 9  # below the failures allowed per client id
    client_ids = {
        "known": lambda: known["clientId"],
        "unknown id": lambda: f"{tenant.slug}.{uuid.uuid4().hex[:16]}",
        "unknown tenant": lambda: f"nope-{uuid.uuid4().hex[:8]}.0123456789abcdef",
        "revoked": lambda: revoked["clientId"],
    }
    durations: dict[str, list[float]] = {name: [] for name in client_ids}
    bodies: dict[str, set[str]] = {name: set() for name in client_ids}
    for _ in range(attempts):  # interleaved, so that the machine's load weighs on all alike
        for name, client_id in client_ids.items():
            started = time.perf_counter()
            response = await _token(client, client_id(), "wrong-secret")
            durations[name].append(time.perf_counter() - started)
            assert response.status_code == 401
            bodies[name].add(response.text)
    known_time = statistics.median(durations["known"])
    for name in client_ids:
        assert bodies[name] == bodies["known"], name
        ratio = statistics.median(durations[name]) / known_time
        assert 0.5 < ratio < 2, (name, durations[name], durations["known"])

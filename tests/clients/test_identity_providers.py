"""Adding an identity provider makes the server fetch URLs a tenant admin typed: it reads the
provider's discovery document and key set before trusting it (a typed error when it cannot),
and never from this host or its private networks unless the deployment allows it
(``CHAPTERS_OIDC_ALLOW_PRIVATE_NETWORKS``, set by the test settings for the provider below).

No test here sends anything to a non-loopback address: the refused ones are refused before
any connection, which their error message shows (it names the kind of address)."""

from __future__ import annotations

import dataclasses
import socket
import time

import pytest

from chapters.app import create_app
from chapters.auth.oidc import JwksCache, ProviderConfig, verify_external_token
from chapters.auth.outbound import outbound_client
from chapters.auth.tokens import InvalidToken
from chapters.models import TenantRole
from tests.oidc_provider import TestProvider
from tests.support import data_of, gql, serving

ADD = """mutation ($input: IdentityProviderAddInput!) { identityProviderAdd(input: $input) {
  provider { issuer } errors { field code message } } }"""
LIST = "{ identityProviders { issuer } }"


@pytest.fixture
async def tenant(tenants):
    return await tenants.create(people={"admin@x.example": TenantRole.ADMIN})


@pytest.fixture
async def public_only(settings, urls, keys):
    """The app as deployed by default: identity providers on public addresses only."""
    assert settings.oidc_allow_private_networks, "the suite's own app allows them"
    app = create_app(
        dataclasses.replace(settings, oidc_allow_private_networks=False),
        app_url=urls.app,
        keys=keys,
    )
    async with serving(app) as http:
        yield http


async def add(http, tenant, issuer: str) -> dict:
    body = await gql(
        http,
        tenant.slug,
        ADD,
        {"input": {"issuer": issuer, "audience": "chapters"}},
        token=tenant.token("admin@x.example"),
    )
    return data_of(body)["identityProviderAdd"]


async def stored_issuers(http, tenant) -> list[str]:
    body = await gql(http, tenant.slug, LIST, token=tenant.token("admin@x.example"))
    return [p["issuer"] for p in data_of(body)["identityProviders"]]


def refused(result: dict) -> str:
    """The one typed error of a refused provider; its message."""
    assert result["provider"] is None
    [error] = result["errors"]
    assert (error["field"], error["code"]) == ("issuer", "INVALID")
    return error["message"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.mark.parametrize(
    ("issuer", "kind"),
    [
        ("http://127.0.0.1:{port}", "loopback"),
        ("http://localhost:{port}", "loopback"),  # a name resolving to loopback
        ("http://2130706433:{port}", "loopback"),  # 127.0.0.1 spelt as a number
        ("http://[::1]:{port}", "loopback"),
        ("http://[::ffff:127.0.0.1]:{port}", "loopback"),
        ("http://169.254.169.254/latest", "link-local"),  # cloud metadata
        ("https://10.0.0.7", "private"),
        ("https://[fd00::1]", "private"),
        ("http://0.0.0.0:{port}", "unspecified"),
        ("http://100.64.0.1", "non-public"),
    ],
)
async def test_providers_on_local_or_private_addresses_are_refused(
    public_only, settings, tenant, provider, issuer, kind
) -> None:
    port = provider.issuer.rsplit(":", 1)[1]
    started = time.perf_counter()
    result = await add(public_only, tenant, issuer.format(port=port))
    assert f"{kind} address" in refused(result)
    # well under the 5 s discovery timeout an unreachable address would wait out (not 1 s:
    # a loaded machine takes that long to answer at times)
    assert settings.oidc_http_timeout_seconds >= 5
    assert time.perf_counter() - started < 3, "refused before connecting, not after a timeout"
    assert provider.discovery_hits == 0
    assert await stored_issuers(public_only, tenant) == []


async def test_a_provider_on_a_private_address_is_added_when_allowed(
    client, tenant, provider
) -> None:
    """Control for the refusals: the suite's app allows private networks."""
    result = await add(client, tenant, provider.issuer)
    assert result == {"provider": {"issuer": provider.issuer}, "errors": []}
    assert (provider.discovery_hits, provider.jwks_hits) == (1, 1)
    assert await stored_issuers(client, tenant) == [provider.issuer]


async def test_keys_are_fetched_from_public_addresses_only_at_sign_in_too(provider) -> None:
    """The check sits where connections open: a provider trusted earlier (or a name that now
    resolves elsewhere) gets no request when its address is refused."""
    async with outbound_client(timeout=2, allow_private_networks=False) as http:
        cache = JwksCache(http)
        for issuer in (provider.issuer, provider.issuer.replace("127.0.0.1", "localhost")):
            config = ProviderConfig(issuer=issuer, audience="chapters", algorithms=("RS256",))
            with pytest.raises(InvalidToken, match="unknown kid"):
                await verify_external_token(provider.token(sub="u"), config, cache, max_bytes=8192)
    assert provider.discovery_hits == 0


def _misbehave_redirect(provider: TestProvider, other: TestProvider) -> None:
    provider.discovery_redirect = other.issuer + "/.well-known/openid-configuration"


def _misbehave_issuer(provider: TestProvider, other: TestProvider) -> None:
    provider.claimed_issuer = other.issuer


def _misbehave_jwks_elsewhere(provider: TestProvider, other: TestProvider) -> None:
    provider.jwks_uri = other.issuer + "/keys"


def _misbehave_not_json(provider: TestProvider, other: TestProvider) -> None:
    provider.discovery_body = b"<html>hello</html>"


def _misbehave_huge(provider: TestProvider, other: TestProvider) -> None:
    provider.discovery_body = b'{"issuer": "' + b"x" * 2_000_000 + b'"}'


def _misbehave_nested(provider: TestProvider, other: TestProvider) -> None:
    provider.discovery_body = b"[" * 50_000 + b"]" * 50_000


def _misbehave_down(provider: TestProvider, other: TestProvider) -> None:
    provider.down = True


@pytest.mark.parametrize(
    ("misbehave", "reason"),
    [
        (_misbehave_redirect, "HTTP 302"),  # redirects are not followed
        (_misbehave_issuer, "names another issuer"),
        (_misbehave_jwks_elsewhere, "not on the issuer's host"),
        (_misbehave_not_json, "did not send JSON"),
        (_misbehave_huge, "more than"),
        (_misbehave_nested, "did not send JSON"),
        (_misbehave_down, "HTTP 503"),
    ],
)
async def test_a_provider_whose_discovery_fails_is_refused_with_a_typed_error(
    client, tenant, provider, misbehave, reason
) -> None:
    other = TestProvider()
    try:
        misbehave(provider, other)
        result = await add(client, tenant, provider.issuer)
        assert reason in refused(result)
        assert (other.discovery_hits, other.jwks_hits) == (0, 0), "nothing fetched elsewhere"
    finally:
        other.close()
    assert await stored_issuers(client, tenant) == []


async def test_an_unreachable_provider_is_refused_with_a_typed_error(client, tenant) -> None:
    result = await add(client, tenant, f"http://127.0.0.1:{closed_port()}")
    assert "not reachable" in refused(result)
    assert await stored_issuers(client, tenant) == []


@pytest.mark.parametrize(
    "issuer",
    [
        "https://user:pw@idp.example",
        "https://idp.example/?x=1",
        "https://idp.example/#f",
        "http://[::1",
        "http://[::1]]",
        "http://idp.example:x",
        "http://idp.example:99999",
        "https://" + "a" * 600,
    ],
)
async def test_issuers_that_are_no_plain_urls_are_invalid(public_only, tenant, issuer) -> None:
    assert "URL" in refused(await add(public_only, tenant, issuer))


KEY_STATUS = "{ identityProviders { issuer keyStatus { lastFetchAt ok error keyCount } } }"


async def key_status(http, tenant) -> dict | None:
    body = await gql(http, tenant.slug, KEY_STATUS, token=tenant.token("admin@x.example"))
    [provider] = data_of(body)["identityProviders"]
    return provider["keyStatus"]


async def test_each_provider_shows_its_last_key_fetch(settings, urls, keys, tenant, provider):
    """Added: the fetch went well. Down when a new key id needs a refresh: the failure and
    its reason show, with the keys still held. Up again: ok."""
    eager = dataclasses.replace(settings, oidc_jwks_refresh_seconds=0)
    async with serving(create_app(eager, app_url=urls.app, keys=keys)) as http:
        assert (await add(http, tenant, provider.issuer))["errors"] == []
        added = await key_status(http, tenant)
        assert (added["ok"], added["error"], added["keyCount"]) == (True, None, 1)

        provider.down = True
        provider.rotate()
        sign_in = {"Authorization": f"Bearer {provider.token(sub='someone')}"}
        refused = await http.post(
            f"/t/{tenant.slug}/graphql", json={"query": "{ __typename }"}, headers=sign_in
        )
        assert refused.status_code == 401
        failed = await key_status(http, tenant)
        assert (failed["ok"], failed["keyCount"]) == (False, 1)
        assert "answered HTTP 503" in failed["error"]
        assert failed["lastFetchAt"] > added["lastFetchAt"]

        provider.down = False
        await http.post(
            f"/t/{tenant.slug}/graphql", json={"query": "{ __typename }"}, headers=sign_in
        )
        recovered = await key_status(http, tenant)
        assert (recovered["ok"], recovered["error"], recovered["keyCount"]) == (True, None, 1)


async def test_a_process_that_has_not_fetched_the_keys_shows_no_status(
    settings, urls, keys, tenant, provider, client
) -> None:
    """The status is per process: another replica (here another app) has none until it
    fetches the keys itself."""
    assert (await add(client, tenant, provider.issuer))["errors"] == []
    async with serving(create_app(settings, app_url=urls.app, keys=keys)) as other:
        assert await key_status(other, tenant) is None

"""Key discovery and caching for external OpenID Connect providers, against a real HTTP server."""

from __future__ import annotations

import httpx
import pytest

from chapters.auth.oidc import JwksCache, ProviderConfig, verify_external_token
from chapters.auth.tokens import InvalidToken
from tests.oidc_provider import TestProvider


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=2) as client:
        yield client


def config(provider: TestProvider) -> ProviderConfig:
    return ProviderConfig(issuer=provider.issuer, audience="chapters", algorithms=("RS256",))


async def verify(token: str, provider: TestProvider, cache: JwksCache):
    return await verify_external_token(token, config(provider), cache, max_bytes=8192)


async def test_a_provider_token_is_verified_with_discovered_keys(provider, http) -> None:
    cache = JwksCache(http)
    identity = await verify(
        provider.token(sub="u-1", email="li@x.example", email_verified=True), provider, cache
    )
    assert (identity.subject, identity.email, identity.email_verified) == (
        "u-1",
        "li@x.example",
        True,
    )
    await verify(provider.token(sub="u-2"), provider, cache)
    assert provider.jwks_hits == 1, "known keys are served from the cache"


async def test_a_key_rotation_is_followed(provider, http) -> None:
    clock = Clock()
    cache = JwksCache(http, refresh_interval=60, clock=clock)
    await verify(provider.token(sub="u"), provider, cache)
    provider.rotate()
    clock.now += 61
    identity = await verify(provider.token(sub="after-rotation"), provider, cache)
    assert identity.subject == "after-rotation"
    assert provider.jwks_hits == 2


async def test_a_flood_of_unknown_kids_fetches_keys_at_most_once_per_interval(
    provider, http
) -> None:
    clock = Clock()
    cache = JwksCache(http, refresh_interval=60, clock=clock)
    await verify(provider.token(sub="u"), provider, cache)
    clock.now += 61
    stranger = TestProvider._new_key()
    for _ in range(200):
        with pytest.raises(InvalidToken, match="unknown kid"):
            await verify(provider.token(sub="u", key=stranger), provider, cache)
    assert provider.jwks_hits == 2, "one refresh for the whole flood"
    clock.now += 61
    with pytest.raises(InvalidToken):
        await verify(provider.token(sub="u", key=stranger), provider, cache)
    assert provider.jwks_hits == 3


async def test_cached_keys_keep_working_while_the_provider_is_down(provider, http) -> None:
    clock = Clock()
    cache = JwksCache(http, refresh_interval=60, max_stale=3600, clock=clock)
    await verify(provider.token(sub="u"), provider, cache)
    provider.down = True
    clock.now += 600
    assert (await verify(provider.token(sub="still-ok"), provider, cache)).subject == "still-ok"
    with pytest.raises(InvalidToken, match="unknown kid"):  # a new key cannot be learnt meanwhile
        await verify(provider.token(sub="u", key=TestProvider._new_key()), provider, cache)
    clock.now += 3600
    with pytest.raises(InvalidToken, match="unknown kid"):  # beyond max_stale, fail closed
        await verify(provider.token(sub="u"), provider, cache)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"audience": "someone-else"}, "aud"),
        ({"exp": 1}, "expired"),
        ({"sub": None}, "sub"),
        ({"iss": "http://127.0.0.1:1"}, "iss"),
        ({"sub": "a\x00b"}, "sub"),  # the database cannot look it up
    ],
)
async def test_provider_tokens_are_checked(provider, http, claims, reason) -> None:
    cache = JwksCache(http)
    token = provider.token(**({"sub": "u"} | claims))
    with pytest.raises(InvalidToken, match=reason):
        await verify(token, provider, cache)


async def test_keys_must_come_from_the_issuers_own_host(provider, http) -> None:
    """A discovery document pointing at another host is not followed."""
    other = TestProvider()
    try:
        provider.jwks_uri = other.issuer + "/keys"
        with pytest.raises(InvalidToken, match="unknown kid"):
            await verify(provider.token(sub="u"), provider, JwksCache(http))
        assert other.jwks_hits == 0
    finally:
        other.close()

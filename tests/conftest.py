"""Test fixtures: a uniquely named database per run, migrated with Alembic, dropped at the end.

The server is TEST_DATABASE_URL (a superuser URL, e.g. CI's 127.0.0.1:5432) or, when unset, the
embedded PostgreSQL that ``make run`` uses. Tests never skip for want of a server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chapters.app import create_app
from chapters.auth.keys import SigningKeys, load_or_create_signing_keys
from chapters.db.admin import DatabaseUrls, scratch_database, scratch_server_url
from chapters.db.session import create_engine
from chapters.settings import Settings, load_settings
from tests.support import TenantFactory, serving


@dataclasses.dataclass(frozen=True)
class DatabaseFixture:
    urls: DatabaseUrls
    name: str


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("keys") / "signing-key.json")


@pytest.fixture(scope="session")
def settings(key_file: str) -> Settings:
    from pathlib import Path

    return dataclasses.replace(
        load_settings(),
        jwt_private_key_file=Path(key_file),
        # The test identity providers are served on 127.0.0.1 (tests/oidc_provider.py).
        oidc_allow_private_networks=True,
        # Every test client calls from 127.0.0.1; tests/test_rate_limits.py checks the limit.
        token_failures_per_address=100_000,
    )


@pytest.fixture(scope="session")
def test_database(settings: Settings) -> Iterator[DatabaseFixture]:
    server = scratch_server_url(settings)
    with scratch_database(server, settings, "chapters_test", digits=12) as urls:
        yield DatabaseFixture(urls=urls, name=make_url(urls.admin).database)


@pytest.fixture(scope="session")
def urls(test_database: DatabaseFixture) -> DatabaseUrls:
    return test_database.urls


@pytest.fixture(scope="session")
async def owner_engine(urls: DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(urls.owner, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app_engine(urls: DatabaseUrls, settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(urls.app, settings)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def keys(settings: Settings) -> SigningKeys:
    return load_or_create_signing_keys(settings.jwt_private_key_file)


@pytest.fixture(scope="session")
def app(settings: Settings, urls: DatabaseUrls, keys: SigningKeys) -> Litestar:
    return create_app(settings, app_url=urls.app, keys=keys)


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(app) as http:
        yield http


@pytest.fixture(scope="session")
def tenants(owner_engine: AsyncEngine, keys: SigningKeys, settings: Settings) -> TenantFactory:
    return TenantFactory(owner_engine, keys, settings)

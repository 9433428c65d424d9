"""Test fixtures: a uniquely named database per run, migrated with Alembic, dropped at the end.

The server is TEST_DATABASE_URL (a superuser URL, e.g. CI's 127.0.0.1:5432) or, when unset, the
embedded PostgreSQL that ``make run`` uses. Tests never skip for want of a server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chapters import db
from chapters.app import create_app
from chapters.auth.keys import SigningKeys, load_or_create_signing_keys
from chapters.settings import Settings, load_settings
from tests.support import TenantFactory, serving


@dataclasses.dataclass(frozen=True)
class DatabaseFixture:
    urls: db.DatabaseUrls
    name: str


def _server_url(settings: Settings) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return db.start_embedded_postgres(settings.local_dir / "pgdata")


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
    name = f"chapters_test_{uuid.uuid4().hex[:12]}"
    admin = make_url(_server_url(settings)).set(database=name).render_as_string(hide_password=False)
    urls = db.resolve_urls(settings, admin_url=admin)
    asyncio.run(db.bootstrap_database(urls, settings))
    try:
        db.migrate(urls.owner, settings)
        yield DatabaseFixture(urls=urls, name=name)
    finally:
        asyncio.run(db.drop_database(urls.admin))


@pytest.fixture(scope="session")
def urls(test_database: DatabaseFixture) -> db.DatabaseUrls:
    return test_database.urls


@pytest.fixture(scope="session")
async def owner_engine(urls: db.DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(urls.owner, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app_engine(urls: db.DatabaseUrls, settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(urls.app, settings)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def keys(settings: Settings) -> SigningKeys:
    return load_or_create_signing_keys(settings.jwt_private_key_file)


@pytest.fixture(scope="session")
def app(settings: Settings, urls: db.DatabaseUrls, keys: SigningKeys) -> Litestar:
    return create_app(settings, app_url=urls.app, keys=keys)


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(app) as http:
        yield http


@pytest.fixture(scope="session")
def tenants(owner_engine: AsyncEngine, keys: SigningKeys, settings: Settings) -> TenantFactory:
    return TenantFactory(owner_engine, keys, settings)

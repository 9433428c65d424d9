"""Test fixtures: a uniquely named database per process, migrated with Alembic, dropped at the
end. The suite runs in parallel (pytest-xdist, ``-n`` in the pytest options): each worker makes
and drops its own database; ``-n 0`` runs it in this process alone.

The server is TEST_DATABASE_URL (a superuser URL, e.g. CI's 127.0.0.1:5432) or, when unset, the
embedded PostgreSQL that ``make run`` uses. With workers, the controller starts the embedded
server once, before any worker, and hands its URL to each (bootstrapping takes a server-wide
advisory lock: ``chapters.db.admin.bootstrap_database``). Tests never skip for want of a
server.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chapters.app import create_app
from chapters.auth.keys import SigningKeys, service_signing_keys
from chapters.db.admin import DatabaseUrls, scratch_database, scratch_server_url
from chapters.db.session import create_engine
from chapters.settings import Settings, load_settings
from tests.oidc_provider import TestProvider
from tests.support import TenantFactory, serving

pytest_plugins = ["tests.log_scan"]

SERVER_URL = "chapters_test_server_url"  # what the controller hands each worker


@functools.cache
def _shared_server_url() -> str:
    """TEST_DATABASE_URL, or the embedded server, started (once) in this process."""
    return scratch_server_url(load_settings())


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist, in the controller, before a worker starts: the server the worker is to
    make its database on. The embedded server is started here, so that the workers never
    start it on its data directory at once; it stops when the controller exits."""
    node.workerinput[SERVER_URL] = _shared_server_url()


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
        # Every test client calls from 127.0.0.1; tests/auth/test_rate_limits.py checks the limit.
        token_failures_per_address=100_000,
    )


@pytest.fixture(scope="session")
def test_database(request: pytest.FixtureRequest, settings: Settings) -> Iterator[DatabaseFixture]:
    """This process's database: ``chapters_test_<hex>``, or ``chapters_test_gw<n>_<hex>`` on
    worker n."""
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is None:
        server, prefix = scratch_server_url(settings), "chapters_test"
    else:
        server, prefix = workerinput[SERVER_URL], f"chapters_test_{workerinput['workerid']}"
    with scratch_database(server, settings, prefix, digits=12) as urls:
        yield DatabaseFixture(urls=urls, name=make_url(urls.admin).database)


@pytest.fixture(scope="session")
def cli_env(urls: DatabaseUrls, key_file: str) -> dict[str, str]:
    """The environment the command line runs in against the test database."""
    env = dict(os.environ)
    env.update(DATABASE_URL=urls.admin, CHAPTERS_JWT_PRIVATE_KEY_FILE=key_file)
    env.pop("DATABASE_APP_URL", None)
    env.pop("DATABASE_OWNER_URL", None)
    return env


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
    return service_signing_keys(settings)


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


@pytest.fixture
def provider() -> Iterator[TestProvider]:
    """An OpenID Connect provider on 127.0.0.1 (``tests/oidc_provider.py``)."""
    server = TestProvider()
    yield server
    server.close()

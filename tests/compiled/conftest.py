"""One seeded world for the compiled read path's tests: the authorization matrix's tenants
(``tests/seeding.py``: ``HOME`` and ``ABROAD``), its callers, and two apps on the same
database, one answering covered queries with the compiled statement, the other only with the
resolvers."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from chapters.app import create_app
from tests.seeding import Seeded, seed_world
from tests.support import serving, statements_sent

CALLERS = (
    "anonymous",
    "member_a",
    "co_lead_a",
    "lead_a",
    "lead_b",
    "ops",
    "viewer",
    "admin",
    "partner",
    "svc_narrow",
    "svc_broad",
)


@dataclass
class Answer:
    status: int
    text: str  # the body as sent: key order included
    statements: list[str]

    @property
    def body(self) -> Any:
        return json.loads(self.text)

    @property
    def compiled(self) -> bool:
        """Answered by the compiled statement: the request's last statement built the JSON."""
        reads = [s for s in self.statements if s.lstrip().upper().startswith("SELECT")]
        return bool(reads) and "json_build_object" in reads[-1]


@dataclass
class World:
    home: Seeded
    abroad: Seeded
    tokens: dict[str, str | None]
    compiled_client: httpx.AsyncClient
    resolver_client: httpx.AsyncClient
    compiled_app: Any
    seen: dict[str, int] = field(default_factory=dict)

    async def ask(
        self, client: httpx.AsyncClient, engine: Any, caller: str, query: str, variables: Any
    ) -> Answer:
        token = self.tokens[caller]
        with statements_sent(engine) as statements:
            response = await client.post(
                f"/t/{self.home.tenant.slug}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}"} if token else {},
            )
        return Answer(response.status_code, response.text, list(statements))

    async def both(self, caller: str, query: str, variables: Any) -> tuple[Answer, Answer]:
        """The same request through the compiled path and through the resolvers."""
        compiled = await self.ask(
            self.compiled_client,
            self.compiled_app.state.runtime.engine,
            caller,
            query,
            variables,
        )
        resolved = await self.ask(
            self.resolver_client,
            self.resolver_app.state.runtime.engine,
            caller,
            query,
            variables,
        )
        return compiled, resolved

    resolver_app: Any = None


@pytest.fixture(scope="package")
async def world(client, tenants, owner_engine, settings, urls, keys) -> AsyncIterator[World]:
    seeded = await seed_world(client, tenants, owner_engine)
    seeded_home, seeded_abroad, tokens = seeded.home, seeded.abroad, seeded.tokens
    assert set(tokens) == set(CALLERS)
    compiled_app = create_app(
        dataclasses.replace(settings, compiled_reads=True), app_url=urls.app, keys=keys
    )
    resolver_app = create_app(
        dataclasses.replace(settings, compiled_reads=False), app_url=urls.app, keys=keys
    )
    async with serving(compiled_app) as compiled_client, serving(resolver_app) as resolver_client:
        yield World(
            seeded_home,
            seeded_abroad,
            tokens,
            compiled_client,
            resolver_client,
            compiled_app,
            resolver_app=resolver_app,
        )

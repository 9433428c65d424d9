"""Helpers shared by tests: make tenants and people, mint tokens, call GraphQL over HTTP."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.auth.keys import SigningKeys
from chapters.auth.tokens import issue_access_token
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import Person, TenantRole
from chapters.people.admin import ensure_person
from chapters.settings import Settings
from chapters.tenants.admin import ensure_tenant


@dataclass
class TenantFixture:
    id: uuid.UUID
    slug: str
    people: dict[str, Person] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, email: str) -> str:
        return self.tokens[email]


class TenantFactory:
    """Creates uniquely named tenants with people, through the owner role as an operator would."""

    def __init__(self, owner_engine: AsyncEngine, keys: SigningKeys, settings: Settings) -> None:
        self.owner_engine = owner_engine
        self.keys = keys
        self.settings = settings

    async def create(
        self, prefix: str = "t", people: dict[str, TenantRole | None] | None = None
    ) -> TenantFixture:
        slug = f"{prefix}-{uuid.uuid4().hex[:10]}"
        tenant_id, _ = await ensure_tenant(self.owner_engine, slug=slug, name=f"Tenant {slug}")
        tenant = TenantFixture(id=tenant_id, slug=slug)
        people = people if people is not None else {"admin@x.example": TenantRole.ADMIN}
        sessionmaker = tenant_sessionmaker(self.owner_engine)
        async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
            for email, role in people.items():
                person = await ensure_person(
                    session, email=email, display_name=email.split("@")[0], tenant_role=role
                )
                tenant.people[email] = person
        for email, person in tenant.people.items():
            tenant.tokens[email] = issue_access_token(
                self.keys, self.settings, tenant_id=tenant_id, subject=str(person.id)
            )
        return tenant


async def gql(
    client: httpx.AsyncClient,
    tenant_slug: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    expect_status: int = 200,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        f"/t/{tenant_slug}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
    )
    assert response.status_code == expect_status, response.text
    return response.json()


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    assert not body.get("errors"), body.get("errors")
    return body["data"]


@asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan in a task of its own (its cancel scopes must enter and exit in
    one task) and yield an in-process HTTP client for it."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold_lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    holder = asyncio.create_task(hold_lifespan())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({holder, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if holder.done():
        waiter.cancel()
        holder.result()  # re-raise the startup failure
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            yield http
    finally:
        stop.set()
        await holder


async def staff_session_call(
    owner_engine: AsyncEngine, tenant: TenantFixture, staff_email: str, work
):
    """Run ``work(session, principal)`` as a staff person of the tenant, committed."""
    from chapters.people.service import load_principal

    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        principal = await load_principal(session, tenant.people[staff_email])
        return await work(session, principal)


async def make_chapter(
    owner_engine: AsyncEngine,
    tenant: TenantFixture,
    slug: str,
    *,
    staff: str,
    lead: str | None = None,
    co_leads: tuple[str, ...] = (),
    members: tuple[str, ...] = (),
    parent_id: uuid.UUID | None = None,
):
    """A chapter with the given people in their roles, created through the services."""
    from chapters.local_chapters.service import ChapterFields, create_chapter
    from chapters.memberships.service import appoint_lead, join
    from chapters.models import ChapterRole, ChapterStatus

    async def work(session, principal):
        chapter = await create_chapter(
            session,
            principal,
            ChapterFields(name=slug.title(), slug=slug, city=slug.title(), parent_id=parent_id),
            status=ChapterStatus.ACTIVE,
        )
        if lead:
            await appoint_lead(session, principal, chapter.id, tenant.people[lead].id)
        for email in co_leads:
            await join(
                session,
                principal,
                chapter.id,
                tenant.people[email].id,
                role=ChapterRole.CO_LEAD,
                invite=False,
            )
        for email in members:
            await join(session, principal, chapter.id, tenant.people[email].id, invite=False)
        return chapter

    return await staff_session_call(owner_engine, tenant, staff, work)

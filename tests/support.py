"""Helpers shared by tests: make tenants and people, mint tokens, call GraphQL over HTTP (``gql``,
``Api``, ``codes``), trust an identity provider, read the outbox, record the SQL a request
sends, and make scratch databases (bootstrapped one at a time across the pytest workers)."""

from __future__ import annotations

import asyncio
import gc
import io
import json
import logging
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy import Engine, event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.ids import global_id
from chapters.auth.keys import SigningKeys
from chapters.auth.tokens import issue_access_token
from chapters.db import read_pool
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import OutboxMessage, Person, TenantRole
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


def person_id(tenant: TenantFixture, email: str) -> str:
    """The global id of one of the tenant's people."""
    return global_id("Person", tenant.people[email].id)


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    """A mutation payload's errors as (field, code) pairs, in order."""
    return [(error["field"], error["code"]) for error in payload["errors"]]


def code_set(payload: dict[str, Any]) -> set[tuple[str | None, str]]:
    """A mutation payload's errors as a set of (field, code) pairs."""
    return set(codes(payload))


class Api:
    """One caller of one tenant's endpoint (``email`` None: an anonymous caller). Test modules
    subclass it with shortcuts for their own queries."""

    def __init__(self, client: httpx.AsyncClient, tenant: TenantFixture, email: str | None) -> None:
        self.client, self.tenant = client, tenant
        self.token = tenant.token(email) if email else None

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return await gql(self.client, self.tenant.slug, query, variables, token=self.token)

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return data_of(await self.raw(query, variables))

    async def mutate(self, query: str, **input: Any) -> dict[str, Any]:
        """The payload of a one-field mutation taking ``input``."""
        (payload,) = (await self.data(query, {"input": input})).values()
        return payload


ADD_PROVIDER = """mutation ($input: IdentityProviderAddInput!) { identityProviderAdd(input: $input) {
  provider { id } errors { field code message } } }"""


async def trust_provider(
    client: httpx.AsyncClient,
    tenant: TenantFixture,
    provider: Any,
    *,
    caller: str = "admin@x.example",
    **input: Any,
) -> str:
    """Add ``provider`` (a ``tests.oidc_provider.TestProvider``) as an identity provider of
    the tenant, audience ``chapters``, as ``caller``; its global id."""
    body = await gql(
        client,
        tenant.slug,
        ADD_PROVIDER,
        {"input": {"issuer": provider.issuer, "audience": "chapters", **input}},
        token=tenant.token(caller),
    )
    payload = data_of(body)["identityProviderAdd"]
    assert payload["errors"] == [], payload["errors"]
    return payload["provider"]["id"]


async def outbox(owner_engine: AsyncEngine, tenant: TenantFixture) -> list[OutboxMessage]:
    """The messages the tenant's outbox holds, oldest first (read as the owner role: the app
    role may not read them)."""
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        query = select(OutboxMessage).order_by(OutboxMessage.created_at)
        return list(await session.scalars(query))


@contextmanager
def no_garbage_collection() -> Iterator[None]:
    """For timing a request by the CPU this process spends: a full collection of the test
    process's heap (large late in the suite) is not the request's cost, so collect first,
    then time without collections."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def statements_sent(engine: AsyncEngine | Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends while the block runs, and those of the compiled
    reads' front door, which reads on a pool of its own (``db.read_pool``; values are bound
    parameters, not in the text)."""
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(sync_engine, "before_cursor_execute", record)
    read_pool.STATEMENT_LISTENERS.append(statements.append)
    try:
        yield statements
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
        read_pool.STATEMENT_LISTENERS.remove(statements.append)


async def load_until_every_worker_answers(
    ask: Callable[[], Awaitable[int]],
    serving: Callable[[], Awaitable[int]],
    *,
    workers: int,
    batch: int,
    seconds: float = 120,
) -> int:
    """Send ``batch`` requests (``ask``, answering its status) at once, again and again, until
    ``serving`` counts ``workers`` processes that answered (or ``seconds`` passed): a worker
    still starting takes none of the first requests, and how long it starts depends on how
    busy the machine is. How many requests were sent."""
    sent, deadline = 0, time.monotonic() + seconds
    while True:
        statuses = await asyncio.gather(*(ask() for _ in range(batch)))
        sent += len(statuses)
        assert set(statuses) == {200}, statuses
        if await serving() >= workers or time.monotonic() > deadline:
            return sent
        await asyncio.sleep(0.2)


@contextmanager
def logged_lines() -> Iterator[list[dict[str, Any]]]:
    """The log lines written while the block runs, as the service renders them (the JSON of
    ``configure_logging``, which the suite's log scan installed), parsed."""
    rendering = next(h for h in logging.getLogger().handlers if h.get_name() == "chapters")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(rendering.formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


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


async def make_editor(
    owner_engine: AsyncEngine, tenant: TenantFixture, email: str, *, staff: str
) -> None:
    """Appoint the person a content editor, through the service, as a staff person."""
    from chapters.editors.service import appoint

    async def work(session, principal):
        await appoint(session, principal, tenant.people[email].id)

    await staff_session_call(owner_engine, tenant, staff, work)


def run_cli(
    env: dict[str, str], *args: str, text: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """``chapters ARGS`` in a child process, as a user runs it (``cli_env``: its settings)."""
    return subprocess.run(
        [sys.executable, "-m", "chapters.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=text,
        timeout=120,
    )


async def make_activity(
    owner_engine: AsyncEngine,
    tenant: TenantFixture,
    chapter_id: uuid.UUID,
    *,
    staff: str,
    title: str = "Meetup",
    starts_at: datetime | None = None,
    hours: int = 2,
    accept: bool = True,
    **fields: Any,
):
    """An activity of the chapter, created and (``accept``) submitted and accepted through
    the services as ``staff``; ``fields`` are more ``ActivityFields`` (kind defaults to an
    offline meetup, the start to a week from now)."""
    from chapters.activities import lifecycle
    from chapters.activities.service import ActivityFields, create_activity
    from chapters.models import ActivityKind

    start = starts_at or datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    values: dict[str, Any] = {
        "kind": ActivityKind.OFFLINE_MEETUP,
        "timezone": "Asia/Shanghai",
        "venue": "West Lake Library",
        "ends_at": start + timedelta(hours=hours),
        **fields,
    }

    async def work(session, principal):
        activity = await create_activity(
            session,
            principal,
            ActivityFields(chapter_id=chapter_id, title=title, starts_at=start, **values),
        )
        if accept:
            await lifecycle.submit(session, principal, activity.id)
            await lifecycle.review(session, principal, activity.id, lifecycle.Step.ACCEPT)
        return activity

    return await staff_session_call(owner_engine, tenant, staff, work)

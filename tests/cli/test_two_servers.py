"""Two ``chapters serve`` processes behind one address, as a load balancer sees them: they
share one database and one Redis, and nothing one of them keeps in memory makes it answer
differently from the other. A token issued by one is accepted by the other, failed sign-ins
on both count against one limit, a change made through one is read at once through the
other (on the Strawberry path and on the compiled reads' front door), and a cursor issued
by one pages on the other.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from graphql import parse
from redis.asyncio import Redis
from redis.exceptions import RedisError

from chapters import compiled
from chapters.api.ids import global_id
from chapters.api.schema import schema
from chapters.models import TenantRole
from tests.cli.test_serve import started_server
from tests.support import data_of, make_chapter

ADMIN = "admin@x.example"
MEMBER = "member@x.example"
REDIS = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
FAILURES_PER_CLIENT = 3

CREATE_CLIENT = """mutation ($input: ApiClientCreateInput!) { apiClientCreate(input: $input) {
  client { clientId } clientSecret errors { code } } }"""
RENAME = """mutation ($input: ChapterUpdateInput!) {
  chapterUpdate(input: $input) { chapter { name } errors { code } } }"""
SET_ROLE = """mutation ($input: PersonUpdateInput!) {
  personUpdate(input: $input) { person { id } errors { code } } }"""
CHAPTER_NAME = "query ($id: ID!) { node(id: $id) { ... on Chapter { name } } }"
VIEWER_ROLE = "{ viewer { tenantRole } }"
PAGE = """query ($after: String) { chapters(first: 1, after: $after) {
  edges { node { slug } } pageInfo { endCursor } } }"""


@asynccontextmanager
async def _server(env: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """One ``chapters serve --workers 1`` on a port of its own, and a client of it."""
    server, base = await started_server(env, workers=1)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            yield http
    finally:
        if server.returncode is None:
            server.terminate()
            try:
                await asyncio.wait_for(server.wait(), timeout=30)
            except TimeoutError:
                server.kill()
                await server.wait()


async def _redis_answers() -> None:
    redis = Redis.from_url(REDIS, socket_connect_timeout=2)
    try:
        await redis.ping()
    except (RedisError, OSError) as error:
        raise AssertionError(f"no Redis at {REDIS} (set TEST_REDIS_URL): {error}") from None
    finally:
        await redis.aclose()


async def _gql(
    http: httpx.AsyncClient, slug: str, query: str, token: str, variables: Any = None
) -> dict[str, Any]:
    response = await http.post(
        f"/t/{slug}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return data_of(response.json())


async def _twice(http: httpx.AsyncClient, slug: str, query: str, token: str, variables=None):
    """The answer of the Strawberry path and then of the compiled front door (the document is
    known to the process after its first answer); all must agree."""
    assert compiled.plan_for(schema._schema, query, parse(query), None), "not a compiled read"
    answers = [await _gql(http, slug, query, token, variables) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2], answers
    return answers[0]


async def _client_token(http: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    return await http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )


async def test_two_servers_behind_one_balancer_answer_alike(cli_env, tenants, owner_engine):
    await _redis_answers()
    tenant = await tenants.create(people={ADMIN: TenantRole.ADMIN, MEMBER: TenantRole.VIEWER})
    first_chapter = await make_chapter(owner_engine, tenant, "alpha", staff=ADMIN)
    await make_chapter(owner_engine, tenant, "beta", staff=ADMIN)
    env = {
        **cli_env,
        "REDIS_URL": REDIS,
        "CHAPTERS_TOKEN_FAILURES_PER_CLIENT": str(FAILURES_PER_CLIENT),
        "DATABASE_POOL_SIZE": "2",
    }
    admin, member, slug = tenant.token(ADMIN), tenant.token(MEMBER), tenant.slug
    async with _server(env) as one, _server(env) as other:
        # (1) One signing key: a client's token from one server is accepted by the other.
        created = (
            await _gql(
                one,
                slug,
                CREATE_CLIENT,
                admin,
                {"input": {"name": "Sync", "kind": "SERVICE", "scopes": ["activities:read"]}},
            )
        )["apiClientCreate"]
        client_id, secret = created["client"]["clientId"], created["clientSecret"]
        issued = await _client_token(one, client_id, secret)
        assert issued.status_code == 200, issued.text
        client_token = issued.json()["access_token"]
        assert (await _gql(other, slug, "{ tenant { slug } }", client_token)) == {
            "tenant": {"slug": slug}
        }

        # (2) One limit: failures through the first server lock the client on the second.
        for _ in range(FAILURES_PER_CLIENT):
            assert (await _client_token(one, client_id, "wrong")).status_code == 401
        locked = await _client_token(other, client_id, secret)
        assert locked.status_code == 429, locked.text
        assert int(locked.headers["retry-after"]) > 0

        # (3) No stale copy in either process: each has read (and cached) the old state...
        chapter = {"id": global_id("Chapter", first_chapter.id)}
        member_id = global_id("Person", tenant.people[MEMBER].id)
        for http in (one, other):
            assert (await _twice(http, slug, CHAPTER_NAME, member, chapter)) == {
                "node": {"name": "Alpha"}
            }
            assert (await _twice(http, slug, VIEWER_ROLE, member)) == {
                "viewer": {"tenantRole": "VIEWER"}
            }
        # ...a change through the first is read at once through the second, on both paths.
        renamed = await _gql(one, slug, RENAME, admin, {"input": {**chapter, "name": "Alpha City"}})
        assert renamed["chapterUpdate"] == {"chapter": {"name": "Alpha City"}, "errors": []}
        promoted = await _gql(
            one, slug, SET_ROLE, admin, {"input": {"id": member_id, "tenantRole": "OPS"}}
        )
        assert promoted["personUpdate"]["errors"] == []
        assert (await _twice(other, slug, CHAPTER_NAME, member, chapter)) == {
            "node": {"name": "Alpha City"}
        }
        assert (await _twice(other, slug, VIEWER_ROLE, member)) == {"viewer": {"tenantRole": "OPS"}}

        # (4) Cursors are signed with a key every server derives alike.
        page = (await _gql(one, slug, PAGE, member))["chapters"]
        assert [e["node"]["slug"] for e in page["edges"]] == ["alpha"]
        after = {"after": page["pageInfo"]["endCursor"]}
        following = (await _twice(other, slug, PAGE, member, after))["chapters"]
        assert [e["node"]["slug"] for e in following["edges"]] == ["beta"]

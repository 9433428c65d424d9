"""``node(id:)`` and ``nodes(ids:)`` answer null for every id that names nothing: a type without
a node resolver, an unknown type, text that is not base64 or not ``Type:id``, an id that is not
a UUID. Never an error, never INTERNAL; a good id beside them still resolves."""

from __future__ import annotations

import base64
import uuid

import pytest

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests.support import data_of, gql, make_chapter

STAFF = "ops@x.example"
GHOST = str(uuid.UUID(int=9))
NODE = "query ($id: ID!) { node(id: $id) { id } }"
NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"


def _b64(text: bytes) -> str:
    return base64.b64encode(text).decode()


NAMING_NOTHING = {
    "type without nodes": _b64(f"IdentityProvider:{GHOST}".encode()),
    "another type without nodes": _b64(f"ApiClient:{GHOST}".encode()),
    "a type of the API's plumbing": _b64(f"PageInfo:{GHOST}".encode()),
    "unknown type": _b64(f"NoSuchType:{GHOST}".encode()),
    "no type": _b64(f":{GHOST}".encode()),
    "no colon": _b64(GHOST.encode()),
    "not a uuid": _b64(b"Chapter:not-a-uuid"),
    "empty node id": _b64(b"Chapter:"),
    "not utf-8": _b64(b"Chapter:\xff\xfe"),
    "not base64": "!!!not base64!!!",
    "truncated base64": _b64(f"Chapter:{GHOST}".encode())[:-3],
    "plain text": f"Chapter:{GHOST}",
    "empty": "",
    "non-ascii": "\u00e9t\u00e9",
}


@pytest.fixture(scope="module")
async def world(tenants, owner_engine):
    tenant = await tenants.create(people={STAFF: TenantRole.OPS})
    chapter = await make_chapter(owner_engine, tenant, "here", staff=STAFF)
    return tenant, global_id("Chapter", chapter.id)


@pytest.mark.parametrize("raw_id", NAMING_NOTHING.values(), ids=NAMING_NOTHING.keys())
async def test_node_of_an_id_naming_nothing_is_null(client, world, raw_id) -> None:
    tenant, _ = world
    body = await gql(client, tenant.slug, NODE, {"id": raw_id}, token=tenant.token(STAFF))
    assert data_of(body) == {"node": None}


async def test_nodes_answers_null_in_place_of_each_id_naming_nothing(client, world) -> None:
    tenant, chapter = world
    ids = [chapter, *NAMING_NOTHING.values(), chapter]
    body = await gql(client, tenant.slug, NODES, {"ids": ids}, token=tenant.token(STAFF))
    expected = [{"id": chapter}, *[None] * len(NAMING_NOTHING), {"id": chapter}]
    assert data_of(body) == {"nodes": expected}


async def test_node_still_resolves_a_good_id(client, world) -> None:
    tenant, chapter = world
    body = await gql(client, tenant.slug, NODE, {"id": chapter}, token=tenant.token(STAFF))
    assert data_of(body) == {"node": {"id": chapter}}

"""Cursors are signed by the service: a cursor it issued pages on (also after a restart, or on
another replica sharing the signing key); a tampered or hand-made cursor, one of another list,
or one signed with another key is a typed INVALID error on ``after``/``before``, never INTERNAL.
Checked on a top-level connection and on a nested per-parent one."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from chapters.app import create_app
from chapters.db import pagination
from chapters.models import Chapter, TenantRole
from tests.support import data_of, gql, make_chapter, serving

STAFF = "ops@x.example"
CHAPTERS = "query ($after: String, $before: String) { chapters(first: 1, after: $after,"
CHAPTERS += " before: $before) { edges { node { slug } } pageInfo { endCursor } } }"
ROSTER = """query ($after: String) { chapter(slug: "one") { members(first: 1, after: $after) {
  edges { node { person { displayName } } } pageInfo { endCursor } } } }"""
PEOPLE = "{ people(first: 1) { pageInfo { endCursor } } }"


@pytest.fixture(scope="module")
async def world(client, tenants, owner_engine):
    people = {STAFF: TenantRole.OPS, "a@x.example": None, "b@x.example": None}
    tenant = await tenants.create(people=people)
    for slug in ("one", "two", "three"):
        members = ("a@x.example", "b@x.example") if slug == "one" else ()
        await make_chapter(owner_engine, tenant, slug, staff=STAFF, members=members)
    return tenant


async def _ask(client, tenant, query: str, **variables) -> dict:
    return await gql(client, tenant.slug, query, variables, token=tenant.token(STAFF))


def _end_cursor(body: dict, *path: str) -> str:
    data = data_of(body)
    for step in path:
        data = data[step]
    return data["pageInfo"]["endCursor"]


def _refused(body: dict, field: str) -> str:
    """The message of the one typed INVALID error on ``field``."""
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INVALID", "field": field}, error
    return error["message"]


def _tampered(cursor: str) -> str:
    payload, mac = cursor.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["v"][0] = "zzz"  # later in the order than any real name
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    return f"{forged}.{mac}"


def _hand_made(values: list) -> str:
    """A cursor in the unsigned form the service once issued, with chosen values."""
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


HAND_MADE = [
    _hand_made([["v", "a"], ["u", str(uuid.UUID(int=1))]]),
    _hand_made([["v", 10**40], ["u", str(uuid.UUID(int=1))]]),
    _hand_made([["t", "2026-01-01T00:00:00"], ["v", 5]]),
    "",
    "not a cursor",
    "\u00e9t\u00e9.\u00e9t\u00e9",
    "x" * 5000,
]


async def test_a_cursor_pages_on(client, world) -> None:
    first = await _ask(client, world, CHAPTERS)
    second = await _ask(client, world, CHAPTERS, after=_end_cursor(first, "chapters"))
    slugs = [data_of(b)["chapters"]["edges"][0]["node"]["slug"] for b in (first, second)]
    assert slugs == ["one", "three"]  # by name: One, Three, Two


async def test_cursors_stay_valid_across_a_restart_with_the_same_key(
    client, world, settings, urls, keys
) -> None:
    cursor = _end_cursor(await _ask(client, world, CHAPTERS), "chapters")
    async with serving(create_app(settings, app_url=urls.app, keys=keys)) as other_replica:
        body = await _ask(other_replica, world, CHAPTERS, after=cursor)
    assert data_of(body)["chapters"]["edges"][0]["node"]["slug"] == "three"


@pytest.mark.parametrize("argument", ["after", "before"])
@pytest.mark.parametrize("cursor", HAND_MADE, ids=range(len(HAND_MADE)))
async def test_a_hand_made_cursor_is_invalid(client, world, argument, cursor) -> None:
    body = await _ask(client, world, CHAPTERS, **{argument: cursor})
    assert _refused(body, argument) == "Not a valid cursor"


async def test_a_tampered_cursor_is_invalid(client, world) -> None:
    cursor = _end_cursor(await _ask(client, world, CHAPTERS), "chapters")
    body = await _ask(client, world, CHAPTERS, after=_tampered(cursor))
    assert _refused(body, "after") == "Not a valid cursor"


async def test_a_cursor_of_another_list_is_invalid(client, world) -> None:
    people_cursor = _end_cursor(await _ask(client, world, PEOPLE), "people")
    body = await _ask(client, world, CHAPTERS, after=people_cursor)
    assert _refused(body, "after") == "Cursor of another list"
    body = await _ask(client, world, ROSTER, after=people_cursor)
    assert _refused(body, "after") == "Cursor of another list"


async def test_a_cursor_signed_with_another_key_is_invalid(client, world, keys) -> None:
    pagination.set_cursor_secret(b"another deployment's key")
    try:
        foreign = pagination.encode_cursor(["One", uuid.uuid4()], (Chapter.name, Chapter.id))
    finally:
        pagination.set_cursor_secret(keys.signing_key.as_dict(private=True)["d"].encode())
    body = await _ask(client, world, CHAPTERS, after=foreign)
    assert _refused(body, "after") == "Not a valid cursor"


async def test_nested_lists_check_their_cursors_too(client, world) -> None:
    first = await _ask(client, world, ROSTER)
    cursor = _end_cursor(first, "chapter", "members")
    second = await _ask(client, world, ROSTER, after=cursor)
    names = [
        data_of(b)["chapter"]["members"]["edges"][0]["node"]["person"]["displayName"]
        for b in (first, second)
    ]
    assert sorted(names) == ["a", "b"]
    for bad in [_tampered(cursor), *HAND_MADE[:3]]:
        body = await _ask(client, world, ROSTER, after=bad)
        assert _refused(body, "after") == "Not a valid cursor"
        assert body["errors"][0]["path"] == ["chapter", "members"]

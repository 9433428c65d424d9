"""The permission table's probes for ambassador nominations and terms
(``tests/authz/test_permissions.py``): each on member2, a member of chapter alpha, in a fresh
program made by ops, so every persona's attempt starts from the same state."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from chapters.api.ids import global_id
from tests.support import gql

OPS, MEMBER2 = "ops@x.example", "member2@x.example"
DENIED = {"FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"}
NOMINATE = """mutation ($input: AmbassadorNominateInput!) { ambassadorNominate(input: $input) {
  nomination { id } errors { code } } }"""


def _denied(body: dict[str, Any]) -> bool:
    found = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
    for value in (body.get("data") or {}).values():
        if isinstance(value, dict):
            found |= {e["code"] for e in value.get("errors") or []}
    return bool(found & DENIED)


async def _as(client, world, token: str | None, query: str, variables: dict) -> dict[str, Any]:
    return await gql(client, world.tenant.slug, query, variables, token=token)


async def _program(client, world) -> str:
    body = await _as(
        client,
        world,
        world.tenant.token(OPS),
        "mutation ($name: String!) { ambassadorProgramCreate(input: {name: $name,"
        " termMonths: 12}) { program { id } } }",
        {"name": f"Probe {uuid.uuid4().hex[:8]}"},
    )
    return str(body["data"]["ambassadorProgramCreate"]["program"]["id"])


def _nomination(program: str, world) -> dict[str, Any]:
    return {
        "input": {
            "programId": program,
            "personId": world.id_of(MEMBER2),
            "statement": "Runs alpha's meetups",
            "chapterId": global_id("Chapter", world.alpha.id),
        }
    }


async def _nominated(client, world) -> str:
    program = await _program(client, world)
    body = await _as(client, world, world.tenant.token(OPS), NOMINATE, _nomination(program, world))
    return str(body["data"]["ambassadorNominate"]["nomination"]["id"])


async def nominates(client, world, persona: str) -> bool:
    program = await _program(client, world)
    body = await _as(client, world, world.token(persona), NOMINATE, _nomination(program, world))
    return not _denied(body)


async def _node_seen(client, world, persona: str, node_id: str) -> bool:
    body = await _as(
        client,
        world,
        world.token(persona),
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": node_id},
    )
    return not _denied(body) and (body.get("data") or {}).get("node") is not None


async def reads_nomination(client, world, persona: str) -> bool:
    return await _node_seen(client, world, persona, await _nominated(client, world))


async def reads_term(client, world, persona: str) -> bool:
    nomination = await _nominated(client, world)
    body = await _as(
        client,
        world,
        world.tenant.token(OPS),
        "mutation ($input: AmbassadorNominationAcceptInput!) { ambassadorNominationAccept("
        "input: $input) { term { id } } }",
        {"input": {"id": nomination, "startsOn": datetime.now(UTC).date().isoformat()}},
    )
    term = body["data"]["ambassadorNominationAccept"]["term"]["id"]
    return await _node_seen(client, world, persona, term)

"""The permission table's probe for verifying a certificate (``tests/authz/test_permissions.py``):
ops award member2 a title and issue its certificate; the persona then opens its verification
page and its PDF by the public id (granted: both answer 200)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support import gql

OPS, MEMBER2 = "ops@x.example", "member2@x.example"
TITLE = """mutation ($name: String!) { recognitionTitleCreate(input: {name: $name}) {
  title { id } } }"""
GRANT = """mutation ($input: AwardGrantInput!) { awardGrant(input: $input) { award { id } } }"""
ISSUE = """mutation ($award: ID!) { certificateIssue(input: {awardId: $award}) {
  certificate { publicId } } }"""


async def _as_ops(client, world, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = await gql(client, world.tenant.slug, query, variables, token=world.tenant.token(OPS))
    (value,) = body["data"].values()
    return value


async def verifies(client, world, persona: str) -> bool:
    title = await _as_ops(client, world, TITLE, {"name": f"Probe {uuid.uuid4().hex[:8]}"})
    award = await _as_ops(
        client,
        world,
        GRANT,
        {
            "input": {
                "titleId": title["title"]["id"],
                "personId": world.id_of(MEMBER2),
                "startsOn": "2026-03-01",
                "endsOn": "2026-03-31",
            }
        },
    )
    issued = await _as_ops(client, world, ISSUE, {"award": award["award"]["id"]})
    public_id = issued["certificate"]["publicId"]
    token = world.token(persona)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    page = await client.get(f"/verify/{public_id}", headers=headers)
    pdf = await client.get(f"/t/{world.tenant.slug}/certificates/{public_id}.pdf", headers=headers)
    return page.status_code == 200 and pdf.status_code == 200

"""No N+1: nested queries cost the same number of SQL statements for 5 and for 50 chapters."""

from __future__ import annotations

from chapters.models import TenantRole
from tests.support import gql, make_chapter, statements_sent

CHAPTER_FIELDS = """
  name parent { name } children(first: 5) { edges { node { name } } }
  statusHistory { toStatus changedBy { displayName } }
  members(first: 10) { edges { node { role joinedAt person { displayName email } chapter { slug } } } }
"""
HISTORY_FIELDS = (
    "membershipHistory(first: 5) { totalCount edges { node { role person { displayName } } } }"
)


def nested(fields: str) -> str:
    return "{ chapters(first: 100) { edges { node { " + fields + " } } } }"


async def _statements_for(client, app, tenants, owner_engine, chapters: int, viewer: str) -> int:
    people = {"ops@x.example": TenantRole.OPS, "viewer@x.example": TenantRole.VIEWER}
    for index in range(chapters):
        people.update({f"lead{index}@x.example": None, f"m{index}@x.example": None})
    tenant = await tenants.create(people=people)
    # The lead of the first chapter is also a plain member of every other one.
    for index in range(chapters):
        members = (f"m{index}@x.example",) + (("lead0@x.example",) if index else ())
        await make_chapter(
            owner_engine,
            tenant,
            f"c{index:03d}",
            staff="ops@x.example",
            lead=f"lead{index}@x.example",
            members=members,
        )
    with statements_sent(app.state.runtime.engine) as statements:
        fields = CHAPTER_FIELDS + (HISTORY_FIELDS if viewer == "ops@x.example" else "")
        body = await gql(client, tenant.slug, nested(fields), token=tenant.token(viewer))
    assert body.get("errors") in (None, [])
    edges = body["data"]["chapters"]["edges"]
    assert len(edges) == chapters
    assert [len(edge["node"]["members"]["edges"]) for edge in edges] == [2] + [3] * (chapters - 1)
    return len(statements)


async def test_nested_chapter_queries_cost_a_constant_number_of_statements(
    client, app, tenants, owner_engine
) -> None:
    few = await _statements_for(client, app, tenants, owner_engine, 5, "ops@x.example")
    many = await _statements_for(client, app, tenants, owner_engine, 50, "ops@x.example")
    assert few == many, (few, many)
    assert many <= 14


async def test_the_email_policy_costs_a_constant_number_of_statements(
    client, app, tenants, owner_engine
) -> None:
    """A lead's view decides email visibility per person through one batched query."""
    few = await _statements_for(client, app, tenants, owner_engine, 5, "lead0@x.example")
    many = await _statements_for(client, app, tenants, owner_engine, 50, "lead0@x.example")
    assert few == many, (few, many)

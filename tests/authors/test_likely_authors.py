"""Likely authors, computed on a hand-built world: the people who spoke at, organised or
hosted accepted activities on a topic and have written nothing yet, the most such activities
first; a speaker who has written, a guest, the speakers of cancelled or draft activities and
external speakers are left out; leads see their chapter's members only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chapters.activities import lifecycle
from chapters.activities.service import ParticipantEntry
from chapters.models import ActivityKind, ParticipantRole, TenantRole
from tests.authors.authors_support import (
    BETA,
    EDITOR,
    LEAD,
    LIKELY,
    MEMBER,
    OPS,
    Api,
    article_by,
    person,
)
from tests.support import make_activity, make_chapter, make_editor, staff_session_call

SPEAKER = "speaker@x.example"  # spoke twice on observability, wrote nothing
WROTE = "wrote@x.example"  # organised an observability meetup, has an article in the works
CANCELLED = "cancelled@x.example"  # was to speak at a cancelled activity
DRAFTED = "drafted@x.example"  # speaks at an activity still a draft
PEOPLE = {
    OPS: TenantRole.OPS,
    EDITOR: None,
    LEAD: None,
    MEMBER: None,
    BETA: None,
    SPEAKER: None,
    WROTE: None,
    CANCELLED: None,
    DRAFTED: None,
}
NOW = datetime.now(UTC).replace(microsecond=0)
SPEAKS, ORGANISES, HOSTS, ATTENDS = (
    ParticipantRole.SPEAKER,
    ParticipantRole.ORGANIZER,
    ParticipantRole.HOST,
    ParticipantRole.GUEST,
)


async def _world(client, tenants, owner_engine):
    tenant = await tenants.create(people=PEOPLE)
    members = (MEMBER, SPEAKER, WROTE, CANCELLED, DRAFTED)
    alpha = await make_chapter(owner_engine, tenant, "alpha", staff=OPS, lead=LEAD, members=members)
    beta = await make_chapter(owner_engine, tenant, "beta", staff=OPS, members=(BETA,))
    await make_editor(owner_engine, tenant, EDITOR, staff=OPS)

    async def activity(chapter, title: str, days: int, *people, accept=True, **fields):
        entries = [
            ParticipantEntry(role=role, person_id=tenant.people[email].id, topic=topic)
            for role, email, topic in people
        ]
        return await make_activity(
            owner_engine,
            tenant,
            chapter.id,
            staff=OPS,
            title=title,
            starts_at=NOW + timedelta(days=days),
            accept=accept,
            participants=entries,
            **fields,
        )

    await activity(
        alpha,
        "Observability at scale",
        -20,
        (SPEAKS, SPEAKER, "Tracing in practice"),
        kind=ActivityKind.TALK,
    )
    await activity(
        alpha,
        "Monthly meetup",
        -5,
        (ORGANISES, WROTE, None),
        (HOSTS, SPEAKER, None),
        (ATTENDS, MEMBER, None),
        tags=["Observability"],
    )
    await activity(alpha, "Kubernetes day", -2, (ATTENDS, MEMBER, "observability for all"))
    cancelled = await activity(alpha, "Observability deep dive", 4, (SPEAKS, CANCELLED, None))

    async def cancel(session, principal):
        await lifecycle.cancel(session, principal, cancelled.id, "Venue lost")

    await staff_session_call(owner_engine, tenant, OPS, cancel)
    await activity(alpha, "Observability draft", 9, (SPEAKS, DRAFTED, None), accept=False)
    await activity(beta, "Rust for services", 12, (SPEAKS, BETA, "Rust"))
    external = ParticipantEntry(role=SPEAKS, external_name="Guest Star", topic="observability")
    await make_activity(
        owner_engine,
        tenant,
        alpha.id,
        staff=OPS,
        title="Observability panel",
        participants=[external],
    )

    editor = Api(client, tenant, EDITOR)
    wrote = await editor.author(personId=person(tenant, WROTE), origin="WROTE")
    await article_by(owner_engine, tenant, wrote["id"], "Our meetup's dashboards")
    invited = await editor.author(personId=person(tenant, SPEAKER), origin="INVITED")
    return tenant, editor, invited


async def test_likely_authors_on_a_topic(client, tenants, owner_engine) -> None:
    tenant, editor, invited = await _world(client, tenants, owner_engine)

    (speaker,) = await editor.likely("OBSERVABILITY")
    assert speaker["person"]["id"] == person(tenant, SPEAKER)
    assert speaker["activityCount"] == 2
    assert speaker["latestActivity"] == {"title": "Monthly meetup"}
    assert speaker["author"] == {"id": invited["id"], "origin": "INVITED"}

    # the participant's own topic counts too; no topic: any accepted activity
    assert [n["person"]["id"] for n in await editor.likely("tracing")] == [person(tenant, SPEAKER)]
    anything = await editor.likely()
    assert [(n["person"]["id"], n["activityCount"]) for n in anything] == [
        (person(tenant, SPEAKER), 2),
        (person(tenant, BETA), 1),
    ]
    assert anything[1]["author"] is None
    assert await editor.likely("gardening") == []

    # pages by keyset cursors
    first = await editor.data(
        "{ likelyAuthors(first: 1) { edges { cursor node { activityCount } } "
        "pageInfo { hasNextPage } } }"
    )
    assert first["likelyAuthors"]["pageInfo"]["hasNextPage"] is True
    cursor = first["likelyAuthors"]["edges"][0]["cursor"]
    rest = await editor.data(
        "query ($after: String) { likelyAuthors(first: 5, after: $after) {"
        " edges { node { person { id } } } } }",
        {"after": cursor},
    )
    assert [e["node"]["person"]["id"] for e in rest["likelyAuthors"]["edges"]] == [
        person(tenant, BETA)
    ]

    # the lead of alpha sees alpha's members only; members see nothing
    lead = Api(client, tenant, LEAD)
    assert [n["person"]["id"] for n in await lead.likely()] == [person(tenant, SPEAKER)]
    refused = await Api(client, tenant, MEMBER).raw(LIKELY, {"topic": None})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = await editor.raw(LIKELY, {"topic": "x" * 201})
    assert bad["errors"][0]["extensions"]["code"] == "INVALID"

"""Working on an activity together, through the GraphQL endpoint: the leads of co-hosting
chapters follow it at every status, comment and help with the recap (the owning chapter still
edits and submits); what submitting still needs, before the button; participants added and
removed one at a time; and the speakers a public event page shows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from strawberry import relay

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests.activities.test_activities import (
    CANCEL,
    COMMENT,
    CREATE,
    ERRORS,
    RECAP,
    REVIEW,
    SUBMIT,
    UPDATE,
    Api,
    days_from_now,
)
from tests.support import TenantFixture, codes, data_of, gql, make_chapter, person_id

OPS, ADMIN = "ops@x.example", "admin@x.example"
LEAD, CO_LEAD, MEMBER = "lead@x.example", "colead@x.example", "member@x.example"
HOST_LEAD, HOST_CO_LEAD = "hz.lead@x.example", "hz.colead@x.example"
HOST_MEMBER, OTHER_LEAD = "hz.member@x.example", "cd.lead@x.example"
SPEAKER, SHY = "speaker@x.example", "shy@x.example"
PEOPLE = {
    OPS: TenantRole.OPS,
    ADMIN: TenantRole.ADMIN,
    **dict.fromkeys([LEAD, CO_LEAD, MEMBER, HOST_LEAD, HOST_CO_LEAD, HOST_MEMBER]),
    **dict.fromkeys([OTHER_LEAD, SPEAKER, SHY]),
}
STATUSES = ["DRAFT", "SUBMITTED", "CHANGES_REQUESTED", "ACCEPTED", "CANCELLED"]
CO_HOST_LEADS = [HOST_LEAD, HOST_CO_LEAD]

READ = """query ($id: ID!, $hangzhou: ID!, $from: DateTime!, $to: DateTime!) {
  node(id: $id) { ... on Activity { title status
    viewerCan { edit submit review cancel publishRecap comment } } }
  credited: activities(filter: {chapterId: $hangzhou}, first: 100) { edges { node { id } } }
  all: activities(first: 100) { edges { node { id } } }
  chapterCalendar(chapterId: $hangzhou, from: $from, to: $to) { id }
}"""
THREAD = """query ($id: ID!) { node(id: $id) { ... on Activity {
  transitions { toStatus comment }
  comments { edges { node { body author { displayName } } } } } } }"""
PROBLEMS = """query ($id: ID!) { node(id: $id) { ... on Activity { status
  viewerCan { submit } submissionProblems { field code message } } } }"""
PARTICIPANTS = """query ($id: ID!) { node(id: $id) { ... on Activity {
  participants { id role name topic externalName externalAffiliation
    person { displayName email } } } } }"""
ADD = f"""mutation ($input: ActivityAddParticipantInput!) {{ activityAddParticipant(input: $input) {{
  participant {{ id role name externalName person {{ displayName }} }}
  activity {{ participants {{ name role }} }} {ERRORS} }} }}"""
REMOVE = f"""mutation ($input: ActivityRemoveParticipantInput!) {{
  activityRemoveParticipant(input: $input) {{ activity {{ participants {{ name role }} }} {ERRORS} }} }}"""
PROFILE = f"""mutation ($input: PersonUpdateInput!) {{ personUpdate(input: $input) {{
  person {{ publicProfile }} {ERRORS} }} }}"""


class World:
    def __init__(self, client, tenant: TenantFixture, shanghai, hangzhou, chengdu) -> None:
        self.client, self.tenant = client, tenant
        self.shanghai, self.hangzhou, self.chengdu = shanghai, hangzhou, chengdu

    def api(self, email: str | None) -> Api:
        return Api(self.client, self.tenant, email)

    def person(self, email: str) -> str:
        return person_id(self.tenant, email)

    def chapter(self, chapter: Any) -> str:
        return global_id("Chapter", chapter.id)

    async def activity(self, status: str, *, past: bool = False, **fields: Any) -> dict:
        """An activity of Shanghai co-hosted by Hangzhou, taken to ``status``."""
        lead, ops = self.api(LEAD), self.api(OPS)
        days = -3 if past else 10
        values = {
            "chapterId": self.chapter(self.shanghai),
            "kind": "CAMPUS_VISIT",
            "title": f"Campus visit {status.lower()} {datetime.now(UTC).timestamp()}",
            "venue": "Zhejiang Demo University",
            "startsAt": days_from_now(days),
            "endsAt": days_from_now(days, hours=3),
            "coHostChapterIds": [self.chapter(self.hangzhou)],
            **fields,
        }
        activity = await lead.ok(CREATE, **values)
        if status == "DRAFT":
            return activity
        if status == "CANCELLED":
            return await lead.ok(CANCEL, id=activity["id"], reason="The hall is closed")
        activity = await lead.ok(SUBMIT, id=activity["id"])
        if status == "CHANGES_REQUESTED":
            return await ops.ok(
                REVIEW, id=activity["id"], decision="REQUEST_CHANGES", comment="Add the room"
            )
        if status == "ACCEPTED":
            return await ops.ok(REVIEW, id=activity["id"], decision="ACCEPT")
        return activity


async def build_world(client, tenants, owner_engine) -> World:
    tenant = await tenants.create(people=PEOPLE)
    shanghai = await make_chapter(
        owner_engine, tenant, "shanghai", staff=OPS, lead=LEAD, co_leads=(CO_LEAD,),
        members=(MEMBER,),
    )  # fmt: skip
    hangzhou = await make_chapter(
        owner_engine, tenant, "hangzhou", staff=OPS, lead=HOST_LEAD, co_leads=(HOST_CO_LEAD,),
        members=(HOST_MEMBER,),
    )  # fmt: skip
    chengdu = await make_chapter(owner_engine, tenant, "chengdu", staff=OPS, lead=OTHER_LEAD)
    return World(client, tenant, shanghai, hangzhou, chengdu)


@pytest.fixture(scope="module")
async def world(client, tenants, owner_engine) -> World:
    return await build_world(client, tenants, owner_engine)


@pytest.fixture(scope="module")
async def by_status(world: World) -> dict[str, dict]:
    return {status: await world.activity(status) for status in STATUSES}


# --- co-hosting chapters' leads -------------------------------------------------------------


async def _reads(world: World, email: str, activity: dict) -> dict[str, bool]:
    span = {"from": days_from_now(-30), "to": days_from_now(30)}
    data = await world.api(email).data(
        READ, {"id": activity["id"], "hangzhou": world.chapter(world.hangzhou), **span}
    )

    def listed(edges: list[dict]) -> bool:
        return activity["id"] in [edge["node"]["id"] for edge in edges]

    return {
        "node": data["node"] is not None,
        "credited": listed(data["credited"]["edges"]),
        "all": listed(data["all"]["edges"]),
        "calendar": activity["id"] in [a["id"] for a in data["chapterCalendar"]],
    }


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("email", CO_HOST_LEADS)
async def test_co_host_leads_read_the_activity_at_every_status(
    world: World, by_status: dict[str, dict], email: str, status: str
) -> None:
    activity = by_status[status]
    assert await _reads(world, email, activity) == dict.fromkeys(
        ["node", "credited", "all", "calendar"], True
    )
    data = await world.api(email).data(READ, {
        "id": activity["id"], "hangzhou": world.chapter(world.hangzhou),
        "from": days_from_now(-30), "to": days_from_now(30),
    })  # fmt: skip
    assert data["node"]["status"] == status
    # They follow and help; the owning chapter edits, submits and cancels.
    assert data["node"]["viewerCan"] == {
        "edit": False,
        "submit": False,
        "review": False,
        "cancel": False,
        "publishRecap": False,  # not ended yet
        "comment": True,
    }


@pytest.mark.parametrize("status", ["DRAFT", "SUBMITTED", "CHANGES_REQUESTED", "CANCELLED"])
@pytest.mark.parametrize("email", [HOST_MEMBER, OTHER_LEAD, MEMBER])
async def test_unaccepted_co_hosted_activities_stay_hidden_from_others(
    world: World, by_status: dict[str, dict], email: str, status: str
) -> None:
    """A member of the co-hosting chapter, the lead of an unrelated chapter and a member of
    the owning chapter see no draft, review or cancelled activity."""
    seen = await _reads(world, email, by_status[status])
    assert seen == dict.fromkeys(["node", "credited", "all", "calendar"], False)


@pytest.mark.parametrize("status", STATUSES)
async def test_co_host_leads_comment_and_read_the_thread(
    world: World, by_status: dict[str, dict], status: str
) -> None:
    activity = by_status[status]
    body = f"Our students can help ({status})"
    payload = await world.api(HOST_CO_LEAD).mutate(COMMENT, activityId=activity["id"], body=body)
    assert payload["errors"] == []
    for email in (HOST_LEAD, LEAD):
        thread = (await world.api(email).data(THREAD, {"id": activity["id"]}))["node"]
        bodies = [(e["node"]["body"], e["node"]["author"]["displayName"])
                  for e in thread["comments"]["edges"]]  # fmt: skip
        assert (body, "hz.colead") in bodies
        if status == "CHANGES_REQUESTED":
            assert "Add the room" in [t["comment"] for t in thread["transitions"]]
    refused = await world.api(OTHER_LEAD).raw(THREAD, {"id": activity["id"]})
    if status == "ACCEPTED":  # they read it, but not its thread
        assert refused["data"]["node"]["comments"] is None
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    else:
        assert refused["data"]["node"] is None


async def test_co_host_leads_do_not_edit_submit_or_cancel(world: World) -> None:
    draft = await world.activity("DRAFT")
    host = world.api(HOST_LEAD)
    for query, values in (
        (UPDATE, {"id": draft["id"], "title": "Ours now"}),
        (SUBMIT, {"id": draft["id"]}),
        (CANCEL, {"id": draft["id"], "reason": "No"}),
        (ADD, {"activityId": draft["id"], "role": "SPEAKER", "externalName": "Ada"}),
    ):
        payload = await host.mutate(query, **values)
        assert codes(payload) == [(None, "FORBIDDEN")], payload
    assert (await world.api(LEAD).node(draft["id"]))["title"] == draft["title"]


async def test_co_host_leads_publish_the_recap(world: World) -> None:
    activity = await world.activity("ACCEPTED", past=True)
    viewer_can = (await world.api(HOST_LEAD).node(activity["id"]))["viewerCan"]
    assert viewer_can["publishRecap"] is True
    recap = await world.api(HOST_LEAD).ok(
        RECAP, id=activity["id"], summary="120 students came; slides below"
    )
    assert recap["recapSummary"] == "120 students came; slides below"
    refused = await world.api(OTHER_LEAD).mutate(RECAP, id=activity["id"], summary="Mine")
    assert codes(refused) == [(None, "FORBIDDEN")]


async def test_a_co_host_that_is_dropped_loses_the_draft(world: World) -> None:
    draft = await world.activity("DRAFT")
    assert (await _reads(world, HOST_LEAD, draft))["node"] is True
    await world.api(LEAD).ok(UPDATE, id=draft["id"], coHostChapterIds=[])
    assert await _reads(world, HOST_LEAD, draft) == dict.fromkeys(
        ["node", "credited", "all", "calendar"], False
    )


# --- what submitting still needs ------------------------------------------------------------


async def test_submission_problems_list_what_submit_would_refuse(world: World) -> None:
    lead = world.api(LEAD)
    draft = await world.activity("DRAFT", venue=None)
    node = (await lead.data(PROBLEMS, {"id": draft["id"]}))["node"]
    missing = [{"field": "venue", "code": "REQUIRED", "message": "Say where it takes place"}]
    assert node["submissionProblems"] == missing
    assert node["viewerCan"]["submit"] is False
    refused = await lead.mutate(SUBMIT, id=draft["id"])
    assert refused["errors"] == missing  # one rule: the same answer

    await lead.ok(UPDATE, id=draft["id"], kind="LIVE_STREAM")
    node = (await lead.data(PROBLEMS, {"id": draft["id"]}))["node"]
    assert [(p["field"], p["code"]) for p in node["submissionProblems"]] == [
        ("onlineUrl", "REQUIRED")
    ]

    await lead.ok(UPDATE, id=draft["id"], onlineUrl="https://live.example/visit")
    node = (await lead.data(PROBLEMS, {"id": draft["id"]}))["node"]
    assert node["submissionProblems"] == [] and node["viewerCan"]["submit"] is True
    submitted = await lead.ok(SUBMIT, id=draft["id"])
    assert submitted["status"] == "SUBMITTED"
    node = (await lead.data(PROBLEMS, {"id": draft["id"]}))["node"]
    assert [(p["field"], p["code"]) for p in node["submissionProblems"]] == [("id", "CONFLICT")]
    assert node["viewerCan"]["submit"] is False


@pytest.mark.parametrize(
    ("email", "shown"), [(LEAD, True), (OPS, True), (HOST_LEAD, False), (ADMIN, True)]
)
async def test_submission_problems_are_for_who_may_submit(
    world: World, email: str, shown: bool
) -> None:
    draft = await world.activity("DRAFT", venue=None)
    node = (await world.api(email).data(PROBLEMS, {"id": draft["id"]}))["node"]
    assert (node["submissionProblems"] is not None) == shown
    assert node["viewerCan"]["submit"] is False


# --- participants one at a time -------------------------------------------------------------


async def test_add_and_remove_participants_one_at_a_time(world: World) -> None:
    lead = world.api(LEAD)
    draft = await world.activity(
        "DRAFT", participants=[{"role": "ORGANIZER", "personId": world.person(LEAD)}]
    )
    added = await lead.mutate(
        ADD, activityId=draft["id"], role="SPEAKER", externalName=" Ada Lovelace ",
        externalAffiliation="Analytical Engines",
    )  # fmt: skip
    assert added["errors"] == []
    assert added["participant"]["name"] == "Ada Lovelace"
    assert added["participant"]["person"] is None
    speaker = await lead.mutate(
        ADD, activityId=draft["id"], role="SPEAKER", personId=world.person(SPEAKER)
    )
    assert speaker["participant"]["person"] == {"displayName": "speaker"}
    assert speaker["activity"]["participants"] == [
        {"name": "lead", "role": "ORGANIZER"},
        {"name": "Ada Lovelace", "role": "SPEAKER"},
        {"name": "speaker", "role": "SPEAKER"},
    ]
    removed = await lead.mutate(REMOVE, participantId=added["participant"]["id"])
    assert removed["errors"] == []
    assert removed["activity"]["participants"] == [
        {"name": "lead", "role": "ORGANIZER"},
        {"name": "speaker", "role": "SPEAKER"},
    ]
    again = await lead.mutate(REMOVE, participantId=added["participant"]["id"])
    assert codes(again) == [("participantId", "NOT_FOUND")]

    audit = await world.api(OPS).data(
        """query ($id: ID!) { auditLog(filter: {objectId: $id}) { edges { node {
          action operation changes { field after } } } } }""",
        {"id": global_id("ActivityParticipant", _uuid(added["participant"]["id"]))},
    )
    actions = [(e["node"]["action"], e["node"]["operation"]) for e in audit["auditLog"]["edges"]]
    assert sorted(actions) == [
        ("activityAddParticipant", "INSERT"),
        ("activityRemoveParticipant", "DELETE"),
    ]


def _uuid(global_id_: str) -> uuid.UUID:
    return uuid.UUID(relay.from_base64(global_id_)[1])


async def test_adding_a_participant_is_checked(world: World) -> None:
    lead = world.api(LEAD)
    draft = await world.activity("DRAFT", participants=[{"role": "SPEAKER", "externalName": "Ada"}])
    cases = [
        ({"role": "SPEAKER", "externalName": "ada"}, [("externalName", "CONFLICT")]),
        ({"role": "SPEAKER"}, [("personId", "INVALID")]),
        (
            {"role": "SPEAKER", "externalName": "Bo", "personId": world.person(SPEAKER)},
            [("personId", "INVALID")],
        ),
        ({"role": "HOST", "externalName": "x" * 201}, [("externalName", "TOO_LONG")]),
        (
            {"role": "HOST", "personId": global_id("Person", _uuid(draft["id"]))},
            [("personId", "NOT_FOUND")],
        ),
        ({"role": "HOST", "personId": "not an id"}, [("personId", "INVALID")]),
    ]
    for values, expected in cases:
        payload = await lead.mutate(ADD, activityId=draft["id"], **values)
        assert codes(payload) == expected, values
    ok = await lead.mutate(ADD, activityId=draft["id"], role="HOST", externalName="Ada")
    assert ok["errors"] == []  # another role


async def test_participants_of_reviewed_activities(world: World) -> None:
    submitted = await world.activity("SUBMITTED")
    refused = await world.api(LEAD).mutate(
        ADD, activityId=submitted["id"], role="SPEAKER", externalName="Late"
    )
    assert codes(refused) == [("activityId", "CONFLICT")]
    accepted = await world.activity(
        "ACCEPTED", participants=[{"role": "SPEAKER", "externalName": "No-show"}]
    )
    refused = await world.api(LEAD).mutate(
        ADD, activityId=accepted["id"], role="SPEAKER", externalName="Stand-in"
    )
    assert codes(refused) == [("activityId", "CONFLICT")]
    # Staff correct who spoke at an accepted event.
    ops = world.api(OPS)
    corrected = await ops.mutate(
        ADD, activityId=accepted["id"], role="SPEAKER", externalName="Stand-in"
    )
    assert corrected["errors"] == []
    shown = (await ops.data(PARTICIPANTS, {"id": accepted["id"]}))["node"]["participants"]
    no_show = next(p["id"] for p in shown if p["name"] == "No-show")
    removed = await ops.mutate(REMOVE, participantId=no_show)
    assert removed["activity"]["participants"] == [{"name": "Stand-in", "role": "SPEAKER"}]
    for email in (MEMBER, HOST_LEAD, None):
        payload = await world.api(email).mutate(REMOVE, participantId=no_show)
        assert codes(payload)[0][1] in {"FORBIDDEN", "NOT_FOUND"}


# --- public profiles and the public view of participants ------------------------------------


async def _partner_token(world: World, organisation: str) -> str:
    created = await world.api(ADMIN).data(
        """mutation ($input: ApiClientCreateInput!) { apiClientCreate(input: $input) {
          client { clientId } clientSecret errors { code } } }""",
        {"input": {"name": "Partner portal", "kind": "PARTNER", "organisationId": organisation,
                   "scopes": ["activities:read"]}},
    )  # fmt: skip
    client = created["apiClientCreate"]
    response = await world.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client["client"]["clientId"], client["clientSecret"]),
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def test_a_person_chooses_a_public_profile(world: World) -> None:
    own = await world.api(SPEAKER).mutate(PROFILE, id=world.person(SPEAKER))
    assert own["person"] == {"publicProfile": False}  # off unless chosen
    own = await world.api(SPEAKER).mutate(PROFILE, id=world.person(SPEAKER), publicProfile=True)
    assert own["errors"] == [] and own["person"] == {"publicProfile": True}
    refused = await world.api(LEAD).mutate(PROFILE, id=world.person(SHY), publicProfile=True)
    assert codes(refused) == [(None, "FORBIDDEN")]
    by_staff = await world.api(OPS).mutate(PROFILE, id=world.person(SHY), publicProfile=None)
    assert by_staff["errors"] == [] and by_staff["person"] == {"publicProfile": False}


async def test_public_callers_see_opted_in_speakers_and_external_ones(world: World) -> None:
    await world.api(SPEAKER).mutate(PROFILE, id=world.person(SPEAKER), publicProfile=True)
    await world.api(OPS).mutate(PROFILE, id=world.person(SHY), publicProfile=False)
    organisation = (
        await world.api(OPS).data(
            'mutation { organisationCreate(input: {name: "Demo University", kind: UNIVERSITY})'
            " { organisation { id } } }"
        )
    )["organisationCreate"]["organisation"]["id"]
    participants = [
        {"role": "SPEAKER", "personId": world.person(SPEAKER), "topic": "eBPF"},
        {"role": "SPEAKER", "personId": world.person(SHY), "topic": "Kernels"},
        {"role": "SPEAKER", "externalName": "Ada", "externalAffiliation": "Acme"},
        {"role": "GUEST", "externalName": "A visitor"},
        {"role": "MENTEE", "personId": world.person(MEMBER)},
        {"role": "HOST", "personId": world.person(SPEAKER)},
    ]
    accepted = await world.activity(
        "ACCEPTED",
        participants=participants,
        organisations=[{"organisationId": organisation, "role": "CO_HOST"}],
    )
    public = [
        ("SPEAKER", "speaker", "eBPF", None),
        ("SPEAKER", "Ada", None, "Acme"),
        ("HOST", "speaker", None, None),
    ]
    partner = await _partner_token(world, organisation)
    for token in (None, partner):
        body = await gql(
            world.client, world.tenant.slug, PARTICIPANTS, {"id": accepted["id"]}, token=token
        )
        shown = data_of(body)["node"]["participants"]
        assert [(p["role"], p["name"], p["topic"], p["externalAffiliation"]) for p in shown] == (
            public
        )
        assert all(p["person"] is None for p in shown)  # the name only: no profile, no email
        text = str(body)
        for hidden in ("shy", "member", "A visitor", "@x.example"):
            assert hidden not in text
    # Signed-in people of the tenant see everyone, as before.
    everyone = (await world.api(MEMBER).data(PARTICIPANTS, {"id": accepted["id"]}))["node"]
    assert len(everyone["participants"]) == len(participants)


# --- the demo -------------------------------------------------------------------------------

DEMO_DRAFTS = """{ activities(filter: {status: [DRAFT]}, first: 50) { edges { node { id title
  chapter { slug } coHosts { slug } viewerCan { edit comment }
  participants { name } } } } }"""


async def test_the_demo_shows_a_co_hosted_draft_and_public_speakers(
    client, owner_engine, keys, settings
) -> None:
    from chapters.auth.tokens import issue_access_token
    from chapters.db.session import open_tenant_session, tenant_sessionmaker
    from chapters.demo import seed_demo
    from chapters.people.service import find_person_by_email

    demo = (await seed_demo(owner_engine, echo=lambda line: None, keys=keys))["demo"]
    async with open_tenant_session(tenant_sessionmaker(owner_engine), demo) as session:
        lead = await find_person_by_email(session, "lead.shanghai@demo.example")
    token = issue_access_token(keys, settings, tenant_id=demo, subject=str(lead.id))
    drafts = data_of(await gql(client, "demo", DEMO_DRAFTS, token=token))["activities"]["edges"]
    co_hosted = [
        d["node"] for d in drafts if d["node"]["chapter"]["slug"] == "hangzhou"
    ]  # Hangzhou's draft, co-hosted by Shanghai
    assert [d["coHosts"] for d in co_hosted] == [[{"slug": "shanghai"}]]
    assert co_hosted[0]["viewerCan"] == {"edit": False, "comment": True}
    problems = data_of(await gql(client, "demo", PROBLEMS, {"id": co_hosted[0]["id"]}))
    assert problems["node"] is None  # a draft: not for the public

    public = """{ activities(filter: {text: "Observability Day"}) { edges { node {
      participants { role name } } } } }"""
    (event,) = data_of(await gql(client, "demo", public))["activities"]["edges"]
    names = {p["name"] for p in event["node"]["participants"]}
    assert names == {"Xu Ming", "Tomás Rivera"}  # opted in, or external; Mei Chen did not

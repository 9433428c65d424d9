"""The activity ledger through the GraphQL endpoint: the review lifecycle from draft to
accepted with its history and thread, who may edit what and when, recaps, visibility, typed
validation errors that write nothing, and tenants kept apart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests import support
from tests.support import TenantFixture, codes, make_chapter, person_id

OPS, VIEWER = "ops@x.example", "viewer@x.example"
LEAD, CO_LEAD, MEMBER = "lead@x.example", "colead@x.example", "member@x.example"
OTHER_LEAD, SPEAKER = "other.lead@x.example", "speaker@x.example"
PEOPLE = {
    OPS: TenantRole.OPS,
    VIEWER: TenantRole.VIEWER,
    LEAD: None,
    CO_LEAD: None,
    MEMBER: None,
    OTHER_LEAD: None,
    SPEAKER: None,
}

ERRORS = "errors { field code message }"
ACTIVITY = """
  id kind status title description startsAt endsAt timezone venue onlineUrl language
  expectedAttendance actualAttendance tags mentoringProjectId submittedAt reviewedAt
  recapSummary recapPublishedAt isRecapOverdue updatedAt
  chapter { slug } committee { name } coHosts { slug }
  organisations { role organisationId name }
  participants { role topic externalName externalAffiliation person { displayName } }
  links { kind url title }
  transitions { fromStatus toStatus comment actor { displayName } }
  createdBy { displayName }
  viewerCan { edit submit review cancel publishRecap comment }
"""
PAYLOAD = f"activity {{ {ACTIVITY} }} {ERRORS}"


def _mutation(name: str, input_type: str, payload: str = PAYLOAD) -> str:
    return f"mutation ($input: {input_type}!) {{ {name}(input: $input) {{ {payload} }} }}"


CREATE = _mutation("activityCreate", "ActivityCreateInput")
UPDATE = _mutation("activityUpdate", "ActivityUpdateInput")
SUBMIT = _mutation("activitySubmit", "ActivitySubmitInput")
REVIEW = _mutation("activityReview", "ActivityReviewInput")
CANCEL = _mutation("activityCancel", "ActivityCancelInput")
RECAP = _mutation("activityPublishRecap", "ActivityPublishRecapInput")
COMMENT = _mutation(
    "activityComment",
    "ActivityCommentInput",
    f"comment {{ id body author {{ displayName }} }} {ERRORS}",
)
NODE = f"query ($id: ID!) {{ node(id: $id) {{ ... on Activity {{ {ACTIVITY} }} }} }}"
THREAD = """query ($id: ID!) { node(id: $id) { ... on Activity {
  comments { edges { node { body author { displayName } } } } } } }"""
LIST = """query ($filter: ActivityFilter, $orderBy: ActivityOrderField, $descending: Boolean,
  $first: Int, $after: String) {
  activities(filter: $filter, orderBy: $orderBy, descending: $descending, first: $first,
    after: $after) {
    edges { node { id title status } } pageInfo { hasNextPage endCursor }
  }
}"""


def iso(moment: datetime) -> str:
    return moment.isoformat()


def days_from_now(days: float, hours: float = 0) -> str:
    return iso(datetime.now(UTC) + timedelta(days=days, hours=hours))


class Api(support.Api):
    """One caller of one tenant's endpoint, with this module's queries."""

    async def ok(self, query: str, **input: Any) -> dict[str, Any]:
        payload = await self.mutate(query, **input)
        assert payload["errors"] == [], payload["errors"]
        return payload["activity"]

    async def node(self, activity_id: str) -> dict[str, Any] | None:
        return (await self.data(NODE, {"id": activity_id}))["node"]

    async def titles(self, **variables: Any) -> list[str]:
        data = await self.data(LIST, {"first": 100, **variables})
        return [edge["node"]["title"] for edge in data["activities"]["edges"]]


@dataclass
class World:
    tenant: TenantFixture
    shanghai: Any  # lead, co-lead and member
    hangzhou: Any  # another lead
    client: Any

    def api(self, email: str | None) -> Api:
        return Api(self.client, self.tenant, email)

    def person(self, email: str) -> str:
        return person_id(self.tenant, email)

    def chapter(self, chapter: Any) -> str:
        return global_id("Chapter", chapter.id)

    async def draft(self, email: str = LEAD, chapter: Any = None, **fields: Any) -> dict:
        values = {
            "chapterId": self.chapter(chapter or self.shanghai),
            "kind": "OFFLINE_MEETUP",
            "title": "Meetup",
            "venue": "Cafe",
            **fields,
        }
        if "startsAt" not in fields:  # ten days ahead, for two hours
            values.update(startsAt=days_from_now(10), endsAt=days_from_now(10, hours=2))
        return await self.api(email).ok(CREATE, **values)

    async def submitted(self, email: str = LEAD, **fields: Any) -> dict:
        activity = await self.draft(email, **fields)
        return await self.api(email).ok(SUBMIT, id=activity["id"])

    async def accepted(self, email: str = LEAD, **fields: Any) -> dict:
        activity = await self.submitted(email, **fields)
        return await self.api(OPS).ok(REVIEW, id=activity["id"], decision="ACCEPT")


async def build_world(client, tenants, owner_engine, people: dict | None = None) -> World:
    tenant = await tenants.create(people=people or PEOPLE)
    shanghai = await make_chapter(
        owner_engine,
        tenant,
        "shanghai",
        staff=OPS,
        lead=LEAD,
        co_leads=(CO_LEAD,),
        members=(MEMBER,),
    )
    hangzhou = await make_chapter(owner_engine, tenant, "hangzhou", staff=OPS, lead=OTHER_LEAD)
    return World(tenant, shanghai, hangzhou, client)


def steps(activity: dict) -> list[tuple]:
    return [
        (
            t["fromStatus"],
            t["toStatus"],
            t["actor"]["displayName"] if t["actor"] else None,
            t["comment"],
        )
        for t in activity["transitions"]
    ]


async def test_draft_submit_changes_resubmit_accept_with_history_and_thread(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead, ops = w.api(LEAD), w.api(OPS)
    draft = await lead.ok(
        CREATE,
        chapterId=w.chapter(w.shanghai),
        kind="OFFLINE_MEETUP",
        title="  Rust in Production ",
        description="Talks and pizza",
        startsAt="2031-03-14T19:00:00+08:00",
        endsAt="2031-03-14T21:30:00+08:00",
        timezone="Asia/Shanghai",
        venue="Rust Lab",
        language="zh-CN",
        expectedAttendance=80,
        tags=[" rust ", "Rust", "backend", ""],
        coHostChapterIds=[w.chapter(w.hangzhou)],
        participants=[
            {"role": "SPEAKER", "personId": w.person(SPEAKER), "topic": "Async Rust"},
            {"role": "SPEAKER", "externalName": "Ada", "externalAffiliation": "Acme"},
            {"role": "ORGANIZER", "personId": w.person(LEAD)},
        ],
        links=[{"kind": "REGISTRATION", "url": "https://meetup.example/rust", "title": "RSVP"}],
    )
    assert draft["status"] == "DRAFT"
    assert draft["title"] == "Rust in Production"
    assert draft["startsAt"] == "2031-03-14T11:00:00+00:00"  # 19:00 in Shanghai
    assert draft["tags"] == ["rust", "backend"]
    assert draft["chapter"] == {"slug": "shanghai"}
    assert draft["coHosts"] == [{"slug": "hangzhou"}]
    assert [(p["role"], p["person"], p["externalName"]) for p in draft["participants"]] == [
        ("SPEAKER", {"displayName": "speaker"}, None),
        ("SPEAKER", None, "Ada"),
        ("ORGANIZER", {"displayName": "lead"}, None),
    ]
    assert draft["createdBy"] == {"displayName": "lead"}
    assert draft["viewerCan"] == {
        "edit": True,
        "submit": True,
        "review": False,
        "cancel": True,
        "publishRecap": False,
        "comment": True,
    }

    submitted = await lead.ok(SUBMIT, id=draft["id"])
    assert submitted["status"] == "SUBMITTED" and submitted["submittedAt"]
    # Under review: neither the lead nor ops edit it until ops decide.
    for api in (lead, ops):
        locked = await api.mutate(UPDATE, id=draft["id"], title="Renamed")
        assert codes(locked) == [("id", "CONFLICT")]
    # Leads do not review, and changes are only requested with a comment.
    assert codes(await lead.mutate(REVIEW, id=draft["id"], decision="ACCEPT")) == [
        (None, "FORBIDDEN")
    ]
    assert codes(await ops.mutate(REVIEW, id=draft["id"], decision="REQUEST_CHANGES")) == [
        ("comment", "REQUIRED")
    ]
    sent_back = await ops.ok(
        REVIEW, id=draft["id"], decision="REQUEST_CHANGES", comment="Which floor?"
    )
    assert sent_back["status"] == "CHANGES_REQUESTED" and sent_back["reviewedAt"]

    changed = await lead.ok(UPDATE, id=draft["id"], venue="Rust Lab, 5F")
    assert changed["venue"] == "Rust Lab, 5F"
    question = await lead.mutate(COMMENT, activityId=draft["id"], body="Lift is on the left")
    assert question["errors"] == []
    assert question["comment"]["author"] == {"displayName": "lead"}
    await lead.ok(SUBMIT, id=draft["id"], comment="Floor added")
    accepted = await ops.ok(REVIEW, id=draft["id"], decision="ACCEPT")
    assert accepted["status"] == "ACCEPTED"

    assert steps(accepted) == [
        (None, "DRAFT", "lead", None),
        ("DRAFT", "SUBMITTED", "lead", None),
        ("SUBMITTED", "CHANGES_REQUESTED", "ops", "Which floor?"),
        ("CHANGES_REQUESTED", "SUBMITTED", "lead", "Floor added"),
        ("SUBMITTED", "ACCEPTED", "ops", None),
    ]
    thread = (await lead.data(THREAD, {"id": draft["id"]}))["node"]["comments"]["edges"]
    assert [(e["node"]["author"]["displayName"], e["node"]["body"]) for e in thread] == [
        ("ops", "Which floor?"),
        ("lead", "Lift is on the left"),
        ("lead", "Floor added"),
    ]
    # Accepting twice is no step of the lifecycle.
    assert codes(await ops.mutate(REVIEW, id=draft["id"], decision="ACCEPT")) == [
        ("id", "CONFLICT")
    ]


async def test_leads_edit_only_their_chapters_unaccepted_activities_but_recap_accepted_ones(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead, co_lead, other = w.api(LEAD), w.api(CO_LEAD), w.api(OTHER_LEAD)
    draft = await w.draft(LEAD)
    # A draft is invisible outside its chapter's leads and staff: "not found", exactly like a
    # missing activity, so a refused write does not reveal that it exists.
    assert codes(await other.mutate(UPDATE, id=draft["id"], title="Mine now")) == [
        ("id", "NOT_FOUND")
    ]
    assert codes(await other.mutate(SUBMIT, id=draft["id"])) == [("id", "NOT_FOUND")]
    assert codes(await w.api(MEMBER).mutate(UPDATE, id=draft["id"], title="x")) == [
        ("id", "NOT_FOUND")
    ]
    # Another chapter's lead cannot draft for this chapter either.
    foreign = await other.mutate(
        CREATE,
        chapterId=w.chapter(w.shanghai),
        kind="TALK",
        title="x",
        startsAt=days_from_now(1),
    )
    assert codes(foreign) == [(None, "FORBIDDEN")]
    assert (await co_lead.ok(UPDATE, id=draft["id"], title="Edited by the co-lead"))["title"]

    past = await w.accepted(
        LEAD, title="Past meetup", startsAt=days_from_now(-3), endsAt=days_from_now(-3, hours=2)
    )
    # An accepted activity is public: editing it elsewhere is refused, not hidden.
    assert codes(await other.mutate(UPDATE, id=past["id"], title="x")) == [(None, "FORBIDDEN")]
    locked = await lead.mutate(UPDATE, id=past["id"], title="Rewritten", tags=["x"], links=[])
    assert codes(locked) == [("title", "CONFLICT"), ("tags", "CONFLICT"), ("links", "CONFLICT")]
    assert codes(await w.api(OPS).mutate(UPDATE, id=past["id"], venue="Elsewhere")) == [
        ("venue", "CONFLICT")
    ]
    assert (await lead.node(past["id"]))["title"] == "Past meetup"
    assert past["viewerCan"]["edit"] is False and past["viewerCan"]["publishRecap"] is True

    recap = await lead.ok(
        RECAP,
        id=past["id"],
        summary="  60 people came ",
        actualAttendance=60,
        links=[
            {"kind": "RECORDING", "url": "https://video.example/1"},
            {"kind": "SLIDES", "url": "https://slides.example/1", "title": "Deck"},
        ],
    )
    assert (recap["recapSummary"], recap["actualAttendance"]) == ("60 people came", 60)
    first_published = recap["recapPublishedAt"]
    assert first_published and recap["status"] == "ACCEPTED"
    again = await co_lead.ok(
        RECAP,
        id=past["id"],
        summary="62 people came",
        links=[
            {"kind": "RECORDING", "url": "https://video.example/1"},
            {"kind": "PHOTOS", "url": "https://photos.example/1"},
        ],
    )
    assert (again["recapSummary"], again["actualAttendance"]) == ("62 people came", 60)
    assert again["recapPublishedAt"] == first_published
    # The recap's links are the ones given last (the earlier version keeps its own).
    assert [link["kind"] for link in again["links"]] == ["RECORDING", "PHOTOS"]
    assert codes(await other.mutate(RECAP, id=past["id"], summary="x")) == [(None, "FORBIDDEN")]
    wrong_kind = await lead.mutate(
        RECAP,
        id=past["id"],
        summary="x",
        actualAttendance=-1,
        links=[{"kind": "REGISTRATION", "url": "ftp://x"}],
    )
    assert codes(wrong_kind) == [
        ("attendance", "INVALID"),
        ("links.0.url", "INVALID"),
        ("links.0.kind", "INVALID"),
    ]

    upcoming = await w.accepted(LEAD, title="Upcoming")
    assert codes(await lead.mutate(RECAP, id=upcoming["id"], summary="x")) == [("id", "CONFLICT")]
    still_draft = await w.draft(LEAD, startsAt=days_from_now(-2), endsAt=None)
    assert codes(await lead.mutate(RECAP, id=still_draft["id"], summary="x")) == [
        ("id", "CONFLICT")
    ]


async def test_cancelling_needs_a_reason_and_ends_the_lifecycle(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead = w.api(LEAD)
    upcoming = await w.accepted(LEAD, title="Called off")
    assert codes(await lead.mutate(CANCEL, id=upcoming["id"], reason="  ")) == [
        ("reason", "REQUIRED")
    ]
    assert codes(await w.api(OTHER_LEAD).mutate(CANCEL, id=upcoming["id"], reason="x")) == [
        (None, "FORBIDDEN")
    ]
    cancelled = await lead.ok(CANCEL, id=upcoming["id"], reason="Speaker ill")
    assert cancelled["status"] == "CANCELLED"
    assert steps(cancelled)[-1] == ("ACCEPTED", "CANCELLED", "lead", "Speaker ill")
    assert codes(await lead.mutate(UPDATE, id=upcoming["id"], title="x")) == [("id", "CONFLICT")]
    assert codes(await lead.mutate(SUBMIT, id=upcoming["id"])) == [("id", "CONFLICT")]
    assert codes(await lead.mutate(CANCEL, id=upcoming["id"], reason="again")) == [
        ("id", "CONFLICT")
    ]
    # Cancelled is no longer public.
    assert await w.api(MEMBER).node(upcoming["id"]) is None
    assert (await lead.node(upcoming["id"]))["status"] == "CANCELLED"

    took_place = await w.accepted(
        LEAD, startsAt=days_from_now(-1), endsAt=days_from_now(-1, hours=1)
    )
    assert codes(await lead.mutate(CANCEL, id=took_place["id"], reason="x")) == [("id", "CONFLICT")]
    assert took_place["viewerCan"]["cancel"] is False


async def test_submission_needs_where_the_activity_takes_place(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead = w.api(LEAD)
    offline = await w.draft(LEAD, venue=None)
    assert codes(await lead.mutate(SUBMIT, id=offline["id"])) == [("venue", "REQUIRED")]
    online = await w.draft(LEAD, kind="ONLINE_MEETUP", venue=None)
    assert codes(await lead.mutate(SUBMIT, id=online["id"])) == [("onlineUrl", "REQUIRED")]
    await lead.ok(UPDATE, id=online["id"], onlineUrl="https://meet.example/abc")
    assert (await lead.ok(SUBMIT, id=online["id"]))["status"] == "SUBMITTED"
    article = await w.draft(LEAD, kind="ARTICLE", venue=None, endsAt=None)
    assert (await lead.ok(SUBMIT, id=article["id"]))["status"] == "SUBMITTED"


async def test_invalid_input_is_typed_and_writes_nothing(client, tenants, owner_engine) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead = w.api(LEAD)
    bad = await lead.mutate(
        CREATE,
        chapterId=w.chapter(w.shanghai),
        kind="TALK",
        title=" ",
        startsAt="2030-01-02T10:00:00Z",
        endsAt="2030-01-01T10:00:00Z",
        timezone="Mars/Olympus",
        onlineUrl="javascript:alert(1)",
        language="not a tag",
        expectedAttendance=-5,
        tags=[f"tag{i}" for i in range(21)] + ["x" * 51],
        participants=[
            {"role": "SPEAKER"},
            {"role": "HOST", "personId": w.person(SPEAKER), "externalName": "Both"},
        ],
        links=[{"kind": "SLIDES", "url": "notaurl"}],
    )
    assert bad["activity"] is None
    assert codes(bad) == [
        ("title", "REQUIRED"),
        ("timezone", "INVALID"),
        ("onlineUrl", "INVALID"),
        ("language", "INVALID"),
        ("expectedAttendance", "INVALID"),
        ("tags.21", "TOO_LONG"),
        ("tags", "INVALID"),
        ("participants.0", "INVALID"),
        ("participants.1", "INVALID"),
        ("links.0.url", "INVALID"),
    ]
    crossed = await lead.mutate(
        CREATE,
        chapterId=w.chapter(w.shanghai),
        kind="TALK",
        title="Talk",
        startsAt="2030-01-02T10:00:00Z",
        endsAt="2030-01-01T10:00:00Z",
        mentoringProjectId=global_id("MentoringProject", uuid.uuid4()),
        coHostChapterIds=[w.chapter(w.shanghai)],
    )
    assert codes(crossed) == [
        ("endsAt", "INVALID"),
        ("mentoringProjectId", "INVALID"),
        ("coHostChapterIds", "INVALID"),
    ]
    missing = await lead.mutate(
        CREATE,
        chapterId=w.chapter(w.shanghai),
        kind="MENTORING",
        title="Office hours",
        startsAt="2030-01-02T10:00:00Z",
        mentoringProjectId=global_id("MentoringProject", uuid.uuid4()),
        coHostChapterIds=[w.chapter(w.hangzhou), global_id("Chapter", uuid.uuid4())],
        organisations=[
            {"organisationId": global_id("Organisation", uuid.uuid4()), "role": "SPONSOR"}
        ],
        participants=[{"role": "MENTOR", "personId": global_id("Person", uuid.uuid4())}],
    )
    assert codes(missing) == [
        ("mentoringProjectId", "NOT_FOUND"),
        ("coHostChapterIds.1", "NOT_FOUND"),
        ("organisations.0.organisationId", "NOT_FOUND"),
        ("participants.0.personId", "NOT_FOUND"),
    ]
    unknown_owner = await lead.mutate(
        CREATE,
        chapterId=global_id("Chapter", uuid.uuid4()),
        kind="TALK",
        title="x",
        startsAt="2030-01-01T10:00:00Z",
    )
    assert codes(unknown_owner) == [("chapterId", "NOT_FOUND")]
    no_owner = await lead.mutate(CREATE, kind="TALK", title="x", startsAt="2030-01-01T10:00:00Z")
    assert codes(no_owner) == [("chapterId", "REQUIRED")]
    malformed = await lead.mutate(
        CREATE, chapterId="nonsense", kind="TALK", title="x", startsAt="2030-01-01T10:00:00Z"
    )
    assert codes(malformed) == [("chapterId", "INVALID")]
    assert await w.api(OPS).titles() == []

    # An update that fails leaves everything as it was, lists included.
    draft = await w.draft(LEAD, title="Kept", tags=["a"])
    failed = await lead.mutate(
        UPDATE,
        id=draft["id"],
        title="Changed",
        tags=["b"],
        participants=[{"role": "GUEST", "externalName": "Guest"}],
        endsAt="2000-01-01T00:00:00Z",
    )
    assert codes(failed) == [("endsAt", "INVALID")]
    kept = await lead.node(draft["id"])
    assert (kept["title"], kept["tags"], kept["participants"]) == ("Kept", ["a"], [])
    assert codes(await lead.mutate(UPDATE, id=draft["id"], title=None, kind=None)) == [
        ("kind", "REQUIRED"),
        ("title", "REQUIRED"),
    ]


async def test_updates_replace_given_lists_and_keep_the_others(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead = w.api(LEAD)
    draft = await w.draft(
        LEAD,
        coHostChapterIds=[w.chapter(w.hangzhou)],
        participants=[{"role": "SPEAKER", "externalName": "Ada"}],
        links=[{"kind": "REGISTRATION", "url": "https://r.example"}],
        tags=["one"],
    )
    renamed = await lead.ok(UPDATE, id=draft["id"], title="Renamed", description=None)
    assert renamed["coHosts"] == [{"slug": "hangzhou"}] and renamed["tags"] == ["one"]
    assert len(renamed["participants"]) == 1 and len(renamed["links"]) == 1
    replaced = await lead.ok(
        UPDATE,
        id=draft["id"],
        coHostChapterIds=[],
        participants=[
            {"role": "HOST", "externalName": "Bo"},
            {"role": "SPEAKER", "externalName": "Ada", "topic": "Ownership"},
        ],
        links=None,
    )
    assert replaced["coHosts"] == [] and replaced["links"] == []
    assert [(p["externalName"], p["topic"]) for p in replaced["participants"]] == [
        ("Bo", None),
        ("Ada", "Ownership"),
    ]
    assert replaced["updatedAt"] > renamed["updatedAt"]
    mentoring = await lead.ok(UPDATE, id=draft["id"], kind="MENTORING")
    assert mentoring["kind"] == "MENTORING"


async def test_committee_level_activities_are_staffs(client, tenants, owner_engine) -> None:
    from chapters.models import Committee, CommitteeKind
    from tests.support import staff_session_call

    w = await build_world(client, tenants, owner_engine)

    async def add_committee(session, principal):
        committee = Committee(name="User Committee", kind=CommitteeKind.USER_COMMITTEE)
        session.add(committee)
        await session.flush()
        return committee.id

    committee_id = global_id(
        "Committee", await staff_session_call(owner_engine, w.tenant, OPS, add_committee)
    )
    fields = {"committeeId": committee_id, "kind": "TALK", "title": "Keynote"}
    denied = await w.api(LEAD).mutate(CREATE, startsAt=days_from_now(5), **fields)
    assert codes(denied) == [(None, "FORBIDDEN")]
    talk = await w.api(OPS).ok(CREATE, startsAt=days_from_now(5), **fields)
    assert (talk["chapter"], talk["committee"], talk["timezone"]) == (
        None,
        {"name": "User Committee"},
        "UTC",
    )
    assert await w.api(LEAD).node(talk["id"]) is None
    assert (await w.api(VIEWER).node(talk["id"]))["title"] == "Keynote"
    # The lead cannot see the committee's draft, so commenting on it is "not found".
    assert codes(await w.api(LEAD).mutate(COMMENT, activityId=talk["id"], body="hi")) == [
        ("activityId", "NOT_FOUND")
    ]
    assert await w.api(OPS).titles(filter={"committeeId": committee_id}) == ["Keynote"]


async def test_who_sees_what(client, tenants, owner_engine) -> None:
    w = await build_world(client, tenants, owner_engine)
    await w.accepted(LEAD, title="Public")
    own_draft = await w.draft(LEAD, title="Shanghai draft")
    await w.submitted(LEAD, title="Shanghai submitted")
    other_draft = await w.draft(OTHER_LEAD, chapter=w.hangzhou, title="Hangzhou draft")
    co_hosted = await w.draft(
        OTHER_LEAD,
        chapter=w.hangzhou,
        title="Co-hosted draft",
        coHostChapterIds=[w.chapter(w.shanghai)],
    )
    everything = {"Public", "Shanghai draft", "Shanghai submitted", "Hangzhou draft"}
    everything.add("Co-hosted draft")
    seen = {
        OPS: everything,
        VIEWER: everything,
        # Shanghai's leads follow what their chapter co-hosts, drafts included.
        LEAD: {"Public", "Shanghai draft", "Shanghai submitted", "Co-hosted draft"},
        CO_LEAD: {"Public", "Shanghai draft", "Shanghai submitted", "Co-hosted draft"},
        OTHER_LEAD: {"Public", "Hangzhou draft", "Co-hosted draft"},
        MEMBER: {"Public"},
        None: {"Public"},
    }
    for email, titles in seen.items():
        assert set(await w.api(email).titles()) == titles, email
    assert await w.api(LEAD).node(other_draft["id"]) is None
    assert (await w.api(LEAD).node(co_hosted["id"]))["title"] == "Co-hosted draft"
    assert await w.api(MEMBER).node(co_hosted["id"]) is None
    assert await w.api(MEMBER).node(own_draft["id"]) is None
    assert (await w.api(LEAD).node(own_draft["id"]))["title"] == "Shanghai draft"

    # The review thread: staff, viewers and the chapter's leads; not members or the public.
    member_view = await w.api(MEMBER).raw(THREAD, {"id": (await w.accepted(LEAD))["id"]})
    assert member_view["data"]["node"]["comments"] is None
    assert member_view["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    public = await w.api(None).data(
        "{ activities { edges { node { title transitions { toStatus comment actor { id } } } } } }"
    )
    first = public["activities"]["edges"][0]["node"]
    assert {t["comment"] for t in first["transitions"]} == {None}
    assert {t["actor"] is None for t in first["transitions"]} == {True}


async def test_another_tenants_activity_is_not_found(client, tenants, owner_engine) -> None:
    w = await build_world(client, tenants, owner_engine)
    elsewhere = await build_world(client, tenants, owner_engine)
    foreign = await elsewhere.accepted(LEAD, title="Elsewhere")
    ops = w.api(OPS)
    assert await ops.node(foreign["id"]) is None
    assert codes(await ops.mutate(UPDATE, id=foreign["id"], title="x")) == [("id", "NOT_FOUND")]
    assert codes(await ops.mutate(REVIEW, id=foreign["id"], decision="ACCEPT")) == [
        ("id", "NOT_FOUND")
    ]
    assert codes(await ops.mutate(COMMENT, activityId=foreign["id"], body="x")) == [
        ("activityId", "NOT_FOUND")
    ]
    foreign_chapter = elsewhere.chapter(elsewhere.shanghai)
    assert codes(
        await ops.mutate(
            CREATE, chapterId=foreign_chapter, kind="TALK", title="x", startsAt=days_from_now(1)
        )
    ) == [("chapterId", "NOT_FOUND")]
    assert await ops.titles() == []


async def test_mentoring_activities_link_to_a_mentoring_project(
    client, tenants, owner_engine
) -> None:
    from chapters.db.session import open_tenant_session, tenant_sessionmaker
    from chapters.models import MentoringProgram, MentoringProject, ProjectStatus

    w = await build_world(client, tenants, owner_engine)
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, w.tenant.id) as session, session.begin():
        program = MentoringProgram(name="Summer of Code", year=2030)
        session.add(program)
        await session.flush()
        project = MentoringProject(
            program_id=program.id, title="Faster builds", status=ProjectStatus.IN_PROGRESS
        )
        session.add(project)
        await session.flush()
        project_id = global_id("MentoringProject", project.id)

    session_ = await w.draft(LEAD, kind="MENTORING", venue=None, mentoringProjectId=project_id)
    assert session_["mentoringProjectId"] == project_id
    lead = w.api(LEAD)
    assert codes(await lead.mutate(UPDATE, id=session_["id"], kind="TALK")) == [
        ("mentoringProjectId", "INVALID")
    ]
    talk = await lead.ok(UPDATE, id=session_["id"], kind="TALK", mentoringProjectId=None)
    assert (talk["kind"], talk["mentoringProjectId"]) == ("TALK", None)


async def test_a_missing_owner_is_told_only_to_those_who_may_create(client, tenants, owner_engine):
    w = await build_world(client, tenants, owner_engine)
    fields = {"kind": "TALK", "title": "Owner?", "startsAt": days_from_now(3)}
    assert codes(await w.api(LEAD).mutate(CREATE, **fields)) == [("chapterId", "REQUIRED")]
    assert codes(await w.api(MEMBER).mutate(CREATE, **fields)) == [(None, "FORBIDDEN")]
    assert codes(await w.api(None).mutate(CREATE, **fields)) == [(None, "FORBIDDEN")]

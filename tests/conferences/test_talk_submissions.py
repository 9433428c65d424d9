"""Talk submissions through the GraphQL endpoint: a speaker drafts, edits and submits their
talk, staff accept it (an accepted TALK activity in the ledger, credited to the chapter of the
first speaker who is an active member of one) or reject it, a speaker withdraws one; illegal
steps and missing fields get typed errors; nobody else edits or reads someone's draft; the
acceptance rates are accepted over decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chapters.models import TenantRole
from tests.conferences.conferences_support import (
    ADMIN,
    BY_YEAR,
    CONFERENCE_UPDATE,
    CONFERENCES,
    GUEST,
    OPS,
    OTHER,
    SPEAKER,
    SUBMISSION_CREATE,
    SUBMISSION_NODE,
    SUBMISSION_UPDATE,
    UPCOMING,
    Api,
    person,
)
from tests.support import codes, make_chapter

HISTORY = """query ($id: ID!) { node(id: $id) { ... on TalkSubmission {
  history { fromStatus toStatus comment actor { id } } } } }"""
PEOPLE = {ADMIN: TenantRole.ADMIN, OPS: TenantRole.OPS, SPEAKER: None, GUEST: None, OTHER: None}


async def _world(client, tenants, owner_engine):
    tenant = await tenants.create(people=PEOPLE)
    await make_chapter(owner_engine, tenant, "shanghai", staff=ADMIN, members=(SPEAKER, OTHER))
    return tenant, Api(client, tenant, OPS), Api(client, tenant, SPEAKER)


async def test_a_talk_is_drafted_submitted_and_accepted_into_the_ledger(
    client, tenants, owner_engine
) -> None:
    tenant, ops, speaker = await _world(client, tenants, owner_engine)
    conference = await ops.conference("KubeCon EU", startsOn="2026-03-18", endsOn="2026-03-20")
    # the guest is listed first but is in no chapter: the talk is credited to shanghai
    speakers = [person(tenant, GUEST), person(tenant, SPEAKER)]
    draft = await speaker.draft(conference, abstract=None, track=" Ops ", speakerIds=speakers)
    assert (draft["status"], draft["track"], draft["abstract"]) == ("DRAFTING", "Ops", None)
    assert [s["id"] for s in draft["speakers"]] == speakers

    # not a speaker: cannot edit it, submit it or even see it
    other = Api(client, tenant, OTHER)
    refused = await other.mutate(SUBMISSION_UPDATE, id=draft["id"], title="Mine now")
    assert codes(refused) == [(None, "FORBIDDEN")]
    assert codes(await other.step("Submit", draft["id"])) == [(None, "FORBIDDEN")]
    assert (await other.data(SUBMISSION_NODE, {"id": draft["id"]}))["node"] is None
    assert await other.submissions() == []
    # nor may a person draft a talk for others only
    alone = await other.mutate(
        SUBMISSION_CREATE, conferenceId=conference, speakerIds=[person(tenant, SPEAKER)]
    )
    assert codes(alone) == [(None, "FORBIDDEN")]

    # submitting needs the abstract
    missing = await speaker.step("Submit", draft["id"])
    assert codes(missing) == [("abstract", "REQUIRED")]
    await speaker.ok(SUBMISSION_UPDATE, id=draft["id"], abstract="How 40 chapters share one.")
    submitted = (await speaker.step("Submit", draft["id"]))["submission"]
    assert submitted["status"] == "SUBMITTED" and submitted["submittedAt"]

    # once submitted: no more edits; only staff decide
    late = await speaker.mutate(SUBMISSION_UPDATE, id=draft["id"], title="Renamed")
    assert codes(late) == [("id", "CONFLICT")]
    assert codes(await speaker.step("Accept", draft["id"])) == [(None, "FORBIDDEN")]

    accepted = (await ops.step("Accept", draft["id"], comment="Great fit"))["submission"]
    assert accepted["status"] == "ACCEPTED" and accepted["decidedAt"]
    activity = accepted["activity"]
    assert {k: activity[k] for k in ("kind", "status", "title", "startsAt")} == {
        "kind": "TALK",
        "status": "ACCEPTED",
        "title": "Scaling the ledger",
        "startsAt": "2026-03-18T12:00:00+00:00",
    }
    assert activity["chapter"] == {"slug": "shanghai"}
    assert sorted((p["role"], p["person"]["id"]) for p in activity["participants"]) == sorted(
        ("SPEAKER", s) for s in speakers
    )

    # every step is kept, with who took it
    history = (await ops.data(HISTORY, {"id": draft["id"]}))["node"]["history"]
    assert [(s["fromStatus"], s["toStatus"], s["comment"], s["actor"]["id"]) for s in history] == [
        (None, "DRAFTING", None, person(tenant, SPEAKER)),
        ("DRAFTING", "SUBMITTED", None, person(tenant, SPEAKER)),
        ("SUBMITTED", "ACCEPTED", "Great fit", person(tenant, OPS)),
    ]

    # accepted is final
    for step in ("Accept", "Reject", "Withdraw", "Submit"):
        assert codes(await ops.step(step, draft["id"])) == [("id", "CONFLICT")]
    # the speaker finds it among their own
    assert [s["status"] for s in await speaker.submissions(personId=person(tenant, SPEAKER))] == [
        "ACCEPTED"
    ]


async def test_rejection_withdrawal_and_illegal_steps(client, tenants, owner_engine) -> None:
    tenant, ops, speaker = await _world(client, tenants, owner_engine)
    conference = await ops.conference("FOSDEM")

    # staff may draft for anyone; reject a submitted talk: no activity
    rejected = await ops.draft(conference, speakerIds=[person(tenant, SPEAKER)])
    assert codes(await ops.step("Accept", rejected["id"])) == [("id", "CONFLICT")]  # a draft
    assert (await speaker.step("Submit", rejected["id"]))["errors"] == []
    decided = (await ops.step("Reject", rejected["id"]))["submission"]
    assert (decided["status"], decided["activity"]) == ("REJECTED", None)
    assert codes(await speaker.step("Withdraw", rejected["id"])) == [("id", "CONFLICT")]

    # a speaker withdraws their draft; a withdrawn talk is not submitted again
    mine = await speaker.draft(conference, title="Second thoughts")
    withdrawn = (await speaker.step("Withdraw", mine["id"], comment="No time"))["submission"]
    assert withdrawn["status"] == "WITHDRAWN"
    assert codes(await speaker.step("Submit", mine["id"])) == [("id", "CONFLICT")]

    # a submitted talk may be withdrawn too
    sent = await speaker.draft(conference, title="Third")
    await speaker.step("Submit", sent["id"])
    assert (await speaker.step("Withdraw", sent["id"]))["submission"]["status"] == "WITHDRAWN"

    # bad input: typed errors
    bad = await speaker.mutate(
        SUBMISSION_CREATE, conferenceId=conference, title="x" * 301, speakerIds=[]
    )
    assert codes(bad) == [("title", "TOO_LONG")]
    none = await speaker.mutate(SUBMISSION_CREATE, conferenceId=conference, speakerIds=[])
    assert codes(none) == [("speakerIds", "REQUIRED")]
    keep = await speaker.draft(conference, title="Fourth")
    dropped = await speaker.mutate(
        SUBMISSION_UPDATE, id=keep["id"], speakerIds=[person(tenant, GUEST)]
    )
    assert codes(dropped) == [("speakerIds", "INVALID")]
    wrong = await ops.mutate(CONFERENCE_UPDATE, id=conference, endsOn="2026-01-01")
    assert codes(wrong) == [("endsOn", "INVALID")]


async def test_acceptance_rate_is_accepted_over_decided(client, tenants, owner_engine) -> None:
    tenant, ops, speaker = await _world(client, tenants, owner_engine)
    spring = await ops.conference("Spring Summit", startsOn="2025-04-01", endsOn="2025-04-02")
    autumn = await ops.conference("Autumn Days", startsOn="2025-10-01", endsOn="2025-10-01")
    winter = await ops.conference("Winter Camp", startsOn="2026-01-20", endsOn="2026-01-21")
    await ops.conference("Nothing Yet", startsOn="2026-05-01", endsOn="2026-05-01")
    me = [person(tenant, SPEAKER)]

    async def talk(conference: str, *steps: str) -> None:
        submission = await ops.draft(conference, speakerIds=me)
        for step in steps:
            assert (await ops.step(step, submission["id"]))["errors"] == []

    # spring: 2 accepted, 1 rejected, 1 withdrawn, 1 still submitted, 1 drafting
    for steps in (("Accept",), ("Accept",), ("Reject",)):
        await talk(spring, "Submit", *steps)
    await talk(spring, "Submit", "Withdraw")
    await talk(spring, "Submit")
    await talk(spring)
    await talk(autumn, "Submit", "Reject")  # autumn: 0 of 1
    await talk(winter, "Submit", "Accept")  # winter: 1 of 1

    rates = {
        edge["node"]["name"]: edge["node"]["acceptance"]
        for edge in (await ops.data(CONFERENCES))["conferences"]["edges"]
    }
    assert list(rates) == ["Nothing Yet", "Winter Camp", "Autumn Days", "Spring Summit"]
    assert rates["Spring Summit"] == {"accepted": 2, "decided": 3, "rate": 2 / 3}
    assert rates["Autumn Days"] == {"accepted": 0, "decided": 1, "rate": 0.0}
    assert rates["Winter Camp"] == {"accepted": 1, "decided": 1, "rate": 1.0}
    assert rates["Nothing Yet"] == {"accepted": 0, "decided": 0, "rate": None}
    # 2025: (2 + 0) accepted of (3 + 1) decided; 2026: 1 of 1
    assert (await ops.data(BY_YEAR))["talkAcceptanceByYear"] == [
        {"year": 2025, "accepted": 2, "decided": 4, "rate": 0.5},
        {"year": 2026, "accepted": 1, "decided": 1, "rate": 1.0},
    ]
    # members read the conferences, not the rates
    seen = (await speaker.data(CONFERENCES))["conferences"]["edges"]
    assert {edge["node"]["acceptance"] for edge in seen} == {None}
    refused = await speaker.raw(BY_YEAR)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_upcoming_cfp_deadlines_for_staff(client, tenants, owner_engine) -> None:
    _, ops, speaker = await _world(client, tenants, owner_engine)
    now = datetime.now(UTC).replace(microsecond=0)
    for name, days in (("Soon", 2), ("Later", 10), ("Far", 20), ("Closed", -1)):
        await ops.conference(name, cfpDeadline=(now + timedelta(days=days)).isoformat())
    await ops.conference("No CFP")
    upcoming = await ops.data(UPCOMING, {"days": 14})
    assert [e["node"]["name"] for e in upcoming["upcomingCfpDeadlines"]["edges"]] == [
        "Soon",
        "Later",
    ]
    wide = await ops.data(UPCOMING, {"days": 30})
    assert len(wide["upcomingCfpDeadlines"]["edges"]) == 3
    refused = await speaker.raw(UPCOMING, {"days": 14})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    invalid = await ops.raw(UPCOMING, {"days": 1000})
    assert invalid["errors"][0]["extensions"]["code"] == "INVALID"

"""Correcting activities after review, through the GraphQL endpoint: ops reopen an accepted
activity (back to its leads, with the reason kept), leads and ops move an activity to new dates
with a reason kept in its history, recaps are versions (republishing keeps the earlier ones, a
wrong link is taken out), and a recap counts people present (attendance) for events and reads,
views or listens (reach) for content."""

from __future__ import annotations

from typing import Any

from tests.activities.test_activities import (
    CO_LEAD,
    LEAD,
    MEMBER,
    OPS,
    OTHER_LEAD,
    RECAP,
    SUBMIT,
    UPDATE,
    VIEWER,
    World,
    _mutation,
    build_world,
    codes,
    days_from_now,
)

DENIED = {"FORBIDDEN", "NOT_FOUND"}
WORKFLOW = """
  id status title startsAt endsAt recapSummary recapPublishedAt attendance actualAttendance
  reach { count unit }
  links { kind url }
  transitions { fromStatus toStatus comment actor { displayName } }
  viewerCan { edit submit reopen reschedule publishRecap }
  recap { number summary attendance reach { count unit } links { kind url } note
    publishedBy { displayName } }
  recapHistory(first: 10) { edges { node { number summary attendance reach { count unit }
    links { kind url } note publishedBy { displayName } } } }
  scheduleChanges(first: 10) { edges { node { fromStartsAt fromEndsAt toStartsAt toEndsAt
    reason actor { displayName } } } }
"""
PAYLOAD = f"activity {{ {WORKFLOW} }} errors {{ field code message }}"
REOPEN = _mutation("activityReopen", "ActivityReopenInput", PAYLOAD)
RESCHEDULE = _mutation("activityReschedule", "ActivityRescheduleInput", PAYLOAD)
PUBLISH = _mutation("activityPublishRecap", "ActivityPublishRecapInput", PAYLOAD)
LINK_REMOVE = _mutation("activityRecapLinkRemove", "ActivityRecapLinkRemoveInput", PAYLOAD)
REVIEW = _mutation("activityReview", "ActivityReviewInput", PAYLOAD)
NODE = f"query ($id: ID!) {{ node(id: $id) {{ ... on Activity {{ {WORKFLOW} }} }} }}"
THREAD = """query ($id: ID!) { node(id: $id) { ... on Activity {
  comments { edges { node { body author { displayName } } } } } } }"""


async def _node(w: World, email: str | None, activity_id: str) -> dict[str, Any]:
    return (await w.api(email).data(NODE, {"id": activity_id}))["node"]


def _denied(payload: dict[str, Any]) -> bool:
    return {error["code"] for error in payload["errors"]} <= DENIED and payload["errors"] != []


async def _past(w: World, kind: str = "OFFLINE_MEETUP", **fields: Any) -> dict[str, Any]:
    """Accepted, held three days ago for two hours."""
    return await w.accepted(
        LEAD,
        kind=kind,
        startsAt=days_from_now(-3),
        endsAt=days_from_now(-3, hours=2),
        onlineUrl="https://live.example/1",
        **fields,
    )


def _history(activity: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in activity["recapHistory"]["edges"]]


async def test_ops_reopen_an_accepted_activity_and_its_leads_correct_and_resubmit_it(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead, ops = w.api(LEAD), w.api(OPS)
    accepted = await w.accepted(title="Meetup with a typo")
    assert (await _node(w, OPS, accepted["id"]))["viewerCan"]["reopen"] is True
    assert (await _node(w, LEAD, accepted["id"]))["viewerCan"]["reopen"] is False
    assert codes(await lead.mutate(UPDATE, id=accepted["id"], title="Fixed")) == [
        ("title", "CONFLICT")
    ]

    reopened = await ops.mutate(REOPEN, id=accepted["id"], reason="  The venue moved  ")
    assert reopened["errors"] == []
    activity = reopened["activity"]
    assert activity["status"] == "CHANGES_REQUESTED"
    last = activity["transitions"][-1]
    assert (last["fromStatus"], last["toStatus"], last["comment"]) == (
        "ACCEPTED",
        "CHANGES_REQUESTED",
        "The venue moved",
    )
    assert last["actor"]["displayName"]
    thread = (await lead.data(THREAD, {"id": accepted["id"]}))["node"]["comments"]["edges"]
    assert thread[-1]["node"]["body"] == "The venue moved"

    assert (await _node(w, LEAD, accepted["id"]))["viewerCan"]["edit"] is True
    fixed = await lead.ok(UPDATE, id=accepted["id"], title="Meetup", venue="New hall")
    assert fixed["title"] == "Meetup"
    assert (await lead.ok(SUBMIT, id=accepted["id"]))["status"] == "SUBMITTED"
    again = await ops.mutate(REVIEW, id=accepted["id"], decision="ACCEPT")
    assert again["activity"]["status"] == "ACCEPTED"
    assert [(t["fromStatus"], t["toStatus"]) for t in again["activity"]["transitions"]] == [
        (None, "DRAFT"),
        ("DRAFT", "SUBMITTED"),
        ("SUBMITTED", "ACCEPTED"),
        ("ACCEPTED", "CHANGES_REQUESTED"),
        ("CHANGES_REQUESTED", "SUBMITTED"),
        ("SUBMITTED", "ACCEPTED"),
    ]


async def test_only_staff_reopen_and_only_accepted_activities_with_a_reason(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    accepted = await w.accepted()
    for email in (LEAD, CO_LEAD, MEMBER, VIEWER, OTHER_LEAD, None):
        refused = await w.api(email).mutate(REOPEN, id=accepted["id"], reason="Please")
        assert _denied(refused), (email, refused)
    assert (await _node(w, OPS, accepted["id"]))["status"] == "ACCEPTED"

    ops = w.api(OPS)
    assert codes(await ops.mutate(REOPEN, id=accepted["id"], reason="  ")) == [
        ("reason", "REQUIRED")
    ]
    draft = await w.draft()
    assert codes(await ops.mutate(REOPEN, id=draft["id"], reason="x")) == [("id", "CONFLICT")]
    assert (await _node(w, OPS, accepted["id"]))["transitions"][-1]["toStatus"] == "ACCEPTED"


async def test_rescheduling_keeps_the_old_dates_and_the_reason_in_the_history(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead, ops = w.api(LEAD), w.api(OPS)
    accepted = await w.accepted(
        startsAt="2031-05-10T14:00:00+08:00", endsAt="2031-05-10T16:00:00+08:00"
    )
    assert (await _node(w, LEAD, accepted["id"]))["viewerCan"]["reschedule"] is True

    moved = await lead.mutate(
        RESCHEDULE, id=accepted["id"], startsAt="2031-05-17T15:00:00+08:00", reason="Rain"
    )
    assert moved["errors"] == []
    activity = moved["activity"]
    assert activity["status"] == "ACCEPTED"
    assert (activity["startsAt"], activity["endsAt"]) == (
        "2031-05-17T07:00:00+00:00",
        "2031-05-17T09:00:00+00:00",  # as long as before
    )
    (change,) = [edge["node"] for edge in activity["scheduleChanges"]["edges"]]
    assert change["fromStartsAt"] == "2031-05-10T06:00:00+00:00"
    assert change["fromEndsAt"] == "2031-05-10T08:00:00+00:00"
    assert change["toStartsAt"] == "2031-05-17T07:00:00+00:00"
    assert change["reason"] == "Rain" and change["actor"]["displayName"]

    corrected = await ops.mutate(
        RESCHEDULE,
        id=accepted["id"],
        startsAt="2031-05-17T14:00:00+08:00",
        endsAt="2031-05-17T18:00:00+08:00",
        reason="The venue gave us more time",
    )
    assert corrected["errors"] == []
    changes = [edge["node"] for edge in corrected["activity"]["scheduleChanges"]["edges"]]
    assert [c["reason"] for c in changes] == ["Rain", "The venue gave us more time"]
    assert changes[1]["toEndsAt"] == "2031-05-17T10:00:00+00:00"

    # A member sees the activity and its moves, not the reasons (they are the leads' and ops').
    seen = await _node(w, MEMBER, accepted["id"])
    assert [edge["node"]["reason"] for edge in seen["scheduleChanges"]["edges"]] == [None, None]
    assert seen["viewerCan"]["reschedule"] is False

    assert codes(
        await lead.mutate(RESCHEDULE, id=accepted["id"], startsAt=days_from_now(30), reason="")
    ) == [("reason", "REQUIRED")]
    backwards = await lead.mutate(
        RESCHEDULE,
        id=accepted["id"],
        startsAt="2031-06-01T10:00:00Z",
        endsAt="2031-06-01T09:00:00Z",
        reason="x",
    )
    assert codes(backwards) == [("endsAt", "INVALID")]
    for email in (MEMBER, OTHER_LEAD, VIEWER, None):
        refused = await w.api(email).mutate(
            RESCHEDULE, id=accepted["id"], startsAt=days_from_now(40), reason="x"
        )
        assert _denied(refused), (email, refused)
    assert len((await _node(w, OPS, accepted["id"]))["scheduleChanges"]["edges"]) == 2

    cancelled = await w.draft()
    await lead.ok(
        _mutation("activityCancel", "ActivityCancelInput"), id=cancelled["id"], reason="No room"
    )
    assert codes(
        await lead.mutate(RESCHEDULE, id=cancelled["id"], startsAt=days_from_now(5), reason="x")
    ) == [("id", "CONFLICT")]


async def test_republishing_a_recap_keeps_every_version(client, tenants, owner_engine) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead, co_lead = w.api(LEAD), w.api(CO_LEAD)
    past = await _past(w)
    first = await lead.mutate(
        PUBLISH,
        id=past["id"],
        summary="60 people came",
        attendance=60,
        links=[{"kind": "RECORDING", "url": "https://video.example/1"}],
    )
    assert first["errors"] == []
    published_at = first["activity"]["recapPublishedAt"]
    second = await co_lead.mutate(
        PUBLISH, id=past["id"], summary="62 people came", attendance=62, note="Late sign-ins"
    )
    assert second["errors"] == []
    activity = second["activity"]
    assert activity["recapSummary"] == "62 people came"
    assert activity["recapPublishedAt"] == published_at  # timeliness: the first publication
    assert activity["recap"]["number"] == 2 and activity["recap"]["note"] == "Late sign-ins"
    history = _history(activity)
    assert [(v["number"], v["summary"], v["attendance"]) for v in history] == [
        (1, "60 people came", 60),
        (2, "62 people came", 62),
    ]
    assert history[1]["links"] == [{"kind": "RECORDING", "url": "https://video.example/1"}]
    assert all(v["publishedBy"]["displayName"] for v in history)

    # The same recap again adds nothing to the history.
    same = await lead.mutate(PUBLISH, id=past["id"], summary="62 people came")
    assert same["errors"] == [] and len(_history(same["activity"])) == 2
    # The versions are public like the recap; why one replaced another is the leads' and ops'.
    public = await _node(w, None, past["id"])
    assert [v["summary"] for v in _history(public)] == ["60 people came", "62 people came"]
    assert public["recap"]["note"] is None and _history(public)[1]["note"] is None


async def test_a_wrong_recap_link_is_removed_or_corrected_and_the_history_keeps_it(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead, ops = w.api(LEAD), w.api(OPS)
    past = await _past(w)
    await lead.ok(
        RECAP,
        id=past["id"],
        summary="Recorded",
        links=[
            {"kind": "RECORDING", "url": "https://video.example/1"},
            {"kind": "SLIDES", "url": "https://private.example/deck"},
        ],
    )
    for email in (MEMBER, OTHER_LEAD, VIEWER, None):
        refused = await w.api(email).mutate(
            LINK_REMOVE, id=past["id"], url="https://private.example/deck"
        )
        assert _denied(refused), (email, refused)

    removed = await ops.mutate(
        LINK_REMOVE, id=past["id"], url=" https://private.example/deck ", note="Not public"
    )
    assert removed["errors"] == []
    activity = removed["activity"]
    assert activity["links"] == [{"kind": "RECORDING", "url": "https://video.example/1"}]
    assert activity["recap"]["links"] == activity["links"]
    assert [len(v["links"]) for v in _history(activity)] == [2, 1]
    assert _history(activity)[1]["note"] == "Not public"
    assert codes(
        await lead.mutate(LINK_REMOVE, id=past["id"], url="https://private.example/deck")
    ) == [("url", "NOT_FOUND")]

    # Correcting a link: publish the recap's links as they should be.
    corrected = await lead.mutate(
        PUBLISH,
        id=past["id"],
        summary="Recorded",
        links=[{"kind": "RECORDING", "url": "https://video.example/2"}],
    )
    assert corrected["activity"]["links"] == [
        {"kind": "RECORDING", "url": "https://video.example/2"}
    ]
    assert len(_history(corrected["activity"])) == 3

    no_recap = await _past(w, title="Without a recap")
    assert codes(await lead.mutate(LINK_REMOVE, id=no_recap["id"], url="https://x.example")) == [
        ("id", "CONFLICT")
    ]


async def test_attendance_counts_people_and_reach_counts_reads_views_and_listens(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead = w.api(LEAD)
    article = await _past(w, kind="ARTICLE", title="What we learned")
    refused = await lead.mutate(PUBLISH, id=article["id"], summary="Read a lot", attendance=3400)
    assert codes(refused) == [("attendance", "INVALID")]
    assert "reach" in refused["errors"][0]["message"]
    assert codes(
        await lead.mutate(
            PUBLISH, id=article["id"], summary="x", reach={"count": 3400, "unit": "VIEWS"}
        )
    ) == [("reach.unit", "INVALID")]
    assert codes(
        await lead.mutate(
            PUBLISH, id=article["id"], summary="x", reach={"count": -1, "unit": "READS"}
        )
    ) == [("reach.count", "INVALID")]
    read = await lead.mutate(
        PUBLISH, id=article["id"], summary="Read a lot", reach={"count": 3400, "unit": "READS"}
    )
    assert read["errors"] == []
    assert read["activity"]["reach"] == {"count": 3400, "unit": "READS"}
    assert (read["activity"]["attendance"], read["activity"]["actualAttendance"]) == (None, None)

    meetup = await _past(w, title="A meetup")
    assert codes(
        await lead.mutate(
            PUBLISH, id=meetup["id"], summary="x", reach={"count": 10, "unit": "VIEWS"}
        )
    ) == [("reach", "INVALID")]
    # The deprecated field still says how many came.
    came = await lead.mutate(PUBLISH, id=meetup["id"], summary="Full", actualAttendance=80)
    assert (came["activity"]["attendance"], came["activity"]["reach"]) == (80, None)

    stream = await _past(w, kind="LIVE_STREAM", title="A stream")
    both = await lead.mutate(
        PUBLISH,
        id=stream["id"],
        summary="Live and recorded",
        attendance=120,
        reach={"count": 2300, "unit": "VIEWS"},
    )
    assert both["errors"] == []
    assert both["activity"]["recap"]["attendance"] == 120
    assert both["activity"]["recap"]["reach"] == {"count": 2300, "unit": "VIEWS"}
    cleared = await lead.mutate(PUBLISH, id=stream["id"], summary="Recorded", reach=None)
    assert (cleared["activity"]["attendance"], cleared["activity"]["reach"]) == (120, None)

    podcast = await _past(w, kind="PODCAST", title="Episode 4")
    assert codes(await lead.mutate(PUBLISH, id=podcast["id"], summary="x", attendance=5)) == [
        ("attendance", "INVALID")
    ]

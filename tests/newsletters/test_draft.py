"""The draft assembled for a period, on a world built by hand: exactly the expected items in
each section, in order (by day, then title), with their links and sources; activities outside
the period or the four weeks after it, not accepted or cancelled are left out, as are articles
published at other times, second-time contributors, revoked certificates and people without a
public profile. A bad period is a typed error."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import update

from chapters.activities import lifecycle, recaps
from chapters.activities.service import LinkEntry
from chapters.models import Activity, ActivityStatus, LinkKind, TenantRole
from chapters.models.content import ArticleStatus
from tests.newsletters.newsletters_support import (
    ADMIN,
    DRAFT,
    EDITOR,
    MEMBER,
    OPS,
    UPDATE_CREATE,
    Api,
    at,
    certificate,
    contribution,
    gid,
    make_public,
    published_article,
    write,
)
from tests.support import make_activity, make_chapter, make_editor, staff_session_call

ADA = "ada@x.example"  # public profile: a new contributor in the period
BO = "bo@x.example"  # public profile: contributed before the period too
CY = "cy@x.example"  # no public profile: a new contributor left out
DEE = "dee@x.example"  # public profile: certificate holder
EVE = "eve@x.example"  # no public profile: certificate holder left out
PEOPLE = {
    ADMIN: TenantRole.ADMIN,
    OPS: TenantRole.OPS,
    EDITOR: None,
    MEMBER: None,
    ADA: None,
    BO: None,
    CY: None,
    DEE: None,
    EVE: None,
}
START, END = "2026-03-02", "2026-03-15"
RECAP_SLIDES = "https://slides.example.org/night-31"
REGISTER = "https://register.example.org/spring"


async def _world(client, tenants, owner_engine):
    tenant = await tenants.create(people=PEOPLE)
    chapter = await make_chapter(owner_engine, tenant, "shanghai", staff=ADMIN)
    await make_editor(owner_engine, tenant, EDITOR, staff=OPS)
    await make_public(owner_engine, tenant, ADA, BO, DEE)
    return tenant, chapter


async def _activities(owner_engine, tenant, chapter) -> dict[str, str]:
    """Accepted, cancelled and unreviewed activities around the period (Shanghai's clock)."""

    async def make(title: str, starts: datetime, **fields) -> str:
        activity = await make_activity(
            owner_engine, tenant, chapter.id, staff=OPS, title=title, starts_at=starts, **fields
        )
        return str(activity.id)

    made = {
        # 10:00 UTC is 18:00 in Shanghai: 7 March there
        "recapped": await make("Cloud Native Night #31", datetime(2026, 3, 7, 10, tzinfo=UTC)),
        "unrecapped": await make("Docs sprint", datetime(2026, 3, 14, 2, tzinfo=UTC)),
        "before": await make("February meetup", datetime(2026, 2, 28, 6, tzinfo=UTC)),
        # 15 March 17:00 UTC is 16 March 01:00 in Shanghai: after the period, coming up
        "night_owls": await make("Night owls", datetime(2026, 3, 15, 17, tzinfo=UTC)),
        "spring": await make(
            "Spring meetup",
            datetime(2026, 3, 20, 6, tzinfo=UTC),
            links=[LinkEntry(kind=LinkKind.REGISTRATION, url=REGISTER)],
        ),
        # the window ends four weeks after the period: 12 April in, 13 April out
        "last_in_window": await make("April workshop", datetime(2026, 4, 12, 6, tzinfo=UTC)),
        "too_far": await make("Late April meetup", datetime(2026, 4, 13, 6, tzinfo=UTC)),
        "unreviewed": await make(
            "Not accepted yet", datetime(2026, 3, 9, 6, tzinfo=UTC), accept=False
        ),
        "cancelled": await make("Called off", datetime(2026, 3, 10, 6, tzinfo=UTC)),
        "cancelled_later": await make("Called off too", datetime(2026, 3, 25, 6, tzinfo=UTC)),
    }

    async def steps(session, principal) -> None:
        await lifecycle.publish_recap(
            session,
            principal,
            _uuid(made["recapped"]),
            recaps.RecapContent(
                summary="Eighty people,\n  three talks.",
                links=[LinkEntry(kind=LinkKind.SLIDES, url=RECAP_SLIDES)],
            ),
        )

    async def cancel(session) -> None:
        # cancelled before they took place (the service refuses it once they have: these dates
        # are past), as the ledger then keeps them
        ids = [_uuid(made[key]) for key in ("cancelled", "cancelled_later")]
        await session.execute(
            update(Activity).where(Activity.id.in_(ids)).values(status=ActivityStatus.CANCELLED)
        )

    await staff_session_call(owner_engine, tenant, OPS, steps)
    await write(owner_engine, tenant, cancel)
    return made


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


async def test_the_draft_holds_exactly_the_periods_items(client, tenants, owner_engine) -> None:
    tenant, chapter = await _world(client, tenants, owner_engine)
    activities = await _activities(owner_engine, tenant, chapter)

    # articles: one published in the period (linked to its first publication), others not
    inside = await published_article(
        owner_engine,
        tenant,
        "Running Chapters at scale",
        at(date(2026, 3, 5)),
        summary="Lessons from Shanghai.",
        publications=(
            ("Website", "https://community.example/scale", date(2026, 3, 6)),
            ("WeChat", "https://mp.weixin.qq.com/s/scale", date(2026, 3, 5)),
        ),
    )
    await published_article(owner_engine, tenant, "Old news", at(date(2026, 2, 20)))
    await published_article(owner_engine, tenant, "Next week's", at(date(2026, 3, 16), 1))
    await published_article(owner_engine, tenant, "Scheduled", None, status=ArticleStatus.SCHEDULED)

    # code: Ada's first contribution is in the period; Bo contributed before; Cy is private
    first_pr = await contribution(owner_engine, tenant, ADA, at(date(2026, 3, 3)), 101)
    await contribution(owner_engine, tenant, ADA, at(date(2026, 3, 9)), 102)
    await contribution(owner_engine, tenant, BO, at(date(2025, 12, 1)), 201)
    await contribution(owner_engine, tenant, BO, at(date(2026, 3, 4)), 202)
    await contribution(owner_engine, tenant, CY, at(date(2026, 3, 6)), 301)

    # certificates: Dee's valid one in the period; a revoked one, one out of it, Eve's private
    recapped = _uuid(activities["recapped"])
    valid, verify = await certificate(owner_engine, tenant, DEE, recapped, date(2026, 3, 10))
    await certificate(owner_engine, tenant, DEE, recapped, date(2026, 3, 11), revoked=True)
    await certificate(owner_engine, tenant, DEE, _uuid(activities["spring"]), date(2026, 3, 20))
    await certificate(owner_engine, tenant, EVE, recapped, date(2026, 3, 12))

    editor = Api(client, tenant, EDITOR)
    release = await editor.ok(
        UPDATE_CREATE,
        title="Chapters 2.4 released",
        happenedOn="2026-03-12",
        body="Calendar feeds and certificates.",
        url="https://community.example/releases/2.4",
    )
    await editor.ok(UPDATE_CREATE, title="Later news", happenedOn="2026-03-16")
    column = await editor.column()

    draft = await editor.draft(column, START, END)
    assert (draft["periodStart"], draft["periodEnd"]) == (START, END)
    assert (draft["upcomingFrom"], draft["upcomingTo"]) == ("2026-03-16", "2026-04-12")
    found = {
        section["section"]: [
            (item["on"], item["title"], item["body"], item["url"]) for item in section["items"]
        ]
        for section in draft["sections"]
    }
    assert found == {
        "UPCOMING": [
            ("2026-03-16", "Night owls", "2026-03-16 · Shanghai, West Lake Library", None),
            ("2026-03-20", "Spring meetup", "2026-03-20 · Shanghai, West Lake Library", REGISTER),
            ("2026-04-12", "April workshop", "2026-04-12 · Shanghai, West Lake Library", None),
        ],
        "RECAPS": [
            ("2026-03-07", "Cloud Native Night #31", "Eighty people, three talks.", RECAP_SLIDES),
            ("2026-03-14", "Docs sprint", "2026-03-14 · Shanghai, West Lake Library", None),
        ],
        "ARTICLES": [
            (
                "2026-03-05",
                "Running Chapters at scale",
                "Lessons from Shanghai.",
                "https://mp.weixin.qq.com/s/scale",
            )
        ],
        "NEW_CONTRIBUTORS": [("2026-03-03", "ada", "octo-org/hello", first_pr)],
        "RECOGNITION": [("2026-03-10", "Dee", "Speaker", verify)],
        "PROJECT_UPDATES": [
            (
                "2026-03-12",
                "Chapters 2.4 released",
                "Calendar feeds and certificates.",
                "https://community.example/releases/2.4",
            )
        ],
    }

    # each item says what it came from, as far as the caller may see it: staff see the
    # certificate, an editor who is not staff the same items without it
    staff_draft = await Api(client, tenant, OPS).draft(column, START, END)
    sources = {
        section["section"]: [_source(item) for item in section["items"]]
        for section in staff_draft["sections"]
    }
    assert [
        s["items"][0]["certificate"] for s in draft["sections"] if s["section"] == "RECOGNITION"
    ] == [None]
    assert sources["RECAPS"] == [
        ("activity", gid("Activity", recapped)),
        ("activity", gid("Activity", _uuid(activities["unrecapped"]))),
    ]
    assert sources["ARTICLES"] == [("article", gid("Article", inside))]
    assert sources["NEW_CONTRIBUTORS"] == [("person", gid("Person", tenant.people[ADA].id))]
    assert sources["RECOGNITION"] == [("certificate", gid("Certificate", valid))]
    assert sources["PROJECT_UPDATES"] == [("projectUpdate", release["projectUpdate"]["id"])]


def _source(item: dict) -> tuple[str, str] | None:
    for key in ("activity", "article", "person", "certificate", "projectUpdate"):
        if item[key]:
            return key, item[key]["id"]
    return None


async def test_a_bad_period_is_a_typed_error(client, tenants, owner_engine) -> None:
    tenant, _ = await _world(client, tenants, owner_engine)
    editor = Api(client, tenant, EDITOR)
    column = await editor.column()

    async def code_of(start: str, end: str) -> tuple[str, str]:
        body = await editor.raw(DRAFT, {"column": column, "period": {"from": start, "to": end}})
        error = body["errors"][0]
        return error["extensions"]["code"], error["extensions"].get("field")

    assert await code_of("2026-03-15", "2026-03-01") == ("INVALID", "period.to")
    assert await code_of("2026-01-01", "2026-04-30") == ("INVALID", "period.to")  # 120 days
    assert await code_of("0001-01-01", "0001-01-05") == ("INVALID", "period.from")
    # no period: the column's next scheduled one (weekly from 2 March: 23 Feb to 1 March)
    data = await editor.data(DRAFT, {"column": column})
    draft = data["newsletterDraft"]
    assert (draft["periodStart"], draft["periodEnd"]) == ("2026-02-23", "2026-03-01")
    # only editors and staff assemble drafts
    refused = await Api(client, tenant, MEMBER).raw(DRAFT, {"column": column})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

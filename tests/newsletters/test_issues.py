"""Newsletter issues through the GraphQL endpoint: an editor creates a column and its next
issue (the draft assembled for the schedule's period, stored as items), reorders, cuts, edits
and adds items, renders it to Markdown and HTML in English and Chinese, and publishes it on a
channel; edits are refused afterwards. Templates that do not compile or render are typed
errors naming the line; drafts are for editors and staff, published issues for everyone signed
in; a page of issues costs a constant number of statements."""

from __future__ import annotations

import uuid
from datetime import date

from chapters.models import TenantRole
from chapters.models.content import Channel, ChannelKind
from tests.newsletters.newsletters_support import (
    ADMIN,
    COLUMN_CREATE,
    COLUMN_UPDATE,
    EDITOR,
    ISSUE_CREATE,
    ISSUE_PUBLISH,
    ISSUE_UPDATE,
    ISSUES,
    ITEM_ADD,
    ITEM_MOVE,
    ITEM_REMOVE,
    ITEM_UPDATE,
    MEMBER,
    OPS,
    RENDERED,
    SCHEDULE,
    UPDATE_CREATE,
    UPDATE_REMOVE,
    Api,
    at,
    gid,
    published_article,
    write,
)
from tests.support import codes, make_editor, statements_sent

PEOPLE = {ADMIN: TenantRole.ADMIN, OPS: TenantRole.OPS, EDITOR: None, MEMBER: None}


async def _world(tenants, owner_engine):
    tenant = await tenants.create(people=PEOPLE)
    await make_editor(owner_engine, tenant, EDITOR, staff=OPS)
    return tenant


async def _channel(owner_engine, tenant, name: str = "Website") -> str:
    async def work(session) -> uuid.UUID:
        channel = Channel(name=name, kind=ChannelKind.WEBSITE, url="https://community.example")
        session.add(channel)
        await session.flush()
        return channel.id

    return gid("Channel", await write(owner_engine, tenant, work))


def _titles(items: list[dict], section: str | None = None) -> list[str]:
    return [item["title"] for item in items if section is None or item["section"] == section]


async def test_an_issue_is_drafted_edited_rendered_and_published(
    client, tenants, owner_engine
) -> None:
    tenant = await _world(tenants, owner_engine)
    editor = Api(client, tenant, EDITOR)
    # weekly from Tuesday 2 June 2026: issue 1 covers 26 May to 1 June
    column = await editor.column("Community Weekly", firstIssueOn="2026-06-02")
    schedule = (await editor.data(SCHEDULE, {"id": column}))["node"]["schedule"]
    assert schedule == {
        "number": 1,
        "periodStart": "2026-05-26",
        "periodEnd": "2026-06-01",
        "dueOn": "2026-06-02",
    }
    for title, day in (("Scaling, part two", 28), ("Scaling, part one", 27), ("Docs", 30)):
        await published_article(owner_engine, tenant, title, at(date(2026, 5, day)))
    await editor.ok(UPDATE_CREATE, title="Release 2.4", happenedOn="2026-05-29")

    created = (await editor.ok(ISSUE_CREATE, columnId=column))["issue"]
    assert {k: created[k] for k in ("number", "title", "periodStart", "periodEnd", "status")} == {
        "number": 1,
        "title": "Community Weekly #1",
        "periodStart": "2026-05-26",
        "periodEnd": "2026-06-01",
        "status": "DRAFT",
    }
    items = created["items"]
    assert [(i["section"], i["title"], i["position"]) for i in items] == [
        ("ARTICLES", "Scaling, part one", 0),
        ("ARTICLES", "Scaling, part two", 1),
        ("ARTICLES", "Docs", 2),
        ("PROJECT_UPDATES", "Release 2.4", 0),
    ]
    ids = {item["title"]: item["id"] for item in items}
    # the schedule moves on
    schedule = (await editor.data(SCHEDULE, {"id": column}))["node"]["schedule"]
    assert (schedule["number"], schedule["periodStart"]) == (2, "2026-06-02")

    # reorder within the section, cut, edit, add
    moved = await editor.ok(ITEM_MOVE, id=ids["Docs"], position=0)
    assert moved["item"]["position"] == 0
    assert _titles(moved["item"]["issue"]["items"], "ARTICLES") == [
        "Docs",
        "Scaling, part one",
        "Scaling, part two",
    ]
    cut = await editor.ok(ITEM_REMOVE, id=ids["Scaling, part two"])
    assert _titles(cut["item"]["issue"]["items"]) == ["Docs", "Scaling, part one", "Release 2.4"]
    assert [i["position"] for i in cut["item"]["issue"]["items"]] == [0, 1, 0]
    edited = await editor.ok(
        ITEM_UPDATE, id=ids["Docs"], title="Docs in Chinese", url="https://docs.example/zh"
    )
    assert (edited["item"]["title"], edited["item"]["url"]) == (
        "Docs in Chinese",
        "https://docs.example/zh",
    )
    added = await editor.ok(
        ITEM_ADD,
        issueId=created["id"],
        section="UPCOMING",
        title="<script>alert(1)</script> Summit",
        body="Booth *7*",
        url="https://summit.example/",
    )
    assert added["item"]["section"] == "UPCOMING" and added["item"]["position"] == 0
    first = await editor.ok(
        ITEM_ADD, issueId=created["id"], section="PROJECT_UPDATES", title="Docs sprint", position=0
    )
    assert _titles(first["item"]["issue"]["items"], "PROJECT_UPDATES") == [
        "Docs sprint",
        "Release 2.4",
    ]
    await editor.ok(
        ISSUE_UPDATE, id=created["id"], title="Summer is here", introduction="Hello, *all*."
    )

    # rendered, by the built-in templates
    english = (await editor.data(RENDERED, {"id": created["id"], "language": "EN"}))["node"]
    assert english["markdown"] == (
        "# Community Weekly #1: Summer is here\n\n"
        "*26 May 2026 – 1 June 2026*\n\n"  # noqa: RUF001 (an en dash between the days)
        "Hello, *all*.\n\n"
        "## Coming up\n\n"
        "- [\\<script\\>alert(1)\\</script\\> Summit](<https://summit.example/>): Booth *7*\n\n"
        "## New articles\n\n"
        "- [Docs in Chinese](<https://docs.example/zh>)\n"
        "- **Scaling, part one**\n\n"
        "## Project updates\n\n"
        "- **Docs sprint**\n"
        "- **Release 2.4**\n"
    )
    html = english["html"]
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Community Weekly #1: Summer is here</title>" in html
    assert "<h2>Coming up</h2>" in html
    assert (
        '<a href="https://summit.example/">&lt;script&gt;alert(1)&lt;/script&gt; Summit</a>'
        ": Booth <em>7</em>" in html
    )
    assert "<script" not in html and "src=" not in html and "<link" not in html
    chinese = (await editor.data(RENDERED, {"id": created["id"], "language": "ZH"}))["node"]
    assert chinese["markdown"].startswith(
        "# Community Weekly 第 1 期：Summer is here\n\n*2026年5月26日 至 2026年6月1日*\n"  # noqa: RUF001
    )
    for heading in ("## 近期活动", "## 最新文章", "## 项目动态"):
        assert heading in chinese["markdown"]
    assert '<html lang="zh-CN">' in chinese["html"] and "<h2>最新文章</h2>" in chinese["html"]

    # a member sees no draft
    member = Api(client, tenant, MEMBER)
    assert (await member.data(RENDERED, {"id": created["id"], "language": "EN"}))["node"] is None
    assert (await member.data(ISSUES, {"column": column}))["newsletterIssues"]["edges"] == []

    # publishing records the channels; then nothing is edited
    website = await _channel(owner_engine, tenant)
    missing = await editor.mutate(ISSUE_PUBLISH, id=created["id"], publications=[])
    assert codes(missing) == [("publications", "REQUIRED")]
    published = (
        await editor.ok(
            ISSUE_PUBLISH,
            id=created["id"],
            publications=[
                {
                    "channelId": website,
                    "url": "https://community.example/weekly/1",
                    "publishedOn": "2026-06-02",
                }
            ],
        )
    )["issue"]
    assert published["status"] == "PUBLISHED" and published["publishedAt"]
    assert published["publications"] == [
        {
            "url": "https://community.example/weekly/1",
            "publishedOn": "2026-06-02",
            "channel": {"name": "Website"},
        }
    ]
    refusals = [
        await editor.mutate(ISSUE_UPDATE, id=created["id"], title="Late"),
        await editor.mutate(ITEM_UPDATE, id=ids["Docs"], title="Late"),
        await editor.mutate(ITEM_MOVE, id=ids["Docs"], position=1),
        await editor.mutate(ITEM_REMOVE, id=ids["Docs"]),
        await editor.mutate(ITEM_ADD, issueId=created["id"], section="RECAPS", title="Late"),
        await editor.mutate(
            ISSUE_PUBLISH,
            id=created["id"],
            publications=[{"channelId": website, "publishedOn": "2026-06-03"}],
        ),
    ]
    assert [codes(r) for r in refusals] == [
        [("id", "CONFLICT")],
        [("id", "CONFLICT")],
        [("id", "CONFLICT")],
        [("id", "CONFLICT")],
        [("issueId", "CONFLICT")],
        [("id", "CONFLICT")],
    ]
    # everyone signed in reads it now
    listed = (await member.data(ISSUES, {"column": column}))["newsletterIssues"]["edges"]
    assert [edge["node"]["title"] for edge in listed] == ["Summer is here"]
    assert (await member.data(RENDERED, {"id": created["id"], "language": "ZH"}))["node"]

    # the next issue takes the next period and number
    second = (await editor.ok(ISSUE_CREATE, columnId=column))["issue"]
    assert (second["number"], second["periodStart"], second["periodEnd"]) == (
        2,
        "2026-06-02",
        "2026-06-08",
    )
    drafts = await editor.data(ISSUES, {"column": column, "status": "DRAFT"})
    assert [e["node"]["number"] for e in drafts["newsletterIssues"]["edges"]] == [2]


async def test_typed_errors(client, tenants, owner_engine) -> None:
    tenant = await _world(tenants, owner_engine)
    editor = Api(client, tenant, EDITOR)
    column = await editor.column("Community Weekly")
    taken = await editor.mutate(
        COLUMN_CREATE, name=" Community Weekly ", cadence="MONTHLY", firstIssueOn="2026-01-01"
    )
    assert codes(taken) == [("name", "CONFLICT")]

    # templates that do not compile or render, with the line at fault
    broken = await editor.mutate(
        COLUMN_UPDATE, id=column, templateEn="# {{ issue.title }}\n{% for s in sections %}\n"
    )
    assert codes(broken) == [("templateEn", "INVALID")]
    assert broken["errors"][0]["message"].startswith("Line 2:")
    unknown = await editor.mutate(COLUMN_UPDATE, id=column, templateZh="标题\n\n{{ issue.nmber }}")
    assert codes(unknown) == [("templateZh", "INVALID")]
    assert unknown["errors"][0]["message"] == "Line 3: 'issue' has no attribute 'nmber'"
    for template in (
        "{% set x = 1 %}",
        "{{ issue.title * 1000 }}",
        "{{ issue.__class__ }}",
        "{{ range(10) }}",
        "{{ issue.title | center(100) }}",
    ):
        refused = await editor.mutate(COLUMN_UPDATE, id=column, templateEn=template)
        assert codes(refused) == [("templateEn", "INVALID")], template
    # a template of one's own, in use
    mine = await editor.ok(
        COLUMN_UPDATE,
        id=column,
        templateEn="{{ column.name }} {{ issue.number }}\n{% for s in sections if s.items %}"
        "{{ s.heading | upper }}:{% for i in s.items %} {{ i.title | md }}{% endfor %}\n"
        "{% endfor %}",
    )
    assert mine["column"]["templateEn"].startswith("{{ column.name }}")
    await editor.ok(UPDATE_CREATE, title="Release_2", happenedOn="2026-02-25")
    issue = (await editor.ok(ISSUE_CREATE, columnId=column))["issue"]
    rendered = await editor.data(RENDERED, {"id": issue["id"], "language": "EN"})
    assert rendered["node"]["markdown"] == "Community Weekly 1\nPROJECT UPDATES: Release\\_2\n"
    # back to the built-in one
    reset = await editor.ok(COLUMN_UPDATE, id=column, templateEn=None)
    assert reset["column"]["templateEn"] is None

    # periods: in order, at most 93 days, both days or neither
    wrong = [
        await editor.mutate(
            ISSUE_CREATE, columnId=column, periodStart="2026-03-10", periodEnd="2026-03-01"
        ),
        await editor.mutate(
            ISSUE_CREATE, columnId=column, periodStart="2026-01-01", periodEnd="2026-06-30"
        ),
        await editor.mutate(ISSUE_CREATE, columnId=column, periodStart="2026-03-10"),
    ]
    assert [codes(w) for w in wrong] == [
        [("periodEnd", "INVALID")],
        [("periodEnd", "INVALID")],
        [("periodEnd", "REQUIRED")],
    ]
    # items: a title, a web address, a place within the section
    bad_items = [
        await editor.mutate(ITEM_ADD, issueId=issue["id"], section="RECAPS", title=" "),
        await editor.mutate(
            ITEM_ADD, issueId=issue["id"], section="RECAPS", title="x", url="javascript:x"
        ),
        await editor.mutate(ITEM_ADD, issueId=issue["id"], section="RECAPS", title="x", position=3),
        await editor.mutate(ITEM_MOVE, id=issue["items"][0]["id"], position=1),
    ]
    assert [codes(b) for b in bad_items] == [
        [("title", "REQUIRED")],
        [("url", "INVALID")],
        [("position", "INVALID")],
        [("position", "INVALID")],
    ]
    # a member may do none of it
    member = Api(client, tenant, MEMBER)
    assert codes(await member.mutate(ISSUE_CREATE, columnId=column)) == [(None, "FORBIDDEN")]
    retired = await editor.ok(COLUMN_UPDATE, id=column, retired=True)
    assert retired["column"]["retired"] is True
    assert codes(await editor.mutate(ISSUE_CREATE, columnId=column)) == [("columnId", "INVALID")]


async def _issues_statements(client, app, tenants, owner_engine, count: int) -> int:
    tenant = await _world(tenants, owner_engine)
    editor = Api(client, tenant, EDITOR)
    column = await editor.column(firstIssueOn="2026-01-06")
    for day in range(count):
        await published_article(owner_engine, tenant, f"Article {day}", at(date(2026, 1, 1 + day)))
    website = await _channel(owner_engine, tenant)
    for number in range(count):
        issue = (await editor.ok(ISSUE_CREATE, columnId=column))["issue"]
        await editor.ok(
            ISSUE_PUBLISH,
            id=issue["id"],
            publications=[{"channelId": website, "publishedOn": "2026-03-01"}],
        )
        assert issue["number"] == number + 1
    reader = Api(client, tenant, MEMBER)
    document = """{ newsletterIssues(first: 50) { edges { node { title column { name schedule
      { number } } items { title article { id } } publications { channel { name } }
      markdown html } } } }"""
    with statements_sent(app.state.runtime.engine) as statements:
        listed = (await reader.data(document))["newsletterIssues"]["edges"]
    assert len(listed) == count
    return len(statements)


async def test_a_page_of_issues_costs_a_constant_number_of_statements(
    client, app, tenants, owner_engine
) -> None:
    few = await _issues_statements(client, app, tenants, owner_engine, 2)
    many = await _issues_statements(client, app, tenants, owner_engine, 6)
    assert few == many, (few, many)


async def test_a_removed_project_update_leaves_its_item(client, tenants, owner_engine) -> None:
    tenant = await _world(tenants, owner_engine)
    editor = Api(client, tenant, EDITOR)
    column = await editor.column(firstIssueOn="2026-03-03")
    made = await editor.ok(UPDATE_CREATE, title="Release 2.4", happenedOn="2026-02-27")
    issue = (await editor.ok(ISSUE_CREATE, columnId=column))["issue"]
    [item] = issue["items"]
    assert item["projectUpdate"] == {"id": made["projectUpdate"]["id"], "title": "Release 2.4"}
    removed = await editor.ok(UPDATE_REMOVE, id=made["projectUpdate"]["id"])
    assert removed["projectUpdate"]["title"] == "Release 2.4"
    listed = await editor.data(ISSUES, {"column": column})
    [kept] = listed["newsletterIssues"]["edges"][0]["node"]["items"]
    assert (kept["title"], kept["projectUpdate"]) == ("Release 2.4", None)

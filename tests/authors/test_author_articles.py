"""An author's articles, with their states: the ones the caller may read (the articles' own
rule), in the pool's list and its ``hasWritten`` filter; and the list of authors with their
articles, outreach, people and organisations in a fixed number of statements however many
authors there are."""

from __future__ import annotations

from chapters.models import ArticleStatus, TenantRole
from tests.authors.authors_support import (
    AUTHOR,
    EDITOR,
    LEAD,
    MEMBER,
    OPS,
    WRITER,
    Api,
    article_by,
    person,
)
from tests.support import make_chapter, make_editor, statements_sent

PEOPLE = {OPS: TenantRole.OPS, EDITOR: None, LEAD: None, WRITER: None, MEMBER: None}
WITH_ARTICLES = f"""query ($filter: AuthorFilter) {{ authors(filter: $filter, first: 50) {{
  edges {{ node {{ {AUTHOR} articles {{ title status }} }} }} }} }}"""


async def test_an_authors_articles_are_those_the_caller_reads(
    client, tenants, owner_engine
) -> None:
    tenant = await tenants.create(people=PEOPLE)
    alpha = await make_chapter(
        owner_engine, tenant, "alpha", staff=OPS, lead=LEAD, members=(WRITER,)
    )
    await make_editor(owner_engine, tenant, EDITOR, staff=OPS)
    editor = Api(client, tenant, EDITOR)
    writer = await editor.author(personId=person(tenant, WRITER), origin="WROTE")
    outsider = await editor.author(name="Zhao Lei")
    await editor.author(name="Nothing Yet")
    await article_by(owner_engine, tenant, writer["id"], "Alpha's story", chapter_id=alpha.id)
    await article_by(owner_engine, tenant, writer["id"], "Elsewhere", ArticleStatus.IN_REVIEW)
    await article_by(owner_engine, tenant, outsider["id"], "Out there", ArticleStatus.PUBLISHED)

    async def articles(api: Api, **filter) -> dict[str, list[tuple[str, str]]]:
        data = await api.data(WITH_ARTICLES, {"filter": filter or None})
        return {
            edge["node"]["name"]: [(a["title"], a["status"]) for a in edge["node"]["articles"]]
            for edge in data["authors"]["edges"]
        }

    seen = await articles(editor)
    assert sorted(seen["writer"]) == [("Alpha's story", "DRAFTING"), ("Elsewhere", "IN_REVIEW")]
    assert seen["Zhao Lei"] == [("Out there", "PUBLISHED")]
    assert seen["Nothing Yet"] == []
    assert set(await articles(editor, hasWritten=True)) == {"writer", "Zhao Lei"}
    assert set(await articles(editor, hasWritten=False)) == {"Nothing Yet"}

    # the lead of alpha reads alpha's articles (and published ones), not the rest
    assert await articles(Api(client, tenant, LEAD)) == {"writer": [("Alpha's story", "DRAFTING")]}


async def test_the_authors_list_sends_a_fixed_number_of_statements(
    app, client, tenants, owner_engine
) -> None:
    tenant = await tenants.create(people=PEOPLE)
    await make_chapter(owner_engine, tenant, "alpha", staff=OPS, lead=LEAD, members=(WRITER,))
    await make_editor(owner_engine, tenant, EDITOR, staff=OPS)
    editor = Api(client, tenant, EDITOR)
    organisation = (
        await Api(client, tenant, OPS).data(
            'mutation { organisationCreate(input: {name: "Example Cloud", kind: COMPANY}) {'
            " organisation { id } } }"
        )
    )["organisationCreate"]["organisation"]["id"]

    async def add(names: list[str]) -> None:
        for name in names:
            author = await editor.author(name=name, organisationId=organisation, contact="c")
            await editor.outreach(author["id"], "2026-01-05", topic="One")
            await editor.outreach(author["id"], "2026-02-05", topic="Two")
            await article_by(owner_engine, tenant, author["id"], f"{name}'s article")

    async def statements(expected: int) -> int:
        with statements_sent(app.state.runtime.engine) as sent:
            data = await editor.data(WITH_ARTICLES)
        nodes = [edge["node"] for edge in data["authors"]["edges"]]
        assert len(nodes) == expected
        outsiders = [n for n in nodes if n["person"] is None]
        assert all(len(n["outreach"]) == 2 and len(n["articles"]) == 1 for n in outsiders)
        assert all(n["organisation"] == {"name": "Example Cloud"} for n in outsiders)
        return len(sent)

    await editor.author(personId=person(tenant, WRITER), origin="WROTE")
    await add(["A", "B"])
    await statements(3)  # warm: the tenant's lookup is cached after the first request
    few = await statements(3)
    await add(["C", "D", "E", "F"])
    await editor.author(personId=person(tenant, MEMBER), origin="INVITED")
    assert await statements(8) == few

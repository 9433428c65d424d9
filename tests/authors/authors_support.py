"""What the author pool tests share: their GraphQL documents and a caller with this domain's
reads and writes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.relay import from_base64

from chapters.api.ids import global_id
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import Article, ArticleAuthor, ArticleKind, ArticleSource, ArticleStatus
from tests import support
from tests.support import TenantFixture

ADMIN = "admin@x.example"
OPS = "ops@x.example"
EDITOR = "editor@x.example"  # a content editor with no tenant role
LEAD = "lead@x.example"  # leads chapter alpha
WRITER = "writer@x.example"  # a member of alpha, in the pool
MEMBER = "member@x.example"  # a member of alpha, not in the pool
BETA = "beta@x.example"  # a member of beta
ERRORS = "errors { field code message }"

OUTREACH = """id contactedOn topic answer answeredOn followUpOn notes
  contactedBy { id } article { id }"""
AUTHOR = f"""id name origin topics sourceUrl lastContactedOn contact notes
  person {{ id displayName }} organisation {{ name }}
  outreach {{ {OUTREACH} }}"""
AUTHOR_CREATE = f"""mutation ($input: AuthorCreateInput!) {{
  authorCreate(input: $input) {{ author {{ {AUTHOR} }} {ERRORS} }}
}}"""
AUTHOR_UPDATE = f"""mutation ($input: AuthorUpdateInput!) {{
  authorUpdate(input: $input) {{ author {{ {AUTHOR} }} {ERRORS} }}
}}"""
OUTREACH_LOG = f"""mutation ($input: AuthorOutreachLogInput!) {{
  authorOutreachLog(input: $input) {{ outreach {{ {OUTREACH} author {{ lastContactedOn }} }}
  {ERRORS} }}
}}"""
OUTREACH_ANSWER = f"""mutation ($input: AuthorOutreachAnswerInput!) {{
  authorOutreachAnswer(input: $input) {{ outreach {{ {OUTREACH} }} {ERRORS} }}
}}"""
AUTHORS = f"""query ($filter: AuthorFilter) {{
  authors(filter: $filter, first: 50) {{ edges {{ node {{ {AUTHOR} }} }} }}
}}"""
AUTHOR_NODE = f"""query ($id: ID!) {{ node(id: $id) {{ ... on Author {{ {AUTHOR} }} }} }}"""
LIKELY = """query ($topic: String) { likelyAuthors(topic: $topic, first: 50) { edges { node {
  activityCount latestActivityAt person { id displayName } latestActivity { title }
  author { id origin } } } } }"""


def person(tenant: TenantFixture, email: str) -> str:
    return global_id("Person", tenant.people[email].id)


class Api(support.Api):
    """One caller of one tenant's endpoint, with this package's reads and writes."""

    async def ok(self, document: str, **input: Any) -> dict[str, Any]:
        payload = await self.mutate(document, **input)
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def author(self, **fields: Any) -> dict[str, Any]:
        values = {"origin": "FOUND", **fields}
        author: dict[str, Any] = (await self.ok(AUTHOR_CREATE, **values))["author"]
        return author

    async def outreach(self, author: str, contacted_on: str, **fields: Any) -> dict[str, Any]:
        payload = await self.ok(OUTREACH_LOG, authorId=author, contactedOn=contacted_on, **fields)
        outreach: dict[str, Any] = payload["outreach"]
        return outreach

    async def authors(self, **filter: Any) -> list[dict[str, Any]]:
        data = await self.data(AUTHORS, {"filter": filter or None})
        return [edge["node"] for edge in data["authors"]["edges"]]

    async def node(self, author: str) -> dict[str, Any] | None:
        node: dict[str, Any] | None = (await self.data(AUTHOR_NODE, {"id": author}))["node"]
        return node

    async def likely(self, topic: str | None = None) -> list[dict[str, Any]]:
        data = await self.data(LIKELY, {"topic": topic})
        return [edge["node"] for edge in data["likelyAuthors"]["edges"]]


async def article_by(
    owner_engine: AsyncEngine,
    tenant: TenantFixture,
    author: str,
    title: str,
    status: ArticleStatus = ArticleStatus.DRAFTING,
    chapter_id: uuid.UUID | None = None,
) -> str:
    """An article of ``author`` (a global id) in ``status``, written straight into the tenant's
    tables (the article pipeline is the articles' to test)."""
    author_id = uuid.UUID(from_base64(author)[1])
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        article = Article(
            title=title,
            kind=ArticleKind.BEST_PRACTICE,
            source=ArticleSource.ORIGINAL,
            status=status,
            chapter_id=chapter_id,
        )
        session.add(article)
        await session.flush()
        session.add(ArticleAuthor(article_id=article.id, author_id=author_id, position=0))
    return global_id("Article", article.id)

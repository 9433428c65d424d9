"""What the newsletter tests share: their GraphQL documents, a caller with this domain's reads
and writes, and rows written the way their own domains would leave them (an article
published on a day, a code contribution, a certificate), dated as a test needs."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.ids import global_id
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import CodeContribution, ContributionKind, Person
from chapters.models.content import (
    Article,
    ArticleKind,
    ArticleSource,
    ArticleStatus,
    Channel,
    ChannelKind,
    Publication,
)
from chapters.models.recognition import Certificate, CertificateBasis, CertificateStatus
from tests import support
from tests.support import TenantFixture

ADMIN = "admin@x.example"
OPS = "ops@x.example"
EDITOR = "editor@x.example"  # appointed content editor, no tenant role
MEMBER = "member@x.example"  # a signed-in person, no role
ERRORS = "errors { field code message }"

COLUMN = "id name cadence firstIssueOn templateEn templateZh retired"
COLUMN_CREATE = f"""mutation ($input: NewsletterColumnCreateInput!) {{
  newsletterColumnCreate(input: $input) {{ column {{ {COLUMN} }} {ERRORS} }}
}}"""
COLUMN_UPDATE = f"""mutation ($input: NewsletterColumnUpdateInput!) {{
  newsletterColumnUpdate(input: $input) {{ column {{ {COLUMN} }} {ERRORS} }}
}}"""
SCHEDULE = """query ($id: ID!) { node(id: $id) { ... on NewsletterColumn {
  schedule { number periodStart periodEnd dueOn } } } }"""
UPDATE_CREATE = f"""mutation ($input: ProjectUpdateCreateInput!) {{
  projectUpdateCreate(input: $input) {{ projectUpdate {{ id title happenedOn }} {ERRORS} }}
}}"""
UPDATE_REMOVE = f"""mutation ($input: ProjectUpdateRemoveInput!) {{
  projectUpdateRemove(input: $input) {{ projectUpdate {{ id title }} {ERRORS} }}
}}"""
ENTRY = """section title body url
  activity { id title } article { id } person { id } certificate { id }
  projectUpdate { id title }"""
DRAFT = f"""query ($column: ID!, $period: NewsletterPeriodInput) {{
  newsletterDraft(columnId: $column, period: $period) {{
    periodStart periodEnd upcomingFrom upcomingTo
    sections {{ section items {{ on {ENTRY} }} }}
  }}
}}"""
ITEM = f"id position {ENTRY}"
ISSUE = f"""id number title periodStart periodEnd status introduction publishedAt
  column {{ name }} items {{ {ITEM} }}
  publications {{ url publishedOn channel {{ name }} }}"""
ISSUE_CREATE = f"""mutation ($input: NewsletterIssueCreateInput!) {{
  newsletterIssueCreate(input: $input) {{ issue {{ {ISSUE} }} {ERRORS} }}
}}"""
ISSUE_UPDATE = f"""mutation ($input: NewsletterIssueUpdateInput!) {{
  newsletterIssueUpdate(input: $input) {{ issue {{ {ISSUE} }} {ERRORS} }}
}}"""
ISSUE_PUBLISH = f"""mutation ($input: NewsletterIssuePublishInput!) {{
  newsletterIssuePublish(input: $input) {{ issue {{ {ISSUE} }} {ERRORS} }}
}}"""
ITEM_PAYLOAD = f"item {{ {ITEM} issue {{ items {{ id title section position }} }} }} {ERRORS}"
ITEM_ADD = f"""mutation ($input: NewsletterItemAddInput!) {{
  newsletterItemAdd(input: $input) {{ {ITEM_PAYLOAD} }}
}}"""
ITEM_UPDATE = f"""mutation ($input: NewsletterItemUpdateInput!) {{
  newsletterItemUpdate(input: $input) {{ {ITEM_PAYLOAD} }}
}}"""
ITEM_MOVE = f"""mutation ($input: NewsletterItemMoveInput!) {{
  newsletterItemMove(input: $input) {{ {ITEM_PAYLOAD} }}
}}"""
ITEM_REMOVE = f"""mutation ($input: NewsletterItemRemoveInput!) {{
  newsletterItemRemove(input: $input) {{ {ITEM_PAYLOAD} }}
}}"""
RENDERED = """query ($id: ID!, $language: NewsletterLanguage!) { node(id: $id) {
  ... on NewsletterIssue { markdown(language: $language) html(language: $language) } } }"""
ISSUES = f"""query ($column: ID, $status: NewsletterIssueStatus) {{
  newsletterIssues(columnId: $column, status: $status, first: 50) {{
    edges {{ node {{ {ISSUE} }} }} }} }}"""


class Api(support.Api):
    """One caller of one tenant's endpoint, with this package's reads and writes."""

    async def ok(self, document: str, **input: Any) -> dict[str, Any]:
        payload = await self.mutate(document, **input)
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def column(self, name: str = "Community Weekly", **fields: Any) -> str:
        values = {"cadence": "WEEKLY", "firstIssueOn": "2026-03-02", **fields}
        payload = await self.ok(COLUMN_CREATE, name=name, **values)
        return str(payload["column"]["id"])

    async def draft(self, column: str, start: str, end: str) -> dict[str, Any]:
        data = await self.data(DRAFT, {"column": column, "period": {"from": start, "to": end}})
        draft: dict[str, Any] = data["newsletterDraft"]
        return draft


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


async def write(owner_engine: AsyncEngine, tenant: TenantFixture, work) -> Any:
    """Run ``work(session)`` in the tenant, committed (rows as their domains leave them)."""
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        return await work(session)


async def make_public(owner_engine: AsyncEngine, tenant: TenantFixture, *emails: str) -> None:
    """The people chose a public profile."""

    async def work(session) -> None:
        ids = [tenant.people[email].id for email in emails]
        await session.execute(update(Person).where(Person.id.in_(ids)).values(public_profile=True))

    await write(owner_engine, tenant, work)


async def published_article(
    owner_engine: AsyncEngine,
    tenant: TenantFixture,
    title: str,
    published: datetime | None,
    *,
    status: ArticleStatus = ArticleStatus.PUBLISHED,
    summary: str | None = None,
    publications: tuple[tuple[str, str | None, date], ...] = (),
) -> uuid.UUID:
    """An article in ``status`` published at ``published``, on the channels named (made if
    missing): (channel name, its address there, the day)."""

    async def work(session) -> uuid.UUID:
        article = Article(
            title=title,
            kind=ArticleKind.NEWS,
            source=ArticleSource.ORIGINAL,
            status=status,
            summary=summary,
            published_at=published,
        )
        session.add(article)
        await session.flush()
        for name, url, day in publications:
            channel = Channel(name=f"{name}-{uuid.uuid4().hex[:6]}", kind=ChannelKind.WEBSITE)
            session.add(channel)
            await session.flush()
            session.add(
                Publication(channel_id=channel.id, article_id=article.id, url=url, published_on=day)
            )
        await session.flush()
        return article.id

    result: uuid.UUID = await write(owner_engine, tenant, work)
    return result


async def contribution(
    owner_engine: AsyncEngine, tenant: TenantFixture, email: str, when: datetime, number: int
) -> str:
    """A pull request of the person's, merged ``when``; its address."""
    url = f"https://github.com/octo-org/hello/pull/{number}"

    async def work(session) -> None:
        session.add(
            CodeContribution(
                person_id=tenant.people[email].id,
                github_handle=email.split("@")[0],
                repository="octo-org/hello",
                kind=ContributionKind.PULL_REQUEST,
                url=url,
                occurred_at=when,
            )
        )

    await write(owner_engine, tenant, work)
    return url


async def certificate(
    owner_engine: AsyncEngine,
    tenant: TenantFixture,
    email: str,
    activity_id: uuid.UUID,
    issued_on: date,
    *,
    revoked: bool = False,
) -> tuple[uuid.UUID, str]:
    """A certificate for the person's part in the activity, as issued (signed content
    abbreviated: nothing here checks it): its id and verification address."""
    public_id = uuid.uuid4().hex[:16]
    verify = f"https://chapters.example/verify/{public_id}"

    async def work(session) -> uuid.UUID:
        found = Certificate(
            public_id=public_id,
            person_id=tenant.people[email].id,
            basis=CertificateBasis.ACTIVITY,
            activity_id=activity_id,
            holder_name=email.split("@")[0].title(),
            title="Speaker",
            what_for="Spoke at the meetup",
            issued_on=issued_on,
            issuer_name="Tenant",
            claims={"verify": verify},
            jws="header.payload.signature",
            kid="test",
            status=CertificateStatus.REVOKED if revoked else CertificateStatus.VALID,
            revoked_reason="Issued by mistake" if revoked else None,
        )
        session.add(found)
        await session.flush()
        return found.id

    return await write(owner_engine, tenant, work), verify


def gid(type_name: str, row_id: uuid.UUID) -> str:
    return global_id(type_name, row_id)

"""What the channel tests share: their GraphQL documents, a tenant with staff, an editor, a
viewer and a chapter's members, content to publish (articles and a newsletter issue written
as rows, an activity that took place), and a caller with this domain's reads and writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.ids import global_id
from chapters.channels import service
from chapters.models import (
    Article,
    ArticleKind,
    ArticleSource,
    ArticleStatus,
    Cadence,
    IssueStatus,
    NewsletterColumn,
    NewsletterIssue,
    TenantRole,
)
from tests import support
from tests.support import (
    TenantFixture,
    make_activity,
    make_chapter,
    make_editor,
    staff_session_call,
)

ADMIN = "admin@x.example"
OPS = "ops@x.example"
VIEWER = "viewer@x.example"
EDITOR = "editor@x.example"  # a content editor, with no tenant role
MEMBER = "member@x.example"  # a member of chapter shanghai
PEOPLE = {
    ADMIN: TenantRole.ADMIN,
    OPS: TenantRole.OPS,
    VIEWER: TenantRole.VIEWER,
    EDITOR: None,
    MEMBER: None,
}
ERRORS = "errors { field code message }"

CHANNEL = "id name kind url retired"
CHANNEL_CREATE = f"""mutation ($input: ChannelCreateInput!) {{
  channelCreate(input: $input) {{ channel {{ {CHANNEL} }} {ERRORS} }}
}}"""
CHANNEL_UPDATE = f"""mutation ($input: ChannelUpdateInput!) {{
  channelUpdate(input: $input) {{ channel {{ {CHANNEL} }} {ERRORS} }}
}}"""
CHANNEL_RETIRE = f"""mutation ($input: ChannelIdInput!) {{
  channelRetire(input: $input) {{ channel {{ {CHANNEL} }} {ERRORS} }}
}}"""
CHANNEL_UNRETIRE = f"""mutation ($input: ChannelIdInput!) {{
  channelUnretire(input: $input) {{ channel {{ {CHANNEL} }} {ERRORS} }}
}}"""
CHANNELS = """query ($all: Boolean!) { channels(includeRetired: $all, first: 50) {
  edges { node { id name kind url retired } } } }"""

READING = "readOn reads views likes followersGained recordedBy { id }"
PUBLICATION = f"""id url publishedOn channel {{ name }} article {{ id }}
  newsletterIssue {{ id }} activity {{ id title }}
  latestReading {{ {READING} }} readings {{ {READING} }}"""
PUBLISH_RECORDING = f"""mutation ($input: ActivityRecordingPublishInput!) {{
  activityRecordingPublish(input: $input) {{ publications {{ {PUBLICATION} }} {ERRORS} }}
}}"""
PUBLICATION_REMOVE = f"""mutation ($input: PublicationRemoveInput!) {{
  publicationRemove(input: $input) {{ removedId {ERRORS} }}
}}"""
PUBLICATIONS = f"""query ($filter: PublicationFilter) {{
  publications(filter: $filter, first: 50) {{ edges {{ node {{ {PUBLICATION} }} }} }}
}}"""
REACH_RECORD = f"""mutation ($input: ReachRecordInput!) {{
  reachRecord(input: $input) {{ reading {{ {READING} }} publication {{ id }} {ERRORS} }}
}}"""
CHANNEL_REACH = """query ($from: String!, $to: String!, $channelIds: [ID!]) {
  channelReach(from: $from, to: $to, channelIds: $channelIds) {
    month startsOn channel { name } publications reads views likes followersGained } }"""


class Api(support.Api):
    """One caller of one tenant's endpoint, with this package's reads and writes."""

    async def ok(self, document: str, **input: Any) -> dict[str, Any]:
        payload = await self.mutate(document, **input)
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def channel(self, name: str, kind: str = "WEBSITE", **fields: Any) -> str:
        payload = await self.ok(CHANNEL_CREATE, name=name, kind=kind, **fields)
        return str(payload["channel"]["id"])

    async def channels(self, include_retired: bool = False) -> list[dict[str, Any]]:
        data = await self.data(CHANNELS, {"all": include_retired})
        return [edge["node"] for edge in data["channels"]["edges"]]

    async def publications(self, **filter: Any) -> list[dict[str, Any]]:
        data = await self.data(PUBLICATIONS, {"filter": filter or None})
        return [edge["node"] for edge in data["publications"]["edges"]]

    async def read(self, publication: str, read_on: str, **figures: Any) -> dict[str, Any]:
        return await self.mutate(REACH_RECORD, publicationId=publication, readOn=read_on, **figures)

    async def reach(self, first: str, last: str, **variables: Any) -> list[dict[str, Any]]:
        data = await self.data(CHANNEL_REACH, {"from": first, "to": last, **variables})
        rows: list[dict[str, Any]] = data["channelReach"]
        return rows


@dataclass
class World:
    tenant: TenantFixture
    chapter_id: uuid.UUID
    engine: AsyncEngine

    def api(self, client, email: str | None) -> Api:
        return Api(client, self.tenant, email)

    async def article(self, title: str, entries: list[tuple[str, str | None, date]] = ()) -> str:
        """A published article (a row: the articles' pipeline is not under test here) and
        its publications, recorded through ``record_publications``; its global id."""

        async def work(session, principal) -> uuid.UUID:
            article = Article(
                title=title,
                kind=ArticleKind.BEST_PRACTICE,
                source=ArticleSource.ORIGINAL,
                status=ArticleStatus.PUBLISHED,
                published_at=datetime.now(UTC),
            )
            session.add(article)
            await session.flush()
            await service.record_publications(session, _entries(entries), article_id=article.id)
            return article.id

        article_id = await staff_session_call(self.engine, self.tenant, ADMIN, work)
        return global_id("Article", article_id)

    async def newsletter_issue(
        self, title: str, entries: list[tuple[str, str | None, date]] = ()
    ) -> str:
        """A published issue of a new column (rows) and its publications."""

        async def work(session, principal) -> uuid.UUID:
            column = NewsletterColumn(
                name=f"Column of {title}",
                cadence=Cadence.MONTHLY,
                first_issue_on=date(2025, 1, 1),
            )
            session.add(column)
            await session.flush()
            issue = NewsletterIssue(
                column_id=column.id,
                number=1,
                title=title,
                period_start=date(2025, 1, 1),
                period_end=date(2025, 1, 31),
                status=IssueStatus.PUBLISHED,
                published_at=datetime.now(UTC),
            )
            session.add(issue)
            await session.flush()
            await service.record_publications(
                session, _entries(entries), newsletter_issue_id=issue.id
            )
            return issue.id

        issue_id = await staff_session_call(self.engine, self.tenant, ADMIN, work)
        return global_id("NewsletterIssue", issue_id)

    async def activity(self, days_ago: int = 3, *, accept: bool = True) -> str:
        """A meetup of the chapter that started ``days_ago`` (negative: in the future)."""
        starts = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
        activity = await make_activity(
            self.engine,
            self.tenant,
            self.chapter_id,
            staff=ADMIN,
            title=f"Meetup {uuid.uuid4().hex[:6]}",
            starts_at=starts,
            accept=accept,
        )
        return global_id("Activity", activity.id)


def _entries(entries) -> list[service.PublicationEntry]:
    return [
        service.PublicationEntry(channel_id=decode(channel), url=url, published_on=day)
        for channel, url, day in entries
    ]


def decode(global_id_: str) -> uuid.UUID:
    from strawberry import relay

    return uuid.UUID(relay.from_base64(global_id_)[1])


async def make_world(tenants, owner_engine) -> World:
    tenant = await tenants.create(people=PEOPLE)
    chapter = await make_chapter(owner_engine, tenant, "shanghai", staff=ADMIN, members=(MEMBER,))
    await make_editor(owner_engine, tenant, EDITOR, staff=ADMIN)
    return World(tenant, chapter.id, owner_engine)

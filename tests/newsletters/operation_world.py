"""What the example operations of ``graphql/operations/newsletters`` need, made as the tenant
admin: a weekly column whose first issue is due today, a project update of last week, a draft
issue holding it and an item of the editors' own, and a channel to publish on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.ids import global_id
from chapters.models.content import Channel, ChannelKind, NewsletterSection
from chapters.newsletters import service
from tests.support import TenantFixture, staff_session_call

ADMIN = "admin@x.example"


async def newsletters_placeholders(
    tenant: TenantFixture, owner_engine: AsyncEngine, chapter_id: uuid.UUID
) -> dict[str, str]:
    today = datetime.now(UTC).date()

    async def world(session, principal) -> dict[str, str]:
        column = await service.create_column(
            session,
            principal,
            service.ColumnFields(
                name="Community Weekly", cadence=service.Cadence.WEEKLY, first_issue_on=today
            ),
        )
        update = await service.create_project_update(
            session,
            principal,
            service.ProjectUpdateFields(
                title="Chapters 2.4 released",
                happened_on=today - timedelta(days=3),
                url="https://community.example/releases/2.4",
            ),
        )
        issue = await service.create_issue(session, principal, column.id)
        item = await service.add_item(
            session,
            principal,
            issue.id,
            NewsletterSection.RECAPS,
            service.ItemFields(title="Shanghai meetup #36", body="Eighty people came."),
        )
        channel = Channel(
            name="Newsletter archive", kind=ChannelKind.WEBSITE, url="https://news.example"
        )
        session.add(channel)
        await session.flush()
        return {
            "@newsletterColumnId": global_id("NewsletterColumn", column.id),
            "@projectUpdateId": global_id("ProjectUpdate", update.id),
            "@newsletterIssueId": global_id("NewsletterIssue", issue.id),
            "@newsletterItemId": global_id("NewsletterItem", item.id),
            "@newsletterChannelId": global_id("Channel", channel.id),
        }

    placeholders: dict[str, str] = await staff_session_call(owner_engine, tenant, ADMIN, world)
    return placeholders

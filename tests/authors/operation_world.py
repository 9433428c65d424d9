"""What the example operations of ``graphql/operations/authors`` need, made as the tenant
admin: a writer from outside in the pool, with an approach to her still unanswered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.ids import global_id
from chapters.authors import service
from chapters.models import AuthorOrigin
from tests.support import TenantFixture, staff_session_call

ADMIN = "admin@x.example"


async def authors_placeholders(
    tenant: TenantFixture, owner_engine: AsyncEngine, chapter_id: uuid.UUID
) -> dict[str, str]:
    today = datetime.now(UTC).date()

    async def world(session, principal) -> dict[str, str]:
        author = await service.create_author(
            session,
            principal,
            service.AuthorFields(
                name="Li Wei",
                origin=AuthorOrigin.FOUND,
                contact="liwei@blog.example",
                topics=["Observability"],
                source_url="https://blog.example/liwei",
            ),
        )
        outreach = await service.log_outreach(
            session,
            principal,
            author.id,
            service.OutreachEntry(
                contacted_on=today - timedelta(days=3),
                topic="Observability for meetup organisers",
                follow_up_on=today + timedelta(days=4),
            ),
        )
        return {
            "@authorId": global_id("Author", author.id),
            "@authorOutreachId": global_id("AuthorOutreach", outreach.id),
        }

    placeholders: dict[str, str] = await staff_session_call(owner_engine, tenant, ADMIN, world)
    return placeholders

"""What the example operations of ``graphql/operations/channels`` need, made as the tenant
admin: the website, a WeChat account and a retired blog; a meetup of a month ago whose
recording went to the website, read twice (January and March 2025); and a meetup of last week
whose recording is not recorded anywhere yet."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.ids import global_id
from chapters.channels import service
from chapters.models import ChannelKind
from tests.support import TenantFixture, make_activity, staff_session_call

ADMIN = "admin@x.example"


async def channels_placeholders(
    tenant: TenantFixture, owner_engine: AsyncEngine, chapter_id: uuid.UUID
) -> dict[str, str]:
    now = datetime.now(UTC).replace(microsecond=0)
    recorded = await make_activity(
        owner_engine,
        tenant,
        chapter_id,
        staff=ADMIN,
        title="Observability night",
        starts_at=now - timedelta(days=30),
    )
    unrecorded = await make_activity(
        owner_engine,
        tenant,
        chapter_id,
        staff=ADMIN,
        title="Docs sprint",
        starts_at=now - timedelta(days=7),
    )

    async def world(session, principal) -> dict[str, str]:
        def channel(name: str, kind: ChannelKind, url: str | None):
            fields = service.ChannelFields(name=name, kind=kind, url=url)
            return service.create_channel(session, principal, fields)

        website = await channel("Website", ChannelKind.WEBSITE, "https://community.example")
        wechat = await channel("WeChat official account", ChannelKind.WECHAT, None)
        blog = await channel("Old blog", ChannelKind.WEBSITE, "https://blog.example")
        await service.set_retired(session, principal, blog.id, True)
        published_on = date(2025, 1, 10)
        (publication,) = await service.publish_recording(
            session,
            principal,
            recorded.id,
            [service.PublicationEntry(website.id, "https://community.example/v/1", published_on)],
        )
        for read_on, reads, views in ((date(2025, 1, 11), 120, 300), (date(2025, 3, 1), 480, 900)):
            figures = service.ReachFigures(read_on=read_on, reads=reads, views=views)
            await service.record_reach(session, principal, publication.id, figures)
        return {
            "@channelId": global_id("Channel", website.id),
            "@wechatChannelId": global_id("Channel", wechat.id),
            "@retiredChannelId": global_id("Channel", blog.id),
            "@publicationId": global_id("Publication", publication.id),
            "@recordingActivityId": global_id("Activity", unrecorded.id),
            "@recordingPublishedOn": (now - timedelta(days=1)).date().isoformat(),
        }

    placeholders: dict[str, str] = await staff_session_call(owner_engine, tenant, ADMIN, world)
    return placeholders

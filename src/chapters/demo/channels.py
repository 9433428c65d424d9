"""Publishing channels and reach for tenant ``demo``.

``seed_channels``: the tenant's three channels, its website, its WeChat official account and
its Bilibili space (once: a channel is the marker). ``seed_reach``, run once the articles
are published: reach readings for every publication present, several each (a day after it
appeared, then after three days, a week, two weeks, a month … up to today), so the
totals per channel and month span at least two months (once: a reading is the marker).
The figures are worked out from the channel's kind and the publication's place, the same
on every run. Both write through the services as the tenant's first admin, audited as the
mutations would be.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.auth.principal import Principal
from chapters.channels import service
from chapters.demo.replay import as_mutation, count, first_with_role
from chapters.models import Channel, ChannelKind, Publication, ReachReading, TenantRole
from chapters.people.service import load_principal

CHANNELS = (
    ("Website", ChannelKind.WEBSITE, "https://community.example"),
    ("WeChat official account", ChannelKind.WECHAT, "https://mp.weixin.qq.com/community-example"),
    ("Bilibili", ChannelKind.VIDEO, "https://space.bilibili.com/community-example"),
)
# Days after a publication appeared that its figures were read (those up to today).
READ_AFTER = (1, 3, 7, 14, 30, 38)
# What each kind of channel counts, and the total each figure tends to for a first piece.
TOTALS = {
    ChannelKind.WEBSITE: {"reads": 1200, "likes": 30},
    ChannelKind.WECHAT: {"reads": 3000, "likes": 120, "followers_gained": 60},
    ChannelKind.VIDEO: {"views": 5000, "likes": 400, "followers_gained": 90},
}
OTHER_TOTALS = {"reads": 500}


async def _admin(session: AsyncSession) -> Principal | None:
    admin = await first_with_role(session, TenantRole.ADMIN)
    return None if admin is None else await load_principal(session, admin)


async def seed_channels(session: AsyncSession) -> str:
    if await session.scalar(select(Channel.id).limit(1)) is not None:
        return "channels: already seeded"
    principal = await _admin(session)
    if principal is None:
        return "channels: no admin to seed them with"
    for name, kind, url in CHANNELS:
        with as_mutation(session, "channelCreate", principal):
            fields = service.ChannelFields(name=name, kind=kind, url=url)
            await service.create_channel(session, principal, fields)
    return f"channels: {count(len(CHANNELS), 'channel')}"


def figures_on(kind: ChannelKind, place: int, days: int) -> dict[str, int]:
    """A publication's totals ``days`` after it appeared: growing fast, then levelling off
    (never going down); the ``place``-th publication reaches a quarter more than the one
    before it."""
    return {
        name: total * (4 + place) // 4 * days // (days + 3)
        for name, total in TOTALS.get(kind, OTHER_TOTALS).items()
    }


def reading_days(published_on: date, today: date) -> list[date]:
    days = [published_on + timedelta(days=after) for after in READ_AFTER]
    return sorted({day for day in days if day <= today} | {today})


async def seed_reach(session: AsyncSession) -> str:
    if await session.scalar(select(ReachReading.id).limit(1)) is not None:
        return "reach: already seeded"
    principal = await _admin(session)
    if principal is None:
        return "reach: no admin to record it"
    rows = (
        await session.execute(
            select(Publication, Channel.kind)
            .join(Channel, Channel.id == Publication.channel_id)
            .order_by(Publication.published_on, Channel.name, Publication.id)
        )
    ).all()
    if not rows:
        return "reach: no publications to read"
    today = await service.tenant_today(session)
    readings = 0
    for place, (publication, kind) in enumerate(rows):
        for day in reading_days(publication.published_on, today):
            totals = figures_on(kind, place, (day - publication.published_on).days)
            with as_mutation(session, "reachRecord", principal):
                figures = service.ReachFigures(read_on=day, **totals)
                await service.record_reach(session, principal, publication.id, figures)
            readings += 1
    return (
        f"reach: {count(readings, 'reading')} of {count(len(rows), 'publication')}"
        " (cumulative totals)"
    )

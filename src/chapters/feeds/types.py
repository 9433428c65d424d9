"""The GraphQL types of private calendar feeds."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from chapters.feeds import tokens
from chapters.models.feed import CalendarFeedToken


@strawberry.type(
    name="CalendarFeed",
    description="Your private calendar feed: your registrations and the activities you "
    "organise, for a calendar application to subscribe to. Its address is shown once, by "
    "calendarFeedCreate; create a new one to replace a lost or leaked address.",
)
class CalendarFeedType:
    created_at: datetime

    @classmethod
    def from_model(cls, feed: CalendarFeedToken) -> CalendarFeedType:
        return cls(created_at=feed.created_at)


async def calendar_feed_of(info: strawberry.Info, person_id: UUID) -> CalendarFeedType | None:
    ctx = info.context
    feed = await tokens.feed_of(ctx.session, ctx.principal, person_id)
    return CalendarFeedType.from_model(feed) if feed is not None else None

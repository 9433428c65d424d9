"""``calendarFeedCreate`` and ``calendarFeedRevoke``: one's private calendar feed (whether one
has one: ``viewer { calendarFeed }``). The public feeds need nothing: see ``routes``."""

from __future__ import annotations

import strawberry

from chapters.api.errors import UserError
from chapters.api.mutations import mutate
from chapters.feeds import tokens
from chapters.feeds.types import CalendarFeedType
from chapters.settings import get_settings


@strawberry.type
class CalendarFeedCreatePayload:
    url: str | None = strawberry.field(
        description="The feed's secret address (webcal clients take it as is): shown only "
        "now. Anyone with it can read your calendar; your previous address stops working."
    )
    feed: CalendarFeedType | None
    errors: list[UserError]


@strawberry.type
class CalendarFeedRevokePayload:
    revoked: bool = strawberry.field(description="Whether you had a feed (now revoked).")
    errors: list[UserError]


def _public_url(info: strawberry.Info) -> str:
    request = getattr(info.context, "request", None)
    runtime = getattr(request.app.state, "runtime", None) if request is not None else None
    settings = runtime.settings if runtime is not None else get_settings()
    return str(settings.public_url)


@strawberry.type
class FeedQuery:
    pass


@strawberry.type
class FeedMutation:
    @strawberry.mutation(
        description="Create your private calendar feed (your registrations and the activities "
        "you organise or host) and get its secret address, once. Creating it again replaces "
        "the address."
    )
    async def calendar_feed_create(self, info: strawberry.Info) -> CalendarFeedCreatePayload:
        ctx = info.context
        return await mutate(
            info,
            lambda: tokens.create_feed(
                ctx.session,
                ctx.principal,
                public_url=_public_url(info),
                tenant_slug=ctx.tenant.slug,
            ),
            present=lambda created: CalendarFeedCreatePayload(
                url=created.url, feed=CalendarFeedType.from_model(created.feed), errors=[]
            ),
            failed=lambda errors: CalendarFeedCreatePayload(url=None, feed=None, errors=errors),
        )

    @strawberry.mutation(
        description="Revoke your private calendar feed: its address answers 404 from now on."
    )
    async def calendar_feed_revoke(self, info: strawberry.Info) -> CalendarFeedRevokePayload:
        ctx = info.context
        return await mutate(
            info,
            lambda: tokens.revoke_feed(ctx.session, ctx.principal),
            present=lambda revoked: CalendarFeedRevokePayload(revoked=revoked, errors=[]),
            failed=lambda errors: CalendarFeedRevokePayload(revoked=False, errors=errors),
        )

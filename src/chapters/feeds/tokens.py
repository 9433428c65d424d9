"""Private calendar feeds: a person's secret feed URL, created and revoked by themselves.

The token (256 random bits, URL-safe) is shown once, in the URL ``calendarFeedCreate``
returns; only its SHA-256 is stored. A person has at most one live feed: creating one again
revokes the previous URL (that is how a leaked URL is replaced), ``calendarFeedRevoke``
revokes it without a new one. A revoked token answers 404.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.feeds.calendar import token_hash
from chapters.links import link
from chapters.models.feed import CalendarFeedToken

TOKEN_BYTES = 32
TOKEN_PATTERN = r"[A-Za-z0-9_-]{43}"  # token_urlsafe(32)


@dataclass(frozen=True)
class CreatedFeed:
    feed: CalendarFeedToken
    url: str  # holds the secret: shown once


def feed_url(public_url: str, tenant_slug: str, token: str) -> str:
    return link(public_url, tenant_slug, f"people/feed/{token}.ics")


def _caller(principal: Principal | None) -> Principal:
    person_id = principal.person_id if principal is not None else None
    return authz.require_caller(principal, authz.Action.FEED_MANAGE_OWN, person_id=person_id)


# The person's row, locked as an update that changes no key would (foreign keys to it are not
# blocked): two creations at once must not both find no live feed and both insert one.
_LOCK = text(
    "SELECT id FROM people WHERE tenant_id = :tenant_id AND id = :person_id FOR NO KEY UPDATE"
)


async def _lock_person_feeds(session: AsyncSession, caller: Principal) -> None:
    await session.execute(
        _LOCK, {"tenant_id": str(caller.tenant_id), "person_id": str(caller.person_id)}
    )


async def create_feed(
    session: AsyncSession, principal: Principal | None, *, public_url: str, tenant_slug: str
) -> CreatedFeed:
    """A new private feed for the caller; their previous feed URL stops working."""
    caller = _caller(principal)
    assert caller.person_id is not None  # SELF is a person's role
    await _lock_person_feeds(session, caller)
    now = datetime.now(UTC)
    await _revoke_live(session, caller.person_id, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeedToken(
        person_id=caller.person_id, token_hash=token_hash(token), created_at=now
    )
    session.add(feed)
    await session.flush()
    return CreatedFeed(feed=feed, url=feed_url(public_url, tenant_slug, token))


async def revoke_feed(session: AsyncSession, principal: Principal | None) -> bool:
    """Revoke the caller's feed; whether there was one."""
    caller = _caller(principal)
    assert caller.person_id is not None
    await _lock_person_feeds(session, caller)
    return await _revoke_live(session, caller.person_id, datetime.now(UTC))


async def _revoke_live(session: AsyncSession, person_id: uuid.UUID, now: datetime) -> bool:
    live = (
        await session.scalars(
            select(CalendarFeedToken).where(
                CalendarFeedToken.person_id == person_id, CalendarFeedToken.revoked_at.is_(None)
            )
        )
    ).all()
    for feed in live:
        feed.revoked_at = now
    if live:
        await session.flush()  # before a new live one is inserted (one live feed per person)
    return bool(live)


async def feed_of(
    session: AsyncSession, principal: Principal | None, person_id: uuid.UUID
) -> CalendarFeedToken | None:
    """The person's live feed, for themselves only (None for anyone else)."""
    if not authz.can(principal, authz.Action.FEED_MANAGE_OWN, person_id=person_id):
        return None
    feed: CalendarFeedToken | None = await session.scalar(
        select(CalendarFeedToken).where(
            CalendarFeedToken.person_id == person_id, CalendarFeedToken.revoked_at.is_(None)
        )
    )
    return feed

"""What may be read of channels, publications and reach, and by whom.

Channels and publications (where a piece of content went, its address and date): every
signed-in person of the tenant (partners' clients see nothing). Reach figures, per
publication or as totals per channel and month: staff, viewers, content editors and metrics
clients (``REACH_READ``) and whoever may record them (``REACH_RECORD``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.authz import Action
from chapters.channels.loaders import (
    latest_reading_by_publication,
    publications_by_activity,
    publications_by_article,
    publications_by_newsletter_issue,
    readings_by_publication,
)
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.editors.queries import caller_is_editor
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import Channel, Publication, ReachReading
from chapters.tenancy import bound_tenant
from chapters.validation import is_storable

CHANNEL_ORDER = Ordering((Channel.name, Channel.id))
PUBLICATION_ORDER = Ordering((Publication.published_on, Publication.id), descending=True)
MAX_REACH_MONTHS = 36  # a three-year window at most
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def reads_channels(reader: Reader) -> bool:
    return authz.can(reader.principal, Action.CHANNEL_READ)


async def reads_reach(reader: Reader) -> bool:
    """Whether the caller may see reach figures."""
    principal = reader.principal
    if authz.can(principal, Action.REACH_READ) or authz.can(principal, Action.REACH_RECORD):
        return True
    editor = await caller_is_editor(reader)
    return editor and (
        authz.can(principal, Action.REACH_READ, editor=True)
        or authz.can(principal, Action.REACH_RECORD, editor=True)
    )


# --- channels --------------------------------------------------------------------------------


async def channels(reader: Reader, include_retired: bool, args: PageArgs) -> Page[Channel]:
    """The tenant's channels by name (current ones only unless ``include_retired``)."""
    authz.require(reader.principal, Action.CHANNEL_READ)
    statement = select(Channel)
    if not include_retired:
        statement = statement.where(Channel.retired.is_(False))
    return await paginate(reader.session, statement, CHANNEL_ORDER, args)


async def channel(reader: Reader, channel_id: uuid.UUID | None) -> Channel | None:
    if channel_id is None or not reads_channels(reader):
        return None
    row: Channel | None = await reader.loaders.of(rows_by_id, Channel).load(channel_id)
    return row


# --- publications ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationFilter:
    channel_id: uuid.UUID | None = None
    published_from: date | None = None  # inclusive
    published_to: date | None = None  # inclusive

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.channel_id is not None:
            conditions.append(Publication.channel_id == self.channel_id)
        if self.published_from is not None:
            conditions.append(Publication.published_on >= self.published_from)
        if self.published_to is not None:
            conditions.append(Publication.published_on <= self.published_to)
        return conditions

    def check(self) -> None:
        if (
            self.published_from is not None
            and self.published_to is not None
            and self.published_to < self.published_from
        ):
            message = "Cannot end before it starts"
            raise InvalidInput(FieldError("filter.to", ErrorCode.INVALID, message))


async def publications(
    reader: Reader, filters: PublicationFilter, args: PageArgs
) -> Page[Publication]:
    """The publications matching the filters, the latest first."""
    authz.require(reader.principal, Action.CHANNEL_READ)
    filters.check()
    statement = select(Publication).where(*filters.conditions())
    return await paginate(reader.session, statement, PUBLICATION_ORDER, args)


async def publication(reader: Reader, publication_id: uuid.UUID | None) -> Publication | None:
    if publication_id is None or not reads_channels(reader):
        return None
    row: Publication | None = await reader.loaders.of(rows_by_id, Publication).load(publication_id)
    return row


async def article_publications(reader: Reader, article_id: uuid.UUID) -> list[Publication]:
    """Where an article was published (empty for callers who may not read channels)."""
    if not reads_channels(reader):
        return []
    rows: list[Publication] = await reader.loaders.of(publications_by_article).load(article_id)
    return rows


async def newsletter_issue_publications(reader: Reader, issue_id: uuid.UUID) -> list[Publication]:
    """Where a newsletter issue was published."""
    if not reads_channels(reader):
        return []
    rows: list[Publication] = await reader.loaders.of(publications_by_newsletter_issue).load(
        issue_id
    )
    return rows


async def activity_publications(reader: Reader, activity_id: uuid.UUID) -> list[Publication]:
    """Where an activity's recording was published."""
    if not reads_channels(reader):
        return []
    rows: list[Publication] = await reader.loaders.of(publications_by_activity).load(activity_id)
    return rows


# --- reach -----------------------------------------------------------------------------------


async def latest_reading(reader: Reader, publication_id: uuid.UUID) -> ReachReading | None:
    """A publication's most recent reading (None: never read, or not the caller's to see)."""
    if not await reads_reach(reader):
        return None
    row: ReachReading | None = await reader.loaders.of(latest_reading_by_publication).load(
        publication_id
    )
    return row


async def readings(reader: Reader, publication_id: uuid.UUID) -> list[ReachReading]:
    """A publication's readings, the earliest first (empty if not the caller's to see)."""
    if not await reads_reach(reader):
        return []
    rows: list[ReachReading] = await reader.loaders.of(readings_by_publication).load(publication_id)
    return rows


@dataclass(frozen=True)
class MonthlyReach:
    """A channel's reach in a month: the growth of each figure within it over the channel's
    publications, and how many of them appeared that month."""

    channel_id: uuid.UUID
    channel_name: str
    month: date  # its first day
    reads: int
    views: int
    likes: int
    followers_gained: int
    publications: int


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def parse_month(label: str, field: str) -> date:
    """The first day of a month written as 2026-03."""
    match = MONTH_PATTERN.match(label.strip()) if is_storable(label) else None
    if match is None or not 1970 <= int(match[1]) <= 2999 or not 1 <= int(match[2]) <= 12:
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Write a month as 2026-03"))
    return date(int(match[1]), int(match[2]), 1)


def month_label(month: date) -> str:
    return f"{month.year}-{month.month:02d}"


def check_reach_window(start: date, end: date) -> tuple[date, date]:
    """The first days of the window's first and last months; typed errors for a window
    that ends before it starts or spans more than ``MAX_REACH_MONTHS`` months."""
    start, end = first_of_month(start), first_of_month(end)
    if end < start:
        raise InvalidInput(FieldError("to", ErrorCode.INVALID, "Cannot end before it starts"))
    if _months_between(start, end) > MAX_REACH_MONTHS:
        message = f"Ask for {MAX_REACH_MONTHS} months at most"
        raise InvalidInput(FieldError("to", ErrorCode.INVALID, message))
    return start, end


# Per publication, each reading's increment: its figures less the publication's previous
# reading's (a first reading counts fully); a figure missing from a reading is carried from the
# publication's earlier readings (totals never go down, so the largest so far is the latest).
# A month's growth is the sum of the increments of the readings in it, which is the last
# reading in the month less the last one before it. Channels and months with neither growth
# nor publications are left out. One statement for every channel and month of the window.
MONTHLY_REACH = text(
    """
WITH chosen AS (
    SELECT c.id FROM channels c
    WHERE c.tenant_id = :tenant
        AND (cardinality(CAST(:channel_ids AS uuid[])) = 0
            OR c.id = ANY(CAST(:channel_ids AS uuid[])))
),
carried AS (
    SELECT p.channel_id, r.publication_id, r.read_on,
        max(r.reads) OVER w AS reads, max(r.views) OVER w AS views,
        max(r.likes) OVER w AS likes, max(r.followers_gained) OVER w AS followers_gained
    FROM reach_readings r
    JOIN publications p ON p.tenant_id = r.tenant_id AND p.id = r.publication_id
    WHERE r.tenant_id = :tenant AND p.channel_id IN (SELECT id FROM chosen)
        AND r.read_on < CAST(:after AS date)
    WINDOW w AS (PARTITION BY r.publication_id ORDER BY r.read_on)
),
increments AS (
    SELECT channel_id, read_on,
        coalesce(reads, 0) - coalesce(lag(reads) OVER w, 0) AS reads,
        coalesce(views, 0) - coalesce(lag(views) OVER w, 0) AS views,
        coalesce(likes, 0) - coalesce(lag(likes) OVER w, 0) AS likes,
        coalesce(followers_gained, 0) - coalesce(lag(followers_gained) OVER w, 0)
            AS followers_gained
    FROM carried
    WINDOW w AS (PARTITION BY publication_id ORDER BY read_on)
),
growth AS (
    SELECT channel_id, CAST(date_trunc('month', read_on) AS date) AS month,
        sum(reads) AS reads, sum(views) AS views, sum(likes) AS likes,
        sum(followers_gained) AS followers_gained
    FROM increments
    WHERE read_on >= CAST(:start AS date)
    GROUP BY 1, 2
),
appeared AS (
    SELECT p.channel_id, CAST(date_trunc('month', p.published_on) AS date) AS month,
        count(*) AS publications
    FROM publications p
    WHERE p.tenant_id = :tenant AND p.channel_id IN (SELECT id FROM chosen)
        AND p.published_on >= CAST(:start AS date) AND p.published_on < CAST(:after AS date)
    GROUP BY 1, 2
)
SELECT c.id AS channel_id, c.name AS channel_name, coalesce(g.month, a.month) AS month,
    coalesce(g.reads, 0) AS reads, coalesce(g.views, 0) AS views,
    coalesce(g.likes, 0) AS likes, coalesce(g.followers_gained, 0) AS followers_gained,
    coalesce(a.publications, 0) AS publications
FROM growth g
FULL JOIN appeared a ON a.channel_id = g.channel_id AND a.month = g.month
JOIN channels c ON c.tenant_id = :tenant AND c.id = coalesce(g.channel_id, a.channel_id)
WHERE coalesce(a.publications, 0) > 0 OR g.reads <> 0 OR g.views <> 0 OR g.likes <> 0
    OR g.followers_gained <> 0
ORDER BY 3, c.name, c.id
"""
)


def month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


async def monthly_reach(
    session: AsyncSession, start: date, end: date, channel_ids: Sequence[uuid.UUID] = ()
) -> list[MonthlyReach]:
    """Reach per channel and month from ``start``'s month to ``end``'s (a window the caller
    checked and may read), the earliest month first, then by channel name."""
    params = {
        "tenant": bound_tenant(session.sync_session),
        "start": first_of_month(start),
        "after": month_after(first_of_month(end)),
        "channel_ids": list(channel_ids),
    }
    return [
        MonthlyReach(
            channel_id=row.channel_id,
            channel_name=row.channel_name,
            month=row.month,
            reads=int(row.reads),
            views=int(row.views),
            likes=int(row.likes),
            followers_gained=int(row.followers_gained),
            publications=int(row.publications),
        )
        for row in await session.execute(MONTHLY_REACH, params)
    ]


async def channel_reach(
    reader: Reader, first_month: str, last_month: str, channel_ids: Sequence[uuid.UUID] = ()
) -> list[MonthlyReach]:
    """Reach per channel and month from ``first_month`` to ``last_month`` (2026-03), the
    earliest month first (only channels and months with publications or growth;
    ``channel_ids``: only these channels, none: all)."""
    authz.require(reader.principal, Action.REACH_READ, editor=await caller_is_editor(reader))
    start, end = check_reach_window(parse_month(first_month, "from"), parse_month(last_month, "to"))
    return await monthly_reach(reader.session, start, end, channel_ids)

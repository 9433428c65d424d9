"""The calendar feeds: which activities each shows, its ETag, and its iCalendar text.

Three feeds, all read in a session bound to the tenant named in the URL (RLS applies):

- a chapter's: its accepted activities and the accepted activities it co-hosts;
- the tenant's: every accepted activity;
- a person's private feed (``tokens``): the activities they registered for (confirmed, or
  waitlisted: TENTATIVE) and those they organise or host.

An activity cancelled after it was accepted (its history has a step to ``accepted``) stays
in the feed as STATUS:CANCELLED, so that subscribed calendars drop it; drafts and activities
under review never appear. The window: activities starting at most ``WINDOW_DAYS`` ago (from
the start of that day, UTC), and at most ``MAX_EVENTS`` of them, the earliest first.

A feed costs at most three statements, whatever its size: the head (the calendar's name,
the ETag's digest of what the feed holds, or nothing for an unknown chapter or token) and,
unless the client's copy is current (If-None-Match) or this process wrote that very feed
already, its events' keys (id, version, firmness, chapter name: narrow rows) and the details
of only those events this process has not written yet. The head is read first: if the feed
changes in between, the body is newer than its ETag, and the next request, seeing another
ETag, fetches it again; a stale body is never labelled current.

SEQUENCE is the number of reschedules plus the number of steps out of ``accepted`` (reopened
for changes, cancelled): it only grows, as RFC 5545 wants, whatever happens to the activity.

Writing 5,000 events costs more than reading them, so each event's text is kept (``_EVENTS``,
keyed by everything it shows) and so is each feed's (``_BODIES``, keyed by its ETag): an
unchanged feed is answered from the head alone, a changed one reads and writes only its
changed events. An event's ``updated_at`` stands for its SEQUENCE too: a reschedule or a step
out of ``accepted`` changes the activity row, so it moves with them.
"""

from __future__ import annotations

import enum
import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.feeds import ics
from chapters.lru import LRU

WINDOW_DAYS = 365
MAX_EVENTS = 5000
REFRESH = "PT1H"  # how often a subscribed calendar should fetch the feed again
PRODID = "-//Chapters//Calendar feeds 1.0//EN"
FORMAT_VERSION = "1"  # part of every ETag: a change to how feeds are written changes them all


class FeedKind(enum.StrEnum):
    CHAPTER = "chapter"
    TENANT = "tenant"
    PERSON = "person"


@dataclass(frozen=True)
class FeedHead:
    """What the head statement found: the calendar's name and the feed's ETag."""

    kind: FeedKind
    name: str
    etag: str
    events: int
    subject_id: uuid.UUID | None  # the chapter's or the person's id
    since: datetime


# Whether an activity is shown: accepted, or cancelled after it had been accepted. A scalar
# subquery, not EXISTS: PostgreSQL may turn an EXISTS into a hash of every accepted step of
# the tenant, built on each request; this one looks up only the cancelled activities' steps.
_SHOWN = """(a.status = 'accepted'
         OR (a.status = 'cancelled' AND coalesce((
               SELECT true FROM activity_transitions AS t
               WHERE t.tenant_id = a.tenant_id AND t.activity_id = a.id
                 AND t.to_status = 'accepted'
               LIMIT 1), false)))"""

# The activities each feed may show (``firm`` false: only a waitlisted registration, shown
# TENTATIVE), read straight from the indexes that order them: (chapter, start), (start).
# ``$columns`` are the activity's columns the statement needs.
_MEMBERS = {
    FeedKind.CHAPTER: f"""
      SELECT $columns, true AS firm FROM activities AS a
      WHERE a.tenant_id = :tenant AND a.chapter_id = :subject AND a.starts_at >= :since
        AND {_SHOWN}
      UNION ALL
      SELECT $columns, true FROM activity_co_hosts AS h
      JOIN activities AS a ON a.tenant_id = h.tenant_id AND a.id = h.activity_id
      WHERE h.tenant_id = :tenant AND h.chapter_id = :subject
        AND a.chapter_id IS DISTINCT FROM :subject AND a.starts_at >= :since AND {_SHOWN}""",
    FeedKind.TENANT: f"""
      SELECT $columns, true AS firm FROM activities AS a
      WHERE a.tenant_id = :tenant AND a.starts_at >= :since AND {_SHOWN}""",
    FeedKind.PERSON: f"""
      SELECT $columns, m.firm FROM (
        SELECT activity_id, bool_or(firm) AS firm FROM (
          SELECT activity_id, status = 'confirmed' AS firm FROM registrations
          WHERE tenant_id = :tenant AND person_id = :subject
            AND status IN ('confirmed', 'waitlisted')
          UNION ALL
          SELECT activity_id, true FROM activity_participants
          WHERE tenant_id = :tenant AND person_id = :subject AND role IN ('organizer', 'host')
        ) AS mine
        GROUP BY activity_id
      ) AS m
      JOIN activities AS a ON a.tenant_id = :tenant AND a.id = m.activity_id
      WHERE a.starts_at >= :since AND {_SHOWN}""",
}
_HEAD_COLUMNS = "a.id, a.starts_at, a.updated_at, a.chapter_id"

# Who the feed belongs to: one row (its name and id), or none (unknown chapter, bad token).
_SUBJECT = {
    FeedKind.CHAPTER: """
      SELECT c.id AS subject, c.name || ' · ' || t.name AS name
      FROM chapters AS c JOIN tenants AS t ON t.id = c.tenant_id
      WHERE c.tenant_id = :tenant AND c.slug = :key""",
    FeedKind.TENANT: """
      SELECT NULL::uuid AS subject, t.name AS name FROM tenants AS t WHERE t.id = :tenant""",
    FeedKind.PERSON: """
      SELECT f.person_id AS subject, 'My activities · ' || t.name AS name
      FROM calendar_feed_tokens AS f JOIN tenants AS t ON t.id = f.tenant_id
      WHERE f.tenant_id = :tenant AND f.token_hash = :key AND f.revoked_at IS NULL""",
}


def _visible(kind: FeedKind, columns: str, subject: str) -> str:
    members = _MEMBERS[kind].replace("$columns", columns).replace(":subject", subject)
    return f"SELECT * FROM ({members}) AS v ORDER BY v.starts_at, v.id LIMIT :cap"


def _head_sql(kind: FeedKind) -> str:
    # The digest covers what the text shows: which events, each one's updated_at (it moves
    # with every change, a reschedule and a cancellation included) and whether it is firm (a
    # sum of 64-bit hashes: no sort, no text), and the names of the chapters (a rename moves
    # the latest updated_at among them).
    # JIT compilation is switched off for the rest of the transaction: the rows statement's
    # estimated cost passes its threshold and compiling costs far more than running it.
    return f"""
    WITH s AS ({_SUBJECT[kind]})
    SELECT s.subject, s.name, v.events, v.digest, v.latest, v.chapters,
           set_config('jit', 'off', true) AS jit
    FROM s, LATERAL (
      SELECT count(*) AS events,
             sum(uuid_hash_extended(
                   f.id, (extract(epoch FROM f.updated_at) * 1e6)::bigint * 2 + f.firm::int
                 ))::text AS digest,
             max(f.updated_at)::text AS latest,
             max(ch.updated_at)::text AS chapters
      FROM ({_visible(kind, _HEAD_COLUMNS, "s.subject")}) AS f
      LEFT JOIN chapters AS ch ON ch.tenant_id = :tenant AND ch.id = f.chapter_id
    ) AS v"""


def _keys_sql(kind: FeedKind) -> str:
    # What decides each event's text besides its details: its version, whether it is firm,
    # its chapter's name; in the feed's order (narrow rows: sorting them here is cheap). The
    # id as text: thousands of cache keys hash faster with it.
    return f"""
    SELECT v.id::text AS id, v.updated_at, v.firm, ch.name AS chapter_name
    FROM ({_visible(kind, _HEAD_COLUMNS, ":subject")}) AS v
    LEFT JOIN chapters AS ch ON ch.tenant_id = :tenant AND ch.id = v.chapter_id
    ORDER BY v.starts_at, v.id"""


# The details of the events this process has not written yet. SEQUENCE: the reschedules, and
# the steps out of ``accepted`` (reopened for changes, cancelled); both only grow, as RFC
# 5545 wants of it.
_DETAILS = text("""
    WITH v AS MATERIALIZED (
      SELECT a.id, a.updated_at, a.title, a.description, a.starts_at, a.ends_at, a.timezone,
             a.venue, a.online_url, a.status, a.created_at
      FROM activities AS a WHERE a.tenant_id = :tenant AND a.id = ANY(CAST(:ids AS uuid[]))
    ),
    moves AS (
      SELECT activity_id, count(*) AS moves FROM (
        SELECT activity_id FROM activity_schedule_changes
        WHERE tenant_id = :tenant AND activity_id IN (SELECT id FROM v)
        UNION ALL
        SELECT activity_id FROM activity_transitions
        WHERE tenant_id = :tenant AND from_status = 'accepted'
          AND activity_id IN (SELECT id FROM v)
      ) AS m
      GROUP BY activity_id
    )
    SELECT v.id::text, v.updated_at, coalesce(moves.moves, 0) AS sequence, v.title, v.description,
           v.starts_at, v.ends_at, v.timezone, v.venue, v.online_url, v.status, v.created_at
    FROM v LEFT JOIN moves ON moves.activity_id = v.id""")

_HEAD = {kind: text(_head_sql(kind)) for kind in FeedKind}
_KEYS = {kind: text(_keys_sql(kind)) for kind in FeedKind}


def window_start(now: datetime | None = None) -> datetime:
    """The earliest start a feed shows: the start of the day ``WINDOW_DAYS`` ago, in UTC (so
    it, and the ETags, move once a day)."""
    day = (now or datetime.now(UTC)).astimezone(UTC).date() - timedelta(days=WINDOW_DAYS)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def feed_head(
    session: AsyncSession, tenant_id: uuid.UUID, kind: FeedKind, key: str | bytes | None
) -> FeedHead | None:
    """The feed's head; None when there is no such feed (an unknown chapter slug, a token that
    is not a live one of this tenant). ``key``: the chapter's slug, the token's hash."""
    since = window_start()
    params: dict[str, Any] = {"tenant": tenant_id, "since": since, "cap": MAX_EVENTS}
    if kind is not FeedKind.TENANT:
        params["key"] = key
    row = (await session.execute(_HEAD[kind], params)).one_or_none()
    if row is None:
        return None
    parts = [FORMAT_VERSION, kind.value, str(tenant_id), str(row.subject), row.name]
    parts += [since.date().isoformat(), str(row.events), row.digest or "", row.latest or ""]
    parts.append(row.chapters or "")
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return FeedHead(
        kind=kind,
        name=row.name,
        etag=f'"{digest}"',
        events=row.events,
        subject_id=row.subject,
        since=since,
    )


# An event's text, and the zone and years its VTIMEZONE must cover.
_Event = tuple[str, str | None, int, int]


@dataclass(frozen=True)
class FeedEvents:
    """What a feed's text is written from: its events' keys in order, each one's text if this
    process has written it already, and the details of the others."""

    keys: Sequence[Any]
    written: list[_Event | None]
    details: dict[str, Any]


async def feed_events(
    session: AsyncSession, tenant_id: uuid.UUID, tenant_slug: str, head: FeedHead
) -> FeedEvents:
    params: dict[str, Any] = {"tenant": tenant_id, "since": head.since, "cap": MAX_EVENTS}
    if head.kind is not FeedKind.TENANT:
        params["subject"] = head.subject_id
    keys = (await session.execute(_KEYS[head.kind], params)).all()
    written = [_EVENTS.get((tenant_slug, *key)) for key in keys]
    unwritten = [key[0] for key, event in zip(keys, written, strict=True) if event is None]
    details: dict[str, Any] = {}
    if unwritten:
        found = await session.execute(_DETAILS, {"tenant": tenant_id, "ids": unwritten})
        details = {row[0]: row for row in found}
    return FeedEvents(keys=keys, written=written, details=details)


def uid(activity_id: uuid.UUID | str, tenant_slug: str) -> str:
    """An event's UID: stable for the activity's life, unique across tenants."""
    return f"{activity_id}@{tenant_slug}.chapters"


class _Bodies:
    """Whole feeds by their ETag, least recently used first out, within a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget, self.used = budget, 0
        self._entries: OrderedDict[tuple[uuid.UUID, str], bytes] = OrderedDict()

    def get(self, key: tuple[uuid.UUID, str]) -> bytes | None:
        body = self._entries.get(key)
        if body is not None:
            self._entries.move_to_end(key)
        return body

    def put(self, key: tuple[uuid.UUID, str], body: bytes) -> None:
        if len(body) > self.budget // 4 or key in self._entries:
            return
        self._entries[key] = body
        self.used += len(body)
        while self.used > self.budget:
            _, dropped = self._entries.popitem(last=False)
            self.used -= len(dropped)


BODY_CACHE_BYTES = 32 * 2**20
EVENT_CACHE_SIZE = 50_000
_BODIES = _Bodies(BODY_CACHE_BYTES)
# An event's text, and the zone and years its VTIMEZONE must cover; keyed by the tenant's slug
# and the event's key row (id, updated_at, firm, chapter name).
_EVENTS: LRU[tuple[Any, ...], _Event] = LRU(EVENT_CACHE_SIZE)


def cached_body(tenant_id: uuid.UUID, head: FeedHead) -> bytes | None:
    """The feed's text if this process wrote it already (the ETag says it is the same)."""
    return _BODIES.get((tenant_id, head.etag))


def render(head: FeedHead, feed: FeedEvents, tenant_id: uuid.UUID, tenant_slug: str) -> bytes:
    """The feed as iCalendar text (UTF-8, CRLF lines folded at 75 octets), kept by its ETag."""
    events: list[str] = []
    years: dict[str, tuple[int, int]] = {}  # the years each zone's VTIMEZONE must cover
    for key_row, event in zip(feed.keys, feed.written, strict=True):
        if event is None:
            details = feed.details.get(key_row.id)
            if details is None:  # deleted since its key was read: the next ETag differs
                continue
            event = _event(key_row, details, tenant_slug)
            # under the version the details are of (newer than the key's if it just changed)
            _EVENTS.put((tenant_slug, key_row.id, details.updated_at, *key_row[2:]), event)
        text, tzid, first, last = event
        events.append(text)
        if tzid is not None:
            known = years.get(tzid)
            years[tzid] = (min(known[0], first), max(known[1], last)) if known else (first, last)
    name = ics.escape_text(head.name)
    parts = [
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
        f"PRODID:{PRODID}\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n",
        ics.fold("NAME:" + name) + "\r\n",
        ics.fold("X-WR-CALNAME:" + name) + "\r\n",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}\r\nX-PUBLISHED-TTL:{REFRESH}\r\n",
    ]
    for tzid, (first, last) in sorted(years.items()):
        parts.append(ics.vtimezone(tzid, first, last))
    parts.extend(events)
    parts.append("END:VCALENDAR\r\n")
    body = "".join(parts).encode()
    _BODIES.put((tenant_id, head.etag), body)
    return body


def _event(key: Sequence[Any], details: Sequence[Any], tenant_slug: str) -> _Event:
    """One VEVENT's lines (CRLF-ended), and its zone and years."""
    firm, chapter_name = key[2:]
    (
        activity_id,
        updated_at,
        sequence,
        title,
        description,
        starts,
        ends,
        timezone,
        venue,
        online_url,
        status,
        created_at,
    ) = details
    fold, escape = ics.fold, ics.escape_text
    updated = ics.utc_stamp(updated_at)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(activity_id, tenant_slug)}",
        f"DTSTAMP:{updated}",
        f"CREATED:{ics.utc_stamp(created_at)}",
        f"LAST-MODIFIED:{updated}",
        f"SEQUENCE:{sequence}",
    ]
    zone = ics.zone(timezone)
    tzid: str | None = None
    first = last = 0
    if zone is None:
        lines.append(f"DTSTART:{ics.utc_stamp(starts)}")
        if ends is not None:
            lines.append(f"DTEND:{ics.utc_stamp(ends)}")
    else:
        tzid = timezone
        parameter = ics.parameter(timezone)
        local_start = starts.astimezone(zone)
        lines.append(f"DTSTART;TZID={parameter}:{ics.local_stamp(local_start)}")
        first = last = local_start.year
        if ends is not None:
            local_end = ends.astimezone(zone)
            lines.append(f"DTEND;TZID={parameter}:{ics.local_stamp(local_end)}")
            last = local_end.year
    lines.append(fold("SUMMARY:" + escape(title)))
    about = [description.strip()] if description and description.strip() else []
    if chapter_name:
        about.append(f"Chapter: {chapter_name}")
    if online_url:
        about.append(f"Online: {online_url}")
    if about:
        lines.append(fold("DESCRIPTION:" + escape("\n\n".join(about))))
    location = venue or online_url
    if location:
        lines.append(fold("LOCATION:" + escape(location)))
    if online_url:
        lines.append(fold("URL:" + ics.uri(online_url)))
    if status == "cancelled":
        lines.append("STATUS:CANCELLED")
    else:
        lines.append("STATUS:CONFIRMED" if firm else "STATUS:TENTATIVE")
    lines.append("END:VEVENT\r\n")
    return "\r\n".join(lines), tzid, first, last

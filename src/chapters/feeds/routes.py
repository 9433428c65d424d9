"""The calendar feeds over HTTP (``text/calendar``), for calendar applications to subscribe to:

- ``GET /t/{tenant}/calendar.ics``: the tenant's accepted activities;
- ``GET /t/{tenant}/chapters/{slug}/calendar.ics``: a chapter's, with those it co-hosts;
- ``GET /t/{tenant}/people/feed/{token}.ics``: a person's private feed (``calendarFeedCreate``).

No sign-in: the public feeds are public, the private one is its URL's secret. Each request
reads in a session bound to the tenant the URL names, so a token is looked up only among that
tenant's (another tenant's token is as unknown as a made-up one). Anything that names no feed
(an unknown tenant, chapter or token, a revoked token, a malformed one) is a plain-text 404.

Every answer carries a strong ETag; ``If-None-Match`` with it gets a 304 without the feed
being read or written (``calendar``: one statement).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get
from litestar.status_codes import HTTP_304_NOT_MODIFIED, HTTP_404_NOT_FOUND

from chapters.db.session import open_tenant_session
from chapters.feeds.calendar import (
    FeedKind,
    cached_body,
    feed_events,
    feed_head,
    render,
    token_hash,
)
from chapters.feeds.tokens import TOKEN_PATTERN
from chapters.validation import is_storable

MEDIA_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8"
PUBLIC_CACHE = "public, max-age=300"
# The private feed: no shared cache may keep it, and its URL must not leak as a Referer.
PRIVATE_CACHE = "private, max-age=300"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_TOKEN = re.compile(TOKEN_PATTERN)


@get("/t/{tenant_slug:str}/calendar.ics", name="tenant-calendar")
async def tenant_calendar(request: Request, tenant_slug: str) -> Response[Any]:
    """The tenant's accepted activities."""
    return await _feed(request, tenant_slug, FeedKind.TENANT, None, tenant_slug)


@get("/t/{tenant_slug:str}/chapters/{chapter_slug:str}/calendar.ics", name="chapter-calendar")
async def chapter_calendar(request: Request, tenant_slug: str, chapter_slug: str) -> Response[Any]:
    """A chapter's accepted activities and those it co-hosts."""
    if not _SLUG.fullmatch(chapter_slug):
        return _not_found("No such chapter")
    return await _feed(request, tenant_slug, FeedKind.CHAPTER, chapter_slug, chapter_slug)


@get("/t/{tenant_slug:str}/people/feed/{file_name:str}", name="person-calendar")
async def person_calendar(request: Request, tenant_slug: str, file_name: str) -> Response[Any]:
    """A person's registrations and the activities they organise, behind the URL's token."""
    token = file_name.removesuffix(".ics")
    if token == file_name or not _TOKEN.fullmatch(token):
        return _not_found("No such calendar feed", private=True)
    return await _feed(request, tenant_slug, FeedKind.PERSON, token_hash(token), "calendar")


async def _feed(
    request: Request, tenant_slug: str, kind: FeedKind, key: str | bytes | None, file_name: str
) -> Response[Any]:
    private = kind is FeedKind.PERSON
    missing = "No such calendar feed" if private else "No such calendar"
    if not is_storable(tenant_slug) or len(tenant_slug) > 63:
        return _not_found(missing, private=private)
    runtime = request.app.state.runtime
    tenant = await runtime.directory.find(tenant_slug)
    if tenant is None:
        return _not_found(missing, private=private)
    async with open_tenant_session(runtime.sessionmaker, tenant.id) as session:
        head = await feed_head(session, tenant.id, kind, key)
        if head is None:
            return _not_found(missing, private=private)
        headers = {
            "ETag": head.etag,
            "Cache-Control": PRIVATE_CACHE if private else PUBLIC_CACHE,
        }
        if private:
            headers["Referrer-Policy"] = "no-referrer"
            headers["X-Robots-Tag"] = "noindex"
        if _matches(request.headers.get("if-none-match"), head.etag):
            return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
        body = cached_body(tenant.id, head)
        if body is None:
            events = await feed_events(session, tenant.id, tenant.slug, head)
    if body is None:  # written with the connection handed back
        body = render(head, events, tenant.id, tenant.slug)
    headers["Content-Disposition"] = f'inline; filename="{file_name}.ics"'
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 13.1.2: ``*``, or any listed tag equal to ours (weak comparison)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def _not_found(message: str, *, private: bool = False) -> Response[Any]:
    headers = {"Cache-Control": "no-store"} if private else {"Cache-Control": "no-cache"}
    return Response(
        message + "\n",
        status_code=HTTP_404_NOT_FOUND,
        media_type="text/plain",
        headers=headers,
    )


ROUTES: list[Any] = [tenant_calendar, chapter_calendar, person_calendar]

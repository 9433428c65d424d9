"""Use cases on chapters: create, edit, restructure, change status. Services validate, ask the
policy, write, and never commit (the request's transaction does)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import flush_unique, get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.models import Chapter, ChapterStatus, ChapterStatusChange, Committee, Tenant
from chapters.validation import check_length, check_timezone, required_text

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
LINK_KINDS = {"website", "email", "wechat", "github", "twitter", "meetup", "slack", "other"}


@dataclass(frozen=True, kw_only=True)
class ChapterFields(Changes):
    """Chapter profile fields; in updates, UNSET leaves a field as it is."""

    name: Change[str] = UNSET
    slug: Change[str] = UNSET
    city: Change[str | None] = UNSET
    region: Change[str | None] = UNSET
    country: Change[str | None] = UNSET
    timezone: Change[str | None] = UNSET
    description: Change[str | None] = UNSET
    founded_on: Change[date | None] = UNSET
    contact_links: Change[list[dict[str, str]] | None] = UNSET
    parent_id: Change[uuid.UUID | None] = UNSET
    committee_id: Change[uuid.UUID | None] = UNSET


def _validate_links(links: list[dict[str, str]]) -> list[FieldError]:
    errors = []
    for index, link in enumerate(links):
        where = f"contactLinks.{index}"
        if link.get("kind") not in LINK_KINDS:
            errors.append(
                FieldError(
                    f"{where}.kind", ErrorCode.INVALID, f"Kind is one of {sorted(LINK_KINDS)}"
                )
            )
        url = urlparse(link.get("url") or "")
        if url.scheme not in {"http", "https", "mailto"} or not (url.netloc or url.path):
            errors.append(FieldError(f"{where}.url", ErrorCode.INVALID, "Not a valid URL"))
        elif len(link["url"]) > 500:
            errors.append(
                FieldError(f"{where}.url", ErrorCode.TOO_LONG, "URL is over 500 characters")
            )
    return errors


def _validate(values: dict[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if creating or "name" in values:
        errors += required_text(values.get("name"), "name", 200)
    if "slug" in values and values["slug"] is None:
        errors.append(FieldError("slug", ErrorCode.REQUIRED, "A chapter needs a slug"))
    elif creating or "slug" in values:
        slug = values.get("slug") or ""
        if not SLUG.match(slug):
            errors.append(
                FieldError("slug", ErrorCode.INVALID, "Use lowercase letters, digits and dashes")
            )
    for name, limit in (("city", 100), ("region", 100), ("description", 5000)):
        errors += check_length(values.get(name), name, limit)
    if values.get("country") is not None and not COUNTRY.match(values["country"]):
        errors.append(FieldError("country", ErrorCode.INVALID, "Use an ISO 3166 code such as CN"))
    if "timezone" in values and values["timezone"] is None and not creating:
        errors.append(FieldError("timezone", ErrorCode.REQUIRED, "A chapter needs a timezone"))
    elif values.get("timezone") is not None:
        errors += check_timezone(values["timezone"], "timezone")
    founded = values.get("founded_on")
    if isinstance(founded, date) and founded > date.today():
        errors.append(FieldError("foundedOn", ErrorCode.INVALID, "Cannot be in the future"))
    if values.get("contact_links"):
        errors += _validate_links(values["contact_links"])
    return errors


async def get_chapter(session: AsyncSession, chapter_id: uuid.UUID, field: str = "id") -> Chapter:
    return await get_row(session, Chapter, chapter_id, "Chapter", field)


async def ancestor_ids(session: AsyncSession, chapter_id: uuid.UUID) -> list[uuid.UUID]:
    """The chapter's ancestors, nearest first (a recursive walk up ``parent_id``)."""
    up = (
        select(Chapter.parent_id.label("id"), literal(1).label("depth"))
        .where(Chapter.id == chapter_id)
        .cte("ancestors", recursive=True)
    )
    step = select(Chapter.parent_id, up.c.depth + 1).join(up, Chapter.id == up.c.id)
    up = up.union_all(step.where(up.c.depth < 1000))
    rows = await session.execute(select(up.c.id).where(up.c.id.is_not(None)).order_by(up.c.depth))
    return [row.id for row in rows]


async def _check_references(
    session: AsyncSession, values: dict[str, Any], chapter_id: uuid.UUID | None
) -> None:
    parent_id = values.get("parent_id")
    if parent_id is not None:
        await get_chapter(session, parent_id, "parentId")
        if chapter_id is not None and (
            parent_id == chapter_id or chapter_id in await ancestor_ids(session, parent_id)
        ):
            raise InvalidInput(
                FieldError("parentId", ErrorCode.INVALID, "A chapter cannot be its own ancestor")
            )
    committee_id = values.get("committee_id")
    if committee_id is not None and not await session.scalar(
        select(Committee.id).where(Committee.id == committee_id)
    ):
        raise NotFound("Committee", field="committeeId")


SLUG_TAKEN = {
    "uq_chapters_tenant_id_slug": FieldError(
        "slug", ErrorCode.CONFLICT, "Another chapter has this slug"
    )
}


async def create_chapter(
    session: AsyncSession,
    principal: Principal | None,
    fields: ChapterFields,
    *,
    status: ChapterStatus = ChapterStatus.FORMING,
    at: datetime | None = None,
) -> Chapter:
    """A new chapter; ``at`` dates its first status (imports and the demo replay history)."""
    principal = authz.require_caller(principal, Action.CHAPTER_CREATE)
    values = fields.given_to_create()
    errors = _validate(values, creating=True)
    if errors:
        raise InvalidInput(*errors)
    await _check_references(session, values, None)
    if values.get("timezone") is None:
        tenant_tz = await session.scalar(
            select(Tenant.timezone).where(Tenant.id == principal.tenant_id)
        )
        values["timezone"] = tenant_tz or "UTC"
    values["name"] = values["name"].strip()
    values.setdefault("contact_links", [])
    chapter = Chapter(status=status, **values)
    session.add(chapter)
    await flush_unique(session, SLUG_TAKEN)
    session.add(
        ChapterStatusChange(
            chapter_id=chapter.id,
            from_status=None,
            to_status=status,
            reason="chapter created",
            changed_by_id=principal.person_id,
            changed_at=at or datetime.now(UTC),
        )
    )
    return chapter


async def update_chapter(
    session: AsyncSession, principal: Principal | None, chapter_id: uuid.UUID, fields: ChapterFields
) -> Chapter:
    chapter = await get_chapter(session, chapter_id)
    authz.require(principal, Action.CHAPTER_UPDATE, chapter_id=chapter.id)
    values = fields.given()
    if {"parent_id", "committee_id"} & values.keys():
        authz.require(principal, Action.CHAPTER_RESTRUCTURE, chapter_id=chapter.id)
    errors = _validate(values, creating=False)
    if errors:
        raise InvalidInput(*errors)
    await _check_references(session, values, chapter.id)
    if "name" in values:
        values["name"] = values["name"].strip()
    if values.get("contact_links") is None and "contact_links" in values:
        values["contact_links"] = []
    for key, value in values.items():
        setattr(chapter, key, value)
    await flush_unique(session, SLUG_TAKEN)
    return chapter


async def change_status(
    session: AsyncSession,
    principal: Principal | None,
    chapter_id: uuid.UUID,
    status: ChapterStatus,
    reason: str,
    *,
    at: datetime | None = None,
) -> Chapter:
    chapter = await get_chapter(session, chapter_id)
    principal = authz.require_caller(principal, Action.CHAPTER_CHANGE_STATUS, chapter_id=chapter.id)
    errors = required_text(reason, "reason", 2000)
    if status == chapter.status:
        errors.append(FieldError("status", ErrorCode.INVALID, f"The chapter is already {status}"))
    if errors:
        raise InvalidInput(*errors)
    session.add(
        ChapterStatusChange(
            chapter_id=chapter.id,
            from_status=chapter.status,
            to_status=status,
            reason=reason.strip(),
            changed_by_id=principal.person_id,
            changed_at=at or datetime.now(UTC),
        )
    )
    chapter.status = status
    await session.flush()
    return chapter


async def find_by_slug(session: AsyncSession, slug: str) -> Chapter | None:
    return await session.scalar(select(Chapter).where(Chapter.slug == slug))

"""Use cases on newsletters. Services validate, ask the policy, write, and never commit.

Staff and content editors (``NEWSLETTER_EDIT``) manage columns (a name, a cadence from a first
issue's date, templates in English and Chinese), enter project updates, and create issues: an
issue stores the draft assembled for its period (``assembly``) as items, which editors then
edit, reorder within their section, cut or add to, while the issue is a draft. Publishing
(``NEWSLETTER_PUBLISH``) records the channels it went to; a published issue is not edited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.channels.service import PublicationEntry, record_publications
from chapters.db.session import flush_unique, get_row
from chapters.editors.service import is_editor
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models.content import (
    Cadence,
    IssueStatus,
    NewsletterColumn,
    NewsletterIssue,
    NewsletterItem,
    NewsletterSection,
    ProjectUpdate,
)
from chapters.newsletters import assembly, render, schedule
from chapters.validation import check_texts, check_web_url, clean_text, is_storable

NAME_LIMIT = 200
TITLE_LIMIT = 300
ITEM_BODY_LIMIT = 2000
UPDATE_BODY_LIMIT = 5000
INTRODUCTION_LIMIT = 5000
MAX_PERIOD_DAYS = 93  # a quarter at most
MAX_ITEMS = 300  # per issue: templates' work is bounded by it
EARLIEST, LATEST = date(1970, 1, 1), date(2200, 12, 31)  # the days a schedule or period may use
TEMPLATE_FIELDS = {"template_en": render.Language.EN, "template_zh": render.Language.ZH}
UNIQUE_COLUMN = {
    "uq_newsletter_columns_tenant_id_name": FieldError(
        "name", ErrorCode.CONFLICT, "A column with this name exists"
    )
}


@dataclass(frozen=True, kw_only=True)
class ColumnFields(Changes):
    """Column fields; in updates, UNSET leaves a field as it is and None clears it."""

    name: Change[str | None] = UNSET
    cadence: Change[Cadence | None] = UNSET
    first_issue_on: Change[date | None] = UNSET
    template_en: Change[str | None] = UNSET  # None: the built-in template
    template_zh: Change[str | None] = UNSET
    retired: Change[bool | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class ProjectUpdateFields(Changes):
    title: Change[str | None] = UNSET
    body: Change[str | None] = UNSET
    url: Change[str | None] = UNSET
    happened_on: Change[date | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class IssueFields(Changes):
    title: Change[str | None] = UNSET
    introduction: Change[str | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class ItemFields(Changes):
    title: Change[str | None] = UNSET
    body: Change[str | None] = UNSET
    url: Change[str | None] = UNSET


def utc_now() -> datetime:
    return datetime.now(UTC)


def _required(values: dict[str, Any], names: Sequence[str], creating: bool) -> list[FieldError]:
    return [
        FieldError(name, ErrorCode.REQUIRED, f"{name.replace('_', ' ').capitalize()} is needed")
        for name in names
        if (creating or name in values) and values.get(name) is None
    ]


def check_day(value: date | None, field: str) -> list[FieldError]:
    if value is not None and not EARLIEST <= value <= LATEST:
        message = f"Use a day from {EARLIEST.isoformat()} to {LATEST.isoformat()}"
        return [FieldError(field, ErrorCode.INVALID, message)]
    return []


def check_period(
    start: date, end: date, fields: tuple[str, str] = ("period.from", "period.to")
) -> None:
    """A period of one to ``MAX_PERIOD_DAYS`` days, in order; typed errors otherwise."""
    errors = check_day(start, fields[0]) + check_day(end, fields[1])
    if not errors and end < start:
        errors.append(FieldError(fields[1], ErrorCode.INVALID, "Cannot end before it starts"))
    elif not errors and (end - start).days + 1 > MAX_PERIOD_DAYS:
        message = f"A period is at most {MAX_PERIOD_DAYS} days"
        errors.append(FieldError(fields[1], ErrorCode.INVALID, message))
    if errors:
        raise InvalidInput(*errors)


async def require_editing(session: AsyncSession, principal: Principal | None) -> Principal:
    """Staff, or a content editor: the first gate, before anything is looked up."""
    if authz.can(principal, Action.NEWSLETTER_EDIT):
        return authz.require_caller(principal, Action.NEWSLETTER_EDIT)
    editor = await is_editor(session, principal)
    return authz.require_caller(principal, Action.NEWSLETTER_EDIT, editor=editor)


async def require_publishing(session: AsyncSession, principal: Principal | None) -> Principal:
    if authz.can(principal, Action.NEWSLETTER_PUBLISH):
        return authz.require_caller(principal, Action.NEWSLETTER_PUBLISH)
    editor = await is_editor(session, principal)
    return authz.require_caller(principal, Action.NEWSLETTER_PUBLISH, editor=editor)


# --- columns ---------------------------------------------------------------------------------


async def get_column(
    session: AsyncSession, column_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> NewsletterColumn:
    return await get_row(
        session, NewsletterColumn, column_id, "Newsletter column", field, lock=lock
    )


def _column_values(fields: ColumnFields, *, creating: bool) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    if "name" in values:
        values["name"] = clean_text(values["name"])
    for name in TEMPLATE_FIELDS:
        if name in values and values[name] is not None and not values[name].strip():
            values[name] = None  # a blank template: the built-in one
    errors = _required(values, ("name", "cadence", "first_issue_on"), creating)
    if "retired" in values and values["retired"] is None:
        errors.append(FieldError("retired", ErrorCode.REQUIRED, "Say whether it is retired"))
    errors += check_texts(values, {"name": NAME_LIMIT})
    errors += check_day(values.get("first_issue_on"), "first_issue_on")
    for name in TEMPLATE_FIELDS:
        errors += _check_template(values.get(name), name)
    if errors:
        raise InvalidInput(*errors)
    return values


def _check_template(source: str | None, field: str) -> list[FieldError]:
    """A template compiles and renders the sample issues; typed errors naming the line."""
    if source is None:
        return []
    if not is_storable(source):
        return [FieldError(field, ErrorCode.INVALID, "Not storable text")]
    if len(source) > render.TEMPLATE_LIMIT:
        message = f"Template is over {render.TEMPLATE_LIMIT} characters"
        return [FieldError(field, ErrorCode.TOO_LONG, message)]
    try:
        render.check_template(source)
    except render.TemplateRefused as refused:
        return [FieldError(field, ErrorCode.INVALID, str(refused))]
    return []


async def create_column(
    session: AsyncSession, principal: Principal | None, fields: ColumnFields
) -> NewsletterColumn:
    await require_editing(session, principal)
    values = _column_values(fields, creating=True)
    column = NewsletterColumn(**values)
    session.add(column)
    await flush_unique(session, UNIQUE_COLUMN)
    return column


async def update_column(
    session: AsyncSession, principal: Principal | None, column_id: uuid.UUID, fields: ColumnFields
) -> NewsletterColumn:
    await require_editing(session, principal)
    column = await get_column(session, column_id, lock=True)
    values = _column_values(fields, creating=False)
    for key, value in values.items():
        setattr(column, key, value)
    await flush_unique(session, UNIQUE_COLUMN)
    return column


async def latest_issue(session: AsyncSession, column_id: uuid.UUID) -> tuple[int, date] | None:
    row = (
        await session.execute(
            select(NewsletterIssue.number, NewsletterIssue.period_end)
            .where(NewsletterIssue.column_id == column_id)
            .order_by(NewsletterIssue.number.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


# --- project updates -------------------------------------------------------------------------


async def get_project_update(
    session: AsyncSession, update_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> ProjectUpdate:
    return await get_row(session, ProjectUpdate, update_id, "Project update", field, lock=lock)


_UPDATE_TEXT = {"title": TITLE_LIMIT, "body": UPDATE_BODY_LIMIT}


def _update_values(fields: ProjectUpdateFields, *, creating: bool) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    for name in ("title", "body", "url"):
        if name in values:
            values[name] = clean_text(values[name])
    errors = _required(values, ("title", "happened_on"), creating)
    errors += check_texts(values, _UPDATE_TEXT)
    errors += check_web_url(values.get("url"), "url")
    errors += check_day(values.get("happened_on"), "happened_on")
    if errors:
        raise InvalidInput(*errors)
    return values


async def create_project_update(
    session: AsyncSession, principal: Principal | None, fields: ProjectUpdateFields
) -> ProjectUpdate:
    caller = await require_editing(session, principal)
    values = _update_values(fields, creating=True)
    update = ProjectUpdate(entered_by_id=caller.person_id, **values)
    session.add(update)
    await session.flush()
    return update


async def update_project_update(
    session: AsyncSession,
    principal: Principal | None,
    update_id: uuid.UUID,
    fields: ProjectUpdateFields,
) -> ProjectUpdate:
    await require_editing(session, principal)
    update = await get_project_update(session, update_id, lock=True)
    for key, value in _update_values(fields, creating=False).items():
        setattr(update, key, value)
    await session.flush()
    return update


async def remove_project_update(
    session: AsyncSession, principal: Principal | None, update_id: uuid.UUID
) -> ProjectUpdate:
    """Delete it; the items issues made of it stay, without their source."""
    await require_editing(session, principal)
    update = await get_project_update(session, update_id, lock=True)
    await session.delete(update)
    await session.flush()
    return update


# --- issues ----------------------------------------------------------------------------------


async def get_issue(
    session: AsyncSession, issue_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> NewsletterIssue:
    return await get_row(session, NewsletterIssue, issue_id, "Newsletter issue", field, lock=lock)


def _require_draft(issue: NewsletterIssue, field: str = "id") -> None:
    if issue.status is not IssueStatus.DRAFT:
        raise InvalidInput(
            FieldError(field, ErrorCode.CONFLICT, "The issue is published: it is not edited")
        )


_ISSUE_TEXT = {"title": TITLE_LIMIT, "introduction": INTRODUCTION_LIMIT}


def _issue_values(fields: IssueFields, *, creating: bool) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    if "title" in values:
        values["title"] = clean_text(values["title"])
    if values.get("introduction") is not None:
        values["introduction"] = values["introduction"].strip() or None
    errors = [] if creating else _required(values, ("title",), creating=False)
    errors += check_texts(values, _ISSUE_TEXT)
    if errors:
        raise InvalidInput(*errors)
    return values


async def default_period(session: AsyncSession, column: NewsletterColumn) -> tuple[date, date]:
    """The period of the column's next scheduled issue."""
    latest = await latest_issue(session, column.id)
    next_issue = schedule.next_issue(column.cadence, column.first_issue_on, latest)
    return next_issue.period_start, next_issue.period_end


def _period_or_scheduled(
    column: NewsletterColumn,
    latest: tuple[int, date] | None,
    period: tuple[date | None, date | None],
) -> tuple[date, date]:
    """The period given (both days, or neither: the schedule's next period), checked."""
    start, end = period
    if start is None and end is None:
        scheduled = schedule.next_issue(column.cadence, column.first_issue_on, latest)
        return scheduled.period_start, scheduled.period_end
    if start is None or end is None:
        missing = "period_start" if start is None else "period_end"
        raise InvalidInput(
            FieldError(missing, ErrorCode.REQUIRED, "Give both days of the period, or neither")
        )
    check_period(start, end, fields=("period_start", "period_end"))
    return start, end


async def create_issue(
    session: AsyncSession,
    principal: Principal | None,
    column_id: uuid.UUID,
    period: tuple[date | None, date | None] = (None, None),
    fields: IssueFields | None = None,
) -> NewsletterIssue:
    """A draft issue, numbered after the column's latest, for ``period`` (by default the
    schedule's next period), holding the draft assembled for it."""
    await require_editing(session, principal)
    values = _issue_values(fields or IssueFields(), creating=True)
    # locked: issues of one column are numbered one at a time
    column = await get_column(session, column_id, "column_id", lock=True)
    if column.retired:
        raise InvalidInput(FieldError("column_id", ErrorCode.INVALID, "The column is retired"))
    latest = await latest_issue(session, column.id)
    start, end = _period_or_scheduled(column, latest, period)
    number = latest[0] + 1 if latest else 1
    issue = NewsletterIssue(
        column_id=column.id,
        number=number,
        title=values.get("title") or f"{column.name} #{number}",
        period_start=start,
        period_end=end,
        status=IssueStatus.DRAFT,
        introduction=values.get("introduction"),
    )
    session.add(issue)
    await session.flush()
    draft = await assembly.assemble(session, start, end)
    positions: dict[NewsletterSection, int] = {}
    for entry in draft.items[:MAX_ITEMS]:
        position = positions.get(entry.section, 0)
        positions[entry.section] = position + 1
        session.add(
            NewsletterItem(
                issue_id=issue.id,
                section=entry.section,
                position=position,
                title=entry.title[:TITLE_LIMIT],
                body=entry.body,
                url=entry.url if entry.url and not check_web_url(entry.url, "url") else None,
                activity_id=entry.activity_id,
                article_id=entry.article_id,
                person_id=entry.person_id,
                certificate_id=entry.certificate_id,
                project_update_id=entry.project_update_id,
            )
        )
    await session.flush()
    return issue


async def update_issue(
    session: AsyncSession, principal: Principal | None, issue_id: uuid.UUID, fields: IssueFields
) -> NewsletterIssue:
    await require_editing(session, principal)
    issue = await get_issue(session, issue_id, lock=True)
    values = _issue_values(fields, creating=False)
    _require_draft(issue)
    for key, value in values.items():
        setattr(issue, key, value)
    await session.flush()
    return issue


async def publish_issue(
    session: AsyncSession,
    principal: Principal | None,
    issue_id: uuid.UUID,
    publications: Sequence[PublicationEntry],
) -> NewsletterIssue:
    """Publish a draft and record where it went (at least one channel)."""
    await require_publishing(session, principal)
    issue = await get_issue(session, issue_id, lock=True)
    _require_draft(issue)
    if not publications:
        raise InvalidInput(
            FieldError("publications", ErrorCode.REQUIRED, "Say where the issue was published")
        )
    await record_publications(session, publications, newsletter_issue_id=issue.id)
    issue.status = IssueStatus.PUBLISHED
    issue.published_at = utc_now()
    await session.flush()
    return issue


# --- items -----------------------------------------------------------------------------------


async def get_item(
    session: AsyncSession, item_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> NewsletterItem:
    return await get_row(session, NewsletterItem, item_id, "Newsletter item", field, lock=lock)


async def _section_items(
    session: AsyncSession, issue_id: uuid.UUID, section: NewsletterSection
) -> list[NewsletterItem]:
    rows = await session.scalars(
        select(NewsletterItem)
        .where(NewsletterItem.issue_id == issue_id, NewsletterItem.section == section)
        .order_by(NewsletterItem.position, NewsletterItem.id)
    )
    return list(rows.all())


def _renumber(items: Sequence[NewsletterItem]) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position


_ITEM_TEXT = {"title": TITLE_LIMIT, "body": ITEM_BODY_LIMIT}


def _item_values(fields: ItemFields, *, creating: bool) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    if "title" in values:
        values["title"] = clean_text(values["title"])
    for name in ("body", "url"):
        if name in values:
            values[name] = clean_text(values[name])
    errors = []
    if (creating or "title" in values) and values.get("title") is None:
        errors.append(FieldError("title", ErrorCode.REQUIRED, "Title cannot be empty"))
    errors += check_texts(values, _ITEM_TEXT)
    errors += check_web_url(values.get("url"), "url")
    if errors:
        raise InvalidInput(*errors)
    return values


async def _draft_of(session: AsyncSession, issue_id: uuid.UUID, field: str) -> NewsletterIssue:
    """The item's issue, locked (its items change one edit at a time), and a draft."""
    issue = await get_issue(session, issue_id, field, lock=True)
    _require_draft(issue, field)
    return issue


async def add_item(
    session: AsyncSession,
    principal: Principal | None,
    issue_id: uuid.UUID,
    section: NewsletterSection,
    fields: ItemFields,
    position: int | None = None,
) -> NewsletterItem:
    """An item of the editors' own, at ``position`` in its section (default: last)."""
    await require_editing(session, principal)
    values = _item_values(fields, creating=True)
    issue = await _draft_of(session, issue_id, "issue_id")
    count = await session.scalar(
        select(func.count()).select_from(NewsletterItem).where(NewsletterItem.issue_id == issue.id)
    )
    if (count or 0) >= MAX_ITEMS:
        message = f"An issue holds at most {MAX_ITEMS} items"
        raise InvalidInput(FieldError("issue_id", ErrorCode.INVALID, message))
    siblings = await _section_items(session, issue.id, section)
    at = len(siblings) if position is None else _position(position, len(siblings) + 1)
    item = NewsletterItem(issue_id=issue.id, section=section, position=at, **values)
    siblings.insert(at, item)
    session.add(item)
    _renumber(siblings)
    await session.flush()
    return item


def _position(position: int, places: int) -> int:
    if not 0 <= position < places:
        message = f"Use a position from 0 to {places - 1}"
        raise InvalidInput(FieldError("position", ErrorCode.INVALID, message))
    return position


async def update_item(
    session: AsyncSession, principal: Principal | None, item_id: uuid.UUID, fields: ItemFields
) -> NewsletterItem:
    await require_editing(session, principal)
    item = await get_item(session, item_id)
    values = _item_values(fields, creating=False)
    await _draft_of(session, item.issue_id, "id")
    for key, value in values.items():
        setattr(item, key, value)
    await session.flush()
    return item


async def move_item(
    session: AsyncSession, principal: Principal | None, item_id: uuid.UUID, position: int
) -> NewsletterItem:
    """Move the item to ``position`` (0: first) within its section."""
    await require_editing(session, principal)
    item = await get_item(session, item_id)
    await _draft_of(session, item.issue_id, "id")
    siblings = await _section_items(session, item.issue_id, item.section)
    at = _position(position, len(siblings))
    siblings.remove(item)
    siblings.insert(at, item)
    _renumber(siblings)
    await session.flush()
    return item


async def remove_item(
    session: AsyncSession, principal: Principal | None, item_id: uuid.UUID
) -> NewsletterItem:
    """Cut the item from its issue; the others of its section close up."""
    await require_editing(session, principal)
    item = await get_item(session, item_id)
    await _draft_of(session, item.issue_id, "id")
    siblings = await _section_items(session, item.issue_id, item.section)
    await session.delete(item)
    _renumber([sibling for sibling in siblings if sibling is not item])
    await session.flush()
    return item

"""What may be read of newsletters, and by whom.

Columns and published issues (with their items): every signed-in person of the tenant
(``NEWSLETTER_READ_PUBLISHED``; partners' clients see nothing). Draft issues, drafts assembled
for a period, and project updates: staff and content editors (``NEWSLETTER_EDIT``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select

from chapters import authz
from chapters.authz import Action
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.editors.queries import caller_is_editor
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models.content import (
    IssueStatus,
    NewsletterColumn,
    NewsletterIssue,
    NewsletterItem,
    ProjectUpdate,
)
from chapters.newsletters import assembly, render, schedule
from chapters.newsletters.loaders import items_by_issue, latest_issue_by_column
from chapters.newsletters.service import check_day, check_period, get_column

COLUMN_ORDER = Ordering((NewsletterColumn.name, NewsletterColumn.id))
ISSUE_ORDER = Ordering((NewsletterIssue.period_start, NewsletterIssue.id), descending=True)
UPDATE_ORDER = Ordering((ProjectUpdate.happened_on, ProjectUpdate.id), descending=True)


async def edits(reader: Reader) -> bool:
    """Whether the caller may edit newsletters (and so read drafts)."""
    if authz.can(reader.principal, Action.NEWSLETTER_EDIT):
        return True
    return authz.can(
        reader.principal, Action.NEWSLETTER_EDIT, editor=await caller_is_editor(reader)
    )


async def reads(reader: Reader) -> bool:
    """Whether the caller may read columns and published issues."""
    return authz.can(reader.principal, Action.NEWSLETTER_READ_PUBLISHED) or await edits(reader)


async def _require_reading(reader: Reader) -> None:
    if not await reads(reader):
        authz.require(reader.principal, Action.NEWSLETTER_READ_PUBLISHED)


async def _require_editing(reader: Reader) -> None:
    if not await edits(reader):
        authz.require(reader.principal, Action.NEWSLETTER_EDIT)


# --- columns ---------------------------------------------------------------------------------


async def columns(reader: Reader, include_retired: bool, args: PageArgs) -> Page[NewsletterColumn]:
    """The columns by name (current ones only unless ``include_retired``)."""
    await _require_reading(reader)
    statement = select(NewsletterColumn)
    if not include_retired:
        statement = statement.where(NewsletterColumn.retired.is_(False))
    return await paginate(reader.session, statement, COLUMN_ORDER, args)


async def column(reader: Reader, column_id: uuid.UUID | None) -> NewsletterColumn | None:
    if column_id is None or not await reads(reader):
        return None
    row: NewsletterColumn | None = await reader.loaders.of(rows_by_id, NewsletterColumn).load(
        column_id
    )
    return row


async def next_issue(reader: Reader, column: NewsletterColumn) -> schedule.ScheduledIssue:
    latest = await reader.loaders.of(latest_issue_by_column).load(column.id)
    return schedule.next_issue(column.cadence, column.first_issue_on, latest)


# --- issues and items ------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueFilter:
    column_id: uuid.UUID | None = None
    status: IssueStatus | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.column_id is not None:
            conditions.append(NewsletterIssue.column_id == self.column_id)
        if self.status is not None:
            conditions.append(NewsletterIssue.status == self.status)
        return conditions


async def issues(reader: Reader, filters: IssueFilter, args: PageArgs) -> Page[NewsletterIssue]:
    """The issues matching the filters that the caller may read, the latest period first."""
    await _require_reading(reader)
    statement = select(NewsletterIssue).where(*filters.conditions())
    if not await edits(reader):
        statement = statement.where(NewsletterIssue.status == IssueStatus.PUBLISHED)
    return await paginate(reader.session, statement, ISSUE_ORDER, args)


async def _may_read_issue(reader: Reader, issue: NewsletterIssue) -> bool:
    if issue.status is IssueStatus.PUBLISHED:
        return await reads(reader)
    return await edits(reader)


async def issue(reader: Reader, issue_id: uuid.UUID | None) -> NewsletterIssue | None:
    if issue_id is None:
        return None
    row: NewsletterIssue | None = await reader.loaders.of(rows_by_id, NewsletterIssue).load(
        issue_id
    )
    return row if row is not None and await _may_read_issue(reader, row) else None


async def items(reader: Reader, issue_id: uuid.UUID) -> list[NewsletterItem]:
    """An issue's items in order (the caller may read the issue)."""
    rows: list[NewsletterItem] = await reader.loaders.of(items_by_issue).load(issue_id)
    return rows


async def item(reader: Reader, item_id: uuid.UUID | None) -> NewsletterItem | None:
    if item_id is None:
        return None
    row: NewsletterItem | None = await reader.loaders.of(rows_by_id, NewsletterItem).load(item_id)
    if row is None or await issue(reader, row.issue_id) is None:
        return None
    return row


async def _rendering(
    reader: Reader, issue: NewsletterIssue
) -> tuple[str | None, str | None, str, render.Rendering]:
    """What rendering the issue takes: its column's templates, its name, and the issue."""
    column: NewsletterColumn | None = await reader.loaders.of(rows_by_id, NewsletterColumn).load(
        issue.column_id
    )
    name = column.name if column else ""
    rows = await items(reader, issue.id)
    view = render.Rendering(
        column=render.ColumnView(name),
        issue=render.IssueView(
            number=issue.number,
            title=issue.title,
            period_start=issue.period_start,
            period_end=issue.period_end,
            introduction=issue.introduction,
        ),
        items=tuple((row.section, render.ItemView(row.title, row.body, row.url)) for row in rows),
    )
    return (
        column.template_en if column else None,
        column.template_zh if column else None,
        name,
        view,
    )


async def markdown(reader: Reader, issue: NewsletterIssue, language: render.Language) -> str:
    """The issue as Markdown in ``language``, by its column's template."""
    template_en, template_zh, _, view = await _rendering(reader, issue)
    source = template_zh if language is render.Language.ZH else template_en
    try:
        return render.render_markdown(source, language, view)
    except render.TemplateRefused as refused:
        message = f"The column's {language.name} template fails: {refused}"
        raise InvalidInput(FieldError("language", ErrorCode.INVALID, message)) from None


async def html(reader: Reader, issue: NewsletterIssue, language: render.Language) -> str:
    """The issue as a page of HTML in ``language``."""
    _, _, name, _ = await _rendering(reader, issue)
    title = f"{name} #{issue.number}: {issue.title}" if name else issue.title
    return render.render_html(await markdown(reader, issue, language), language, title)


# --- drafts and project updates --------------------------------------------------------------


async def draft(
    reader: Reader, column_id: uuid.UUID, start: date | None, end: date | None
) -> tuple[NewsletterColumn, assembly.Draft]:
    """The draft a column's issue for the period would hold (default: the schedule's next
    period), assembled now and not stored."""
    await _require_editing(reader)
    found = await get_column(reader.session, column_id, "column_id")
    if start is None or end is None:
        if start is not None or end is not None:
            missing = "period.from" if start is None else "period.to"
            message = "Give both days of the period, or neither"
            raise InvalidInput(FieldError(missing, ErrorCode.REQUIRED, message))
        scheduled = await next_issue(reader, found)
        start, end = scheduled.period_start, scheduled.period_end
    check_period(start, end)
    return found, await assembly.assemble(reader.session, start, end)


async def project_updates(
    reader: Reader, since: date | None, until: date | None, args: PageArgs
) -> Page[ProjectUpdate]:
    """Project updates of the days ``since`` to ``until`` (either open), the latest first."""
    await _require_editing(reader)
    errors = check_day(since, "from") + check_day(until, "to")
    if errors:
        raise InvalidInput(*errors)
    statement = select(ProjectUpdate)
    if since is not None:
        statement = statement.where(ProjectUpdate.happened_on >= since)
    if until is not None:
        statement = statement.where(ProjectUpdate.happened_on <= until)
    return await paginate(reader.session, statement, UPDATE_ORDER, args)


async def project_update(reader: Reader, update_id: uuid.UUID | None) -> ProjectUpdate | None:
    if update_id is None or not await edits(reader):
        return None
    row: ProjectUpdate | None = await reader.loaders.of(rows_by_id, ProjectUpdate).load(update_id)
    return row

"""Exports: who may export what, with which filters, the rows written and the audit entry.

``prepare_export`` checks the policy and validates everything before a byte is written (so a
bad request is an error, not a broken download); ``ExportRun.chunks`` then writes the rows
and, after the last row, adds the export's audit entry to the session (flushed, not
committed: the caller commits, in the same transaction that read the rows). An export is
recorded as an insert of an ``Export`` object (action ``export``): kind, format, filters,
the columns written, the row count and whether it was complete.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.audit.recorder import record_event
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.errors import DomainError, ErrorCode, FieldError, InvalidInput

# the insight figures register their kinds on import
from chapters.exports import metric_kinds  # noqa: F401
from chapters.exports.formats import ExportFormat, chunks, closing
from chapters.exports.kinds import FILTER_NAMES, ExportFilters, ExportKind, Row, kind_names
from chapters.exports.kinds import kind_named as _kind_named
from chapters.exports.sql_csv import copy_csv, csv_cells
from chapters.models import AuditEntry, Chapter, Tenant
from chapters.validation import is_storable

# An export's transaction lives as long as its download: the API's statement timeout (a few
# seconds) and idle-in-transaction timeout (a client reading an XLSX slowly leaves the
# transaction idle) are lifted to this for it.
EXPORT_TIMEOUT_MS = 15 * 60 * 1000
_LIFT_TIMEOUTS = text(
    "SELECT set_config('statement_timeout', :ms, true),"
    " set_config('idle_in_transaction_session_timeout', :ms, true)"
)
AUDIT_ACTION = "export"
AUDIT_OBJECT_TYPE = "Export"
PROGRESS_EVERY = 10_000
MAX_SHOWN_INPUT = 40


class UnknownExport(DomainError):
    """No such export kind (or format): the message names the known ones."""

    def __init__(self, what: str, name: str, known: Sequence[str]) -> None:
        message = f"There is no {what} {_shown(name)}; the {what}s are: {', '.join(known)}."
        super().__init__(FieldError(None, ErrorCode.NOT_FOUND, message))
        self.known = list(known)


@dataclass(frozen=True)
class PreparedExport:
    """An export the caller may make, its filters resolved."""

    tenant_id: uuid.UUID
    kind: ExportKind
    format: ExportFormat
    filters: ExportFilters
    columns: list[int]  # the positions of the kind's columns the caller may see

    @property
    def header(self) -> list[str]:
        return [self.kind.columns[index] for index in self.columns]


def kind_named(principal: Principal | None, name: str) -> ExportKind:
    """The export kind ``name``, for callers who may export (else ``Forbidden``)."""
    authz.require(principal, Action.DATA_EXPORT)
    kind = _kind_named(name)
    if kind is None:
        raise UnknownExport("export", name, kind_names())
    for action in kind.requires:
        authz.require(principal, action)
    return kind


def export_format(name: str) -> ExportFormat:
    try:
        return ExportFormat(name)
    except ValueError:
        raise UnknownExport("format", name, [f.value for f in ExportFormat]) from None


async def prepare_export(
    session: AsyncSession,
    principal: Principal | None,
    tenant_id: uuid.UUID,
    kind_name: str,
    format_name: str,
    filters: Mapping[str, Sequence[str]],
) -> PreparedExport:
    """Check and resolve an export: the caller may export (``Forbidden``), the kind and the
    format exist (``UnknownExport``), the filters are ones the kind takes, well formed and
    name things that exist (``InvalidInput``). ``filters`` maps a name to its given values."""
    kind = kind_named(principal, kind_name)
    format = export_format(format_name)
    resolved = await resolve_filters(session, tenant_id, kind, filters)
    return PreparedExport(
        tenant_id=tenant_id,
        kind=kind,
        format=format,
        filters=resolved,
        columns=kind.visible_columns(principal),
    )


def _shown(value: str) -> str:
    """User input quoted in a message, cut short."""
    cut = value if len(value) <= MAX_SHOWN_INPUT else value[:MAX_SHOWN_INPUT] + "…"
    return repr(cut)


def _invalid(field: str | None, message: str) -> InvalidInput:
    return InvalidInput(FieldError(field, ErrorCode.INVALID, message))


def _given(kind: ExportKind, filters: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """One non-empty value per filter the kind takes (an empty one counts as not given)."""
    given: dict[str, str] = {}
    takes = ", ".join(name for name in FILTER_NAMES if name in kind.accepts) or "no filters"
    for name, values in filters.items():
        if name not in kind.accepts:
            raise _invalid(
                name, f"The {kind.name} export takes no filter {_shown(name)} (it takes: {takes})."
            )
        if len(values) > 1:
            raise _invalid(name, f"Filter {name!r} is given more than once.")
        value = values[0].strip() if values else ""
        if not is_storable(value):
            raise _invalid(name, f"Filter {name!r} holds characters that cannot be stored.")
        if value:
            given[name] = value
    return given


def _day(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        if len(value) == 10:  # fromisoformat takes other shapes too (20260101, 2026-W01-1)
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise _invalid(name, f"Filter {name!r} must be a date as YYYY-MM-DD, not {_shown(value)}.")


async def resolve_filters(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    kind: ExportKind,
    filters: Mapping[str, Sequence[str]],
) -> ExportFilters:
    given = _given(kind, filters)
    from_day, to_day = _day("from", given.get("from")), _day("to", given.get("to"))
    if from_day and to_day and from_day > to_day:
        raise _invalid("to", f"'to' ({to_day}) is before 'from' ({from_day}).")
    zone = await _tenant_zone(session, tenant_id)
    slug = given.get("chapter")
    chapter_id = await _chapter_id(session, slug) if slug else None
    return ExportFilters(
        from_day=from_day,
        to_day=to_day,
        starts_from=_midnight(from_day, zone),
        starts_before=_midnight(to_day + timedelta(days=1), zone)
        if to_day and to_day < date.max
        else None,
        chapter_slug=slug,
        chapter_id=chapter_id,
        statuses=_statuses(kind, given.get("status")),
    )


def _midnight(day: date | None, zone: ZoneInfo) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=zone) if day else None


async def _tenant_zone(session: AsyncSession, tenant_id: uuid.UUID) -> ZoneInfo:
    name = await session.scalar(select(Tenant.timezone).where(Tenant.id == tenant_id))
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


async def _chapter_id(session: AsyncSession, slug: str) -> uuid.UUID:
    chapter_id: uuid.UUID | None = await session.scalar(
        select(Chapter.id).where(Chapter.slug == slug)
    )
    if chapter_id is None:
        raise _invalid("chapter", f"There is no chapter {_shown(slug)}.")
    return chapter_id


def _statuses(kind: ExportKind, value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    statuses = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",")))
    unknown = [status for status in statuses if status not in kind.statuses]
    if unknown:
        raise _invalid(
            "status",
            f"Unknown status {_shown(unknown[0])} for {kind.name}; "
            f"one or more (comma-separated) of: {', '.join(kind.statuses)}.",
        )
    return statuses


class ExportRun:
    """One export being written: its chunks, the rows counted as they go."""

    def __init__(
        self,
        session: AsyncSession,
        principal: Principal | None,
        export: PreparedExport,
        *,
        request_id: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.session, self.principal, self.export = session, principal, export
        self.request_id, self.progress = request_id, progress
        self.rows = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        """The export's bytes; once the last row is written, its audit entry is flushed."""
        await self.session.execute(_LIFT_TIMEOUTS, {"ms": str(EXPORT_TIMEOUT_MS)})
        async with closing(self._chunks()) as written:
            async for chunk in written:
                yield chunk
        await record_export(
            self.session, self.principal, self.export, self.rows, True, request_id=self.request_id
        )

    def _chunks(self) -> AsyncIterator[bytes]:
        export, kind = self.export, self.export.kind
        if export.format == ExportFormat.CSV and kind.query is not None:
            statement = kind.query(self.principal, export.tenant_id, export.filters)
            cells = csv_cells(statement, export.columns)
            return copy_csv(self.session, export.tenant_id, cells, export.header, self._count)
        return chunks(export.format, export.header, self._rows(), kind.name, self._count)

    def _rows(self) -> AsyncIterator[Row]:
        export = self.export
        rows = export.kind.row_source(
            self.session, self.principal, export.tenant_id, export.filters
        )
        if len(export.columns) == len(export.kind.columns):
            return rows
        return _only(rows, export.columns)

    def _count(self, written: int) -> None:
        before, self.rows = self.rows, self.rows + written
        if self.progress is not None and before // PROGRESS_EVERY != self.rows // PROGRESS_EVERY:
            self.progress(self.rows)


async def _only(rows: AsyncIterator[Row], columns: list[int]) -> AsyncIterator[Row]:
    """The rows without the columns the caller may not see."""
    async with closing(rows):
        async for row in rows:
            yield [row[index] for index in columns]


async def record_export(
    session: AsyncSession,
    principal: Principal | None,
    export: PreparedExport,
    rows: int,
    complete: bool,
    *,
    request_id: str | None = None,
) -> AuditEntry:
    """The export's audit entry, flushed in the session's transaction."""
    fields: dict[str, Any] = {
        "kind": export.kind.name,
        "format": export.format.value,
        "filters": export.filters.recorded(),
        "columns": export.header,
        "rows": rows,
        "complete": complete,
    }
    return await record_event(
        session,
        AUDIT_OBJECT_TYPE,
        fields,
        action=AUDIT_ACTION,
        actor_id=principal.actor_id if principal else None,
        request_id=request_id,
    )

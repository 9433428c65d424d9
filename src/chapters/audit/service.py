"""Reading the audit trail (central ops and admins). Entries are written by the recorder and
are never changed: the app's database role may only SELECT and INSERT them.

A reader sees an entry with the recorded fields they may see on the object itself
(``visibility``), secrets masked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select

from chapters import authz
from chapters.audit.visibility import visible_fields
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.models import AuditEntry

NEWEST_FIRST = Ordering((AuditEntry.occurred_at, AuditEntry.id), descending=True)


@dataclass(frozen=True)
class ObjectRef:
    """An audited object: its ORM class name (also its GraphQL type name) and id."""

    type_name: str
    id: uuid.UUID


@dataclass(frozen=True)
class AuditFilter:
    object: ObjectRef | None = None
    actor_id: uuid.UUID | None = None
    action: str | None = None
    occurred_from: datetime | None = None  # inclusive
    occurred_to: datetime | None = None  # exclusive

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.object is not None:
            conditions.append(AuditEntry.object_type == self.object.type_name)
            conditions.append(AuditEntry.object_id == self.object.id)
        if self.actor_id is not None:
            conditions.append(AuditEntry.actor_id == self.actor_id)
        if self.action:
            conditions.append(AuditEntry.action == self.action)
        if self.occurred_from is not None:
            conditions.append(AuditEntry.occurred_at >= self.occurred_from)
        if self.occurred_to is not None:
            conditions.append(AuditEntry.occurred_at < self.occurred_to)
        return conditions


@dataclass(frozen=True)
class ShownEntry:
    """An entry as its reader sees it: ``fields`` are the recorded field changes (name →
    [before, after]) the reader may see on the object itself, secrets masked."""

    entry: AuditEntry
    fields: dict[str, list[Any]]


def _shown(principal: Principal | None, entry: AuditEntry) -> ShownEntry:
    return ShownEntry(entry=entry, fields=visible_fields(principal, entry))


async def audit_log(reader: Reader, filters: AuditFilter, args: PageArgs) -> Page[ShownEntry]:
    """The entries matching the filters, newest first, for callers who may read the log."""
    principal = reader.principal
    authz.require(principal, Action.AUDIT_READ)
    statement = select(AuditEntry).where(*filters.conditions())
    page: Page[AuditEntry] = await paginate(reader.session, statement, NEWEST_FIRST, args)
    return page.map(lambda entry: _shown(principal, entry))


async def audit_entry(reader: Reader, entry_id: uuid.UUID | None) -> ShownEntry | None:
    """One entry, for callers who may read the log (None for anyone else)."""
    principal = reader.principal
    if entry_id is None or not authz.can(principal, Action.AUDIT_READ):
        return None
    entry: AuditEntry | None = await reader.loaders.of(rows_by_id, AuditEntry).load(entry_id)
    return _shown(principal, entry) if entry else None

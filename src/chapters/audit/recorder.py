"""The audit trail: every write through a tenant session leaves an entry in the same flush.

A mutation names itself, its actor and the request (``audited``); the ``before_flush`` hook
below turns each new, changed or deleted row into an entry with the changed fields (before →
after); ``install_hook`` installs it, called by ``chapters.db.session.install_audit_hook``.
Writes outside a mutation (seeding, the CLI) are recorded as ``system``. Columns marked secret
on the model are recorded only as having changed (``visibility``).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from chapters.audit.visibility import UNRECORDED_FIELDS, recorded
from chapters.models import (
    ActivityTransition,
    AuditEntry,
    ChapterMembershipPeriod,
    ChapterStatusChange,
    TenantScoped,
)
from chapters.tenancy import TenantSession, bound_tenant

_ACTION, _ACTOR, _REQUEST = "audit_action", "audit_actor", "audit_request"
SYSTEM_ACTION = "system"

# History rows are themselves the record of a change that is audited on its owner.
NOT_AUDITED = (AuditEntry, ChapterStatusChange, ChapterMembershipPeriod, ActivityTransition)


@contextmanager
def audited(
    session: AsyncSession, *, action: str, actor_id: uuid.UUID | None, request_id: str | None
) -> Iterator[None]:
    info = session.sync_session.info
    info.update({_ACTION: action, _ACTOR: actor_id, _REQUEST: request_id})
    try:
        yield
    finally:
        for key in (_ACTION, _ACTOR, _REQUEST):
            info.pop(key, None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _changes(obj: Any, kind: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attribute in state.mapper.column_attrs:
        key = attribute.key
        if key in UNRECORDED_FIELDS:
            continue
        if kind == "update":
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before == after:
                continue
        else:
            value = getattr(obj, key)
            if value is None or (key == "id" and kind == "insert"):
                continue
            before, after = (None, value) if kind == "insert" else (value, None)
        changes[key] = recorded(type(obj).__name__, key, _jsonable(before), _jsonable(after))
    return changes


def install_hook() -> None:
    """Record every flush of a ``TenantSession`` (idempotent)."""
    if not event.contains(TenantSession, "before_flush", _record_changes):
        event.listen(TenantSession, "before_flush", _record_changes)


async def record_event(
    session: AsyncSession,
    object_type: str,
    fields: dict[str, Any],
    *,
    action: str | None = None,
    actor_id: uuid.UUID | None = None,
    request_id: str | None = None,
) -> AuditEntry:
    """An entry for something done that changed no row one by one (an export, an import):
    recorded as the insert of an ``object_type`` with ``fields``, by the actor and action of
    the mutation under way unless given."""
    info = session.sync_session.info
    entry = AuditEntry(
        actor_id=actor_id or info.get(_ACTOR),
        action=action or info.get(_ACTION, SYSTEM_ACTION),
        object_type=object_type,
        object_id=uuid.uuid4(),
        # the shape the hook gives an insert: each field [before, after]
        changes={
            "operation": "insert",
            "fields": {k: [None, _jsonable(v)] for k, v in fields.items()},
        },
        request_id=request_id or info.get(_REQUEST),
    )
    session.add(entry)
    await session.flush()
    return entry


def _record_changes(session: Session, flush_context: Any, instances: Any) -> None:
    entries = []
    for kind, objects in (
        ("insert", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not isinstance(obj, TenantScoped) or isinstance(obj, NOT_AUDITED):
                continue
            if obj.id is None:
                obj.id = uuid.uuid4()  # the entry must name the row before the INSERT runs
            changes = _changes(obj, kind)
            if kind == "update" and not changes:
                continue
            entries.append(
                AuditEntry(
                    tenant_id=bound_tenant(session),
                    actor_id=session.info.get(_ACTOR),
                    action=session.info.get(_ACTION, SYSTEM_ACTION),
                    object_type=type(obj).__name__,
                    object_id=obj.id,
                    changes={"operation": kind, "fields": changes},
                    request_id=session.info.get(_REQUEST),
                )
            )
    session.add_all(entries)

"""Reading the audit trail (central ops and admins). Entries are written by the recorder and
are never changed: the app's database role may only SELECT and INSERT them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, select
from strawberry import relay

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import AuditEntry


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


def decode_object_id(value: str, field: str) -> ObjectRef:
    """The object a global id of any type names. Unlike ``decode_id``, the type is not known
    in advance: the audit log covers every kind of object."""
    try:
        type_name, raw = relay.from_base64(value)
        return ObjectRef(type_name, uuid.UUID(raw))
    except (ValueError, TypeError):
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Not a valid id")) from None


def audit_query(principal: Principal | None, filters: AuditFilter) -> Select:
    """The entries matching the filters, for callers who may read the audit log."""
    authz.require(principal, Action.AUDIT_READ)
    conditions: list[ColumnElement[bool]] = []
    if filters.object is not None:
        conditions.append(AuditEntry.object_type == filters.object.type_name)
        conditions.append(AuditEntry.object_id == filters.object.id)
    if filters.actor_id is not None:
        conditions.append(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.occurred_from is not None:
        conditions.append(AuditEntry.occurred_at >= filters.occurred_from)
    if filters.occurred_to is not None:
        conditions.append(AuditEntry.occurred_at < filters.occurred_to)
    statement = select(AuditEntry)
    return statement.where(and_(*conditions)) if conditions else statement

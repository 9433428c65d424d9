from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry import relay

from chapters.api.connections import connection
from chapters.api.ids import decode_id
from chapters.audit import service
from chapters.audit.types import AuditEntryConnection, AuditEntryType
from chapters.db.pagination import PageArgs
from chapters.errors import ErrorCode, FieldError, InvalidInput


def decode_object_id(value: str, field: str) -> service.ObjectRef:
    """The object a global id of any type names. Unlike ``decode_id``, the type is not known
    in advance: the audit log covers every kind of object."""
    try:
        type_name, raw = relay.from_base64(value)
        return service.ObjectRef(type_name, uuid.UUID(raw))
    except (ValueError, TypeError):
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Not a valid id")) from None


@strawberry.input
class AuditLogFilter:
    object_id: strawberry.ID | None = strawberry.field(
        default=None, description="The global id of any object: its whole history."
    )
    actor_id: strawberry.ID | None = strawberry.field(
        default=None, description="A person: what they did."
    )
    action: str | None = strawberry.field(
        default=None, description="A mutation's name, e.g. personUpdate."
    )
    occurred_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    occurred_to: datetime | None = strawberry.field(default=None, description="Exclusive.")

    def to_service(self) -> service.AuditFilter:
        return service.AuditFilter(
            object=decode_object_id(str(self.object_id), "objectId") if self.object_id else None,
            actor_id=decode_id(str(self.actor_id), "Person", "actorId") if self.actor_id else None,
            action=self.action,
            occurred_from=self.occurred_from,
            occurred_to=self.occurred_to,
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Who changed what and when, newest first (central ops, admins).")
    async def audit_log(
        self,
        info: strawberry.Info,
        filter: AuditLogFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> AuditEntryConnection:
        page = await service.audit_log(
            info.context,
            (filter or AuditLogFilter()).to_service(),
            PageArgs(first=first, after=after, last=last, before=before),
        )
        return connection(AuditEntryConnection, page, AuditEntryType.from_entry)

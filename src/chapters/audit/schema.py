from __future__ import annotations

from datetime import datetime

import strawberry

from chapters.api.ids import decode_id
from chapters.api.pagination import Ordering, PageArgs, paginate
from chapters.audit import service
from chapters.audit.types import AuditEntryConnection, AuditEntryType
from chapters.models import AuditEntry

NEWEST_FIRST = Ordering((AuditEntry.occurred_at, AuditEntry.id), descending=True)


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
            object=service.decode_object_id(str(self.object_id), "objectId")
            if self.object_id
            else None,
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
        ctx = info.context
        statement = service.audit_query(ctx.principal, (filter or AuditLogFilter()).to_service())
        return await paginate(
            ctx.session,
            statement,
            NEWEST_FIRST,
            PageArgs(first=first, after=after, last=last, before=before),
            lambda entry: AuditEntryType.from_model(entry, ctx.principal),
            AuditEntryConnection,
        )

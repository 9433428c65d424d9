from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any, Self, TypeAlias

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from chapters.api.ids import LoadedNode, global_id
from chapters.audit import service
from chapters.people.types import PersonType, load_person


class AuditOperation(enum.StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


strawberry.enum(AuditOperation, name="AuditOperation")
AuditOperationType: TypeAlias = AuditOperation


@strawberry.type(name="AuditFieldChange", description="One field's value before and after.")
class AuditFieldChange:
    field: str = strawberry.field(description="The field's API name, e.g. displayName.")
    before: JSON | None = strawberry.field(
        description="The stored value (ids are raw UUIDs, enums lowercase); null if none. "
        'Secrets are never recorded: "[secret]" says there was one.'
    )
    after: JSON | None


@strawberry.type(name="AuditEntry", description="One write to one object, by whom and when.")
class AuditEntryType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    occurred_at: datetime = strawberry.field(
        description="When the writing transaction began: the entries of one request share it."
    )
    action: str = strawberry.field(
        description="The mutation that wrote, e.g. personUpdate; `system` for operator tools."
    )
    object_type: str
    object_id: strawberry.ID = strawberry.field(description="The global id of the object.")
    operation: AuditOperationType
    changes: list[AuditFieldChange] = strawberry.field(
        description="The changed fields the caller may see on the object itself; the others "
        "are left out."
    )
    request_id: str | None
    actor_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_entry(cls, shown: service.ShownEntry) -> Self:
        """An entry as ``service`` shows it to its reader."""
        entry = shown.entry
        recorded: dict[str, Any] = entry.changes or {}
        return cls(
            id=str(entry.id),
            occurred_at=entry.occurred_at,
            action=entry.action,
            object_type=entry.object_type,
            object_id=strawberry.ID(global_id(entry.object_type, entry.object_id)),
            operation=AuditOperation(recorded.get("operation", AuditOperation.UPDATE)),
            changes=[
                AuditFieldChange(field=to_camel_case(name), before=values[0], after=values[1])
                for name, values in shown.fields.items()
            ],
            request_id=entry.request_id,
            actor_id=entry.actor_id,
        )

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: uuid.UUID | None) -> Self | None:
        shown = await service.audit_entry(info.context, object_id)
        return cls.from_entry(shown) if shown else None

    @strawberry.field(description="Who acted; null for operator tools or a removed person.")
    async def actor(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.actor_id)


@strawberry.type(name="AuditEntryConnection")
class AuditEntryConnection(relay.Connection[AuditEntryType]):
    pass

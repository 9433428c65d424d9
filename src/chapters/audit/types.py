from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from chapters import authz
from chapters import models as m
from chapters.api.ids import global_id
from chapters.api.loaders import rows_by_id
from chapters.audit.visibility import visible_fields
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.people.types import PersonType, load_person, parse_uuid


class AuditOperation(enum.StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


AuditOperationType = strawberry.enum(AuditOperation, name="AuditOperation")


@strawberry.type(name="AuditFieldChange", description="One field's value before and after.")
class AuditFieldChange:
    field: str = strawberry.field(description="The field's API name, e.g. displayName.")
    before: JSON | None = strawberry.field(
        description="The stored value (ids are raw UUIDs, enums lowercase); null if none. "
        'Secrets are never recorded: "[secret]" says there was one.'
    )
    after: JSON | None


@strawberry.type(name="AuditEntry", description="One write to one object, by whom and when.")
class AuditEntryType(relay.Node):
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
    def from_model(cls, entry: m.AuditEntry, principal: Principal | None) -> AuditEntryType:
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
                for name, values in visible_fields(principal, entry).items()
            ],
            request_id=entry.request_id,
            actor_id=entry.actor_id,
        )

    @strawberry.field(description="Who acted; null for operator tools or a removed person.")
    async def actor(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.actor_id)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[AuditEntryType | None]:
        node_ids = list(node_ids)
        if not authz.can(info.context.principal, Action.AUDIT_READ):
            return [None for _ in node_ids]
        loader = info.context.loaders.of(rows_by_id, m.AuditEntry)
        entries = await loader.load_many([parse_uuid(node_id) for node_id in node_ids])
        principal = info.context.principal
        return [cls.from_model(entry, principal) if entry else None for entry in entries]


@strawberry.type(name="AuditEntryConnection")
class AuditEntryConnection(relay.Connection[AuditEntryType]):
    pass

from __future__ import annotations

import uuid
from collections.abc import Iterable

import strawberry
from strawberry import relay

from chapters import models as m
from chapters.models import TenantRole

TenantRoleType = strawberry.enum(TenantRole, name="TenantRole")


@strawberry.type(name="Person")
class PersonType(relay.Node):
    id: relay.NodeID[str]
    display_name: str

    @classmethod
    def from_model(cls, person: m.Person) -> PersonType:
        return cls(id=str(person.id), display_name=person.display_name)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[PersonType | None]:
        ctx = info.context
        ids = [_parse_uuid(node_id) for node_id in node_ids]
        if ctx.principal is None:  # the people directory is for signed-in members of the tenant
            return [None for _ in ids]
        people = await ctx.loaders.person_by_id.load_many([i for i in ids if i is not None])
        found = {p.id: p for p in people if p is not None}
        return [cls.from_model(found[i]) if i in found else None for i in ids]


def _parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@strawberry.type(name="Viewer", description="The signed-in person making this request.")
class ViewerType:
    person: PersonType
    email: str
    tenant_role: TenantRoleType | None

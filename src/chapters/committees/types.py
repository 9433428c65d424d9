from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay

from chapters import authz
from chapters import models as m
from chapters.committees.loaders import committees_by_id
from chapters.models import CommitteeKind

CommitteeKindType = strawberry.enum(CommitteeKind, name="CommitteeKind")


@strawberry.type(name="Committee", description="A committee: the user committee, steering …")
class CommitteeType(relay.Node):
    id: relay.NodeID[str]
    name: str
    kind: CommitteeKindType
    description: str | None
    created_at: datetime
    uuid: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, committee: m.Committee) -> CommitteeType:
        return cls(
            id=str(committee.id),
            uuid=committee.id,
            name=committee.name,
            kind=committee.kind,
            description=committee.description,
            created_at=committee.created_at,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[CommitteeType | None]:
        result = []
        for node_id in node_ids:
            try:
                result.append(await load_committee(info, uuid.UUID(node_id)))
            except ValueError:
                result.append(None)
        return result


async def load_committee(
    info: strawberry.Info, committee_id: uuid.UUID | None
) -> CommitteeType | None:
    """Committees are visible to signed-in people of the tenant."""
    if committee_id is None or not authz.can(info.context.principal, authz.Action.COMMITTEE_READ):
        return None
    committee = await info.context.loaders.of(committees_by_id).load(committee_id)
    return CommitteeType.from_model(committee) if committee else None

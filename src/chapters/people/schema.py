from __future__ import annotations

import strawberry

from chapters.people.types import PersonType, ViewerType


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="Who is calling; null for anonymous requests.")
    async def viewer(self, info: strawberry.Info) -> ViewerType | None:
        principal = info.context.principal
        if principal is None:
            return None
        return ViewerType(
            person=PersonType(id=str(principal.person_id), display_name=principal.display_name),
            email=principal.email,
            tenant_role=principal.tenant_role,
        )

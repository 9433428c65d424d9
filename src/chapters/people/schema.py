from __future__ import annotations

import strawberry

from chapters.people.types import ViewerType


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="Who is calling; null for anonymous requests.")
    async def viewer(self, info: strawberry.Info) -> ViewerType | None:
        principal = info.context.principal
        if principal is None:
            return None
        return ViewerType(
            person_id=principal.person_id, email=principal.email, tenant_role=principal.tenant_role
        )


@strawberry.type
class PeopleMutation:
    pass

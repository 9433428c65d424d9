from __future__ import annotations

import strawberry

from chapters.api.errors import UserError, run_mutation
from chapters.tenants import service
from chapters.tenants.types import TenantType


@strawberry.input(description="Fields to change; omitted fields stay as they are.")
class TenantUpdateInput:
    name: str | None = None
    timezone: str | None = None
    default_locale: str | None = None
    recap_overdue_days: int | None = None


@strawberry.type
class TenantUpdatePayload:
    tenant: TenantType | None
    errors: list[UserError]


@strawberry.type
class TenantQuery:
    @strawberry.field(description="The tenant named in the request path.")
    async def tenant(self, info: strawberry.Info) -> TenantType:
        ctx = info.context
        return TenantType.from_model(await service.get_tenant(ctx.session, ctx.tenant.id))


@strawberry.type
class TenantMutation:
    @strawberry.mutation(description="Rename the tenant or change its defaults (tenant admins).")
    async def tenant_update(
        self, info: strawberry.Info, input: TenantUpdateInput
    ) -> TenantUpdatePayload:
        ctx = info.context
        changes = service.TenantChanges(
            name=input.name,
            timezone=input.timezone,
            default_locale=input.default_locale,
            recap_overdue_days=input.recap_overdue_days,
        )
        tenant, errors = await run_mutation(
            info, lambda: service.update_tenant(ctx.session, ctx.principal, ctx.tenant.id, changes)
        )
        return TenantUpdatePayload(
            tenant=TenantType.from_model(tenant) if tenant else None, errors=errors
        )

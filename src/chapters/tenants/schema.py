from __future__ import annotations

from typing import Any

import strawberry

from chapters.api.errors import UserError
from chapters.api.mutations import mutate
from chapters.tenants import service
from chapters.tenants.types import TenantType


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class TenantUpdateInput:
    name: str | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    default_locale: str | None = strawberry.UNSET
    recap_overdue_days: int | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"Null: back to the default, {service.DEFAULT_RECAP_OVERDUE_DAYS}.",
    )
    health_rules: HealthRulesInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="The definitions of active people and healthy chapters. Null: all back to "
        "their defaults.",
    )


@strawberry.input(
    description="Health and activity rules to change; omitted rules stay, null: the default."
)
class HealthRulesInput:
    inactive_after_days: int | None = strawberry.UNSET
    at_risk_after_days: int | None = strawberry.UNSET
    dormant_after_days: int | None = strawberry.UNSET
    min_recap_compliance: float | None = strawberry.UNSET
    lead_required: bool | None = strawberry.UNSET
    min_group_size: int | None = strawberry.UNSET
    code_counts_as_active: bool | None = strawberry.UNSET

    def given(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if value is not strawberry.UNSET}


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
        names = service.TenantChanges.__dataclass_fields__
        given = {
            name: getattr(input, name)
            for name in names
            if getattr(input, name) is not strawberry.UNSET
        }
        if isinstance(given.get("health_rules"), HealthRulesInput):
            given["health_rules"] = given["health_rules"].given()
        changes = service.TenantChanges(**given)
        return await mutate(
            info,
            lambda: service.update_tenant(ctx.session, ctx.principal, ctx.tenant.id, changes),
            present=lambda tenant: TenantUpdatePayload(
                tenant=TenantType.from_model(tenant), errors=[]
            ),
            failed=lambda errors: TenantUpdatePayload(tenant=None, errors=errors),
        )

from __future__ import annotations

import strawberry

from chapters import models as m
from chapters.insight.rules import rules_from_settings
from chapters.insight.types import HealthRulesType
from chapters.tenants.service import recap_overdue_days


@strawberry.type(name="Tenant", description="The community this API serves.")
class TenantType:
    slug: str
    name: str
    timezone: str = strawberry.field(description="IANA timezone, the default for chapters.")
    default_locale: str
    recap_overdue_days: int = strawberry.field(
        description="Days after an activity ends before a missing recap is overdue."
    )

    health_rules: HealthRulesType = strawberry.field(
        description="The definitions behind every figure: active people, healthy chapters."
    )

    @classmethod
    def from_model(cls, tenant: m.Tenant) -> TenantType:
        return cls(
            slug=tenant.slug,
            name=tenant.name,
            timezone=tenant.timezone,
            default_locale=tenant.default_locale,
            recap_overdue_days=recap_overdue_days(tenant),
            health_rules=HealthRulesType.of(rules_from_settings(tenant.settings)),
        )

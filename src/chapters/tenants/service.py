"""Use cases on the tenant itself. Services validate, check the policy and never commit."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.db import get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import Tenant
from chapters.validation import check_locale, check_timezone, required_text

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class TenantChanges:
    name: str | None = None
    timezone: str | None = None
    default_locale: str | None = None
    recap_overdue_days: int | None = None


DEFAULT_RECAP_OVERDUE_DAYS = 7


def recap_overdue_days(tenant: Tenant) -> int:
    """Days after an activity ends before its missing recap counts as overdue."""
    return int(tenant.settings.get("recap_overdue_days", DEFAULT_RECAP_OVERDUE_DAYS))


def _validate(changes: TenantChanges) -> list[FieldError]:
    errors = []
    if changes.name is not None:
        errors += required_text(changes.name, "name", 200)
    if changes.timezone is not None:
        errors += check_timezone(changes.timezone, "timezone")
    if changes.default_locale is not None:
        errors += check_locale(changes.default_locale, "default_locale")
    if changes.recap_overdue_days is not None and not 1 <= changes.recap_overdue_days <= 365:
        errors.append(FieldError("recapOverdueDays", ErrorCode.INVALID, "Use 1 to 365 days"))
    return errors


def validate_slug(slug: str) -> list[FieldError]:
    if SLUG_PATTERN.match(slug):
        return []
    return [FieldError("slug", ErrorCode.INVALID, "Use lowercase letters, digits and dashes")]


async def get_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    return await get_row(session, Tenant, tenant_id, "Tenant")


async def update_tenant(
    session: AsyncSession, principal: Principal | None, tenant_id: uuid.UUID, changes: TenantChanges
) -> Tenant:
    authz.require(principal, authz.Action.TENANT_UPDATE)
    errors = _validate(changes)
    if errors:
        raise InvalidInput(*errors)
    tenant = await get_tenant(session, tenant_id)
    if changes.name is not None:
        tenant.name = changes.name.strip()
    if changes.timezone is not None:
        tenant.timezone = changes.timezone
    if changes.default_locale is not None:
        tenant.default_locale = changes.default_locale
    if changes.recap_overdue_days is not None:
        # A new dict: JSONB columns see changes by assignment, not by mutation in place.
        tenant.settings = {**tenant.settings, "recap_overdue_days": changes.recap_overdue_days}
    await session.flush()
    return tenant

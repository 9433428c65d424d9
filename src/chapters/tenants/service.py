"""Use cases on the tenant itself. Services validate, check the policy and never commit."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.models import Tenant

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
LOCALE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_TIMEZONES = frozenset(available_timezones())


@dataclass(frozen=True, kw_only=True)
class TenantChanges:
    name: str | None = None
    timezone: str | None = None
    default_locale: str | None = None


def _validate(changes: TenantChanges) -> list[FieldError]:
    errors = []
    if changes.name is not None:
        name = changes.name.strip()
        if not name:
            errors.append(FieldError("name", ErrorCode.REQUIRED, "Name cannot be empty"))
        elif len(name) > 200:
            errors.append(FieldError("name", ErrorCode.TOO_LONG, "Name is over 200 characters"))
    if changes.timezone is not None and changes.timezone not in _TIMEZONES:
        errors.append(
            FieldError("timezone", ErrorCode.INVALID, f"Unknown IANA timezone {changes.timezone!r}")
        )
    if changes.default_locale is not None:
        if len(changes.default_locale) > 16:
            errors.append(
                FieldError("defaultLocale", ErrorCode.TOO_LONG, "Locale is over 16 characters")
            )
        elif not LOCALE_PATTERN.match(changes.default_locale):
            errors.append(
                FieldError(
                    "defaultLocale", ErrorCode.INVALID, "Use a BCP 47 tag such as en or zh-CN"
                )
            )
    return errors


def validate_slug(slug: str) -> list[FieldError]:
    if SLUG_PATTERN.match(slug):
        return []
    return [FieldError("slug", ErrorCode.INVALID, "Use lowercase letters, digits and dashes")]


async def get_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    tenant = await session.scalar(select(Tenant).where(Tenant.id == tenant_id))
    if tenant is None:
        raise NotFound("Tenant")
    return tenant


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
    await session.flush()
    return tenant

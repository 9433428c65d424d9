"""Use cases on the tenant itself. Services validate, check the policy and never commit."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.insight import rollup
from chapters.insight.rules import (
    DEFAULT_RULES,
    changed_rules,
    rules_from_settings,
    stored_form,
    validate_rules,
)
from chapters.insight.rules import SETTINGS_KEY as RULES_KEY
from chapters.models import Tenant
from chapters.validation import check_locale, check_timezone, required_text

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class TenantChanges(Changes):
    """UNSET leaves a setting as it is; None clears it: back to the default for
    ``recap_overdue_days``, refused for the others, which the tenant cannot be without."""

    name: Change[str | None] = UNSET
    timezone: Change[str | None] = UNSET
    default_locale: Change[str | None] = UNSET
    recap_overdue_days: Change[int | None] = UNSET
    # rule name → new value (None: back to the default); rules not named stay
    health_rules: Change[dict[str, Any] | None] = UNSET


DEFAULT_RECAP_OVERDUE_DAYS = 7


def recap_overdue_days(tenant: Tenant) -> int:
    """Days after an activity ends before its missing recap counts as overdue."""
    return int(tenant.settings.get("recap_overdue_days", DEFAULT_RECAP_OVERDUE_DAYS))


REQUIRED_SETTINGS = ("timezone", "default_locale")


def _validate(values: dict[str, Any]) -> list[FieldError]:
    errors = []
    if "name" in values:
        errors += required_text(values["name"], "name", 200)
    for name in REQUIRED_SETTINGS:
        if name in values and values[name] is None:
            errors.append(FieldError(name, ErrorCode.REQUIRED, "The tenant needs one"))
    if values.get("timezone") is not None:
        errors += check_timezone(values["timezone"], "timezone")
    if values.get("default_locale") is not None:
        errors += check_locale(values["default_locale"], "default_locale")
    days = values.get("recap_overdue_days")
    if days is not None and not 1 <= days <= 365:
        errors.append(FieldError("recap_overdue_days", ErrorCode.INVALID, "Use 1 to 365 days"))
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
    values = changes.given()
    errors = _validate(values)
    if errors:
        raise InvalidInput(*errors)
    tenant = await get_tenant(session, tenant_id)
    if "name" in values:
        tenant.name = values["name"].strip()
    for name in REQUIRED_SETTINGS:
        if name in values:
            setattr(tenant, name, values[name])
    if "recap_overdue_days" in values:
        # A new dict: JSONB columns see changes by assignment, not by mutation in place.
        settings = {**tenant.settings, "recap_overdue_days": values["recap_overdue_days"]}
        if values["recap_overdue_days"] is None:
            del settings["recap_overdue_days"]  # back to the default
        tenant.settings = settings
    if "health_rules" in values:
        before = rollup.rules_key(rules_from_settings(tenant.settings))
        tenant.settings = _with_health_rules(tenant, values["health_rules"])
        if rollup.rules_key(rules_from_settings(tenant.settings)) != before:
            await rollup.queue_refresh(session)  # figures are live until it is rebuilt
    await session.flush()
    return tenant


def _with_health_rules(tenant: Tenant, changes: dict[str, Any] | None) -> dict[str, Any]:
    """The tenant's settings with the rules changed (None: every rule back to its default)."""
    settings = {**tenant.settings}
    rules = (
        DEFAULT_RULES if changes is None else changed_rules(rules_from_settings(settings), changes)
    )
    errors = validate_rules(rules)
    if errors:
        raise InvalidInput(*errors)
    settings[RULES_KEY] = stored_form(rules)
    return settings

"""Who may do what: the one authorization policy, as a table.

Services call ``require``/``can``; resolvers never decide. Each action lists the roles allowed
to perform it. A principal's roles come from ``roles_of``; anonymous callers hold none.
"""

from __future__ import annotations

import enum

from chapters.auth.principal import Principal
from chapters.errors import Forbidden
from chapters.models import TenantRole


class Role(enum.StrEnum):
    TENANT_OWNER = "tenant_owner"
    TENANT_ADMIN = "tenant_admin"
    TENANT_OPS = "tenant_ops"
    TENANT_VIEWER = "tenant_viewer"
    PERSON = "person"  # any signed-in person of the tenant


class Action(enum.StrEnum):
    TENANT_READ_SETTINGS = "tenant:read_settings"
    TENANT_UPDATE = "tenant:update"


_ADMINS = frozenset({Role.TENANT_OWNER, Role.TENANT_ADMIN})

# action → roles allowed. Read across a row to see who may do it.
POLICY: dict[Action, frozenset[Role]] = {
    Action.TENANT_READ_SETTINGS: _ADMINS | {Role.TENANT_OPS},
    Action.TENANT_UPDATE: _ADMINS,
}

_TENANT_ROLES = {
    TenantRole.OWNER: Role.TENANT_OWNER,
    TenantRole.ADMIN: Role.TENANT_ADMIN,
    TenantRole.OPS: Role.TENANT_OPS,
    TenantRole.VIEWER: Role.TENANT_VIEWER,
}


def roles_of(principal: Principal | None) -> frozenset[Role]:
    if principal is None:
        return frozenset()
    roles = {Role.PERSON}
    if principal.tenant_role is not None:
        roles.add(_TENANT_ROLES[principal.tenant_role])
    return frozenset(roles)


def can(principal: Principal | None, action: Action) -> bool:
    return bool(roles_of(principal) & POLICY[action])


def require(principal: Principal | None, action: Action) -> None:
    if not can(principal, action):
        raise Forbidden(action)

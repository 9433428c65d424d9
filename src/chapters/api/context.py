"""The per-request GraphQL context: tenant, principal, one tenant-bound session, loaders."""

from __future__ import annotations

from strawberry.litestar import BaseContext

from chapters.auth.principal import Principal
from chapters.db.loaders import Loaders
from chapters.db.session import SerializedSession
from chapters.tenants.directory import TenantRef


class Context(BaseContext, kw_only=True):
    session: SerializedSession
    tenant: TenantRef
    principal: Principal | None
    loaders: Loaders
    request_id: str
    # Set through api.mutations.roll_back_request when the operation produced errors.
    rollback_only: bool = False

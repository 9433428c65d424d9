"""The per-request GraphQL context: tenant, principal, one tenant-bound session, loaders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strawberry.litestar import BaseContext

from chapters.api.loaders import Loaders
from chapters.auth.principal import Principal
from chapters.db.session import SerializedSession
from chapters.tenants.directory import TenantRef

if TYPE_CHECKING:
    import strawberry


class Context(BaseContext, kw_only=True):
    session: SerializedSession
    tenant: TenantRef
    principal: Principal | None
    loaders: Loaders
    request_id: str
    # Set through api.mutations.roll_back_request when the operation produced errors.
    rollback_only: bool = False


def context_of(info: strawberry.Info) -> Context:
    return info.context

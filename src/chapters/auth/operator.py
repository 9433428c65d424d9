"""The operator behind the command line: acts as a tenant owner, with no person record (the
audit log records such writes as ``system``)."""

from __future__ import annotations

import uuid

from chapters.auth.principal import Principal
from chapters.models import TenantRole


def operator_principal(tenant_id: uuid.UUID) -> Principal:
    return Principal(
        tenant_id=tenant_id,
        person_id=None,
        email=None,
        display_name="operator (command line)",
        tenant_role=TenantRole.OWNER,
    )

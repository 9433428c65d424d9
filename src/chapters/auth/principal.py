"""Who is calling, as established once per request from a verified token."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from chapters.models import ChapterRole, TenantRole


@dataclass(frozen=True, kw_only=True)
class Principal:
    """A signed-in person of the request's tenant."""

    tenant_id: uuid.UUID
    person_id: uuid.UUID
    email: str
    display_name: str
    tenant_role: TenantRole | None
    # Roles on the chapters where the person's membership is active.
    chapter_roles: Mapping[uuid.UUID, ChapterRole] = field(default_factory=dict)

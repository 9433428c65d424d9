from __future__ import annotations

import enum

from sqlalchemy import Enum, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped


class TenantRole(enum.StrEnum):
    """A person's role across the whole tenant (chapter roles live on memberships)."""

    OWNER = "owner"
    ADMIN = "admin"
    OPS = "ops"
    VIEWER = "viewer"


class Person(TenantScoped, Timestamped, Base):
    __tablename__ = "people"
    email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200))
    tenant_role: Mapped[TenantRole | None] = mapped_column(
        Enum(
            TenantRole,
            name="tenant_role",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda roles: [role.value for role in roles],
        )
    )


# Email is unique per tenant, case-insensitively.
Index("uq_people_tenant_id_email", Person.tenant_id, func.lower(Person.email), unique=True)

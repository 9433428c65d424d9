"""Declarative base, naming convention and the shape every tenant-owned table shares.

A tenant-owned table leads its primary key with ``tenant_id`` and references other tenant tables
through composite foreign keys ``(tenant_id, x_id)``, so PostgreSQL itself refuses a row that
points into another tenant (RLS does not filter foreign-key checks). The same keys are what Citus
needs to distribute by ``tenant_id`` later.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, ForeignKeyConstraint, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class Timestamped:
    # Fetch server-set timestamps with RETURNING on flush: an expired attribute would need a
    # lazy load later, which async code cannot do.
    __mapper_args__ = {"eager_defaults": True}

    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), sort_order=90)
    updated_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), onupdate=func.now(), sort_order=91
    )


class TenantScoped:
    """Mixin for every tenant-owned table: primary key ``(tenant_id, id)``.

    ``chapters.tenancy`` filters every ORM query on these classes by the session's tenant and
    stamps ``tenant_id`` on new rows; the database adds row-level security beneath.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, sort_order=-20
        )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4, sort_order=-10)


def tenant_fk(
    column: str, target_table: str, *, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """A foreign key from ``(tenant_id, column)`` to ``target_table (tenant_id, id)``."""
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target_table}.tenant_id", f"{target_table}.id"],
        ondelete=ondelete,
    )


def str_enum(enum_class: type[enum.StrEnum], name: str, length: int = 32) -> Enum:
    """A string enum stored as VARCHAR with a CHECK constraint (no PostgreSQL ENUM type:
    adding a value then needs no type migration, only a new constraint)."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )

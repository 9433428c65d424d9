from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class TenantRole(enum.StrEnum):
    """A person's role across the whole tenant (chapter roles live on memberships)."""

    OWNER = "owner"
    ADMIN = "admin"
    OPS = "ops"
    VIEWER = "viewer"


class PersonStatus(enum.StrEnum):
    """``invited``: created by a lead's invitation by email and not yet a member anywhere;
    seen only by staff, themself and the leads of the chapters that invited them
    (``authz.can_see_person``). ``active`` once they accept (or are added) anywhere."""

    INVITED = "invited"
    ACTIVE = "active"


class PersonSegment(enum.StrEnum):
    USER = "user"
    CODE_CONTRIBUTOR = "code_contributor"
    NON_CODE_CONTRIBUTOR = "non_code_contributor"


_SEGMENT_VALUES = ", ".join(f"'{segment.value}'" for segment in PersonSegment)


class Person(TenantScoped, Timestamped, Base):
    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint(f"segments <@ ARRAY[{_SEGMENT_VALUES}]::varchar[]", name="segments_known"),
    )

    email: Mapped[str] = mapped_column(String(320), info={"visible_to": "PERSON_READ_EMAIL"})
    display_name: Mapped[str] = mapped_column(String(200))
    tenant_role: Mapped[TenantRole | None] = mapped_column(
        str_enum(TenantRole, "tenant_role", length=16)
    )
    status: Mapped[PersonStatus] = mapped_column(
        str_enum(PersonStatus, "status", length=16), server_default=PersonStatus.ACTIVE.value
    )
    github_handle: Mapped[str | None] = mapped_column(String(39))
    city: Mapped[str | None] = mapped_column(String(100))
    company: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str | None] = mapped_column(String(16))
    segments: Mapped[list[str]] = mapped_column(
        ARRAY(String(32)), server_default=text("'{}'::varchar[]")
    )
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), server_default=text("'{}'::varchar[]")
    )
    # What the person says they are interested in (segments are what they have done: staff's).
    interests: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), server_default=text("'{}'::varchar[]")
    )
    # The person's own choice: their name may appear on public activity pages (speakers …).
    public_profile: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )


# Email is unique per tenant, case-insensitively.
Index("uq_people_tenant_id_email", Person.tenant_id, func.lower(Person.email), unique=True)
Index("ix_people_tenant_id_display_name", Person.tenant_id, Person.display_name)
# Imported code contributions find their person by GitHub handle, case-insensitively.
Index("ix_people_tenant_id_github_handle", Person.tenant_id, func.lower(Person.github_handle))


class PersonIdentity(TenantScoped, Base):
    """A sign-in identity (issuer + subject) linked to a person of this tenant. The same human
    signing in to several tenants has one person, and one identity row, in each."""

    __tablename__ = "person_identities"
    __table_args__ = (
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "issuer", "subject"),
        # Every column: who may see a person's identities (also in the audit log).
        {"info": {"visible_to": "PERSON_READ_IDENTITIES"}},
    )

    person_id: Mapped[uuid.UUID]
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

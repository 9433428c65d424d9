from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class IdentityProvider(TenantScoped, Timestamped, Base):
    """An external OpenID Connect issuer this tenant trusts for sign-in (Keycloak, Dex …)."""

    __tablename__ = "identity_providers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "issuer"),
        {"info": {"visible_to": "ACCESS_MANAGE"}},  # every column, in the audit log too
    )

    issuer: Mapped[str] = mapped_column(String(500))
    audience: Mapped[str] = mapped_column(String(500))
    algorithms: Mapped[list[str]] = mapped_column(
        ARRAY(String(10)), server_default=text("'{RS256}'::varchar[]")
    )
    email_claim: Mapped[str] = mapped_column(String(100), server_default="email")
    # First sign-in by a verified email links the identity to the person with that email.
    link_by_verified_email: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class ClientKind(enum.StrEnum):
    PARTNER = "partner"  # bound to one organisation; sees only what concerns it
    SERVICE = "service"  # an automation of the tenant, limited by its scopes


class ApiClient(TenantScoped, Timestamped, Base):
    """An OAuth2 client (client credentials grant). The secret is stored only as a hash."""

    __tablename__ = "api_clients"
    __table_args__ = (
        UniqueConstraint("tenant_id", "client_id"),
        tenant_fk("organisation_id", "organisations"),
        tenant_fk("created_by_id", "people"),
        CheckConstraint(
            "(kind = 'partner') = (organisation_id IS NOT NULL)",
            name="partners_have_an_organisation",
        ),
        {"info": {"visible_to": "ACCESS_MANAGE"}},  # every column, in the audit log too
    )

    client_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ClientKind] = mapped_column(str_enum(ClientKind, "kind"))
    organisation_id: Mapped[uuid.UUID | None]
    scopes: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), server_default=text("'{}'::varchar[]")
    )
    # Never written into the audit log, not even hashed: entries say only that it changed.
    secret_hash: Mapped[str] = mapped_column(String(300), info={"secret": True})
    secret_rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_by_id: Mapped[uuid.UUID | None]

"""Every ORM model, so that Alembic and the catalog tests see the whole schema."""

from chapters.models.base import Base, TenantScoped, Timestamped, tenant_fk
from chapters.models.person import Person, TenantRole
from chapters.models.tenant import Tenant

__all__ = ["Base", "Person", "Tenant", "TenantRole", "TenantScoped", "Timestamped", "tenant_fk"]

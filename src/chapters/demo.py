"""The demo data behind ``make run``: tenant ``demo`` and a second tenant ``acme``.

Idempotent: running it again changes nothing. The accounts are documented in the README.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from chapters import db
from chapters.models import TenantRole
from chapters.people.admin import ensure_person
from chapters.tenants.admin import ensure_tenant


@dataclass(frozen=True)
class DemoAccount:
    tenant: str
    email: str
    display_name: str
    tenant_role: TenantRole | None
    description: str


DEMO_TENANTS = {
    "demo": ("Demo Cloud Native Community", "Asia/Shanghai", "zh-CN"),
    "acme": ("Acme Open Source Community", "Europe/Berlin", "en"),
}

DEMO_ACCOUNTS = [
    DemoAccount("demo", "admin@demo.example", "Ada Admin", TenantRole.ADMIN, "tenant admin"),
    DemoAccount("demo", "ops@demo.example", "Oscar Ops", TenantRole.OPS, "central ops"),
    DemoAccount(
        "demo", "lead.shanghai@demo.example", "Li Wei", None, "lead of the Shanghai chapter"
    ),
    DemoAccount("demo", "member@demo.example", "Mei Chen", None, "chapter member"),
    DemoAccount("acme", "admin@acme.example", "Alex Acme", TenantRole.ADMIN, "acme's admin"),
]


async def seed_demo(owner_engine: AsyncEngine, echo=print) -> dict[str, uuid.UUID]:
    """Create the demo tenants and accounts; return tenant ids by slug."""
    tenant_ids: dict[str, uuid.UUID] = {}
    for slug, (name, timezone, locale) in DEMO_TENANTS.items():
        tenant_id, created = await ensure_tenant(
            owner_engine, slug=slug, name=name, timezone=timezone, default_locale=locale
        )
        tenant_ids[slug] = tenant_id
        echo(f"  tenant {slug}: {'created' if created else 'already there'}")
    sessionmaker = db.tenant_sessionmaker(owner_engine)
    for slug, tenant_id in tenant_ids.items():
        async with db.open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
            for account in DEMO_ACCOUNTS:
                if account.tenant == slug:
                    await ensure_person(
                        session,
                        email=account.email,
                        display_name=account.display_name,
                        tenant_role=account.tenant_role,
                    )
    echo(f"  {len(DEMO_ACCOUNTS)} demo accounts ready")
    return tenant_ids

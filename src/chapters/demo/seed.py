"""Seeding the demo tenants: what is written, in which order, and only once.

The accounts are ensured on every run. The rest of a tenant's content is written once, when
the tenant's first demo chapter does not exist yet, and its ledger likewise when the tenant
has no activity yet (so a database seeded before the ledger existed gets it too); tenant
``demo`` also gets three years of past participation for the insight figures (``backfill``),
once; each tenant's seeding is one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from chapters.auth.keys import SigningKeys, install_service_keys, service_signing_keys
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo.ambassadors import seed_ambassadors
from chapters.demo.articles import seed_articles
from chapters.demo.authors import seed_authors
from chapters.demo.backfill import backfill_past
from chapters.demo.channels import seed_channels, seed_reach
from chapters.demo.conferences import seed_conferences
from chapters.demo.content import (
    change_statuses,
    create_chapters,
    date_people,
    ensure_committee,
    ensure_people,
    first_day,
    invite,
    replay_history,
)
from chapters.demo.data import ADMIN_KEY, CONTENT, DEMO_ACCOUNTS, DEMO_TENANTS
from chapters.demo.incentives import seed_incentives
from chapters.demo.ledger import seed_ledger
from chapters.demo.newsletters import seed_newsletters
from chapters.demo.outbound import seed_outbound
from chapters.demo.participation import PAST_TENANT
from chapters.demo.partnerships import seed_partnerships
from chapters.demo.recognition import seed_recognition
from chapters.demo.records import TenantContent
from chapters.demo.replay import Clock, at_ten, count
from chapters.events.derive import silenced
from chapters.insight import rollup
from chapters.insight.service import basis_of
from chapters.local_chapters.service import find_by_slug
from chapters.models import Activity
from chapters.people.admin import ensure_person
from chapters.people.service import load_principal
from chapters.settings import get_settings
from chapters.tenants.admin import ensure_tenant

Echo = Callable[[str], object]  # where the progress lines go


CONTENT_SEEDS = (seed_channels, seed_articles, seed_authors, seed_reach, seed_newsletters)


async def seed_demo(
    owner_engine: AsyncEngine, echo: Echo = print, keys: SigningKeys | None = None
) -> dict[str, uuid.UUID]:
    """Create the demo tenants, accounts and content; return tenant ids by slug. ``keys``:
    the service's signing keys (default: the settings' key file), which sign the demo's
    certificates and the links in its mail."""
    settings = get_settings()
    keys = keys or service_signing_keys(settings)
    install_service_keys(keys, settings.secret_keys)
    tenant_ids: dict[str, uuid.UUID] = {}
    for slug, (name, timezone, locale) in DEMO_TENANTS.items():
        tenant_id, created = await ensure_tenant(
            owner_engine, slug=slug, name=name, timezone=timezone, default_locale=locale
        )
        tenant_ids[slug] = tenant_id
        echo(f"  tenant {slug}: {'created' if created else 'already there'}")
    sessionmaker = tenant_sessionmaker(owner_engine)
    for slug, tenant_id in tenant_ids.items():
        async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
            with silenced(session):  # the demo's past is history, not news
                await _seed_tenant(session, slug, CONTENT[slug], echo)
                if slug == PAST_TENANT:
                    echo(f"  {slug}: {await backfill_past(session)}")
            if slug == PAST_TENANT:  # news: what the worker sends once `make run` starts it
                echo(f"  {slug}: {await seed_outbound(session)}")
                echo(f"  {slug}: {await seed_ambassadors(session)}")
                echo(f"  {slug}: {await seed_recognition(session, keys)}")
                echo(f"  {slug}: {await seed_incentives(session)}")
                echo(f"  {slug}: {await seed_partnerships(session)}")
        if slug == PAST_TENANT:
            # A transaction of its own: the accepted talk's activity is written now, and its
            # creation and its steps are stamped alike (the seeding above is one long moment).
            async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
                echo(f"  {slug}: {await seed_conferences(session)}")
            # Content, in the order each part needs the one before: the channels articles are
            # published on, the articles whose writers join the author pool, the reach of what
            # was published, the newsletters that gather it all.
            for seed_part in CONTENT_SEEDS:
                async with open_tenant_session(sessionmaker, tenant_id) as part, part.begin():
                    echo(f"  {slug}: {await seed_part(part)}")
    for slug, tenant_id in tenant_ids.items():
        async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
            rules = (await basis_of(session, tenant_id)).rules
            done = await rollup.refresh(session, tenant_id, rules)
        echo(f"  {slug}: insight rollup up to date ({done.rows} rows written)")
    echo(f"  {len(DEMO_ACCOUNTS)} demo accounts ready")
    return tenant_ids


async def _seed_tenant(
    session: AsyncSession, slug: str, content: TenantContent, echo: Echo
) -> None:
    """The accounts, then the content and the ledger, each written only if it is missing."""
    clock = Clock(session)
    await _ensure_accounts(session, slug)
    if await find_by_slug(session, content.chapters[0].slug) is not None:
        echo(f"  {slug}: chapters and history already there")
    else:
        timezone = ZoneInfo(DEMO_TENANTS[slug].timezone)
        echo(f"  {slug}: {await _seed_content(session, content, timezone, clock)}")
    if content.ledger is None:
        return
    if await session.scalar(select(Activity.id).limit(1)) is not None:
        echo(f"  {slug}: activity ledger already there")
    else:
        echo(f"  {slug}: {await seed_ledger(session, content, content.ledger, clock)}")
    await clock.stamp(clock.limit)  # what remains undated (accounts ensured again …)


async def _ensure_accounts(session: AsyncSession, tenant: str) -> None:
    for account in DEMO_ACCOUNTS:
        if account.tenant == tenant:
            await ensure_person(
                session,
                email=account.email,
                display_name=account.display_name,
                tenant_role=account.tenant_role,
            )


async def _seed_content(
    session: AsyncSession, content: TenantContent, timezone: ZoneInfo, clock: Clock | None = None
) -> str:
    """Write a tenant's people, committee, chapters and history; return a summary line."""
    clock = clock or Clock(session)
    people = await ensure_people(session, content)
    await clock.stamp(at_ten(first_day(content), timezone) - timedelta(days=30))
    admin = await load_principal(session, people[ADMIN_KEY])
    committee_id = await ensure_committee(session, content.committee, people)
    if content.committee is not None:
        await clock.stamp(at_ten(min(seat.starts_on for seat in content.committee.seats), timezone))
    chapters = await create_chapters(session, admin, content, committee_id, timezone, clock)
    await replay_history(session, admin, content.history, chapters, people, timezone, clock)
    await change_statuses(session, admin, content.status_changes, chapters, timezone, clock)
    await invite(session, content.invitations, chapters, people)
    # Pending invitations went out just now: their periods began at the time of seeding.
    await clock.stamp(datetime.now(UTC))
    await date_people(session, content, people, timezone)
    return (
        f"{len(people)} people, {count(len(chapters), 'chapter')}, "
        f"{count(len(content.history), 'membership change')}"
    )

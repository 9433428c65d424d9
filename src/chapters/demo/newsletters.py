"""Newsletters for tenant ``demo``: the weekly column "Community Weekly", whose first issue
fell due a week before seeding and went out on the website that day, and whose second, due on
the day of seeding, is a draft; and two project updates of the fortnight before (a release and
the Chinese docs), one in each issue. Run after the channels and the articles (the issues hold
the articles published then). Written through the services as the tenant's first admin,
audited as the mutations would be; once: a column is the marker."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.channels.service import PublicationEntry
from chapters.demo.replay import as_mutation, first_with_role
from chapters.models import TenantRole
from chapters.models.content import Cadence, Channel, NewsletterColumn
from chapters.newsletters import service
from chapters.newsletters.assembly import tenant_zone
from chapters.people.service import load_principal

COLUMN = "Community Weekly"
WEBSITE = "Website"
ARCHIVE = "https://community.example/newsletter"
UPDATES = (
    (
        9,
        "The Chinese docs translation is complete",
        "Every page of the getting-started guide now reads in Chinese, thanks to the "
        "Hangzhou chapter's translators.",
        "https://community.example/docs/zh",
    ),
    (
        3,
        "Chapters 2.4 released: calendar feeds and verifiable certificates",
        "Subscribe to a chapter's calendar; certificates carry a link anyone can check.",
        "https://community.example/releases/2.4",
    ),
)


async def seed_newsletters(session: AsyncSession) -> str:
    if await session.scalar(select(NewsletterColumn.id).limit(1)) is not None:
        return "newsletters: already seeded"
    admin = await first_with_role(session, TenantRole.ADMIN)
    if admin is None:
        return "newsletters: no admin to seed them with"
    principal = await load_principal(session, admin)
    zone = await tenant_zone(session)
    today = datetime.now(zone).date()

    with as_mutation(session, "newsletterColumnCreate", principal):
        column = await service.create_column(
            session,
            principal,
            service.ColumnFields(
                name=COLUMN, cadence=Cadence.WEEKLY, first_issue_on=today - timedelta(days=7)
            ),
        )
    for days_ago, title, body, url in UPDATES:
        with as_mutation(session, "projectUpdateCreate", principal):
            fields = service.ProjectUpdateFields(
                title=title, body=body, url=url, happened_on=today - timedelta(days=days_ago)
            )
            await service.create_project_update(session, principal, fields)

    with as_mutation(session, "newsletterIssueCreate", principal):
        first = await service.create_issue(
            session,
            principal,
            column.id,
            fields=service.IssueFields(introduction="Our first weekly round-up: welcome!"),
        )
    website = await session.scalar(select(Channel).where(Channel.name == WEBSITE))
    published = "a draft (no Website channel to publish it on)"
    if website is not None:
        due = today - timedelta(days=7)
        with as_mutation(session, "newsletterIssuePublish", principal):
            entry = PublicationEntry(website.id, f"{ARCHIVE}/{first.number}", due)
            await service.publish_issue(session, principal, first.id, [entry])
            # it went out on its due day, in the morning
            first.published_at = datetime.combine(due, time(9, 0), tzinfo=zone)
            await session.flush()
        published = "published on the website"

    with as_mutation(session, "newsletterIssueCreate", principal):
        second = await service.create_issue(session, principal, column.id)
    return (
        f"newsletters: column {COLUMN!r}, issue #{first.number} {published}, "
        f"issue #{second.number} a draft, {len(UPDATES)} project updates"
    )

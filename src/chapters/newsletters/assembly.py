"""Assembling a newsletter draft for a period (``start`` to ``end``, both days included, read
on the tenant's clock; an activity's day on its own clock):

- UPCOMING: accepted activities starting in the ``UPCOMING_DAYS`` days after the period, with
  their registration link (else their online address);
- RECAPS: accepted activities that started in the period, with their recap's first link once
  the recap is published (its summary as the text);
- ARTICLES: articles published in the period, linking to their first publication;
- NEW_CONTRIBUTORS: people whose first code contribution fell in the period, linking to it;
- RECOGNITION: certificates issued in the period and still valid, linking to their public
  verification;
- PROJECT_UPDATES: the project updates editors entered for days of the period.

Names appear only for people who chose a public profile, and never an email address. Within a
section, items go by date, then title. Nothing is stored: an issue stores the items it is
created with (``service.create_issue``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, cast, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import (
    Activity,
    ActivityLink,
    ActivityRecapVersion,
    ActivityStatus,
    Chapter,
    CodeContribution,
    LinkKind,
    Person,
    Tenant,
)
from chapters.models.content import (
    Article,
    ArticleStatus,
    NewsletterSection,
    ProjectUpdate,
    Publication,
)
from chapters.models.recognition import Certificate, CertificateStatus
from chapters.tenancy import bound_tenant

UPCOMING_DAYS = 28  # the window after the period whose accepted activities are announced
BODY_LIMIT = 280  # an item's text as assembled: a line or two


@dataclass(frozen=True)
class DraftItem:
    """One entry of a draft: its section, text and link, the day it is about, and what it
    came from (at most one source)."""

    section: NewsletterSection
    title: str
    body: str | None
    url: str | None
    on: date
    activity_id: uuid.UUID | None = None
    article_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    certificate_id: uuid.UUID | None = None
    project_update_id: uuid.UUID | None = None

    def sort_key(self) -> tuple[int, date, str, str]:
        source = next((str(s) for s in self.sources() if s is not None), "")
        return (SECTION_ORDER[self.section], self.on, self.title, source)

    def sources(self) -> tuple[uuid.UUID | None, ...]:
        return (
            self.activity_id,
            self.article_id,
            self.person_id,
            self.certificate_id,
            self.project_update_id,
        )


SECTION_ORDER = {section: index for index, section in enumerate(NewsletterSection)}


@dataclass(frozen=True)
class Draft:
    period_start: date
    period_end: date
    upcoming_from: date
    upcoming_to: date
    items: list[DraftItem]

    def in_section(self, section: NewsletterSection) -> list[DraftItem]:
        return [item for item in self.items if item.section is section]


def short(text: str | None, limit: int = BODY_LIMIT) -> str | None:
    """Text on one line, cut at ``limit`` characters; None when blank."""
    if text is None:
        return None
    flat = " ".join(text.split())
    if not flat:
        return None
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


async def tenant_zone(session: AsyncSession) -> ZoneInfo:
    tenant_id = bound_tenant(session.sync_session)
    name = await session.scalar(select(Tenant.timezone).where(Tenant.id == tenant_id))
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Window:
    """Days ``first`` to ``last`` (inclusive) on ``zone``'s clock, as instants [since, until)."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=self.zone)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=self.zone)

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


async def assemble(session: AsyncSession, start: date, end: date) -> Draft:
    """The draft of the period ``start`` to ``end`` (checked by the caller)."""
    zone = await tenant_zone(session)
    upcoming = (end + timedelta(days=1), end + timedelta(days=UPCOMING_DAYS))
    period = Window(start, end, zone)
    items = [
        *await _activities(session, NewsletterSection.UPCOMING, *upcoming),
        *await _activities(session, NewsletterSection.RECAPS, start, end),
        *await _articles(session, period),
        *await _new_contributors(session, period),
        *await _recognition(session, start, end),
        *await _project_updates(session, start, end),
    ]
    items.sort(key=DraftItem.sort_key)
    return Draft(start, end, upcoming[0], upcoming[1], items)


# --- activities ------------------------------------------------------------------------------


def _local_day() -> Any:
    """An activity's start as a day on its own clock."""
    return cast(func.timezone(Activity.timezone, Activity.starts_at), Date)


async def _activities(
    session: AsyncSession, section: NewsletterSection, first: date, last: date
) -> list[DraftItem]:
    # Every clock is within a day of UTC: the index narrows by instants, the day decides.
    rough_since = datetime.combine(first - timedelta(days=1), time(), tzinfo=ZoneInfo("UTC"))
    rough_until = datetime.combine(last + timedelta(days=2), time(), tzinfo=ZoneInfo("UTC"))
    day = _local_day().label("day")
    rows = (
        await session.execute(
            select(Activity, day, Chapter.name)
            .outerjoin(
                Chapter,
                and_(Chapter.tenant_id == Activity.tenant_id, Chapter.id == Activity.chapter_id),
            )
            .where(
                Activity.status == ActivityStatus.ACCEPTED,
                Activity.starts_at >= rough_since,
                Activity.starts_at < rough_until,
                day >= first,
                day <= last,
            )
        )
    ).all()
    ids = [row[0].id for row in rows]
    if section is NewsletterSection.UPCOMING:
        links = await _registration_links(session, ids)
    else:
        links = await _recap_links(session, [r[0].id for r in rows if r[0].recap_published_at])
    items = []
    for activity, on, chapter_name in rows:
        where = ", ".join(part for part in (chapter_name, activity.venue) if part)
        when = f"{on.isoformat()}{f' · {where}' if where else ''}"
        if section is NewsletterSection.UPCOMING:
            url = links.get(activity.id) or activity.online_url
            body = short(when)
        else:
            recapped = activity.recap_published_at is not None
            url = links.get(activity.id) if recapped else None
            body = short(activity.recap_summary) if recapped else None
            body = body or short(when)
        items.append(DraftItem(section, activity.title, body, url, on, activity_id=activity.id))
    return items


async def _registration_links(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Each activity's first registration link, if it has one."""
    if not activity_ids:
        return {}
    rows = await session.execute(
        select(ActivityLink.activity_id, ActivityLink.url)
        .where(
            ActivityLink.activity_id.in_(activity_ids), ActivityLink.kind == LinkKind.REGISTRATION
        )
        .order_by(ActivityLink.activity_id, ActivityLink.created_at, ActivityLink.id)
    )
    found: dict[uuid.UUID, str] = {}
    for activity_id, url in rows.all():
        found.setdefault(activity_id, url)
    return found


async def _recap_links(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The first link of each activity's current recap (its latest version), if any."""
    if not activity_ids:
        return {}
    rows = await session.execute(
        select(ActivityRecapVersion.activity_id, ActivityRecapVersion.links)
        .where(ActivityRecapVersion.activity_id.in_(activity_ids))
        .ext(distinct_on(ActivityRecapVersion.activity_id))
        .order_by(ActivityRecapVersion.activity_id, ActivityRecapVersion.number.desc())
    )
    found = {}
    for activity_id, links in rows.all():
        first = next((link.get("url") for link in links or () if link.get("url")), None)
        if first:
            found[activity_id] = str(first)
    return found


# --- articles, people, certificates, project updates -----------------------------------------


async def _articles(session: AsyncSession, period: Window) -> list[DraftItem]:
    first_url = (
        select(Publication.url)
        .where(
            Publication.tenant_id == Article.tenant_id,
            Publication.article_id == Article.id,
            Publication.url.is_not(None),
        )
        .order_by(Publication.published_on, Publication.created_at, Publication.id)
        .limit(1)
        .correlate(Article)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Article, first_url).where(
            Article.status == ArticleStatus.PUBLISHED,
            Article.published_at >= period.since,
            Article.published_at < period.until,
        )
    )
    return [
        DraftItem(
            NewsletterSection.ARTICLES,
            article.title,
            short(article.summary),
            url,
            period.day_of(article.published_at),
            article_id=article.id,
        )
        for article, url in rows.all()
        if article.published_at is not None
    ]


async def _new_contributors(session: AsyncSession, period: Window) -> list[DraftItem]:
    first = (
        select(
            CodeContribution.person_id,
            CodeContribution.occurred_at,
            CodeContribution.repository,
            CodeContribution.url,
        )
        .ext(distinct_on(CodeContribution.person_id))
        .order_by(CodeContribution.person_id, CodeContribution.occurred_at, CodeContribution.id)
        .subquery()
    )
    rows = await session.execute(
        select(Person.id, Person.display_name, first.c.occurred_at, first.c.repository, first.c.url)
        .join(first, first.c.person_id == Person.id)
        .where(
            Person.public_profile.is_(True),
            first.c.occurred_at >= period.since,
            first.c.occurred_at < period.until,
        )
    )
    return [
        DraftItem(
            NewsletterSection.NEW_CONTRIBUTORS,
            name,
            short(repository),
            url,
            period.day_of(occurred_at),
            person_id=person_id,
        )
        for person_id, name, occurred_at, repository, url in rows.all()
    ]


async def _recognition(session: AsyncSession, start: date, end: date) -> list[DraftItem]:
    rows = await session.scalars(
        select(Certificate)
        .join(
            Person,
            and_(Person.tenant_id == Certificate.tenant_id, Person.id == Certificate.person_id),
        )
        .where(
            Certificate.status == CertificateStatus.VALID,
            Certificate.issued_on >= start,
            Certificate.issued_on <= end,
            Person.public_profile.is_(True),
        )
    )
    return [
        DraftItem(
            NewsletterSection.RECOGNITION,
            certificate.holder_name,
            short(certificate.title),
            _verification_url(certificate),
            certificate.issued_on,
            certificate_id=certificate.id,
        )
        for certificate in rows.all()
    ]


def _verification_url(certificate: Certificate) -> str | None:
    url = (certificate.claims or {}).get("verify")
    return url if isinstance(url, str) else None


async def _project_updates(session: AsyncSession, start: date, end: date) -> list[DraftItem]:
    rows = await session.scalars(
        select(ProjectUpdate).where(
            ProjectUpdate.happened_on >= start, ProjectUpdate.happened_on <= end
        )
    )
    return [
        DraftItem(
            NewsletterSection.PROJECT_UPDATES,
            update.title,
            short(update.body),
            update.url,
            update.happened_on,
            project_update_id=update.id,
        )
        for update in rows.all()
    ]

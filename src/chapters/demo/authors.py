"""The author pool of a demo tenant, after its articles (whose writers are in the pool
already): writers found elsewhere and invited ones, with the outreach to them — Li Wei said yes,
Chen Jie has not answered and the follow-up is overdue (the daily reminder has something to
say), Zhang Min declined — a member of the tenant invited this week, and topics on every
author. Written through the services as the tenant's first admin, audited as the mutations
would be; once: an approach to an author is the marker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.auth.principal import Principal
from chapters.authors import service
from chapters.demo.replay import as_mutation, first_with_role
from chapters.models import (
    Article,
    ArticleAuthor,
    Author,
    AuthorOrigin,
    AuthorOutreach,
    ChapterMembership,
    MembershipStatus,
    Organisation,
    OutreachAnswer,
    TenantRole,
)
from chapters.people.service import load_principal

WRITES_FOR = "Example Cloud Inc."  # the demo's sponsor, when the tenant has it
DEFAULT_TOPICS = ["Community"]


async def seed_authors(session: AsyncSession) -> str:
    if await session.scalar(select(AuthorOutreach.id).limit(1)) is not None:
        return "authors: already seeded"
    admin = await first_with_role(session, TenantRole.ADMIN)
    if admin is None:
        return "authors: no admin to seed them with"
    principal = await load_principal(session, admin)
    today = datetime.now(UTC).date()
    sponsor = await session.scalar(select(Organisation.id).where(Organisation.name == WRITES_FOR))

    async def add(**values: Any) -> Author:
        with as_mutation(session, "authorCreate", principal):
            person_id = values.pop("person_id", None)
            fields = service.AuthorFields(**values)
            return await service.create_author(session, principal, fields, person_id)

    async def approach(
        author: Author, days_ago: int, topic: str, follow_up_in: int | None
    ) -> AuthorOutreach:
        with as_mutation(session, "authorOutreachLog", principal):
            entry = service.OutreachEntry(
                contacted_on=today - timedelta(days=days_ago),
                topic=topic,
                follow_up_on=None if follow_up_in is None else today + timedelta(days=follow_up_in),
            )
            return await service.log_outreach(session, principal, author.id, entry)

    async def answer(outreach: AuthorOutreach, value: OutreachAnswer, days_ago: int) -> None:
        with as_mutation(session, "authorOutreachAnswer", principal):
            answered_on = today - timedelta(days=days_ago)
            await service.answer_outreach(session, principal, outreach.id, value, answered_on)

    li_wei = await add(
        name="Li Wei",
        origin=AuthorOrigin.FOUND,
        contact="WeChat: liwei-observes",
        organisation_id=sponsor,
        topics=["Observability", "eBPF"],
        source_url="https://blog.example/liwei",
        notes="Writes a monthly series on tracing; happy to be translated.",
    )
    chen_jie = await add(
        name="Chen Jie",
        origin=AuthorOrigin.INVITED,
        contact="chenjie@mail.example",
        topics=["Service mesh", "Kubernetes networking"],
        notes="Spoke at the Shanghai meetup; met at the booth.",
    )
    zhang_min = await add(
        name="Zhang Min",
        origin=AuthorOrigin.FOUND,
        contact="zhangmin@mail.example",
        topics=["Developer experience"],
        source_url="https://zhangmin.example/posts",
    )
    accepted = await approach(li_wei, 21, "A best practice on tracing meetups", -14)
    await answer(accepted, OutreachAnswer.ACCEPTED, 16)
    await approach(chen_jie, 10, "Installing a service mesh at home", -3)
    declined = await approach(zhang_min, 35, "Our contributor onboarding", -28)
    await answer(declined, OutreachAnswer.DECLINED, 30)
    added, approaches = 3, 3

    member = await _member_outside_the_pool(session)
    if member is not None:
        invited = await add(
            person_id=member, origin=AuthorOrigin.INVITED, topics=["Community building"]
        )
        await approach(invited, 2, "How our chapter runs its meetups", 5)
        added, approaches = added + 1, approaches + 1

    topped_up = await _topics_for_everyone(session, principal)
    return (
        f"authors: {added} added (found and invited), {approaches} approaches (1 accepted,"
        f" 1 declined, {approaches - 2} pending, 1 follow-up overdue), topics given to"
        f" {topped_up} writers"
    )


async def _member_outside_the_pool(session: AsyncSession) -> uuid.UUID | None:
    """The newest active member who has no entry in the pool."""
    in_pool = select(Author.person_id).where(Author.person_id.is_not(None))
    return await session.scalar(
        select(ChapterMembership.person_id)
        .where(
            ChapterMembership.status == MembershipStatus.ACTIVE,
            ChapterMembership.person_id.not_in(in_pool),
        )
        .order_by(ChapterMembership.joined_at.desc(), ChapterMembership.id.desc())
        .limit(1)
    )


async def _topics_for_everyone(session: AsyncSession, principal: Principal) -> int:
    """Authors without topics (the articles' writers) get their articles' topics, or
    "Community"; how many did."""
    bare = list(await session.scalars(select(Author).where(func.cardinality(Author.topics) == 0)))
    for author in bare:
        topics = await session.scalars(
            select(Article.topic)
            .join(
                ArticleAuthor,
                (ArticleAuthor.tenant_id == Article.tenant_id)
                & (ArticleAuthor.article_id == Article.id),
            )
            .where(ArticleAuthor.author_id == author.id, Article.topic.is_not(None))
            .order_by(Article.created_at)
        )
        fitting = (topic for topic in topics if topic and len(topic) <= service.TOPIC_LIMIT)
        found = list(dict.fromkeys(fitting))[:5]
        with as_mutation(session, "authorUpdate", principal):
            fields = service.AuthorFields(topics=found or DEFAULT_TOPICS)
            await service.update_author(session, principal, author.id, fields)
    return len(bare)

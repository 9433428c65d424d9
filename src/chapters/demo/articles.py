"""Articles for tenant ``demo``: its content editor (the person with the ops role, or else
the admin), two templates ("Best practice", "Installation guide"), and articles in every state
of the pipeline, written by chapter members and reviewed by the editor; a reprint awaiting its
author's permission, and one whose permission was granted. Exactly three are published: 5,
12 and 40 days before seeding, on the channels ``seed_channels`` made (run it first). Written
through the services, audited as the mutations would be; once: a template is the marker.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.articles import pipeline, reprints, review, service, templates
from chapters.articles.pipeline import Step
from chapters.auth.principal import Principal
from chapters.authors import service as authors
from chapters.channels.service import PublicationEntry
from chapters.demo.replay import as_mutation, count, first_with_role
from chapters.editors import service as editors
from chapters.models import (
    Article,
    ArticleKind,
    ArticleSource,
    ArticleTemplate,
    ArticleTransition,
    AuthorOrigin,
    Channel,
    ChapterMembership,
    MembershipStatus,
    Person,
    Publication,
    ReprintStatus,
    ReprintTerm,
    TenantRole,
)
from chapters.people.service import load_principal

BEST_PRACTICE = (
    ("background", "Background", "Where the chapter started, and what it wanted.", True),
    ("setup", "Setup", "What you set up, with versions.", False),
    ("lessons", "Lessons", "What worked, what did not, in numbers where you can.", True),
    ("next_steps", "Next steps", "What you will try next.", False),
)
INSTALLATION_GUIDE = (
    ("prerequisites", "Prerequisites", "What the reader needs before starting.", True),
    ("steps", "Steps", "Numbered steps, each with the command to run.", True),
    ("troubleshooting", "Troubleshooting", "What goes wrong, and the fix.", False),
)
STEP_MUTATIONS = {
    Step.INVITE: "articleInvite",
    Step.START: "articleStart",
    Step.SUBMIT: "articleSubmit",
    Step.START_REVIEW: "articleStartReview",
    Step.REQUEST_CHANGES: "articleRequestChanges",
    Step.SCHEDULE: "articleSchedule",
    Step.PUBLISH: "articlePublish",
    Step.DECLINE: "articleDecline",
    Step.WITHDRAW: "articleWithdraw",
}
AUTHOR_STEPS = frozenset({Step.START, Step.SUBMIT, Step.WITHDRAW})
PAGES = {
    "Website": "https://community.example/articles/",
    "Bilibili": "https://www.bilibili.com/read/",
}
OBSERVABILITY = "https://blog.example/observability-for-meetup-organisers"
SLACK_SCALE = "https://engineering.example/scaling-community-chat"


class Seeding:
    """The demo's people, and each write audited as the mutation a person would call."""

    def __init__(
        self,
        session: AsyncSession,
        editor: Principal,
        writers: Sequence[tuple[Principal, uuid.UUID]],
        channels: dict[str, uuid.UUID],
    ) -> None:
        self.session, self.editor, self.writers, self.channels = session, editor, writers, channels
        self.now = datetime.now(UTC).replace(second=0, microsecond=0)

    def writer(self, index: int) -> tuple[Principal, uuid.UUID]:
        return self.writers[index % len(self.writers)]

    async def propose(self, writer: int | None, **fields: Any) -> Article:
        """An idea: the writer's (in their chapter), or the editor's for nobody yet."""
        author, chapter_id = self.writer(writer) if writer is not None else (self.editor, None)
        with as_mutation(self.session, "articleCreate", author):
            return await service.create_article(
                self.session,
                author,
                service.ArticleFields(chapter_id=chapter_id, **fields),
            )

    async def edit(self, article: Article, writer: int | None, **fields: Any) -> None:
        author = self.writer(writer)[0] if writer is not None else self.editor
        with as_mutation(self.session, "articleUpdate", author):
            await service.update_article(
                self.session,
                author,
                article.id,
                service.ArticleFields(**fields),
            )

    async def take(
        self,
        article: Article,
        writer: int | None,
        *steps: Step,
        comment: str | None = None,
        scheduled_for: datetime | None = None,
        publications: Sequence[PublicationEntry] = (),
    ) -> None:
        """Take the steps in turn: an author's by the writer (the editor's own article: by
        the editor), the others by the editor; ``comment`` and the rest go with the last."""
        for place, step in enumerate(steps):
            last = place == len(steps) - 1
            by_writer = step in AUTHOR_STEPS and writer is not None
            actor = self.writer(writer)[0] if by_writer and writer is not None else self.editor
            with as_mutation(self.session, STEP_MUTATIONS[step], actor):
                await pipeline.take(
                    self.session,
                    actor,
                    article.id,
                    step,
                    comment if last else None,
                    scheduled_for=scheduled_for if last else None,
                    publications=publications if last else (),
                )

    async def comment(self, article: Article, key: str | None, body: str) -> None:
        with as_mutation(self.session, "articleReviewCommentAdd", self.editor):
            await review.add_comment(self.session, self.editor, article.id, key, body)

    async def publish(
        self, article: Article, writer: int, days_ago: int, channels: Sequence[str]
    ) -> None:
        """Published ``days_ago`` days before seeding on ``channels``; its history dated so."""
        when = self.now - timedelta(days=days_ago)
        slug = "-".join(
            "".join(c for c in article.title.lower() if c.isalnum() or c == " ").split()
        )
        entries = [
            PublicationEntry(
                channel_id=self.channels[name],
                url=f"{PAGES[name]}{slug}" if name in PAGES else None,
                published_on=when.date(),
            )
            for name in channels
        ]
        await self.take(article, writer, Step.PUBLISH, publications=entries)
        await _date_history(self.session, article, when)


async def _date_history(session: AsyncSession, article: Article, published: datetime) -> None:
    """The article's steps a day apart up to ``published``, and its dates to match."""
    steps = list(
        await session.scalars(
            select(ArticleTransition)
            .where(ArticleTransition.article_id == article.id)
            .order_by(ArticleTransition.occurred_at, ArticleTransition.id)
        )
    )
    for place, step in enumerate(steps):
        step.occurred_at = published - timedelta(days=len(steps) - 1 - place)
    for publication in await session.scalars(
        select(Publication).where(Publication.article_id == article.id)
    ):
        publication.published_on = published.date()
    article.created_at = steps[0].occurred_at if steps else published
    article.submitted_at = published - timedelta(days=3)
    article.published_at = published
    article.updated_at = published
    await session.flush()


async def _template(
    session: AsyncSession,
    editor: Principal,
    name: str,
    kind: ArticleKind,
    sections: Sequence[tuple[str, str, str, bool]],
) -> ArticleTemplate:
    specs = [
        templates.SectionSpec(key=key, title=title, guidance=guidance, required=required)
        for key, title, guidance, required in sections
    ]
    with as_mutation(session, "articleTemplateCreate", editor):
        return await templates.create_template(
            session,
            editor,
            templates.TemplateFields(
                name=name, description=f"How to write a {name.lower()}.", kind=kind, sections=specs
            ),
        )


async def _people(
    session: AsyncSession,
) -> tuple[Person | None, Person | None, list[tuple[uuid.UUID, uuid.UUID]]]:
    admin = await first_with_role(session, TenantRole.ADMIN)
    ops = await first_with_role(session, TenantRole.OPS)
    members = (
        await session.execute(
            select(ChapterMembership.person_id, ChapterMembership.chapter_id)
            .where(ChapterMembership.status == MembershipStatus.ACTIVE)
            .order_by(ChapterMembership.joined_at, ChapterMembership.id)
            .limit(40)
        )
    ).all()
    writers: dict[uuid.UUID, uuid.UUID] = {}
    for person_id, chapter_id in members:
        writers.setdefault(person_id, chapter_id)
    return admin, ops, list(writers.items())[:4]


def _sections(*pairs: tuple[str, str]) -> list[service.SectionText]:
    return [service.SectionText(key=key, body=body) for key, body in pairs]


async def seed_articles(session: AsyncSession) -> str:
    if await session.scalar(select(ArticleTemplate.id).limit(1)) is not None:
        return "articles: already seeded"
    admin, ops, members = await _people(session)
    channels = {
        channel.name: channel.id
        for channel in await session.scalars(select(Channel).where(Channel.retired.is_(False)))
    }
    needed = ("Website", "WeChat official account", "Bilibili")
    if admin is None or not members or any(name not in channels for name in needed):
        return "articles: no admin, members or channels (seed the channels first)"
    admin_principal = await load_principal(session, admin)
    editor_person = ops or admin
    with as_mutation(session, "contentEditorAppoint", admin_principal):
        await editors.appoint(session, admin_principal, editor_person.id)
    editor = await load_principal(session, editor_person)
    people = {
        person.id: person
        for person in await session.scalars(
            select(Person).where(Person.id.in_([person_id for person_id, _ in members]))
        )
    }
    writers = [(await load_principal(session, people[p]), chapter) for p, chapter in members]
    demo = Seeding(session, editor, writers, channels)

    best = await _template(
        session, editor, "Best practice", ArticleKind.BEST_PRACTICE, BEST_PRACTICE
    )
    guide = await _template(
        session, editor, "Installation guide", ArticleKind.INSTALLATION_GUIDE, INSTALLATION_GUIDE
    )
    published = await _published(demo, best, guide)
    await _on_the_way(demo, best, guide)
    return (
        f"articles: 1 editor, 2 templates, {count(published, 'article')} published"
        " (and one in each other state), 2 reprints (1 awaiting permission)"
    )


async def _published(demo: Seeding, best: ArticleTemplate, guide: ArticleTemplate) -> int:
    """The three published articles (5, 12 and 40 days ago)."""
    scale = await demo.propose(
        0,
        title="Running Chapters at scale: lessons from Shanghai",
        topic="Community operations",
        template_id=best.id,
        summary="How one ledger serves forty chapters.",
        sections=_sections(
            ("background", "Shanghai grew from one meetup a month to five chapters in a year."),
            ("setup", "One tenant, a chapter per district, a shared review queue."),
            (
                "lessons",
                "Review every activity within two days; publish recaps within a week; "
                "let leads own their calendars.",
            ),
        ),
    )
    await demo.take(scale, 0, Step.START, Step.SUBMIT, Step.START_REVIEW)
    await demo.comment(scale, "lessons", "Add how many activities a month you run now.")
    await demo.take(scale, 0, Step.REQUEST_CHANGES, comment="One figure, and it is ready.")
    await demo.edit(
        scale,
        0,
        sections=_sections(
            ("background", "Shanghai grew from one meetup a month to five chapters in a year."),
            ("setup", "One tenant, a chapter per district, a shared review queue."),
            (
                "lessons",
                "We now run twenty activities a month. Review every activity within two "
                "days; publish recaps within a week; let leads own their calendars.",
            ),
        ),
    )
    await demo.take(scale, 0, Step.SUBMIT, Step.START_REVIEW)
    await demo.publish(scale, 0, 5, ("Website", "WeChat official account"))

    home_lab = await demo.propose(
        1,
        title="Installing Chapters on a home lab",
        topic="Installation",
        template_id=guide.id,
        sections=_sections(
            ("prerequisites", "A small server with 4 GB of memory, PostgreSQL 16 and Redis."),
            ("steps", "1. Create the database. 2. Run the migrations. 3. Start the service."),
        ),
    )
    await demo.take(home_lab, 1, Step.START, Step.SUBMIT, Step.START_REVIEW)
    await demo.publish(home_lab, 1, 12, ("Website",))

    original = await _found_author(demo, "Chen Jing", "chen.jing@blog.example", OBSERVABILITY)
    reprint = await demo.propose(
        None,
        title="Observability for meetup organisers",
        topic="Observability",
        kind=ArticleKind.DEEP_DIVE,
        source=ArticleSource.REPRINT,
        source_url=OBSERVABILITY,
        body="Dashboards for the rest of us: what to watch on the day of a meetup.",
        author_ids=[original],
    )
    permission = await _ask(demo, reprint, "chen.jing@blog.example", days_ago=50)
    with as_mutation(demo.session, "reprintPermissionAnswer", demo.editor):
        await reprints.answer_permission(
            demo.session,
            demo.editor,
            permission,
            reprints.PermissionAnswer(
                status=ReprintStatus.GRANTED,
                answered_on=(demo.now - timedelta(days=45)).date(),
                terms=[ReprintTerm.ATTRIBUTION, ReprintTerm.LINK_BACK],
                terms_note="Link the original in the first paragraph.",
            ),
        )
    await demo.take(reprint, None, Step.START, Step.SUBMIT, Step.START_REVIEW)
    await demo.publish(reprint, 0, 40, ("Website", "Bilibili"))
    return 3


async def _found_author(demo: Seeding, name: str, contact: str, source_url: str) -> uuid.UUID:
    with as_mutation(demo.session, "authorCreate", demo.editor):
        author = await authors.create_author(
            demo.session,
            demo.editor,
            authors.AuthorFields(
                name=name, contact=contact, origin=AuthorOrigin.FOUND, source_url=source_url
            ),
        )
    return author.id


async def _ask(demo: Seeding, article: Article, contact: str, days_ago: int) -> uuid.UUID:
    with as_mutation(demo.session, "reprintPermissionRequest", demo.editor):
        permission = await reprints.request_permission(
            demo.session,
            demo.editor,
            article.id,
            reprints.PermissionRequest(
                contact=contact,
                requested_on=(demo.now - timedelta(days=days_ago)).date(),
                terms=[ReprintTerm.ATTRIBUTION],
            ),
        )
    return permission.id


async def _on_the_way(demo: Seeding, best: ArticleTemplate, guide: ArticleTemplate) -> None:
    """One article in each state before publication, and one that will not be."""
    await demo.propose(2, title="Mentoring first-time speakers", kind=ArticleKind.BEST_PRACTICE)

    invited = await demo.propose(
        None, title="Kubernetes operators in production", kind=ArticleKind.DEEP_DIVE
    )
    await demo.edit(invited, None, person_ids=[demo.writer(3)[0].person_id])
    await demo.take(invited, None, Step.INVITE, comment="Would you write up your talk?")

    drafting = await demo.propose(
        1,
        title="Docs sprints that stick",
        template_id=best.id,
        sections=_sections(("background", "Two sprints a year, one hundred pages each.")),
    )
    await demo.take(drafting, 1, Step.START)

    submitted = await demo.propose(
        2,
        title="Running a hybrid meetup",
        kind=ArticleKind.BEST_PRACTICE,
        body="One camera, one room microphone, one moderator online.",
    )
    await demo.take(submitted, 2, Step.START, Step.SUBMIT)

    in_review = await demo.propose(
        0,
        title="Upgrading Chapters without downtime",
        template_id=guide.id,
        sections=_sections(
            ("prerequisites", "A second instance behind the load balancer."),
            ("steps", "Drain one instance, migrate, switch, repeat."),
        ),
    )
    await demo.take(in_review, 0, Step.START, Step.SUBMIT, Step.START_REVIEW)
    await demo.comment(in_review, "steps", "Say which migrations are safe to run live.")
    await demo.comment(in_review, None, "Clear and short: thank you.")

    changes = await demo.propose(
        3,
        title="A year of our chapter",
        template_id=best.id,
        sections=_sections(
            ("background", "We started with six people in a café."),
            ("lessons", "Keep the meetups small."),
        ),
    )
    await demo.take(changes, 3, Step.START, Step.SUBMIT, Step.START_REVIEW)
    await demo.comment(changes, "lessons", "What would you do differently?")
    await demo.take(changes, 3, Step.REQUEST_CHANGES, comment="One more lesson, please.")

    scheduled = await demo.propose(
        None,
        title="Community news: the new year's calendar",
        kind=ArticleKind.NEWS,
        body="What is coming in the first quarter.",
        person_ids=[demo.editor.person_id],
    )
    await demo.take(scheduled, None, Step.START, Step.SUBMIT, Step.START_REVIEW)
    await demo.take(scheduled, None, Step.SCHEDULE, scheduled_for=demo.now + timedelta(days=7))

    declined = await demo.propose(
        1, title="Why we left our chat server", kind=ArticleKind.NEWS, body="A long story."
    )
    await demo.take(declined, 1, Step.START, Step.SUBMIT)
    await demo.take(declined, 1, Step.DECLINE, comment="Too close to a vendor comparison.")

    withdrawn = await demo.propose(2, title="Our conference budget", kind=ArticleKind.NEWS)
    await demo.take(withdrawn, 2, Step.WITHDRAW, comment="Not ready to share it yet.")

    original = await _found_author(demo, "Alex Kim", "alex@engineering.example", SLACK_SCALE)
    pending = await demo.propose(
        None,
        title="Scaling a community chat to ten thousand members",
        kind=ArticleKind.TRANSLATION,
        source=ArticleSource.REPRINT,
        source_url=SLACK_SCALE,
        body="Translated with the author's notes.",
        author_ids=[original],
    )
    await demo.take(pending, None, Step.START, Step.SUBMIT, Step.START_REVIEW)
    await _ask(demo, pending, "alex@engineering.example", days_ago=4)

"""What the example operations of ``graphql/operations/articles`` need, made as the tenant
admin: a template ("Installation guide"), the chapter member's articles at each step the
operations take (an idea, a draft ready to submit, one submitted, one in review with a
review comment on a section), a reprint and its permission request, a channel to publish on,
and the chapter's lead appointed content editor."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.ids import global_id
from chapters.articles import pipeline, reprints, review, service, templates
from chapters.articles.pipeline import Step
from chapters.channels import service as channels
from chapters.editors import service as editors
from chapters.models import ArticleKind, ArticleSource, ChannelKind
from tests.support import TenantFixture, staff_session_call

ADMIN = "admin@x.example"
MEMBER = "member@x.example"  # a member of the world's chapter: they write
LEAD = "lead@x.example"  # appointed content editor


async def articles_placeholders(
    tenant: TenantFixture, owner_engine: AsyncEngine, chapter_id: uuid.UUID
) -> dict[str, str]:
    writer = tenant.people[MEMBER].id

    async def world(session, principal) -> dict[str, str]:
        await editors.appoint(session, principal, tenant.people[LEAD].id)
        guide = await templates.create_template(
            session,
            principal,
            templates.TemplateFields(
                name="Installation guide",
                kind=ArticleKind.INSTALLATION_GUIDE,
                sections=[
                    templates.SectionSpec(key="prerequisites", title="Prerequisites"),
                    templates.SectionSpec(key="steps", title="Steps", guidance="Numbered."),
                    templates.SectionSpec(
                        key="troubleshooting", title="Troubleshooting", required=False
                    ),
                ],
            ),
        )

        async def article(title: str, *steps: Step) -> uuid.UUID:
            fields = service.ArticleFields(
                title=title,
                template_id=guide.id,
                chapter_id=chapter_id,
                person_ids=[writer],
                sections=[
                    service.SectionText(key="prerequisites", body="A server."),
                    service.SectionText(key="steps", body="1. Install. 2. Run."),
                ],
            )
            made = await service.create_article(session, principal, fields)
            for step in steps:
                await pipeline.take(session, principal, made.id, step)
            return made.id

        idea = await article("Installing on a home lab")
        drafting = await article("Installing on a cloud VM", Step.START)
        submitted = await article("Installing behind a proxy", Step.START, Step.SUBMIT)
        in_review = await article(
            "Upgrading without downtime", Step.START, Step.SUBMIT, Step.START_REVIEW
        )
        comment = await review.add_comment(
            session, principal, in_review, "steps", "Say which steps can run live."
        )
        reprint = await service.create_article(
            session,
            principal,
            service.ArticleFields(
                title="Observability for meetup organisers",
                kind=ArticleKind.DEEP_DIVE,
                source=ArticleSource.REPRINT,
                source_url="https://blog.example/observability",
                body="Dashboards for the rest of us.",
            ),
        )
        permission = await reprints.request_permission(
            session,
            principal,
            reprint.id,
            reprints.PermissionRequest(contact="author@blog.example"),
        )
        website = await channels.create_channel(
            session,
            principal,
            channels.ChannelFields(
                name="Community website", kind=ChannelKind.WEBSITE, url="https://x.example"
            ),
        )
        return {
            "@articleTemplateId": global_id("ArticleTemplate", guide.id),
            "@ideaArticleId": global_id("Article", idea),
            "@draftingArticleId": global_id("Article", drafting),
            "@submittedArticleId": global_id("Article", submitted),
            "@inReviewArticleId": global_id("Article", in_review),
            "@articleReviewCommentId": global_id("ArticleReviewComment", comment.id),
            "@reprintArticleId": global_id("Article", reprint.id),
            "@reprintPermissionId": global_id("ReprintPermission", permission.id),
            "@articleChannelId": global_id("Channel", website.id),
            "@contentEditorPersonId": global_id("Person", tenant.people[LEAD].id),
        }

    placeholders: dict[str, str] = await staff_session_call(owner_engine, tenant, ADMIN, world)
    return placeholders

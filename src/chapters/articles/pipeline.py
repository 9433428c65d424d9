"""An article's way to publication, one step at a time (``chapters.lifecycle``): each step is
kept with who took it, when, and their comment.

    idea ─invite→ invited ─start→ drafting ─submit→ submitted ─start_review→ in review
    idea ─start→ drafting           changes requested ─submit→ submitted
    in review ─request_changes→ changes requested    (a comment says what to change)
    in review ─schedule→ scheduled (─schedule→ scheduled: moved) ─publish→ published
    in review ─publish→ published                    (news goes out once reviewed)
    any state before publication ─decline→ declined (editors) / ─withdraw→ withdrawn

Editors (and staff) invite, review, schedule, publish and decline; an article's authors (or
an editor) start, submit and withdraw it. Submitting checks what review needs: a title and
an author; from a template, every required section written (and as long as the template
asks), all that is missing answered at once; without one, a body. Publishing records where
it went (at least one channel); a reprint is published only once its permission was granted.
The article's authors who are people of the tenant are told in the app when changes are
requested and when it is scheduled, published or declined.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.articles.service import (
    Acting,
    acting,
    article_sections,
    authors_of,
    checked_comment,
    get_article,
    people_of,
    template_sections,
    utc_now,
)
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.channels.service import PublicationEntry, record_publications
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.lifecycle import Lifecycle
from chapters.models import (
    Article,
    ArticleSection,
    ArticleSource,
    ArticleStatus,
    ArticleTemplateSection,
    ArticleTransition,
    Author,
    ReprintPermission,
    ReprintStatus,
)
from chapters.models.notification import MessageKind
from chapters.notifications import reminders

S = ArticleStatus


class Step(enum.StrEnum):
    INVITE = "invite"
    START = "start"
    SUBMIT = "submit"
    START_REVIEW = "start_review"
    REQUEST_CHANGES = "request_changes"
    SCHEDULE = "schedule"
    PUBLISH = "publish"
    DECLINE = "decline"
    WITHDRAW = "withdraw"


_BEFORE_PUBLICATION = (
    S.IDEA,
    S.INVITED,
    S.DRAFTING,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.CHANGES_REQUESTED,
    S.SCHEDULED,
)
TRANSITIONS: dict[tuple[ArticleStatus, str], ArticleStatus] = {
    (S.IDEA, Step.INVITE): S.INVITED,
    (S.IDEA, Step.START): S.DRAFTING,
    (S.INVITED, Step.START): S.DRAFTING,
    (S.DRAFTING, Step.SUBMIT): S.SUBMITTED,
    (S.CHANGES_REQUESTED, Step.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Step.START_REVIEW): S.IN_REVIEW,
    (S.IN_REVIEW, Step.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.IN_REVIEW, Step.SCHEDULE): S.SCHEDULED,
    (S.SCHEDULED, Step.SCHEDULE): S.SCHEDULED,
    (S.IN_REVIEW, Step.PUBLISH): S.PUBLISHED,
    (S.SCHEDULED, Step.PUBLISH): S.PUBLISHED,
    **{(status, Step.DECLINE): S.DECLINED for status in _BEFORE_PUBLICATION},
    **{(status, Step.WITHDRAW): S.WITHDRAWN for status in _BEFORE_PUBLICATION},
}
PAST_TENSE = {
    Step.INVITE: "invited",
    Step.START: "started",
    Step.SUBMIT: "submitted",
    Step.START_REVIEW: "taken into review",
    Step.REQUEST_CHANGES: "sent back for changes",
    Step.SCHEDULE: "scheduled",
    Step.PUBLISH: "published",
    Step.DECLINE: "declined",
    Step.WITHDRAW: "withdrawn",
}
LIFECYCLE = Lifecycle(
    noun="article",
    transitions=TRANSITIONS,
    past_tense=PAST_TENSE,
    history=ArticleTransition,
    subject_key="article_id",
)
STEP_ACTIONS = {
    Step.INVITE: Action.ARTICLE_REVIEW,
    Step.START: Action.ARTICLE_EDIT,
    Step.SUBMIT: Action.ARTICLE_SUBMIT,
    Step.START_REVIEW: Action.ARTICLE_REVIEW,
    Step.REQUEST_CHANGES: Action.ARTICLE_REVIEW,
    Step.SCHEDULE: Action.ARTICLE_REVIEW,
    Step.PUBLISH: Action.ARTICLE_PUBLISH,
    Step.DECLINE: Action.ARTICLE_REVIEW,
    Step.WITHDRAW: Action.ARTICLE_SUBMIT,
}
# The steps an article's authors are told of.
TOLD = frozenset({Step.REQUEST_CHANGES, Step.SCHEDULE, Step.PUBLISH, Step.DECLINE})

# A word: a run of letters or digits (with inner apostrophes or hyphens), or one CJK character
# (Chinese is written without spaces: each character counts as a word).
_WORD = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
    r"(?:['\u2019-][^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)*"
)


def word_count(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


def content_problems(
    article: Article,
    authors: Sequence[Author],
    template: Sequence[ArticleTemplateSection],
    sections: Sequence[ArticleSection],
) -> list[FieldError]:
    """What review needs and the article lacks, all of it (``articleSubmit``'s errors)."""
    problems: list[FieldError] = []
    if not article.title or not article.title.strip():
        problems.append(FieldError("title", ErrorCode.REQUIRED, "An article needs a title"))
    if not authors:
        problems.append(FieldError("person_ids", ErrorCode.REQUIRED, "Name its authors"))
    if article.template_id is None:
        if not article.body:
            message = "Write the article's body (or choose a template and fill its sections)"
            problems.append(FieldError("body", ErrorCode.REQUIRED, message))
        return problems
    texts = {section.key: section.body for section in sections}
    for section in template:
        text = texts.get(section.key)
        field = f"sections.{section.key}"
        if section.required and not (text and text.strip()):
            message = f"The section “{section.title}” is required"
            problems.append(FieldError(field, ErrorCode.REQUIRED, message))
        elif text and section.min_words and word_count(text) < section.min_words:
            message = (
                f"The section “{section.title}” needs at least {section.min_words} words "
                f"(it has {word_count(text)})"
            )
            problems.append(FieldError(field, ErrorCode.INVALID, message))
    return problems


async def reprint_granted(session: AsyncSession, article_id: uuid.UUID) -> bool:
    """Whether a request to reprint the article was granted."""
    granted = exists().where(
        ReprintPermission.article_id == article_id,
        ReprintPermission.status == ReprintStatus.GRANTED,
    )
    return bool(await session.scalar(select(granted)))


def _reprint_refusal() -> FieldError:
    message = "A reprint is published once its author granted permission"
    return FieldError("reprint_permission", ErrorCode.CONFLICT, message)


async def _checks(
    session: AsyncSession,
    article: Article,
    authors: Sequence[Author],
    step: Step,
    comment: str | None,
    scheduled_for: datetime | None,
    publications: Sequence[PublicationEntry],
) -> None:
    """What the step needs beyond the state machine."""
    if step == Step.INVITE and not authors:
        message = "Name the author you invite first"
        raise InvalidInput(FieldError("person_ids", ErrorCode.REQUIRED, message))
    if step == Step.SUBMIT:
        template = await template_sections(session, article.template_id)
        sections = await article_sections(session, article.id)
        problems = content_problems(article, authors, template, sections)
        if problems:
            raise InvalidInput(*problems)
    if step == Step.REQUEST_CHANGES and comment is None:
        message = "Say what to change"
        raise InvalidInput(FieldError("comment", ErrorCode.REQUIRED, message))
    if step == Step.SCHEDULE:
        if scheduled_for is None:
            message = "Say when it is to be published"
            raise InvalidInput(FieldError("scheduled_for", ErrorCode.REQUIRED, message))
        if scheduled_for <= utc_now():
            message = "Schedule it ahead (or publish it now)"
            raise InvalidInput(FieldError("scheduled_for", ErrorCode.INVALID, message))
    if step == Step.PUBLISH:
        if not publications:
            message = "Say where it was published"
            raise InvalidInput(FieldError("publications", ErrorCode.REQUIRED, message))
        if article.source == ArticleSource.REPRINT and not await reprint_granted(
            session, article.id
        ):
            raise InvalidInput(_reprint_refusal())


async def _tell_authors(
    session: AsyncSession,
    article: Article,
    authors: Sequence[Author],
    actor_id: uuid.UUID | None,
    comment: str | None,
) -> None:
    """The article's authors who are people of the tenant, but the one who took the step."""
    people = {person for person in people_of(authors) if person != actor_id}
    if not people:
        return
    data = {
        "article_title": article.title,
        "article_id": str(article.id),
        "status": article.status.value,
        "comment": comment or "",
    }
    # each step is news of its own: a fresh key, which a retried write cannot repeat
    step_key = uuid.uuid4()
    await reminders.notify_once(
        session, MessageKind.ARTICLE_STATUS_CHANGED, step_key, data, set(people)
    )


async def take(
    session: AsyncSession,
    principal: Principal | None,
    article_id: uuid.UUID,
    step: Step,
    comment: str | None = None,
    *,
    scheduled_for: datetime | None = None,
    publications: Sequence[PublicationEntry] = (),
) -> Article:
    """Take ``step``: the policy first, then the input and the state machine; the step is
    kept, and the authors told where they are told."""
    caller = await acting(session, principal)
    action = STEP_ACTIONS[step]
    caller.require_as_author(action)
    article = await get_article(session, article_id, lock=True)
    authors = await authors_of(session, article.id)
    me = caller.require(action, people_of(authors))
    note = checked_comment(comment)
    target = LIFECYCLE.require(article.status, step)
    if scheduled_for is not None and scheduled_for.tzinfo is None:
        scheduled_for = scheduled_for.replace(tzinfo=UTC)
    await _checks(session, article, authors, step, note, scheduled_for, publications)
    now = utc_now()
    if step == Step.PUBLISH:
        await record_publications(session, publications, article_id=article.id)
        article.published_at = now
    elif step == Step.SUBMIT:
        article.submitted_at = now
    elif step == Step.SCHEDULE:
        article.scheduled_for = scheduled_for
    LIFECYCLE.record(session, article, target, me.person_id, note, now)
    if step in TOLD:
        await _tell_authors(session, article, authors, me.person_id, note)
    await session.flush()
    return article


def may_take(caller: Acting, article: Article, authors: Sequence[Author], step: Step) -> bool:
    """Whether the state machine and the policy let the caller take ``step`` now (what the
    step needs besides is checked when it is taken)."""
    return LIFECYCLE.target(article.status, step) is not None and caller.can(
        STEP_ACTIONS[step], people_of(authors)
    )

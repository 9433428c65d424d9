"""Content operations: the author pool, articles and their templates, reprint permissions,
publishing channels with their reach, and newsletter issues.

An article goes idea → invited → drafting → submitted → in review → (changes requested →
submitted …) → scheduled → published, or declined / withdrawn; each step is kept
(``ArticleTransition``, the activities' history shape, driven by ``chapters.lifecycle``).
Editors (``ContentEditor``, appointed by staff) review and publish; an article's authors are
entries of the author pool, people of the tenant or writers from outside.

A publication is one piece of content on one channel (an article, a newsletter issue or an
activity's recording), with its address and date; reach readings are cumulative figures as
read on a date (reads so far, views so far ...), so a month's reach is the growth within it.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class ContentEditor(TenantScoped, Base):
    """A person staff appointed to review and publish articles and to edit newsletters."""

    __tablename__ = "content_editors"
    __table_args__ = (
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        tenant_fk("appointed_by_id", "people", ondelete="SET NULL (appointed_by_id)"),
        UniqueConstraint("tenant_id", "person_id"),
    )

    person_id: Mapped[uuid.UUID]
    appointed_by_id: Mapped[uuid.UUID | None]
    appointed_at: Mapped[datetime] = mapped_column(server_default=func.now())


# --- the author pool -------------------------------------------------------------------------


class AuthorOrigin(enum.StrEnum):
    WROTE = "wrote"  # came with an article of their own
    INVITED = "invited"  # asked to write by ops
    FOUND = "found"  # their writing was found elsewhere (a reprint's author, a blog)


class Author(TenantScoped, Timestamped, Base):
    """Someone who writes, was invited to, or whose writing was found: a person of the tenant
    (``person_id``) or a writer from outside (``name``, ``contact``: how to reach them,
    ``organisation_id``: whom they write for, which lets that partner see their articles)."""

    __tablename__ = "authors"
    __table_args__ = (
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        tenant_fk("organisation_id", "organisations", ondelete="SET NULL (organisation_id)"),
        CheckConstraint("person_id IS NOT NULL OR name IS NOT NULL", name="person_or_name"),
        Index(
            "uq_authors_person",
            "tenant_id",
            "person_id",
            unique=True,
            postgresql_where=text("person_id IS NOT NULL"),
        ),
        Index("ix_authors_organisation", "tenant_id", "organisation_id"),
        Index("ix_authors_created", "tenant_id", "created_at", "id"),
    )

    person_id: Mapped[uuid.UUID | None]
    name: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(500))
    organisation_id: Mapped[uuid.UUID | None]
    origin: Mapped[AuthorOrigin] = mapped_column(str_enum(AuthorOrigin, "origin"))
    topics: Mapped[list[str]] = mapped_column(
        ARRAY(String(100)), server_default=text("'{}'::varchar[]")
    )
    source_url: Mapped[str | None] = mapped_column(String(2000))  # where they were found
    last_contacted_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class OutreachAnswer(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NO_ANSWER = "no_answer"


class AuthorOutreach(TenantScoped, Timestamped, Base):
    """One approach to an author: when they were asked (and by whom, about which article or
    topic), their answer, and when to follow up if they have not answered."""

    __tablename__ = "author_outreach"
    __table_args__ = (
        tenant_fk("author_id", "authors", ondelete="CASCADE"),
        tenant_fk("article_id", "articles", ondelete="SET NULL (article_id)"),
        tenant_fk("contacted_by_id", "people", ondelete="SET NULL (contacted_by_id)"),
        Index("ix_author_outreach_author", "tenant_id", "author_id", "contacted_on"),
        # the follow-up reminders look for answers still pending past their due date
        Index("ix_author_outreach_follow_up", "tenant_id", "follow_up_on"),
    )

    author_id: Mapped[uuid.UUID]
    article_id: Mapped[uuid.UUID | None]
    topic: Mapped[str | None] = mapped_column(String(300))
    contacted_on: Mapped[date] = mapped_column(Date)
    contacted_by_id: Mapped[uuid.UUID | None]
    answer: Mapped[OutreachAnswer] = mapped_column(str_enum(OutreachAnswer, "answer"))
    answered_on: Mapped[date | None] = mapped_column(Date)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


# --- articles --------------------------------------------------------------------------------


class ArticleKind(enum.StrEnum):
    BEST_PRACTICE = "best_practice"
    INSTALLATION_GUIDE = "installation_guide"
    DEEP_DIVE = "deep_dive"
    NEWS = "news"
    TRANSLATION = "translation"


class ArticleSource(enum.StrEnum):
    ORIGINAL = "original"
    REPRINT = "reprint"


class ArticleStatus(enum.StrEnum):
    IDEA = "idea"
    INVITED = "invited"
    DRAFTING = "drafting"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ArticleTemplate(TenantScoped, Timestamped, Base):
    """A tenant's template for articles of a kind: sections with guidance for the writer,
    some required (``ArticleTemplateSection``)."""

    __tablename__ = "article_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[ArticleKind | None] = mapped_column(str_enum(ArticleKind, "kind"))
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class ArticleTemplateSection(TenantScoped, Base):
    """A section of a template: its key (what an article's section answers to), title,
    guidance text, and whether a submission must fill it."""

    __tablename__ = "article_template_sections"
    __table_args__ = (
        tenant_fk("template_id", "article_templates", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "template_id", "key"),
    )

    template_id: Mapped[uuid.UUID]
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str | None] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    min_words: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int]


class Article(TenantScoped, Timestamped, Base):
    """An article on its way to publication. ``chapter_id``: the chapter it comes from, if
    any (its leads follow it). A reprint names where it first appeared (``source_url``) and
    cannot be published before its permission is granted (``ReprintPermission``)."""

    __tablename__ = "articles"
    __table_args__ = (
        tenant_fk("template_id", "article_templates", ondelete="SET NULL (template_id)"),
        tenant_fk("chapter_id", "chapters", ondelete="SET NULL (chapter_id)"),
        CheckConstraint("source = 'original' OR source_url IS NOT NULL", name="reprint_source"),
        Index("ix_articles_status", "tenant_id", "status", "updated_at", "id"),
        Index("ix_articles_created", "tenant_id", "created_at", "id"),
        Index("ix_articles_published", "tenant_id", "published_at"),
        Index("ix_articles_chapter", "tenant_id", "chapter_id"),
    )

    title: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[ArticleKind] = mapped_column(str_enum(ArticleKind, "kind"))
    source: Mapped[ArticleSource] = mapped_column(str_enum(ArticleSource, "source"))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[ArticleStatus] = mapped_column(str_enum(ArticleStatus, "status"))
    template_id: Mapped[uuid.UUID | None]
    chapter_id: Mapped[uuid.UUID | None]
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)  # an article written without a template
    submitted_at: Mapped[datetime | None]
    scheduled_for: Mapped[datetime | None]
    published_at: Mapped[datetime | None]


class ArticleAuthor(TenantScoped, Base):
    """An author of the article, at their place in the byline."""

    __tablename__ = "article_authors"
    __table_args__ = (
        tenant_fk("article_id", "articles", ondelete="CASCADE"),
        tenant_fk("author_id", "authors", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "article_id", "author_id"),
        Index("ix_article_authors_author", "tenant_id", "author_id"),
    )

    article_id: Mapped[uuid.UUID]
    author_id: Mapped[uuid.UUID]
    position: Mapped[int]


class ArticleSection(TenantScoped, Timestamped, Base):
    """The text an article gives for one of its template's sections."""

    __tablename__ = "article_sections"
    __table_args__ = (
        tenant_fk("article_id", "articles", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "article_id", "key"),
    )

    article_id: Mapped[uuid.UUID]
    key: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)


class ArticleTransition(TenantScoped, Base):
    """One step of an article's lifecycle (``ActivityTransition``'s shape)."""

    __tablename__ = "article_transitions"
    __table_args__ = (
        tenant_fk("article_id", "articles", ondelete="CASCADE"),
        tenant_fk("actor_id", "people"),
        Index("ix_article_transitions_article", "tenant_id", "article_id", "occurred_at"),
    )

    article_id: Mapped[uuid.UUID]
    from_status: Mapped[ArticleStatus | None] = mapped_column(
        str_enum(ArticleStatus, "from_status")
    )
    to_status: Mapped[ArticleStatus] = mapped_column(str_enum(ArticleStatus, "to_status"))
    actor_id: Mapped[uuid.UUID | None]
    comment: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ArticleReviewComment(TenantScoped, Timestamped, Base):
    """A reviewer's comment on one section of an article (``section_key``; none: the article
    as a whole), resolved once the author has dealt with it."""

    __tablename__ = "article_review_comments"
    __table_args__ = (
        tenant_fk("article_id", "articles", ondelete="CASCADE"),
        tenant_fk("author_id", "people"),
        Index("ix_article_review_comments_article", "tenant_id", "article_id", "created_at"),
    )

    article_id: Mapped[uuid.UUID]
    section_key: Mapped[str | None] = mapped_column(String(64))
    author_id: Mapped[uuid.UUID | None]
    body: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]


class ReprintStatus(enum.StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    DECLINED = "declined"
    NO_ANSWER = "no_answer"


class ReprintTerm(enum.StrEnum):
    ATTRIBUTION = "attribution"
    LINK_BACK = "link_back"
    NO_CHANGES = "no_changes"
    NOTIFY_ON_PUBLICATION = "notify_on_publication"
    NON_COMMERCIAL = "non_commercial"


class ReprintPermission(TenantScoped, Timestamped, Base):
    """The request to an article's original author to reprint it: where it appeared, whom
    we asked and how to reach them, when, their answer and the terms they set."""

    __tablename__ = "reprint_permissions"
    __table_args__ = (
        tenant_fk("article_id", "articles", ondelete="CASCADE"),
        tenant_fk("requested_by_id", "people", ondelete="SET NULL (requested_by_id)"),
        Index("ix_reprint_permissions_article", "tenant_id", "article_id", "requested_on"),
    )

    article_id: Mapped[uuid.UUID]
    source_url: Mapped[str] = mapped_column(String(2000))
    contact: Mapped[str] = mapped_column(String(500))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by_id: Mapped[uuid.UUID | None]
    status: Mapped[ReprintStatus] = mapped_column(str_enum(ReprintStatus, "status"))
    answered_on: Mapped[date | None] = mapped_column(Date)
    terms: Mapped[list[str]] = mapped_column(
        ARRAY(String(32)), server_default=text("'{}'::varchar[]")
    )
    terms_note: Mapped[str | None] = mapped_column(Text)


# --- channels and reach ----------------------------------------------------------------------


class ChannelKind(enum.StrEnum):
    WEBSITE = "website"
    WECHAT = "wechat"
    VIDEO = "video"
    GITHUB = "github"
    TECH_SITE = "tech_site"
    NEWSLETTER = "newsletter"
    OTHER = "other"


class Channel(TenantScoped, Timestamped, Base):
    """Where the tenant publishes: its website, WeChat official account, video site ..."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ChannelKind] = mapped_column(str_enum(ChannelKind, "kind"))
    url: Mapped[str | None] = mapped_column(String(2000))
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class Publication(TenantScoped, Timestamped, Base):
    """One piece of content on one channel: an article, a newsletter issue or an activity's
    recording (exactly one of the three), with its address there and the day it appeared."""

    __tablename__ = "publications"
    __table_args__ = (
        tenant_fk("channel_id", "channels", ondelete="CASCADE"),
        tenant_fk("article_id", "articles", ondelete="CASCADE"),
        tenant_fk("newsletter_issue_id", "newsletter_issues", ondelete="CASCADE"),
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        CheckConstraint(
            "num_nonnulls(article_id, newsletter_issue_id, activity_id) = 1", name="one_subject"
        ),
        # one publication per channel and piece of content
        Index(
            "uq_publications_article",
            "tenant_id",
            "article_id",
            "channel_id",
            unique=True,
            postgresql_where=text("article_id IS NOT NULL"),
        ),
        Index(
            "uq_publications_newsletter_issue",
            "tenant_id",
            "newsletter_issue_id",
            "channel_id",
            unique=True,
            postgresql_where=text("newsletter_issue_id IS NOT NULL"),
        ),
        Index(
            "uq_publications_activity",
            "tenant_id",
            "activity_id",
            "channel_id",
            unique=True,
            postgresql_where=text("activity_id IS NOT NULL"),
        ),
        Index("ix_publications_channel", "tenant_id", "channel_id", "published_on"),
    )

    channel_id: Mapped[uuid.UUID]
    article_id: Mapped[uuid.UUID | None]
    newsletter_issue_id: Mapped[uuid.UUID | None]
    activity_id: Mapped[uuid.UUID | None]
    url: Mapped[str | None] = mapped_column(String(2000))
    published_on: Mapped[date] = mapped_column(Date)


class ReachReading(TenantScoped, Base):
    """The figures of a publication as read on a day, each the total so far (none: not read)."""

    __tablename__ = "reach_readings"
    __table_args__ = (
        tenant_fk("publication_id", "publications", ondelete="CASCADE"),
        tenant_fk("recorded_by_id", "people", ondelete="SET NULL (recorded_by_id)"),
        UniqueConstraint("tenant_id", "publication_id", "read_on"),
        CheckConstraint(
            "coalesce(reads, 0) >= 0 AND coalesce(views, 0) >= 0 AND coalesce(likes, 0) >= 0"
            " AND coalesce(followers_gained, 0) >= 0",
            name="not_negative",
        ),
    )

    publication_id: Mapped[uuid.UUID]
    read_on: Mapped[date] = mapped_column(Date)
    reads: Mapped[int | None]
    views: Mapped[int | None]
    likes: Mapped[int | None]
    followers_gained: Mapped[int | None]
    recorded_by_id: Mapped[uuid.UUID | None]
    recorded_at: Mapped[datetime] = mapped_column(server_default=func.now())


# --- newsletters -----------------------------------------------------------------------------


class Cadence(enum.StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class NewsletterColumn(TenantScoped, Timestamped, Base):
    """A recurring column: its cadence from a first issue's date, and its templates (Jinja,
    producing Markdown) in English and Chinese; none: the built-in ones."""

    __tablename__ = "newsletter_columns"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    cadence: Mapped[Cadence] = mapped_column(str_enum(Cadence, "cadence"))
    first_issue_on: Mapped[date] = mapped_column(Date)
    template_en: Mapped[str | None] = mapped_column(Text)
    template_zh: Mapped[str | None] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class ProjectUpdate(TenantScoped, Timestamped, Base):
    """A piece of project news an editor entered for the newsletters (a release, a
    graduation, a new maintainer), dated when it happened."""

    __tablename__ = "project_updates"
    __table_args__ = (
        # the column alone: a composite key's plain SET NULL would clear tenant_id too
        tenant_fk("entered_by_id", "people", ondelete="SET NULL (entered_by_id)"),
        Index("ix_project_updates_happened", "tenant_id", "happened_on"),
    )

    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    happened_on: Mapped[date] = mapped_column(Date)
    entered_by_id: Mapped[uuid.UUID | None]


class IssueStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class NewsletterIssue(TenantScoped, Timestamped, Base):
    """An issue of a column, covering ``period_start`` to ``period_end`` (inclusive)."""

    __tablename__ = "newsletter_issues"
    __table_args__ = (
        tenant_fk("column_id", "newsletter_columns", ondelete="CASCADE"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
        UniqueConstraint("tenant_id", "column_id", "number"),
        Index("ix_newsletter_issues_column", "tenant_id", "column_id", "period_start"),
    )

    column_id: Mapped[uuid.UUID]
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[IssueStatus] = mapped_column(str_enum(IssueStatus, "status"))
    introduction: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]


class NewsletterSection(enum.StrEnum):
    UPCOMING = "upcoming"  # accepted activities starting after the period
    RECAPS = "recaps"  # accepted activities of the period
    ARTICLES = "articles"  # articles published in the period
    NEW_CONTRIBUTORS = "new_contributors"
    RECOGNITION = "recognition"  # certificates issued in the period
    PROJECT_UPDATES = "project_updates"


class NewsletterItem(TenantScoped, Base):
    """One entry of an issue, in its section and place; what it came from (at most one of
    the sources), and its text as the editors left it."""

    __tablename__ = "newsletter_items"
    __table_args__ = (
        tenant_fk("issue_id", "newsletter_issues", ondelete="CASCADE"),
        # a source gone leaves the item without it (the column alone: a composite key's plain
        # SET NULL would clear tenant_id too)
        tenant_fk("activity_id", "activities", ondelete="SET NULL (activity_id)"),
        tenant_fk("article_id", "articles", ondelete="SET NULL (article_id)"),
        tenant_fk("person_id", "people", ondelete="SET NULL (person_id)"),
        tenant_fk("certificate_id", "certificates", ondelete="SET NULL (certificate_id)"),
        tenant_fk("project_update_id", "project_updates", ondelete="SET NULL (project_update_id)"),
        Index("ix_newsletter_items_issue", "tenant_id", "issue_id", "section", "position"),
    )

    issue_id: Mapped[uuid.UUID]
    section: Mapped[NewsletterSection] = mapped_column(str_enum(NewsletterSection, "section"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    activity_id: Mapped[uuid.UUID | None]
    article_id: Mapped[uuid.UUID | None]
    person_id: Mapped[uuid.UUID | None]
    certificate_id: Mapped[uuid.UUID | None]
    project_update_id: Mapped[uuid.UUID | None]

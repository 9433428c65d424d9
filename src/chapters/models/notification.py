from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class MessageKind(enum.StrEnum):
    """Every kind of message a person can be told, by mail or in the app: one list for both
    channels, so that preferences name the same kinds (``chapters.notifications.kinds`` says
    which channels carry each)."""

    CHAPTER_INVITATION = "chapter_invitation"
    REGISTRATION_CONFIRMATION = "registration_confirmation"
    REGISTRATION_RECEIVED = "registration_received"
    REGISTRATION_WAITLISTED = "registration_waitlisted"
    WAITLIST_PROMOTION = "waitlist_promotion"
    ACTIVITY_REMINDER = "activity_reminder"
    RECAP_PUBLISHED = "recap_published"
    CHANGES_REQUESTED = "changes_requested"
    ACTIVITY_ACCEPTED = "activity_accepted"
    RECAP_OVERDUE = "recap_overdue"
    OPS_DIGEST = "ops_digest"
    CERTIFICATE_ISSUED = "certificate_issued"
    ACTIVITY_CANCELLED = "activity_cancelled"
    ACTIVITY_RESCHEDULED = "activity_rescheduled"
    AGREEMENT_RENEWAL_DUE = "agreement_renewal_due"
    # told in the app only
    ROLE_CHANGED = "role_changed"
    CHAPTER_STATUS_CHANGED = "chapter_status_changed"
    CFP_DEADLINE_DUE = "cfp_deadline_due"
    AUTHOR_FOLLOW_UP_DUE = "author_follow_up_due"
    ARTICLE_STATUS_CHANGED = "article_status_changed"


# Mail that is always sent, whatever the preferences: a registration's confirmation link, an
# invitation (the person asked for it, or cannot act without it); an activity they registered
# for cancelled or moved (they would otherwise come for nothing, or at the wrong time).
ESSENTIAL_KINDS: frozenset[MessageKind] = frozenset(
    {
        MessageKind.CHAPTER_INVITATION,
        MessageKind.REGISTRATION_CONFIRMATION,
        MessageKind.ACTIVITY_CANCELLED,
        MessageKind.ACTIVITY_RESCHEDULED,
    }
)
_ESSENTIAL = ", ".join(f"'{kind.value}'" for kind in sorted(ESSENTIAL_KINDS))


class Notification(TenantScoped, Base):
    """Something a person is told in the app: a kind, what it is about (``activity_id``,
    ``chapter_id``: where a client links to) and ``data``, the values its text is written
    from in the reader's language (titles and names as they were when it happened).

    One per (person, event, kind): a dispatch retried after a failure adds nothing twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        tenant_fk("chapter_id", "chapters", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "person_id", "event_id", "kind"),
        # a person's list, newest first; and their unread ones
        Index("ix_notifications_person_newest", "tenant_id", "person_id", "created_at", "id"),
        Index(
            "ix_notifications_person_unread",
            "tenant_id",
            "person_id",
            "created_at",
            "id",
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    person_id: Mapped[uuid.UUID]
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "kind", length=40))
    event_id: Mapped[uuid.UUID | None]
    activity_id: Mapped[uuid.UUID | None]
    chapter_id: Mapped[uuid.UUID | None]
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class NotificationPreference(TenantScoped, Timestamped, Base):
    """A person's choices: the kinds they do not want by mail or in the app (everything else,
    including kinds added later, is on), and the language of their messages (``locale``;
    null: their profile's, else the tenant's). Essential mail cannot be turned off."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "person_id"),
        CheckConstraint(
            f"NOT (email_off && ARRAY[{_ESSENTIAL}]::varchar[])", name="essential_mail_on"
        ),
    )

    person_id: Mapped[uuid.UUID]
    locale: Mapped[str | None] = mapped_column(String(16))
    email_off: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), server_default=text("'{}'::varchar[]")
    )
    in_app_off: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), server_default=text("'{}'::varchar[]")
    )

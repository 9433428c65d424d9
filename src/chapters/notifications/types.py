"""Notifications and notification preferences as the API shows them (on ``Viewer``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters.api.connections import connection
from chapters.api.ids import LoadedNode, parse_uuid
from chapters.db.pagination import PageArgs
from chapters.notifications import queries
from chapters.notifications.kinds import CHANNELS, DESCRIPTIONS, ESSENTIAL, Channel, MessageKind
from chapters.notifications.preferences import Preferences
from chapters.notifications.texts import render

if TYPE_CHECKING:
    from chapters.activities.types import ActivityType
    from chapters.local_chapters.types import ChapterType
    from chapters.memberships.types import ChapterMembershipType
    from chapters.models.notification import Notification

strawberry.enum(
    MessageKind,
    name="NotificationKind",
    description="What a message is about: one list for mail and in-app notifications.",
)
NotificationKindType: TypeAlias = MessageKind


@strawberry.type(
    name="Notification",
    description="Something the viewer was told in the app; title and body are written in "
    "the viewer's language (notificationPreferences.effectiveLocale).",
)
class NotificationType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    kind: NotificationKindType
    title: str
    body: str
    read_at: datetime | None
    created_at: datetime
    activity_id: strawberry.Private[UUID | None]
    chapter_id: strawberry.Private[UUID | None]
    data: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_model(cls, row: Notification, locale: str) -> NotificationType:
        title, body = render(row.kind, row.data or {}, locale)
        return cls(
            id=str(row.id),
            kind=row.kind,
            title=title,
            body=body,
            read_at=row.read_at,
            created_at=row.created_at,
            activity_id=row.activity_id,
            chapter_id=row.chapter_id,
            data=dict(row.data or {}),
        )

    @strawberry.field(description="Whether the viewer has read it (notificationsMarkRead).")
    def read(self) -> bool:
        return self.read_at is not None

    @strawberry.field(description="The activity it is about, if any and visible to the viewer.")
    async def activity(
        self, info: strawberry.Info
    ) -> Annotated[ActivityType, strawberry.lazy("chapters.activities.types")] | None:
        from chapters.activities.types import load_activity

        return await load_activity(info, self.activity_id) if self.activity_id else None

    @strawberry.field(description="The chapter it is about, if any.")
    async def chapter(
        self, info: strawberry.Info
    ) -> Annotated[ChapterType, strawberry.lazy("chapters.local_chapters.types")] | None:
        from chapters.local_chapters.types import load_chapter

        return await load_chapter(info, self.chapter_id) if self.chapter_id else None

    @strawberry.field(
        description="For an invitation or a role change: the membership (accept an invitation "
        "with membershipAccept)."
    )
    async def membership(
        self, info: strawberry.Info
    ) -> Annotated[ChapterMembershipType, strawberry.lazy("chapters.memberships.types")] | None:
        from chapters.memberships.types import ChapterMembershipType

        raw = self.data.get("membership_id")
        membership_id = parse_uuid(raw) if isinstance(raw, str) else None
        if membership_id is None:
            return None
        return await ChapterMembershipType.load(info, membership_id)

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> NotificationType | None:
        row = await queries.notification(info.context, object_id)
        if row is None:
            return None
        return cls.from_model(row, await queries.locale(info.context, row.person_id))


@strawberry.type(name="NotificationConnection")
class NotificationConnection(relay.Connection[NotificationType]):
    pass


async def notifications_of_viewer(
    info: strawberry.Info, person_id: UUID, unread_only: bool, args: PageArgs
) -> NotificationConnection:
    ctx = info.context
    page = await queries.notifications(ctx, person_id, unread_only, args)
    locale = await queries.locale(ctx, person_id) if page.rows else "en"
    return connection(
        NotificationConnection, page, lambda row: NotificationType.from_model(row, locale)
    )


@strawberry.type(
    name="NotificationKindPreference",
    description="Whether the viewer wants one kind of message, by mail and in the app.",
)
class NotificationKindPreferenceType:
    kind: NotificationKindType
    description: str
    email: bool | None = strawberry.field(
        description="Sent by mail; null when this kind is never mailed."
    )
    in_app: bool | None = strawberry.field(
        description="Shown in the app; null when this kind is never shown there."
    )
    essential: bool = strawberry.field(
        description="Its mail is always sent (a confirmation link, an invitation): email "
        "cannot be turned off."
    )


@strawberry.type(
    name="NotificationPreferences",
    description="Which messages the viewer wants, and in which language.",
)
class NotificationPreferencesType:
    locale: str | None = strawberry.field(
        description="The language the viewer chose for messages (en, zh); null: their "
        "profile's, else the community's."
    )
    effective_locale: str = strawberry.field(description="The language messages are written in.")
    kinds: list[NotificationKindPreferenceType]

    @classmethod
    def of(cls, preferences: Preferences, effective_locale: str) -> NotificationPreferencesType:
        kinds = []
        for kind in MessageKind:
            channels = CHANNELS[kind]
            kinds.append(
                NotificationKindPreferenceType(
                    kind=kind,
                    description=DESCRIPTIONS[kind],
                    email=preferences.wants(kind, Channel.EMAIL)
                    if Channel.EMAIL in channels
                    else None,
                    in_app=preferences.wants(kind, Channel.IN_APP)
                    if Channel.IN_APP in channels
                    else None,
                    essential=kind in ESSENTIAL,
                )
            )
        return cls(locale=preferences.locale, effective_locale=effective_locale, kinds=kinds)


async def preferences_of_viewer(
    info: strawberry.Info, person_id: UUID
) -> NotificationPreferencesType:
    ctx = info.context
    preferences = await queries.preferences(ctx, person_id)
    return NotificationPreferencesType.of(preferences, await queries.locale(ctx, person_id))


async def unread_count_of_viewer(info: strawberry.Info, person_id: UUID) -> int:
    return await queries.unread_count(info.context, person_id)

"""This domain's root fields: marking notifications read and setting preferences (the lists
themselves are on ``Viewer``: ``notifications``, ``unreadNotificationCount``,
``notificationPreferences``)."""

from __future__ import annotations

import strawberry

from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import mutate
from chapters.changes import UNSET
from chapters.notifications import queries, service
from chapters.notifications.types import NotificationPreferencesType, NotificationType


@strawberry.type
class NotificationQuery:
    pass


@strawberry.input
class NotificationsMarkReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description=f"Notifications of yours (at most {service.MAX_IDS})."
    )
    all: bool = strawberry.field(default=False, description="Every notification of yours.")


@strawberry.type
class NotificationsMarkReadPayload:
    marked: int = strawberry.field(description="Notifications read now (not read before).")
    unread_count: int = strawberry.field(description="Your notifications still unread.")
    notifications: list[NotificationType] = strawberry.field(
        description="The notifications named by ids, now read (none with all)."
    )
    errors: list[UserError]


@strawberry.input(description="One kind of message: omitted channels stay as they are.")
class NotificationKindPreferenceInput:
    kind: str = strawberry.field(
        description="A NotificationKind, as its name (RECAP_PUBLISHED) or in lower case."
    )
    email: bool | None = None
    in_app: bool | None = None


@strawberry.input
class NotificationPreferencesUpdateInput:
    locale: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The language of your messages: en or zh; null: your profile's, else the "
        "community's. Omitted: unchanged.",
    )
    kinds: list[NotificationKindPreferenceInput] | None = None


@strawberry.type
class NotificationPreferencesPayload:
    preferences: NotificationPreferencesType | None
    errors: list[UserError]


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(
        description="Mark your notifications read: the ones named, or all. An id that is not "
        "one of your notifications is NOT_FOUND, and then none is marked."
    )
    async def notifications_mark_read(
        self, info: strawberry.Info, input: NotificationsMarkReadInput
    ) -> NotificationsMarkReadPayload:
        ctx = info.context

        async def work() -> tuple[service.MarkedRead, str]:
            caller = service.caller(ctx.principal)  # the policy before the ids are read
            ids = (
                None
                if input.ids is None
                else [
                    decode_id(str(value), "Notification", f"ids.{index}")
                    for index, value in enumerate(input.ids)
                ]
            )
            marked = await service.mark_read(ctx.session, caller, ids, input.all)
            assert caller.person_id is not None
            return marked, await queries.locale(ctx, caller.person_id)

        return await mutate(
            info,
            work,
            present=lambda result: NotificationsMarkReadPayload(
                marked=result[0].marked,
                unread_count=result[0].unread,
                notifications=[
                    NotificationType.from_model(row, result[1]) for row in result[0].notifications
                ],
                errors=[],
            ),
            failed=lambda errors: NotificationsMarkReadPayload(
                marked=0, unread_count=0, notifications=[], errors=errors
            ),
        )

    @strawberry.mutation(
        description="Choose which messages you get by mail and in the app, and their "
        "language. Essential mail (confirmation links, invitations) cannot be turned off."
    )
    async def notification_preferences_update(
        self, info: strawberry.Info, input: NotificationPreferencesUpdateInput
    ) -> NotificationPreferencesPayload:
        ctx = info.context
        choices = [
            service.KindChoice(kind=choice.kind, email=choice.email, in_app=choice.in_app)
            for choice in input.kinds or []
        ]
        locale = UNSET if input.locale is strawberry.UNSET else input.locale

        async def work() -> NotificationPreferencesType:
            preferences = await service.update_preferences(
                ctx.session, ctx.principal, locale=locale, kinds=choices
            )
            person_id = service.caller(ctx.principal).person_id
            assert person_id is not None
            return NotificationPreferencesType.of(preferences, await queries.locale(ctx, person_id))

        return await mutate(
            info,
            work,
            present=lambda preferences: NotificationPreferencesPayload(
                preferences=preferences, errors=[]
            ),
            failed=lambda errors: NotificationPreferencesPayload(preferences=None, errors=errors),
        )

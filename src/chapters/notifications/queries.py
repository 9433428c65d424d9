"""A person's notifications and preferences, read for themself (``NOTIFICATION_MANAGE_OWN``:
nobody else reads them, staff included)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select

from chapters import authz
from chapters.authz import Action
from chapters.db.loaders import Reader
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.models.notification import Notification
from chapters.notifications.preferences import Preferences, locale_of, preferences_of

NEWEST_FIRST = Ordering((Notification.created_at, Notification.id), descending=True)


def _require_own(reader: Reader, person_id: uuid.UUID) -> None:
    authz.require(reader.principal, Action.NOTIFICATION_MANAGE_OWN, person_id=person_id)


async def notifications(
    reader: Reader, person_id: uuid.UUID, unread_only: bool, args: PageArgs
) -> Page[Notification]:
    """The person's notifications, newest first (only the unread ones, ``unread_only``)."""
    _require_own(reader, person_id)
    statement = select(Notification).where(Notification.person_id == person_id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return await paginate(reader.session, statement, NEWEST_FIRST, args)


async def unread_count(reader: Reader, person_id: uuid.UUID) -> int:
    _require_own(reader, person_id)
    count = await reader.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.person_id == person_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def notification(reader: Reader, notification_id: uuid.UUID | None) -> Notification | None:
    """One of the caller's own notifications by id (None for anyone else's: not theirs to see)."""
    principal = reader.principal
    if notification_id is None or principal is None or principal.person_id is None:
        return None
    if not authz.can(principal, Action.NOTIFICATION_MANAGE_OWN, person_id=principal.person_id):
        return None
    row: Notification | None = await reader.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.person_id == principal.person_id
        )
    )
    return row


async def notifications_by_id(
    reader: Reader, person_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[Notification]:
    """The person's notifications among ``ids``, in that order."""
    _require_own(reader, person_id)
    rows = await reader.session.scalars(
        select(Notification).where(Notification.person_id == person_id, Notification.id.in_(ids))
    )
    found = {row.id: row for row in rows}
    return [found[i] for i in ids if i in found]


async def locale(reader: Reader, person_id: uuid.UUID) -> str:
    """The language the person's messages are written in."""
    _require_own(reader, person_id)
    return await locale_of(reader.session, person_id)


async def preferences(reader: Reader, person_id: uuid.UUID) -> Preferences:
    _require_own(reader, person_id)
    return await preferences_of(reader.session, person_id)

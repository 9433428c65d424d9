"""What a person wants to be told, and in which language (read by mail and notifications).

Everything is on until the person turns it off (``NotificationPreference``: the kinds off by
mail and in the app), so kinds added later reach people too. Essential mail (a registration's
confirmation link, an invitation) is always sent. A message's language is the person's choice
of this page, else their profile's, else the tenant's (one of ``kinds.LOCALES``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import Person, Tenant
from chapters.models.notification import NotificationPreference
from chapters.notifications.kinds import (
    CHANNELS,
    DEFAULT_LOCALE,
    ESSENTIAL,
    Channel,
    MessageKind,
    kind_named,
    supported_locale,
)
from chapters.tenancy import bound_tenant


@dataclass(frozen=True)
class Preferences:
    """A person's choices (no row yet: everything on, no language chosen)."""

    locale: str | None = None
    email_off: frozenset[MessageKind] = field(default_factory=frozenset)
    in_app_off: frozenset[MessageKind] = field(default_factory=frozenset)

    def wants(self, kind: MessageKind, channel: Channel) -> bool:
        if channel not in CHANNELS[kind]:
            return False
        if channel == Channel.EMAIL:
            return kind in ESSENTIAL or kind not in self.email_off
        return kind not in self.in_app_off


def _kinds(names: Collection[str]) -> frozenset[MessageKind]:
    return frozenset(kind for name in names if (kind := kind_named(name)) is not None)


def preferences_from_row(row: NotificationPreference | None) -> Preferences:
    if row is None:
        return Preferences()
    return Preferences(row.locale, _kinds(row.email_off or ()), _kinds(row.in_app_off or ()))


async def preferences_of(session: AsyncSession, person_id: uuid.UUID) -> Preferences:
    row = await session.scalar(
        select(NotificationPreference).where(NotificationPreference.person_id == person_id)
    )
    return preferences_from_row(row)


def _kind(kind: MessageKind | str) -> MessageKind | None:
    return kind if isinstance(kind, MessageKind) else kind_named(kind)


async def mail_wanted(session: AsyncSession, person_id: uuid.UUID, kind: str) -> bool:
    """Whether the person wants mail of this kind (a ``MessageKind`` or its value). Essential
    kinds, and kinds this list does not know, are always wanted."""
    message_kind = _kind(kind)
    if message_kind is None or message_kind in ESSENTIAL:
        return True
    off = await session.scalar(
        select(NotificationPreference.email_off).where(
            NotificationPreference.person_id == person_id
        )
    )
    return message_kind.value not in (off or ())


async def mail_wanted_by(
    session: AsyncSession, person_ids: Collection[uuid.UUID], kind: MessageKind | str
) -> set[uuid.UUID]:
    """Those of ``person_ids`` who want mail of this kind (one statement for many people)."""
    return await _wanting(session, person_ids, kind, Channel.EMAIL)


async def in_app_wanted_by(
    session: AsyncSession, person_ids: Collection[uuid.UUID], kind: MessageKind | str
) -> set[uuid.UUID]:
    """Those of ``person_ids`` who want this kind in the app."""
    return await _wanting(session, person_ids, kind, Channel.IN_APP)


async def _wanting(
    session: AsyncSession,
    person_ids: Collection[uuid.UUID],
    kind: MessageKind | str,
    channel: Channel,
) -> set[uuid.UUID]:
    wanted = set(person_ids)
    message_kind = _kind(kind)
    if not wanted or message_kind is None:
        return wanted
    if channel == Channel.EMAIL and message_kind in ESSENTIAL:
        return wanted
    column = (
        NotificationPreference.email_off
        if channel == Channel.EMAIL
        else NotificationPreference.in_app_off
    )
    refused = await session.scalars(
        select(NotificationPreference.person_id).where(
            NotificationPreference.person_id.in_(wanted),
            column.any_() == message_kind.value,
        )
    )
    return wanted - set(refused)


async def locale_of(session: AsyncSession, person_id: uuid.UUID | None) -> str:
    """The language of the person's messages: their choice here, else their profile's, else
    the tenant's (each only if messages are written in it), else English. One statement."""
    tenant_id = bound_tenant(session.sync_session)
    statement = (
        select(NotificationPreference.locale, Person.locale, Tenant.default_locale)
        .select_from(Tenant)
        .outerjoin(Person, and_(Person.tenant_id == Tenant.id, Person.id == person_id))
        .outerjoin(
            NotificationPreference,
            and_(
                NotificationPreference.tenant_id == Tenant.id,
                NotificationPreference.person_id == person_id,
            ),
        )
        .where(Tenant.id == tenant_id)
    )
    row = (await session.execute(statement)).first()
    for candidate in row or ():
        if (locale := supported_locale(candidate)) is not None:
            return locale
    return DEFAULT_LOCALE

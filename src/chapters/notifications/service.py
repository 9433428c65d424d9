"""Marking one's notifications read, and setting one's notification preferences
(``NOTIFICATION_MANAGE_OWN``: a person acts on their own only)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change
from chapters.db.session import flush_unique
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models.notification import Notification, NotificationPreference
from chapters.notifications.kinds import (
    CHANNELS,
    ESSENTIAL,
    LOCALES,
    Channel,
    MessageKind,
    kind_named,
    supported_locale,
)
from chapters.notifications.preferences import Preferences, preferences_from_row

MAX_IDS = 100


def caller(principal: Principal | None) -> Principal:
    """The caller, if a person acting on their own notifications (FORBIDDEN otherwise)."""
    person_id = principal.person_id if principal is not None else None
    return authz.require_caller(principal, Action.NOTIFICATION_MANAGE_OWN, person_id=person_id)


def _person(principal: Principal) -> uuid.UUID:
    person_id = caller(principal).person_id
    assert person_id is not None  # SELF holds for people only
    return person_id


@dataclass(frozen=True)
class MarkedRead:
    marked: int  # read now (those read before keep their time)
    notifications: list[Notification]  # the ones named, in order (none with ``all``)
    unread: int  # left unread


async def mark_read(
    session: AsyncSession,
    principal: Principal,
    ids: Sequence[uuid.UUID] | None,
    everything: bool,
) -> MarkedRead:
    """Mark the caller's notifications ``ids`` read, or all of them. An id that names no
    notification of the caller's is NOT_FOUND (another person's answers the same), and then
    none is marked."""
    person_id = _person(principal)
    if everything and ids:
        raise InvalidInput(FieldError("all", ErrorCode.INVALID, "Give ids or all, not both"))
    if not everything and not ids:
        raise InvalidInput(
            FieldError("ids", ErrorCode.REQUIRED, "Give the notifications' ids, or all: true")
        )
    mine = Notification.person_id == person_id
    named: list[uuid.UUID] = []
    if not everything:
        assert ids is not None
        if len(ids) > MAX_IDS:
            raise InvalidInput(
                FieldError("ids", ErrorCode.INVALID, f"At most {MAX_IDS} ids at once")
            )
        named = list(dict.fromkeys(ids))
        found = set(
            await session.scalars(select(Notification.id).where(mine, Notification.id.in_(named)))
        )
        missing = [
            FieldError(f"ids.{index}", ErrorCode.NOT_FOUND, "Notification not found")
            for index, notification_id in enumerate(ids)
            if notification_id not in found
        ]
        if missing:
            raise InvalidInput(*missing)
    statement = (
        update(Notification)
        .where(mine, Notification.read_at.is_(None))
        .values(read_at=func.now())
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    if named:
        statement = statement.where(Notification.id.in_(named))
    marked = len((await session.execute(statement)).all())
    rows: list[Notification] = []
    if named:
        loaded = await session.scalars(
            select(Notification)
            .where(mine, Notification.id.in_(named))
            .execution_options(populate_existing=True)
        )
        by_id = {row.id: row for row in loaded}
        rows = [by_id[notification_id] for notification_id in named]
    unread = await session.scalar(
        select(func.count()).select_from(Notification).where(mine, Notification.read_at.is_(None))
    )
    return MarkedRead(marked=marked, notifications=rows, unread=int(unread or 0))


@dataclass(frozen=True)
class KindChoice:
    """What to change for one kind: ``kind`` as a client names it; None: leave as it is."""

    kind: str
    email: bool | None = None
    in_app: bool | None = None


def _checked_choices(
    choices: Sequence[KindChoice],
) -> tuple[list[tuple[MessageKind, KindChoice]], list[FieldError]]:
    errors: list[FieldError] = []
    checked: list[tuple[MessageKind, KindChoice]] = []
    seen: set[MessageKind] = set()
    if len(choices) > len(MessageKind):
        errors.append(
            FieldError("kinds", ErrorCode.INVALID, f"At most {len(MessageKind)} kinds at once")
        )
        return checked, errors
    for index, choice in enumerate(choices):
        at = f"kinds.{index}"
        kind = kind_named(choice.kind)
        if kind is None:
            known = ", ".join(k.value for k in MessageKind)
            errors.append(
                FieldError(f"{at}.kind", ErrorCode.INVALID, f"Unknown kind: use one of {known}")
            )
            continue
        if kind in seen:
            errors.append(FieldError(f"{at}.kind", ErrorCode.INVALID, f"{kind.value} given twice"))
            continue
        seen.add(kind)
        if choice.email is not None and Channel.EMAIL not in CHANNELS[kind]:
            errors.append(
                FieldError(f"{at}.email", ErrorCode.INVALID, f"{kind.value} is not sent by mail")
            )
        elif choice.email is False and kind in ESSENTIAL:
            errors.append(
                FieldError(
                    f"{at}.email",
                    ErrorCode.INVALID,
                    f"{kind.value} is essential: its mail is always sent",
                )
            )
        if choice.in_app is not None and Channel.IN_APP not in CHANNELS[kind]:
            errors.append(
                FieldError(
                    f"{at}.in_app", ErrorCode.INVALID, f"{kind.value} is not shown in the app"
                )
            )
        checked.append((kind, choice))
    return checked, errors


def _checked_locale(locale: Change[str | None]) -> tuple[Change[str | None], list[FieldError]]:
    if locale is UNSET or locale is None:
        return locale, []
    supported = supported_locale(locale) if len(locale) <= 16 else None
    if supported is None:
        message = f"Messages are written in {', '.join(LOCALES)}: use one of them"
        return UNSET, [FieldError("locale", ErrorCode.INVALID, message)]
    return supported, []


def _switched(current: list[str] | None, kind: MessageKind, on: bool | None) -> list[str]:
    off = set(current or ())
    if on is True:
        off.discard(kind.value)
    elif on is False:
        off.add(kind.value)
    return sorted(off)


async def update_preferences(
    session: AsyncSession,
    principal: Principal,
    *,
    locale: Change[str | None] = UNSET,
    kinds: Sequence[KindChoice] = (),
) -> Preferences:
    """Set the caller's language (None: their profile's, else the tenant's) and turn kinds on
    or off by mail and in the app; all valid or nothing changes."""
    person_id = _person(principal)
    checked, errors = _checked_choices(kinds)
    locale, locale_errors = _checked_locale(locale)
    errors = locale_errors + errors
    if errors:
        raise InvalidInput(*errors)
    row = await session.scalar(
        select(NotificationPreference)
        .where(NotificationPreference.person_id == person_id)
        .with_for_update()
    )
    if row is None:
        row = NotificationPreference(person_id=person_id, email_off=[], in_app_off=[])
        session.add(row)
    if locale is not UNSET:
        row.locale = locale
    email_off, in_app_off = list(row.email_off or ()), list(row.in_app_off or ())
    for kind, choice in checked:
        email_off = _switched(email_off, kind, choice.email)
        in_app_off = _switched(in_app_off, kind, choice.in_app)
    if email_off != sorted(row.email_off or ()):
        row.email_off = email_off
    if in_app_off != sorted(row.in_app_off or ()):
        row.in_app_off = in_app_off
    await flush_unique(
        session,
        {
            "uq_notification_preferences_tenant_id_person_id": FieldError(
                None, ErrorCode.CONFLICT, "Your preferences changed meanwhile: try again"
            )
        },
    )
    return preferences_from_row(row)

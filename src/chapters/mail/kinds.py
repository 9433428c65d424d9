"""The kinds of mail: the message kinds people's preferences name (``MessageKind``, one list
with the in-app notifications), plus the confirmation outbox's own, and which are essential."""

from __future__ import annotations

import enum
from typing import TypeAlias

from chapters.models.notification import ESSENTIAL_KINDS, MessageKind
from chapters.notifications.kinds import CHANNELS, Channel

__all__ = [
    "ESSENTIAL",
    "FROM_OUTBOX",
    "MAILED",
    "MailKind",
    "MessageKind",
    "OutboxKind",
    "is_essential",
]


class OutboxKind(enum.StrEnum):
    """Mail of the confirmation outbox (``chapters.outbox``): an email change, always sent."""

    EMAIL_CHANGE_CONFIRMATION = "email_change_confirmation"
    EMAIL_CHANGE_NOTICE = "email_change_notice"


MailKind: TypeAlias = MessageKind | OutboxKind

# Every kind that goes out as mail (each has its templates).
MAILED: tuple[MailKind, ...] = (
    *(kind for kind in MessageKind if Channel.EMAIL in CHANNELS[kind]),
    *OutboxKind,
)

# Mail a person needs to act on, or that carries what they asked for: always sent, no
# unsubscribe link. Everything else follows preferences and one-click unsubscribes.
ESSENTIAL: frozenset[MailKind] = frozenset({*ESSENTIAL_KINDS, *OutboxKind})

# Kinds of the confirmation outbox that go out as mail. The outbox's chapter invitation does
# not: invitations are mailed from the ``membership.invited`` event (with the invitee's
# language), and mailing both would send two.
FROM_OUTBOX: frozenset[str] = frozenset(kind.value for kind in OutboxKind)


def is_essential(kind: str) -> bool:
    return kind in ESSENTIAL

"""Every kind of message a person can be told: by mail (``chapters.mail``), in the app
(``chapters.notifications``), or both. One list, so that a person's preferences name the same
kinds whichever channel carries them.

The kinds themselves are ``MessageKind`` (``chapters.models.notification``: the tables store
them). Essential kinds carry something the person asked for or must act on (a registration's
confirmation link, an invitation, an activity they registered for cancelled or moved): their
mail is always sent, whatever the preferences say.
"""

from __future__ import annotations

import enum

from chapters.models.notification import ESSENTIAL_KINDS, MessageKind

__all__ = ["CHANNELS", "DESCRIPTIONS", "ESSENTIAL", "LOCALES", "Channel", "MessageKind"]


class Channel(enum.StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"


# Mail that is always sent: the person asked for it or cannot act without it.
ESSENTIAL: frozenset[MessageKind] = ESSENTIAL_KINDS

_BOTH = frozenset({Channel.EMAIL, Channel.IN_APP})
_MAIL = frozenset({Channel.EMAIL})
_APP = frozenset({Channel.IN_APP})

# Which channels carry each kind (what a person can choose between).
CHANNELS: dict[MessageKind, frozenset[Channel]] = {
    MessageKind.CHAPTER_INVITATION: _BOTH,
    MessageKind.REGISTRATION_CONFIRMATION: _MAIL,
    MessageKind.REGISTRATION_RECEIVED: _MAIL,
    MessageKind.REGISTRATION_WAITLISTED: _MAIL,
    MessageKind.WAITLIST_PROMOTION: _BOTH,
    MessageKind.ACTIVITY_REMINDER: _MAIL,
    MessageKind.RECAP_PUBLISHED: _BOTH,
    MessageKind.CHANGES_REQUESTED: _BOTH,
    MessageKind.ACTIVITY_ACCEPTED: _BOTH,
    MessageKind.RECAP_OVERDUE: _MAIL,
    MessageKind.OPS_DIGEST: _MAIL,
    MessageKind.CERTIFICATE_ISSUED: _MAIL,
    MessageKind.ACTIVITY_CANCELLED: _BOTH,
    MessageKind.ACTIVITY_RESCHEDULED: _BOTH,
    MessageKind.AGREEMENT_RENEWAL_DUE: _BOTH,
    MessageKind.ROLE_CHANGED: _APP,
    MessageKind.CHAPTER_STATUS_CHANGED: _APP,
    MessageKind.CFP_DEADLINE_DUE: _APP,
    MessageKind.AUTHOR_FOLLOW_UP_DUE: _APP,
    MessageKind.ARTICLE_STATUS_CHANGED: _APP,
}

DESCRIPTIONS: dict[MessageKind, str] = {
    MessageKind.CHAPTER_INVITATION: "You were invited to a chapter.",
    MessageKind.REGISTRATION_CONFIRMATION: "The link that confirms a registration by email.",
    MessageKind.REGISTRATION_RECEIVED: "Your registration for an activity was received.",
    MessageKind.REGISTRATION_WAITLISTED: "The activity was full: you are on its waitlist.",
    MessageKind.WAITLIST_PROMOTION: "You got a seat from the waitlist.",
    MessageKind.ACTIVITY_REMINDER: "The day before an activity you registered for.",
    MessageKind.RECAP_PUBLISHED: "The recap of an activity you registered for.",
    MessageKind.CHANGES_REQUESTED: "Central ops asked for changes to an activity you run.",
    MessageKind.ACTIVITY_ACCEPTED: "Central ops accepted an activity you run.",
    MessageKind.RECAP_OVERDUE: "An activity you run still has no recap.",
    MessageKind.OPS_DIGEST: "Central ops' digest of overdue recaps.",
    MessageKind.CERTIFICATE_ISSUED: "A certificate was issued to you.",
    MessageKind.ACTIVITY_CANCELLED: "An activity you registered for was cancelled.",
    MessageKind.ACTIVITY_RESCHEDULED: "An activity you registered for moved to a new time.",
    MessageKind.AGREEMENT_RENEWAL_DUE: "A partner agreement comes up for renewal (staff).",
    MessageKind.ROLE_CHANGED: "Your role in a chapter changed.",
    MessageKind.CHAPTER_STATUS_CHANGED: "The status of a chapter you lead changed.",
    MessageKind.CFP_DEADLINE_DUE: "A conference's call for papers closes soon (staff).",
    MessageKind.AUTHOR_FOLLOW_UP_DUE: "An author asked to write has not answered (editors).",
    MessageKind.ARTICLE_STATUS_CHANGED: (
        "An article you write moved on (reviewed, scheduled, published)."
    ),
}

# The languages messages are written in (a person's choice, else the tenant's).
LOCALES: tuple[str, ...] = ("en", "zh")
DEFAULT_LOCALE = "en"


def kind_named(name: str) -> MessageKind | None:
    """The kind a client names, by value or enum name, in any case (``recap_published``,
    ``RECAP_PUBLISHED``); None if there is none."""
    folded = name.strip().lower()
    return next((kind for kind in MessageKind if kind.value == folded), None)


def supported_locale(locale: str | None) -> str | None:
    """``locale`` as one of ``LOCALES`` (``zh-CN`` → ``zh``), or None."""
    if not locale:
        return None
    language = locale.strip().replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else None

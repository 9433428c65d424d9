"""What this domain does when an event happens (called by ``chapters.events.dispatch``):
the messages the event means, keyed by the event's id and the recipient, so a dispatch run
again adds nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.activities.announcements import (
    activity_now,
    chapter_name,
    moment,
    move_reason,
    step_reason,
)
from chapters.events.catalog import EventType
from chapters.events.dispatch import Event
from chapters.mail.kinds import MessageKind
from chapters.mail.render import link_label, when
from chapters.mail.service import (
    Draft,
    Recipient,
    Registrant,
    activity_context,
    chapter_leads,
    current_settings,
    drafts_for,
    queue_mail,
    registrant_recipient,
    registrants,
    registration_links,
    registration_with_recipient,
    tenant_of,
)
from chapters.models import (
    Activity,
    ActivityLink,
    ActivityRecapVersion,
    ActivityStatus,
    Chapter,
    ChapterMembership,
    LinkKind,
    Person,
    Registration,
    RegistrationStatus,
)
from chapters.notifications.preferences import locale_of
from chapters.registrations.service import EXPECTED

# Recap links worth a line in the recap mail, in this order.
_RECAP_LINK_ORDER = [
    LinkKind.RECORDING,
    LinkKind.SLIDES,
    LinkKind.ARTICLE,
    LinkKind.EPISODE,
    LinkKind.PHOTOS,
    LinkKind.OTHER,
]


async def on_event(session: AsyncSession, event: Event) -> None:
    handler = _HANDLERS.get(event.type)
    if handler is not None:
        await handler(session, event)


async def _review_step(session: AsyncSession, event: Event) -> None:
    activity = await activity_now(session, event.activity_id)
    if activity is None:
        return
    comment = await step_reason(session, activity.id, event.data.get("to_status"))
    kind = (
        MessageKind.CHANGES_REQUESTED
        if event.type == EventType.ACTIVITY_CHANGES_REQUESTED
        else MessageKind.ACTIVITY_ACCEPTED
    )
    context = {**activity_context(activity), "comment": comment}
    leads = await chapter_leads(session, activity.chapter_id)
    await queue_mail(session, drafts_for(leads, kind, str(event.id), context))


async def _recap_published(session: AsyncSession, event: Event) -> None:
    activity = await activity_now(session, event.activity_id)
    if activity is None:
        return
    number = event.data.get("recap_version")
    version = await session.scalar(
        select(ActivityRecapVersion)
        .where(
            ActivityRecapVersion.activity_id == activity.id,
            *([ActivityRecapVersion.number == number] if number is not None else []),
        )
        .order_by(ActivityRecapVersion.number.desc())
        .limit(1)
    )
    summary = version.summary if version is not None else (activity.recap_summary or "")
    raw_links: list[dict[str, Any]] = list(version.links) if version is not None else []
    if not raw_links:
        rows = await session.scalars(
            select(ActivityLink)
            .where(ActivityLink.activity_id == activity.id)
            .order_by(ActivityLink.created_at)
        )
        raw_links = [
            {"kind": row.kind.value, "url": row.url, "title": row.title}
            for row in rows
            if row.kind != LinkKind.REGISTRATION
        ]
    order = {kind.value: position for position, kind in enumerate(_RECAP_LINK_ORDER)}
    raw_links.sort(key=lambda item: order.get(str(item.get("kind")), len(order)))
    common = {
        **activity_context(activity),
        "summary": summary,
        "revised": version is not None and version.number > 1,
    }
    drafts = []
    locales: dict[uuid.UUID | None, str] = {}
    contexts: dict[str, dict[str, Any]] = {}
    for registrant in await registrants(session, activity.id):
        recipient = registrant.recipient
        locale = recipient.locale
        if locale is None:
            if recipient.person_id not in locales:
                locales[recipient.person_id] = await locale_of(session, recipient.person_id)
            locale = locales[recipient.person_id]
        if locale not in contexts:  # one context per language: rendered once each
            labelled = [
                {
                    "label": link_label(locale, str(item.get("kind", "other"))),
                    "url": item["url"],
                    "title": item.get("title"),
                }
                for item in raw_links
                if item.get("url")
            ]
            contexts[locale] = {**common, "links": labelled}
        drafts.append(
            Draft(
                MessageKind.RECAP_PUBLISHED,
                str(event.id),
                recipient.email,
                contexts[locale],
                person_id=recipient.person_id,
                recipient_name=recipient.name,
                locale=locale,
            )
        )
    await queue_mail(session, drafts)


async def _expected_registrants(session: AsyncSession, activity_id: uuid.UUID) -> list[Registrant]:
    rows = await session.execute(
        select(Registration, Person.email, Person.display_name)
        .outerjoin(Person, Person.id == Registration.person_id)
        .where(
            Registration.activity_id == activity_id,
            Registration.status.in_(EXPECTED),
            Registration.erased_at.is_(None),
        )
        .order_by(Registration.created_at)
    )
    found = []
    for registration, person_email, person_name in rows:
        recipient = registrant_recipient(registration, person_email, person_name)
        if recipient is not None:
            found.append(Registrant(registration, recipient))
    return found


async def _cancelled(session: AsyncSession, event: Event) -> None:
    activity = await activity_now(session, event.activity_id)
    if activity is None:
        return
    context = {
        **activity_context(activity),
        "chapter": await chapter_name(session, activity.chapter_id),
        "reason": await step_reason(session, activity.id, ActivityStatus.CANCELLED),
    }
    told = [
        registrant.recipient for registrant in await _expected_registrants(session, activity.id)
    ]
    await queue_mail(
        session, drafts_for(told, MessageKind.ACTIVITY_CANCELLED, str(event.id), context)
    )


async def _rescheduled(session: AsyncSession, event: Event) -> None:
    activity = await activity_now(session, event.activity_id)
    if activity is None or activity.status == ActivityStatus.CANCELLED:
        return  # cancelled since: its cancellation is the news, not a time it will not have
    # The times this move named (the activity may have moved again since: that move has its
    # own message), shown in the activity's own time zone.
    starts = moment(event.data.get("to_starts_at")) or activity.starts_at
    ends = moment(event.data.get("to_ends_at"))
    was_starts = moment(event.data.get("from_starts_at"))
    was_ends = moment(event.data.get("from_ends_at"))
    about = activity_context(activity)["activity"]
    common = {
        "activity": {**about, "when": when(starts, ends, activity.timezone)},
        "previous_when": when(was_starts, was_ends, activity.timezone) if was_starts else None,
        "chapter": await chapter_name(session, activity.chapter_id),
        "reason": await move_reason(session, activity.id, event.data),
    }
    tenant = await tenant_of(session)
    drafts = [
        Draft(
            MessageKind.ACTIVITY_RESCHEDULED,
            str(event.id),
            registrant.recipient.email,
            {
                **common,
                "cancel_url": registration_links(tenant.slug, registrant.registration.id)[1],
            },
            person_id=registrant.recipient.person_id,
            recipient_name=registrant.recipient.name,
            locale=registrant.recipient.locale,
        )
        for registrant in await _expected_registrants(session, activity.id)
    ]
    await queue_mail(session, drafts)


async def _invited(session: AsyncSession, event: Event) -> None:
    membership_id = event.data.get("membership_id")
    if membership_id is None or event.chapter_id is None:
        return
    row = (
        await session.execute(
            select(ChapterMembership, Person, Chapter.name)
            .join(Person, Person.id == ChapterMembership.person_id)
            .join(Chapter, Chapter.id == ChapterMembership.chapter_id)
            .where(ChapterMembership.id == uuid.UUID(membership_id))
        )
    ).first()
    if row is None:
        return
    membership, person, chapter_name = row
    inviter = None
    if event.actor_id is not None:
        inviter = await session.scalar(
            select(Person.display_name).where(Person.id == event.actor_id)
        )
    tenant = await tenant_of(session)
    settings = current_settings()
    recipient = Recipient(membership.invited_email or person.email, person.id, person.display_name)
    context = {
        "chapter": chapter_name,
        "invited_by": inviter,
        "role": None,
        "sign_in_url": f"{settings.public_url}/t/{tenant.slug}/",
    }
    await queue_mail(
        session, drafts_for([recipient], MessageKind.CHAPTER_INVITATION, str(event.id), context)
    )


async def _registration(session: AsyncSession, event: Event) -> None:
    registration_id = event.data.get("registration_id") or event.subject_id
    found = await registration_with_recipient(session, uuid.UUID(str(registration_id)))
    if found is None:
        return
    registration = found.registration
    # What the event says happened, not what the row says now: a registration confirmed and
    # cancelled since still had its confirmation mail owed when the event was written.
    status = RegistrationStatus(event.data.get("status", registration.status.value))
    if event.type == EventType.REGISTRATION_PROMOTED:
        kind = MessageKind.WAITLIST_PROMOTION
    elif status == RegistrationStatus.PENDING:
        kind = MessageKind.REGISTRATION_CONFIRMATION
    elif status == RegistrationStatus.CONFIRMED:
        kind = MessageKind.REGISTRATION_RECEIVED
    elif status == RegistrationStatus.WAITLISTED:
        kind = MessageKind.REGISTRATION_WAITLISTED
    else:
        return
    if registration.status == RegistrationStatus.CANCELLED:
        return  # cancelled before the mail went out: nothing to tell
    activity = await session.scalar(select(Activity).where(Activity.id == registration.activity_id))
    if activity is None or activity.status == ActivityStatus.CANCELLED:
        # cancelled before this mail went out: the cancellation mail is the news, and "you
        # are registered" or "a seat is yours" would say otherwise
        return
    tenant = await tenant_of(session)
    confirm_url, cancel_url = registration_links(tenant.slug, registration.id)
    context = {
        **activity_context(activity),
        "code": registration.code,
        "confirm_url": confirm_url,
        "cancel_url": cancel_url,
    }
    await queue_mail(session, drafts_for([found.recipient], kind, str(event.id), context))


_HANDLERS = {
    EventType.ACTIVITY_CHANGES_REQUESTED: _review_step,
    EventType.ACTIVITY_ACCEPTED: _review_step,
    EventType.ACTIVITY_RECAP_PUBLISHED: _recap_published,
    EventType.ACTIVITY_CANCELLED: _cancelled,
    EventType.ACTIVITY_RESCHEDULED: _rescheduled,
    EventType.MEMBERSHIP_INVITED: _invited,
    EventType.REGISTRATION_CREATED: _registration,
    EventType.REGISTRATION_CONFIRMED: _registration,
    EventType.REGISTRATION_PROMOTED: _registration,
}

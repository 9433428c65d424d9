"""Registrations for accepted activities: register, confirm, cancel, check in, erase.

Decisions:

- Only an accepted activity that has not ended, whose registration is open, takes
  registrations. A signed-in person registers as themself (``REGISTRATION_REGISTER``); where
  the owning chapter allows public registration, anyone registers with a name and an email:
  that registration is ``pending`` and takes no seat until the email is confirmed through the
  signed link mailed to it (``links.py``).
- Seats: ``confirmed`` registrations hold them. Once they reach the capacity, newcomers are
  ``waitlisted`` (``waitlisted_at`` is their place in the queue); a cancellation, or a larger
  capacity, promotes the first of them in order. Every change of an activity's seats locks
  the activity row first (``SELECT … FOR UPDATE``), so two registrations racing for the last
  seat are counted one after the other: one gets it, the other waits in the queue.
- No account enumeration: a public registration never looks the email up among people,
  and answers the same (after the same minimum time, ``limits.uniform``) whether or not the
  address already holds a registration for the activity; only the mail differs.
- Registrants' names and addresses are the activity's organisers' and staff's
  (``REGISTRATION_READ``); others see counts; a person sees their own registrations.
- Check-in (``REGISTRATION_CHECK_IN``) takes the registration's short code (also in its QR
  code), is idempotent, and marks attendance: a checked-in person counts as active in the
  insight figures (``insight/evidence.py``).
- Erasing a registrant (``REGISTRATION_ERASE``) blanks the name, address, locale and person
  link, keeps the row (its status and check-in count), and removes those fields from the
  registration's audit entries.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.activities import service as activities
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET
from chapters.errors import ErrorCode, FieldError, Forbidden, InvalidInput, NotFound
from chapters.mail.service import forget_recipient
from chapters.models import Activity, ActivityStatus, Chapter, Registration, RegistrationStatus
from chapters.registrations import links
from chapters.validation import check_email, check_locale, is_storable, required_text

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or off a phone is not mistaken.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
NAME_LIMIT = 200
MAX_CAPACITY = 1_000_000
LIVE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
# Who is expected at the activity, so told when it is cancelled or moved: whoever holds a seat
# or waits for one. A public registration still waiting for its email to be confirmed holds
# neither (its registrant may never confirm); a cancelled one is no longer expected.
EXPECTED = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
# Counts one registration attempt for the activity, or refuses it (``limits.admit``).
Admit = Callable[[uuid.UUID], Awaitable[None]]
WAITLIST_ORDER = (Registration.waitlisted_at, Registration.created_at, Registration.id)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _conflict(field: str | None, message: str) -> InvalidInput:
    return InvalidInput(FieldError(field, ErrorCode.CONFLICT, message))


def normalized_code(code: str) -> str:
    """A code as typed: case, spaces and dashes do not matter."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# -- the activity and its seats --------------------------------------------------------------


async def open_activity(
    session: AsyncSession, principal: Principal | None, activity_id: uuid.UUID, field: str
) -> Activity:
    """The activity, locked, if it takes registrations now (else a typed error)."""
    activity = await activities.get_activity(session, principal, activity_id, field, lock=True)
    refusal = registration_refusal(activity, utc_now())
    if refusal is not None:
        raise _conflict(field, refusal)
    return activity


def registration_refusal(activity: Activity, now: datetime) -> str | None:
    """Why the activity takes no registration now; None when it does."""
    if activity.status != ActivityStatus.ACCEPTED:
        return "Only accepted activities take registrations"
    if activities.has_ended(activity, now):
        return "The activity has ended"
    if not activity.registration_open:
        return "Registration for this activity is closed"
    return None


async def seats_taken(session: AsyncSession, activity_id: uuid.UUID) -> int:
    taken = await session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.activity_id == activity_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return int(taken or 0)


def _has_room(activity: Activity, taken: int) -> bool:
    return activity.capacity is None or taken < activity.capacity


async def _unique_code(session: AsyncSession, activity_id: uuid.UUID) -> str:
    """A code no other registration of the activity has (the activity is locked)."""
    while True:
        code = new_code()
        clash = await session.scalar(
            select(Registration.id).where(
                Registration.activity_id == activity_id, Registration.code == code
            )
        )
        if clash is None:
            return code


async def _take_seat_or_queue(
    session: AsyncSession, activity: Activity, registration: Registration, now: datetime
) -> None:
    """Confirm the registration if a seat is free, else put it at the end of the waitlist
    (the caller holds the activity's lock)."""
    if _has_room(activity, await seats_taken(session, activity.id)):
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at = now


async def fill_seats(session: AsyncSession, activity: Activity) -> list[Registration]:
    """Promote the first waitlisted registrations, in order, while seats are free (the caller
    holds the activity's lock); the promoted ones. Nobody is promoted to a cancelled activity:
    there is no seat to give."""
    if activity.status == ActivityStatus.CANCELLED:
        return []
    await session.flush()
    taken = await seats_taken(session, activity.id)
    free = None if activity.capacity is None else activity.capacity - taken
    if free is not None and free <= 0:
        return []
    statement = (
        select(Registration)
        .where(
            Registration.activity_id == activity.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(*WAITLIST_ORDER)
    )
    if free is not None:
        statement = statement.limit(free)
    promoted = list(await session.scalars(statement.with_for_update()))
    now = utc_now()
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
    await session.flush()
    return promoted


# -- registering ----------------------------------------------------------------------------


async def _no_limit(activity_id: uuid.UUID) -> None:
    return None


async def register(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    admit: Admit = _no_limit,
) -> Registration:
    """The signed-in caller registers for the activity: a seat, or a place on the waitlist.
    ``admit`` counts the attempt against the abuse limits (``limits.admit``), once the
    request is known to be a registration the caller may make."""
    caller = authz.require_caller(principal, Action.REGISTRATION_REGISTER)
    if caller.person_id is None:
        raise Forbidden(Action.REGISTRATION_REGISTER.value)
    activity = await open_activity(session, principal, activity_id, "activity_id")
    await admit(activity.id)
    existing = await session.scalar(
        select(Registration.id).where(
            Registration.activity_id == activity.id,
            Registration.person_id == caller.person_id,
            Registration.status.in_(LIVE),
        )
    )
    if existing is not None:
        raise _conflict("activity_id", "You are registered for this activity already")
    now = utc_now()
    registration = Registration(
        activity_id=activity.id,
        person_id=caller.person_id,
        code=await _unique_code(session, activity.id),
        status=RegistrationStatus.PENDING,
    )
    await _take_seat_or_queue(session, activity, registration, now)
    session.add(registration)
    await session.flush()
    return registration


@dataclass(frozen=True)
class PublicEntry:
    name: str
    email: str
    locale: str | None = None


def _checked_entry(entry: PublicEntry) -> PublicEntry:
    errors: list[FieldError] = []
    name, email = entry.name.strip(), entry.email.strip()
    errors += required_text(name, "name", NAME_LIMIT)
    if not email:
        errors.append(FieldError("email", ErrorCode.REQUIRED, "Email cannot be empty"))
    else:
        errors += check_email(email)
    locale = entry.locale.strip() if entry.locale else None
    if locale:
        errors += check_locale(locale, "locale")
    for field, value in (("name", name), ("email", email), ("locale", locale or "")):
        if not is_storable(value):
            errors.append(FieldError(field, ErrorCode.INVALID, "Holds characters not allowed"))
    if errors:
        raise InvalidInput(*errors)
    return PublicEntry(name=name, email=email.lower(), locale=locale or None)


async def register_public(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    entry: PublicEntry,
    admit: Admit = _no_limit,
) -> Registration | None:
    """A registration by name and email, pending until the email is confirmed; None when the
    address holds a registration for the activity already (the caller must not learn which:
    the API answers both the same)."""
    activity = await open_activity(session, principal, activity_id, "activity_id")
    entry = _checked_entry(entry)
    chapter_allows = activity.chapter_id is not None and bool(
        await session.scalar(
            select(Chapter.public_registration).where(Chapter.id == activity.chapter_id)
        )
    )
    if not chapter_allows:
        raise InvalidInput(
            FieldError(
                "activity_id",
                ErrorCode.FORBIDDEN,
                "This activity takes registrations from signed-in people only",
            )
        )
    # Before the address is looked up: a known and an unknown address count the same.
    await admit(activity.id)
    existing = await session.scalar(
        select(Registration.id).where(
            Registration.activity_id == activity.id,
            func.lower(Registration.email) == entry.email,
            Registration.status.in_(LIVE),
        )
    )
    if existing is not None:
        return None
    registration = Registration(
        activity_id=activity.id,
        name=entry.name,
        email=entry.email,
        locale=entry.locale,
        code=await _unique_code(session, activity.id),
        status=RegistrationStatus.PENDING,
    )
    session.add(registration)
    await session.flush()
    return registration


async def _registration_of_link(
    session: AsyncSession, purpose: str, tenant_slug: str, token: str
) -> Registration:
    invalid = InvalidInput(
        FieldError("token", ErrorCode.INVALID, "This link is not valid, or it has expired")
    )
    registration_id = links.registration_of(purpose, tenant_slug, token) if token else None
    if registration_id is None:
        raise invalid
    registration = await session.scalar(
        select(Registration).where(Registration.id == registration_id)
    )
    if registration is None or registration.erased_at is not None:
        raise invalid
    return registration


async def _locked(
    session: AsyncSession, registration: Registration
) -> tuple[Activity, Registration]:
    """The registration's activity locked, then the registration read again under that lock
    (the seats of an activity change one transaction at a time)."""
    activity = await session.scalar(
        select(Activity).where(Activity.id == registration.activity_id).with_for_update()
    )
    if activity is None:
        raise NotFound("Registration", field="id")
    await session.refresh(registration)
    return activity, registration


async def confirm(session: AsyncSession, tenant_slug: str, token: str) -> Registration:
    """Confirm a public registration's email (the link's token): it takes a seat, or a place
    on the waitlist. Confirming again changes nothing."""
    registration = await _registration_of_link(session, links.CONFIRM_PURPOSE, tenant_slug, token)
    activity, registration = await _locked(session, registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise _conflict("token", "This registration was cancelled")
    if registration.status != RegistrationStatus.PENDING:
        return registration
    if activities.has_ended(activity, utc_now()) or activity.status != ActivityStatus.ACCEPTED:
        raise _conflict("token", "The activity no longer takes registrations")
    await _take_seat_or_queue(session, activity, registration, utc_now())
    await session.flush()
    return registration


# -- cancelling -------------------------------------------------------------------------------


async def _cancel(session: AsyncSession, activity: Activity, registration: Registration) -> None:
    if registration.status == RegistrationStatus.CANCELLED:
        return
    held_a_seat = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utc_now()
    await session.flush()
    if held_a_seat:
        await fill_seats(session, activity)


async def get_registration(
    session: AsyncSession, registration_id: uuid.UUID, field: str = "registration_id"
) -> Registration:
    registration = await session.scalar(
        select(Registration).where(Registration.id == registration_id)
    )
    if registration is None:
        raise NotFound("Registration", field=field)
    return registration


async def _may_on_activity(
    session: AsyncSession, principal: Principal | None, action: Action, activity_id: uuid.UUID
) -> bool:
    activity = await session.scalar(select(Activity).where(Activity.id == activity_id))
    return activity is not None and await activities.may_on(session, principal, action, activity)


async def cancel(
    session: AsyncSession, principal: Principal | None, registration_id: uuid.UUID
) -> Registration:
    """Cancel a registration: the registrant's own, or any of an activity one organises
    (``REGISTRATION_READ`` on it). Cancelling again changes nothing."""
    registration = await get_registration(session, registration_id)
    own = (
        principal is not None
        and principal.person_id is not None
        and registration.person_id == principal.person_id
    )
    if not own and not await _may_on_activity(
        session, principal, Action.REGISTRATION_READ, registration.activity_id
    ):
        # Someone else's registration is "not found", like a missing one.
        raise NotFound("Registration", field="registration_id")
    activity, registration = await _locked(session, registration)
    await _cancel(session, activity, registration)
    return registration


async def cancel_by_link(session: AsyncSession, tenant_slug: str, token: str) -> Registration:
    """Cancel through the signed link mailed to the registrant."""
    registration = await _registration_of_link(session, links.CANCEL_PURPOSE, tenant_slug, token)
    activity, registration = await _locked(session, registration)
    await _cancel(session, activity, registration)
    return registration


# -- organisers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    already: bool  # checked in before: nothing changed


async def check_in(
    session: AsyncSession, principal: Principal | None, activity_id: uuid.UUID, code: str
) -> CheckIn:
    """Check the holder of ``code`` in at the activity (idempotent)."""
    activity = await activities.get_activity(session, principal, activity_id, "activity_id")
    caller = await activities.require_on(session, principal, Action.REGISTRATION_CHECK_IN, activity)
    wanted = normalized_code(code) if is_storable(code) else ""
    registration = None
    if wanted and len(wanted) <= 16:
        registration = await session.scalar(
            select(Registration)
            .where(Registration.activity_id == activity.id, Registration.code == wanted)
            .with_for_update()
        )
    if registration is None:
        raise NotFound("Registration with this code", field="code")
    if registration.checked_in_at is not None:
        return CheckIn(registration, already=True)
    if registration.status != RegistrationStatus.CONFIRMED:
        reason = {
            RegistrationStatus.PENDING: "Its email was never confirmed",
            RegistrationStatus.WAITLISTED: "It is on the waitlist, without a seat",
            RegistrationStatus.CANCELLED: "It was cancelled",
        }[registration.status]
        raise _conflict("code", reason)
    registration.checked_in_at = utc_now()
    registration.checked_in_by_id = caller.person_id
    await session.flush()
    return CheckIn(registration, already=False)


async def erase(
    session: AsyncSession, principal: Principal | None, registration_id: uuid.UUID
) -> Registration:
    """Remove a registrant's personal data on request; the row (status, check-in) stays."""
    registration = await get_registration(session, registration_id)
    activity = await session.scalar(select(Activity).where(Activity.id == registration.activity_id))
    if activity is None or not await activities.may_on(
        session, principal, Action.REGISTRATION_READ, activity
    ):
        raise NotFound("Registration", field="registration_id")
    await activities.require_on(session, principal, Action.REGISTRATION_ERASE, activity)
    if registration.erased_at is None:
        if registration.email is not None:
            await forget_recipient(session, registration.email)
        registration.name = None
        registration.email = None
        registration.locale = None
        registration.person_id = None
        registration.erased_at = utc_now()
        await session.flush()
    # After the flush: the erasing update's own entry holds the values it removed.
    await session.execute(
        text(
            "SELECT erase_registration_from_audit(id) FROM registrations"
            " WHERE tenant_id = :tenant_id AND id = :id"
        ),
        {"tenant_id": registration.tenant_id, "id": registration.id},
    )
    return registration


@dataclass(frozen=True)
class RegistrationSettings:
    capacity: int | object | None = UNSET  # None: no limit
    open: bool | None = None


async def update_settings(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    settings: RegistrationSettings,
) -> Activity:
    """Set the activity's capacity and whether it takes registrations (whoever may edit it,
    in any status); a larger capacity promotes from the waitlist at once."""
    activity = await activities.get_activity(
        session, principal, activity_id, "activity_id", lock=True
    )
    await activities.require_on(session, principal, Action.ACTIVITY_EDIT, activity)
    if settings.capacity is not UNSET:
        capacity = settings.capacity
        if capacity is not None and (
            not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY
        ):
            raise InvalidInput(
                FieldError("capacity", ErrorCode.INVALID, f"Between 1 and {MAX_CAPACITY}")
            )
        activity.capacity = capacity
    if settings.open is not None:
        activity.registration_open = settings.open
    await session.flush()
    await fill_seats(session, activity)
    return activity


async def set_public_registration(
    session: AsyncSession, principal: Principal | None, chapter_id: uuid.UUID, allowed: bool
) -> Chapter:
    """Whether anyone may register for the chapter's activities by name and email."""
    chapter = await session.scalar(select(Chapter).where(Chapter.id == chapter_id))
    if chapter is None:
        raise NotFound("Chapter", field="chapter_id")
    authz.require(principal, Action.CHAPTER_UPDATE, chapter_id=chapter.id)
    chapter.public_registration = allowed
    await session.flush()
    return chapter

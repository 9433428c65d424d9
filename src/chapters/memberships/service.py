"""Use cases on chapter memberships. Nothing is ever deleted: each change of role or status
closes the membership's open period and opens the next, so the whole history stays queryable.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.session import flush_unique
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.global_ids import global_id
from chapters.local_chapters.service import get_chapter
from chapters.models import (
    Chapter,
    ChapterMembership,
    ChapterMembershipPeriod,
    ChapterRole,
    MembershipStatus,
    Person,
    PersonStatus,
)
from chapters.outbox import queue_message
from chapters.people.service import find_person_by_email
from chapters.validation import check_email, check_length, required_text

ROLES_BELOW_LEAD = {ChapterRole.CO_LEAD, ChapterRole.MEMBER}
CHAPTER_INVITATION = "chapter_invitation"  # outbox message kind
# Two invitations of one new address at once: the second finds the first's person on a retry.
INVITED_MEANWHILE = FieldError("email", ErrorCode.CONFLICT, "Invited just now; please try again")


def _now(at: datetime | None) -> datetime:
    return at or datetime.now(UTC)


def _actor(principal: Principal | None) -> uuid.UUID | None:
    return principal.person_id if principal else None


async def _lock_roster(session: AsyncSession, chapter_id: uuid.UUID) -> None:
    """Queue this transaction behind any other that changes the chapter's roster, so that
    what it reads next (the current lead, the person's membership) stays true until it
    commits: two requests adding one person, or appointing two leads, at once are served in
    turn instead of colliding on a unique index. FOR NO KEY UPDATE, unlike FOR UPDATE, lets
    other transactions keep inserting rows that merely reference the chapter."""
    await session.execute(
        select(Chapter.id).where(Chapter.id == chapter_id).with_for_update(key_share=True)
    )


async def _open_period(
    session: AsyncSession, membership_id: uuid.UUID
) -> ChapterMembershipPeriod | None:
    return await session.scalar(
        select(ChapterMembershipPeriod).where(
            ChapterMembershipPeriod.membership_id == membership_id,
            ChapterMembershipPeriod.ended_at.is_(None),
        )
    )


async def _transition(
    session: AsyncSession,
    membership: ChapterMembership,
    *,
    role: ChapterRole | None = None,
    status: MembershipStatus | None = None,
    actor_id: uuid.UUID | None,
    reason: str | None,
    at: datetime | None,
) -> ChapterMembership:
    """Change role and/or status, closing the open period and opening the next."""
    when = _now(at)
    current = await _open_period(session, membership.id)
    if current is not None:
        current.ended_at = when
    if role is not None:
        membership.role = role
    if status is not None and status != membership.status:
        if status == MembershipStatus.ACTIVE:
            await _start_stint(session, membership, when)
        elif status == MembershipStatus.LEFT:
            membership.left_at = when
        membership.status = status
    # The open period must be closed (and a demoted lead stored) before the next row goes in.
    await session.flush()
    session.add(
        ChapterMembershipPeriod(
            membership_id=membership.id,
            chapter_id=membership.chapter_id,
            person_id=membership.person_id,
            role=membership.role,
            status=membership.status,
            started_at=when,
            changed_by_id=actor_id,
            reason=reason,
        )
    )
    await session.flush()
    return membership


async def _start_stint(
    session: AsyncSession, membership: ChapterMembership, when: datetime
) -> None:
    """The person becomes an active member: a new stint starts (``joined_at``), the first one
    stays (``first_joined_at``), and a person invited by email is now in the directory."""
    membership.joined_at, membership.left_at = when, None
    if membership.first_joined_at is None or when < membership.first_joined_at:
        membership.first_joined_at = when
    person = await _person_or_error(session, membership.person_id)
    if person.status == PersonStatus.INVITED:
        person.status = PersonStatus.ACTIVE


async def _person_or_error(session: AsyncSession, person_id: uuid.UUID) -> Person:
    person = await session.scalar(select(Person).where(Person.id == person_id))
    if person is None:
        raise NotFound("Person", field="personId")
    return person


async def _membership_of(
    session: AsyncSession, chapter_id: uuid.UUID, person_id: uuid.UUID
) -> ChapterMembership | None:
    return await session.scalar(
        select(ChapterMembership).where(
            ChapterMembership.chapter_id == chapter_id, ChapterMembership.person_id == person_id
        )
    )


async def get_visible_membership(
    session: AsyncSession, principal: Principal | None, membership_id: uuid.UUID
) -> ChapterMembership:
    """The membership, if the caller may read its chapter's roster (or it is their own)."""
    membership = await session.scalar(
        select(ChapterMembership).where(ChapterMembership.id == membership_id)
    )
    if membership is None or not (
        authz.can(principal, Action.CHAPTER_READ_ROSTER, chapter_id=membership.chapter_id)
        or authz.can(principal, Action.MEMBERSHIP_LEAVE, person_id=membership.person_id)
    ):
        raise NotFound("Membership", field="membershipId")
    return membership


async def _membership_to_change(
    session: AsyncSession, principal: Principal | None, membership_id: uuid.UUID
) -> ChapterMembership:
    """The visible membership, read again once its chapter's roster is locked: the checks that
    follow see what a concurrent appointment or removal has just committed."""
    membership = await get_visible_membership(session, principal, membership_id)
    await _lock_roster(session, membership.chapter_id)
    await session.refresh(membership)
    return membership


def _check_reason(reason: str | None) -> None:
    errors = check_length(reason, "reason", 2000)
    if errors:
        raise InvalidInput(*errors)


async def join(
    session: AsyncSession,
    principal: Principal | None,
    chapter_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    role: ChapterRole = ChapterRole.MEMBER,
    invite: bool,
    reason: str | None = None,
    at: datetime | None = None,
    person_field: str = "personId",
) -> ChapterMembership:
    """Invite a person (status invited) or add them directly (status active)."""
    chapter = await get_chapter(session, chapter_id, "chapterId")
    authz.require(principal, Action.MEMBERSHIP_INVITE, chapter_id=chapter.id)
    await _lock_roster(session, chapter.id)
    if role not in ROLES_BELOW_LEAD:
        raise InvalidInput(
            FieldError("role", ErrorCode.INVALID, "Appoint a lead with chapterAppointLead")
        )
    _check_reason(reason)
    await _person_or_error(session, person_id)
    status = MembershipStatus.INVITED if invite else MembershipStatus.ACTIVE
    membership = await _membership_of(session, chapter.id, person_id)
    if membership is not None and membership.status != MembershipStatus.LEFT:
        raise InvalidInput(
            FieldError(
                person_field, ErrorCode.CONFLICT, f"Already {membership.status} in this chapter"
            )
        )
    if membership is None:
        membership = ChapterMembership(
            chapter_id=chapter.id, person_id=person_id, role=role, status=status
        )
        if status == MembershipStatus.ACTIVE:
            await _start_stint(session, membership, _now(at))
        session.add(membership)
        await session.flush()
        session.add(
            ChapterMembershipPeriod(
                membership_id=membership.id,
                chapter_id=chapter.id,
                person_id=person_id,
                role=role,
                status=status,
                started_at=_now(at),
                changed_by_id=_actor(principal),
                reason=reason,
            )
        )
        await session.flush()
        return membership
    return await _transition(
        session,
        membership,
        role=role,
        status=status,
        actor_id=_actor(principal),
        reason=reason,
        at=at,
    )


async def invite_by_email(
    session: AsyncSession,
    principal: Principal | None,
    chapter_id: uuid.UUID,
    email: str,
    *,
    display_name: str | None = None,
    role: ChapterRole = ChapterRole.MEMBER,
    reason: str | None = None,
) -> ChapterMembership:
    """Invite whoever holds ``email``: the person of the tenant with that address, or a new
    person created as *invited* (``PersonStatus.INVITED``: seen only by staff and the leads of
    the chapters that invited them, until they accept). Either way the answer has the same
    shape, so it does not tell whether the address was known; the invitation records the
    address (the lead typed it, so the chapter's leads may see it) and a message to it waits
    in the outbox. The person accepts after signing in with a token whose verified email is
    this address (``auth.bearer``), or with any identity linked to them."""
    chapter = await get_chapter(session, chapter_id, "chapterId")
    authz.require(principal, Action.MEMBERSHIP_INVITE, chapter_id=chapter.id)
    address = (email or "").strip()
    name = (display_name or "").strip() or address.partition("@")[0][:200]
    errors = required_text(address, "email", 320) or check_email(address)
    errors += check_length(display_name, "displayName", 200)
    if errors:
        raise InvalidInput(*errors)
    person = await find_person_by_email(session, address)
    if person is None:
        person = Person(email=address, display_name=name, status=PersonStatus.INVITED)
        session.add(person)
        await flush_unique(session, {"uq_people_tenant_id_email": INVITED_MEANWHILE})
    membership = await join(
        session,
        principal,
        chapter.id,
        person.id,
        role=role,
        invite=True,
        reason=reason,
        person_field="email",
    )
    membership.invited_email = address.lower()
    await session.flush()
    await queue_message(
        session,
        chapter.tenant_id,
        recipient=address,
        kind=CHAPTER_INVITATION,
        body={
            "chapter": chapter.name,
            "chapterSlug": chapter.slug,
            "invitedBy": principal.display_name if principal else None,
            "membershipId": global_id("ChapterMembership", membership.id),
        },
    )
    return membership


async def accept_invitation(
    session: AsyncSession, principal: Principal | None, membership_id: uuid.UUID
) -> ChapterMembership:
    membership = await _membership_to_change(session, principal, membership_id)
    authz.require(principal, Action.MEMBERSHIP_ACCEPT, person_id=membership.person_id)
    if membership.status != MembershipStatus.INVITED:
        raise InvalidInput(
            FieldError("membershipId", ErrorCode.INVALID, f"The membership is {membership.status}")
        )
    return await _transition(
        session,
        membership,
        status=MembershipStatus.ACTIVE,
        actor_id=_actor(principal),
        reason="invitation accepted",
        at=None,
    )


async def remove(
    session: AsyncSession,
    principal: Principal | None,
    membership_id: uuid.UUID,
    *,
    reason: str | None = None,
    at: datetime | None = None,
) -> ChapterMembership:
    """End a membership (status left). Members may leave; leads and staff may remove."""
    membership = await _membership_to_change(session, principal, membership_id)
    leaving = authz.can(principal, Action.MEMBERSHIP_LEAVE, person_id=membership.person_id)
    if not leaving:
        authz.require(principal, Action.MEMBERSHIP_REMOVE, chapter_id=membership.chapter_id)
        if membership.role == ChapterRole.LEAD:
            authz.require(principal, Action.CHAPTER_APPOINT_LEAD, chapter_id=membership.chapter_id)
    _check_reason(reason)
    if membership.status == MembershipStatus.LEFT:
        raise InvalidInput(FieldError("membershipId", ErrorCode.INVALID, "Already left"))
    return await _transition(
        session,
        membership,
        status=MembershipStatus.LEFT,
        actor_id=_actor(principal),
        reason=reason,
        at=at,
    )


async def change_role(
    session: AsyncSession,
    principal: Principal | None,
    membership_id: uuid.UUID,
    role: ChapterRole,
    *,
    reason: str | None = None,
    at: datetime | None = None,
) -> ChapterMembership:
    """Make a member co-lead or a co-lead member (the lead changes only by appointment)."""
    membership = await _membership_to_change(session, principal, membership_id)
    authz.require(principal, Action.MEMBERSHIP_CHANGE_ROLE, chapter_id=membership.chapter_id)
    if role not in ROLES_BELOW_LEAD:
        raise InvalidInput(
            FieldError("role", ErrorCode.INVALID, "Appoint a lead with chapterAppointLead")
        )
    if membership.role == ChapterRole.LEAD:
        authz.require(principal, Action.CHAPTER_APPOINT_LEAD, chapter_id=membership.chapter_id)
    _check_reason(reason)
    if membership.status == MembershipStatus.LEFT:
        raise InvalidInput(FieldError("membershipId", ErrorCode.INVALID, "The member has left"))
    if membership.role == role:
        raise InvalidInput(FieldError("role", ErrorCode.INVALID, f"Already {role}"))
    return await _transition(
        session, membership, role=role, actor_id=_actor(principal), reason=reason, at=at
    )


async def appoint_lead(
    session: AsyncSession,
    principal: Principal | None,
    chapter_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    previous_lead_becomes: ChapterRole = ChapterRole.CO_LEAD,
    reason: str | None = None,
    at: datetime | None = None,
) -> ChapterMembership:
    """Hand the chapter to a new lead; the previous lead steps down to co-lead or member.
    Both changes happen in the mutation's one transaction."""
    chapter = await get_chapter(session, chapter_id, "chapterId")
    authz.require(principal, Action.CHAPTER_APPOINT_LEAD, chapter_id=chapter.id)
    await _lock_roster(session, chapter.id)
    if previous_lead_becomes not in ROLES_BELOW_LEAD:
        raise InvalidInput(
            FieldError("previousLeadBecomes", ErrorCode.INVALID, "Choose co-lead or member")
        )
    _check_reason(reason)
    await _person_or_error(session, person_id)
    current_lead = await session.scalar(
        select(ChapterMembership).where(
            ChapterMembership.chapter_id == chapter.id,
            ChapterMembership.role == ChapterRole.LEAD,
            ChapterMembership.status == MembershipStatus.ACTIVE,
        )
    )
    if current_lead is not None and current_lead.person_id == person_id:
        raise InvalidInput(FieldError("personId", ErrorCode.INVALID, "Already the lead"))
    actor = _actor(principal)
    if current_lead is not None:
        await _transition(
            session,
            current_lead,
            role=previous_lead_becomes,
            actor_id=actor,
            reason=reason or "lead handed over",
            at=at,
        )
    membership = await _membership_of(session, chapter.id, person_id)
    if membership is None:
        membership = ChapterMembership(
            chapter_id=chapter.id,
            person_id=person_id,
            role=ChapterRole.LEAD,
            status=MembershipStatus.ACTIVE,
        )
        await _start_stint(session, membership, _now(at))
        session.add(membership)
        await session.flush()
        session.add(
            ChapterMembershipPeriod(
                membership_id=membership.id,
                chapter_id=chapter.id,
                person_id=person_id,
                role=ChapterRole.LEAD,
                status=MembershipStatus.ACTIVE,
                started_at=_now(at),
                changed_by_id=actor,
                reason=reason or "appointed lead",
            )
        )
        await session.flush()
        return membership
    return await _transition(
        session,
        membership,
        role=ChapterRole.LEAD,
        status=MembershipStatus.ACTIVE,
        actor_id=actor,
        reason=reason or "appointed lead",
        at=at,
    )

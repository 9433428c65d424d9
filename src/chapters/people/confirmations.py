"""Account changes that wait for the person concerned: sign-in identities proposed by a tenant
admin, and new email addresses proven by a token sent to them.

Email changes answer the same whether or not the address is taken (the request is recorded
and the message queued either way): only someone who reads that mailbox learns, when
confirming, that the address belongs to someone else.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.session import flush_unique, get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.models import EmailChangeRequest, IdentityLinkRequest, Person, PersonIdentity
from chapters.outbox import queue_message

IDENTITY_LINK_TTL = timedelta(days=7)
EMAIL_CHANGE_TTL = timedelta(hours=48)
EMAIL_CHANGE_CONFIRMATION = "email_change_confirmation"
EMAIL_CHANGE_NOTICE = "email_change_notice"
MAX_TOKEN_LENGTH = 200

IDENTITY_TAKEN = FieldError(
    "subject", ErrorCode.CONFLICT, "This identity is already linked to a person"
)
# The unique keys that changes to people's accounts can run into, and what the caller is told.
UNIQUE_CONFLICTS = {
    "uq_people_tenant_id_email": FieldError(
        "email", ErrorCode.CONFLICT, "Another person has this email"
    ),
    "uq_person_identities_tenant_id_issuer_subject": IDENTITY_TAKEN,
}


def _now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    """Tokens are 256 random bits: a plain SHA-256 cannot be reversed or guessed."""
    return hashlib.sha256(token.encode()).hexdigest()


async def _person(session: AsyncSession, person_id: uuid.UUID) -> Person:
    return await get_row(session, Person, person_id, "Person")


def _own_person_id(principal: Principal | None, action: Action) -> uuid.UUID:
    """The caller's person id, for actions a signed-in person takes on their own account."""
    person_id = principal.person_id if principal is not None else None
    authz.require(principal, action, person_id=person_id)
    assert person_id is not None  # only SELF holds these actions
    return person_id


# --- sign-in identities ---------------------------------------------------------------------


async def propose_identity_link(
    session: AsyncSession, principal: Principal, person: Person, issuer: str, subject: str
) -> IdentityLinkRequest:
    """A link that does nothing until ``person`` confirms it (or it expires)."""
    taken = await session.scalar(
        select(PersonIdentity.id).where(
            PersonIdentity.issuer == issuer, PersonIdentity.subject == subject
        )
    )
    if taken is not None:
        raise InvalidInput(IDENTITY_TAKEN)
    assert principal.person_id is not None  # only people hold PERSON_LINK_IDENTITY
    request = IdentityLinkRequest(
        person_id=person.id,
        issuer=issuer,
        subject=subject,
        requested_by_id=principal.person_id,
        expires_at=_now() + IDENTITY_LINK_TTL,
    )
    session.add(request)
    await session.flush()
    return request


async def pending_identity_links(
    session: AsyncSession, person_id: uuid.UUID
) -> list[IdentityLinkRequest]:
    rows = await session.scalars(
        select(IdentityLinkRequest)
        .where(IdentityLinkRequest.person_id == person_id, IdentityLinkRequest.expires_at > _now())
        .order_by(IdentityLinkRequest.created_at, IdentityLinkRequest.id)
    )
    return list(rows)


async def _own_pending_link(
    session: AsyncSession, principal: Principal | None, request_id: uuid.UUID
) -> IdentityLinkRequest:
    """One of the caller's own unexpired proposals; anyone else's is "not found"."""
    person_id = _own_person_id(principal, Action.PERSON_CONFIRM_IDENTITY_LINK)
    request = await session.scalar(
        select(IdentityLinkRequest).where(
            IdentityLinkRequest.id == request_id,
            IdentityLinkRequest.person_id == person_id,
            IdentityLinkRequest.expires_at > _now(),
        )
    )
    if request is None:
        raise NotFound("PendingIdentityLink")
    return request


async def confirm_identity_link(
    session: AsyncSession, principal: Principal | None, request_id: uuid.UUID
) -> Person:
    request = await _own_pending_link(session, principal, request_id)
    session.add(
        PersonIdentity(person_id=request.person_id, issuer=request.issuer, subject=request.subject)
    )
    await session.delete(request)
    await flush_unique(session, UNIQUE_CONFLICTS)
    return await _person(session, request.person_id)


async def decline_identity_link(
    session: AsyncSession, principal: Principal | None, request_id: uuid.UUID
) -> Person:
    request = await _own_pending_link(session, principal, request_id)
    await session.delete(request)
    await session.flush()
    return await _person(session, request.person_id)


# --- email changes --------------------------------------------------------------------------


async def request_email_change(
    session: AsyncSession, person: Person, new_email: str
) -> EmailChangeRequest:
    """Record the change and queue a confirmation to the new address (and a notice to the
    current one). Deliberately blind to whether the address is taken: the same statements
    run and the same answer comes back either way."""
    for earlier in await session.scalars(
        select(EmailChangeRequest).where(EmailChangeRequest.person_id == person.id)
    ):
        await session.delete(earlier)  # one pending change at a time: the newest
    token = secrets.token_urlsafe(32)
    request = EmailChangeRequest(
        person_id=person.id,
        new_email=new_email,
        token_hash=token_hash(token),
        expires_at=_now() + EMAIL_CHANGE_TTL,
    )
    session.add(request)
    await session.flush()
    expires = request.expires_at.isoformat()
    await queue_message(
        session,
        person.tenant_id,
        recipient=new_email,
        kind=EMAIL_CHANGE_CONFIRMATION,
        body={"personId": str(person.id), "token": token, "expiresAt": expires},
    )
    await queue_message(
        session,
        person.tenant_id,
        recipient=person.email,
        kind=EMAIL_CHANGE_NOTICE,
        body={"personId": str(person.id), "newEmail": new_email},
    )
    return request


async def pending_email_change(
    session: AsyncSession, person_id: uuid.UUID
) -> EmailChangeRequest | None:
    return await session.scalar(
        select(EmailChangeRequest).where(
            EmailChangeRequest.person_id == person_id, EmailChangeRequest.expires_at > _now()
        )
    )


async def confirm_email_change(
    session: AsyncSession, principal: Principal | None, token: str
) -> Person:
    """Apply the change the token was sent for, to the signed-in person who asked for it.
    The address may have been taken since: then CONFLICT (the caller proved they own it)."""
    person_id = _own_person_id(principal, Action.PERSON_UPDATE)
    token = (token or "").strip()
    request = None
    if 0 < len(token) <= MAX_TOKEN_LENGTH:
        request = await session.scalar(
            select(EmailChangeRequest).where(
                EmailChangeRequest.token_hash == token_hash(token),
                EmailChangeRequest.person_id == person_id,
                EmailChangeRequest.expires_at > _now(),
            )
        )
    if request is None:
        raise InvalidInput(
            FieldError("token", ErrorCode.INVALID, "This confirmation is invalid or has expired")
        )
    person = await _person(session, person_id)
    person.email = request.new_email
    await session.delete(request)
    await flush_unique(session, UNIQUE_CONFLICTS)
    return person

"""Use cases on people: create, edit, link sign-in identities (what may be read of people is
in ``people.queries``). Services validate, ask the policy, write, and never commit (the
request's transaction does).

Acting on someone else's account needs a tenant role above theirs (``authz.require_power_over``);
changes that would let one person act as another, or that need an address proven, wait for the
person's confirmation (``people.confirmations``)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import flush_unique, get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.models import (
    ChapterMembership,
    EmailChangeRequest,
    IdentityLinkRequest,
    MembershipStatus,
    Person,
    PersonIdentity,
    PersonSegment,
    TenantRole,
)
from chapters.people.confirmations import (
    UNIQUE_CONFLICTS,
    propose_identity_link,
    request_email_change,
)
from chapters.tenancy import bound_tenant
from chapters.validation import check_email, check_length, check_locale, required_text

# GitHub's rules: 1-39 characters, letters, digits and single hyphens, no hyphen at either end.
GITHUB_HANDLE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
MAX_TAGS = 20
TAG_LENGTH = 50
MAX_INTERESTS = 10
INTEREST_LENGTH = 50
OPTIONAL_TEXT = {"city": 100, "company": 200, "bio": 5000}


@dataclass(frozen=True, kw_only=True)
class PersonFields(Changes):
    """Person profile fields; in updates, UNSET leaves a field as it is and None clears it."""

    display_name: Change[str | None] = UNSET  # None: refused as missing
    email: Change[str | None] = UNSET  # None: refused as missing
    github_handle: Change[str | None] = UNSET
    city: Change[str | None] = UNSET
    company: Change[str | None] = UNSET
    bio: Change[str | None] = UNSET
    locale: Change[str | None] = UNSET
    segments: Change[list[PersonSegment] | None] = UNSET
    tags: Change[list[str] | None] = UNSET
    interests: Change[list[str] | None] = UNSET
    tenant_role: Change[TenantRole | None] = UNSET
    public_profile: Change[bool | None] = UNSET


async def find_person_by_email(session: AsyncSession, email: str) -> Person | None:
    return await session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))


async def person_linkable_by_email(session: AsyncSession, email: str) -> Person | None:
    """The person a provider's verified email links on first sign-in, if any: never an admin
    or the owner (``authz.linkable_by_verified_email``)."""
    person = await find_person_by_email(session, email)
    if person is None or not authz.linkable_by_verified_email(person.tenant_role):
        return None
    return person


async def load_principal(session: AsyncSession, person: Person) -> Principal:
    """The principal for a signed-in person, with the roles of their active memberships."""
    principal = await principal_by_person_id(session, person.id)
    assert principal is not None  # the person row was just read in this transaction
    return principal


async def principal_by_person_id(session: AsyncSession, person_id: uuid.UUID) -> Principal | None:
    """The person and the roles of their active memberships, in one statement (it runs at
    the start of every signed-in request)."""
    tenant_id = bound_tenant(session.sync_session)
    rows = (await session.execute(principal_statement(tenant_id, person_id))).all()
    return principal_from(rows)[0] if rows else None


def principal_statement(tenant_id: uuid.UUID, person_id: uuid.UUID) -> Select:
    """The rows a principal is made of (``principal_from``): the person with each role of
    their active memberships, and the fingerprint of it all. It names the tenant itself: the
    front door runs it on a bare connection, where no session adds the tenant's predicate."""
    active = and_(
        ChapterMembership.tenant_id == Person.tenant_id,
        ChapterMembership.person_id == Person.id,
        ChapterMembership.status == MembershipStatus.ACTIVE,
    )
    return (
        select(
            Person.tenant_id,
            Person.id,
            Person.email,
            Person.display_name,
            Person.tenant_role,
            ChapterMembership.chapter_id,
            ChapterMembership.role,
            principal_fingerprint(Person.tenant_id, Person.id),
        )
        .outerjoin(ChapterMembership, active)
        .where(Person.tenant_id == tenant_id, Person.id == person_id)
    )


def principal_from(rows: Sequence[Sequence[Any]]) -> tuple[Principal, str]:
    """The principal of ``principal_statement``'s rows, and its fingerprint."""
    tenant_id, person_id, email, display_name, tenant_role, _, _, fingerprint = tuple(rows[0])
    principal = Principal(
        tenant_id=tenant_id,
        person_id=person_id,
        email=email,
        display_name=display_name,
        tenant_role=tenant_role,
        chapter_roles={row[5]: row[6] for row in rows if row[5] is not None},
    )
    return principal, fingerprint


def principal_fingerprint(tenant_id: Any, person_id: Any) -> ColumnElement[str]:
    """A digest of everything a person's principal is made of, as stored now: a statement
    that carries it with the digest of a principal read earlier finds out, in the same
    snapshot, whether that principal is still the person's (``api.compiled_front``)."""
    membership, person = aliased(ChapterMembership), aliased(Person)  # never correlated
    roles = (
        select(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_array(membership.chapter_id, membership.role),
                    membership.chapter_id,
                )
            )
        )
        .where(
            membership.tenant_id == tenant_id,
            membership.person_id == person_id,
            membership.status == MembershipStatus.ACTIVE,
        )
        .correlate_except(membership)  # to the principal's statement, two levels up
        .scalar_subquery()
    )
    described = func.json_build_array(person.email, person.display_name, person.tenant_role, roles)
    return (
        select(func.md5(cast(described, Text)))
        .where(person.tenant_id == tenant_id, person.id == person_id)
        .correlate_except(person)
        .scalar_subquery()
    )


# --- validation -----------------------------------------------------------------------------


def _clean_text(value: str | None) -> str | None:
    """Trimmed text; blank means absent."""
    if value is None:
        return None
    return value.strip() or None


def _check_handle(handle: str | None) -> list[FieldError]:
    if handle is None or GITHUB_HANDLE.match(handle):
        return []
    return [
        FieldError(
            "githubHandle",
            ErrorCode.INVALID,
            "Use up to 39 letters, digits and single hyphens, not starting or ending with one",
        )
    ]


# Free-text lists of a profile: field → (noun, most items, longest item).
WORD_LISTS = {
    "tags": ("tag", MAX_TAGS, TAG_LENGTH),
    "interests": ("interest", MAX_INTERESTS, INTEREST_LENGTH),
}


def _clean_words(field: str, words: list[str] | None) -> tuple[list[str], list[FieldError]]:
    """Trimmed words without duplicates (case-insensitively; the first spelling wins)."""
    noun, most, longest = WORD_LISTS[field]
    errors: list[FieldError] = []
    cleaned: list[str] = []
    seen: set[str] = set()
    for index, word in enumerate(words or []):
        word = word.strip()
        if not word:
            errors.append(
                FieldError(f"{field}.{index}", ErrorCode.REQUIRED, f"A {noun} cannot be empty")
            )
        elif len(word) > longest:
            errors.append(
                FieldError(
                    f"{field}.{index}",
                    ErrorCode.TOO_LONG,
                    f"A {noun} is at most {longest} characters",
                )
            )
        elif word.lower() not in seen:
            seen.add(word.lower())
            cleaned.append(word)
    if len(cleaned) > most:
        errors.append(FieldError(field, ErrorCode.INVALID, f"At most {most} {noun}s"))
    return cleaned, errors


def _clean_segments(segments: list[Any] | None) -> tuple[list[str], list[FieldError]]:
    try:
        values = [PersonSegment(segment).value for segment in segments or []]
    except ValueError:
        known = ", ".join(segment.value for segment in PersonSegment)
        return [], [FieldError("segments", ErrorCode.INVALID, f"Segments are among {known}")]
    return list(dict.fromkeys(values)), []


def _validated(values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The given values cleaned for storage; raises InvalidInput with every problem found."""
    errors: list[FieldError] = []
    cleaned = dict(values)
    if creating or "display_name" in values:
        errors += required_text(values.get("display_name"), "display_name", 200)
        cleaned["display_name"] = (values.get("display_name") or "").strip()
    if creating or "email" in values:
        email = (values.get("email") or "").strip()
        errors += required_text(email, "email", 320) or check_email(email)
        cleaned["email"] = email
    for name in ("github_handle", "locale", *OPTIONAL_TEXT):
        if name in values:
            cleaned[name] = _clean_text(values[name])
    for name, limit in OPTIONAL_TEXT.items():
        errors += check_length(cleaned.get(name), name, limit)
    if cleaned.get("github_handle") is not None:
        errors += _check_handle(cleaned["github_handle"])
    if cleaned.get("locale") is not None:
        errors += check_locale(cleaned["locale"], "locale")
    for name in WORD_LISTS.keys() & values.keys():
        cleaned[name], word_errors = _clean_words(name, values[name])
        errors += word_errors
    if "segments" in values:
        cleaned["segments"], segment_errors = _clean_segments(values["segments"])
        errors += segment_errors
    if "public_profile" in values:
        cleaned["public_profile"] = bool(values["public_profile"])  # null: not public
    if errors:
        raise InvalidInput(*errors)
    return cleaned


def _check_role_change(
    principal: Principal | None,
    person_id: uuid.UUID | None,
    current: TenantRole | None,
    new: TenantRole | None,
) -> None:
    """Tenant roles are changed by admins and owners only, never on oneself, and never to or
    from a role above the caller's own (an admin cannot make or unmake an owner)."""
    if new == current:
        return
    authz.require(principal, Action.PERSON_CHANGE_ROLE)
    assert principal is not None  # require() refuses anonymous callers
    if person_id == principal.person_id:
        raise InvalidInput(
            FieldError("tenantRole", ErrorCode.FORBIDDEN, "You cannot change your own tenant role")
        )
    ceiling = authz.TENANT_RANK[principal.tenant_role]
    if authz.TENANT_RANK[new] > ceiling or authz.TENANT_RANK[current] > ceiling:
        raise InvalidInput(
            FieldError(
                "tenantRole",
                ErrorCode.FORBIDDEN,
                "You cannot grant or take away a tenant role above your own",
            )
        )


# --- writes ---------------------------------------------------------------------------------


async def get_person(session: AsyncSession, person_id: uuid.UUID, field: str = "id") -> Person:
    return await get_row(session, Person, person_id, "Person", field)


async def create_person(
    session: AsyncSession, principal: Principal | None, fields: PersonFields
) -> Person:
    authz.require(principal, Action.PERSON_CREATE)
    values = _validated(fields.given_to_create(), creating=True)
    _check_role_change(principal, None, None, values.get("tenant_role"))
    values.setdefault("segments", [])
    values.setdefault("tags", [])
    values.setdefault("interests", [])
    person = Person(**values)
    session.add(person)
    await flush_unique(session, UNIQUE_CONFLICTS)
    return person


async def update_person(
    session: AsyncSession, principal: Principal | None, person_id: uuid.UUID, fields: PersonFields
) -> Person:
    """Edit a profile: people their own, staff those ranked below them; roles as
    ``_check_role_change``. A new email of one's own waits for confirmation (see
    ``request_email_change``); staff set others' emails directly."""
    person = await get_person(session, person_id)
    authz.require(principal, Action.PERSON_UPDATE, person_id=person.id)
    authz.require_power_over(principal, person.id, person.tenant_role)
    given = fields.given()
    if "tenant_role" in given:
        _check_role_change(principal, person.id, person.tenant_role, given["tenant_role"])
    values = _validated(given, creating=False)
    _check_segment_change(principal, person, values.get("segments", UNSET))
    new_email = values.get("email")
    if _is_own(principal, person) and new_email and new_email.lower() != person.email.lower():
        await request_email_change(session, person, values.pop("email"))
    for key, value in values.items():
        setattr(person, key, value)
    await flush_unique(session, UNIQUE_CONFLICTS)
    return person


def _check_segment_change(
    principal: Principal | None, person: Person, segments: Change[list[str]]
) -> None:
    """Segments record what a person has done, so staff set them; sending one's own current
    segments back (a whole profile form) changes nothing and passes."""
    if segments is UNSET or set(segments) == set(person.segments or []):
        return
    if not authz.can(principal, Action.PERSON_SET_SEGMENTS):
        raise InvalidInput(
            FieldError(
                "segments",
                ErrorCode.FORBIDDEN,
                "Segments say what a person has done and are set by staff; state your "
                "interests instead",
            )
        )


def _is_own(principal: Principal | None, person: Person) -> bool:
    return principal is not None and principal.person_id == person.id


async def request_own_email_change(
    session: AsyncSession, principal: Principal | None, email: str
) -> EmailChangeRequest:
    """The signed-in person asks to use ``email``; it applies once they confirm the token
    sent there. The answer never depends on whether the address is taken."""
    person_id = principal.person_id if principal is not None else None
    authz.require(principal, Action.PERSON_UPDATE, person_id=person_id)
    assert person_id is not None  # anonymous callers and API clients were refused above
    person = await get_person(session, person_id)
    email = _validated({"email": email}, creating=False)["email"]
    return await request_email_change(session, person, email)


def _identity_errors(issuer: str, subject: str) -> list[FieldError]:
    return required_text(issuer, "issuer", 500) + required_text(subject, "subject", 255)


@dataclass(frozen=True)
class LinkResult:
    person: Person
    pending: IdentityLinkRequest | None  # None: linked at once


async def link_identity(
    session: AsyncSession,
    principal: Principal | None,
    person_id: uuid.UUID,
    issuer: str,
    subject: str,
) -> LinkResult:
    """Let a sign-in identity (issuer + subject) act as this person in this tenant. Whoever
    links an identity can sign in as that person, so: only for oneself or someone ranked
    below, and unless the owner does it, only once the person confirms."""
    authz.require(principal, Action.PERSON_LINK_IDENTITY)
    assert principal is not None  # require() refuses anonymous callers
    person = await get_person(session, person_id, field="personId")
    authz.require_power_over(principal, person.id, person.tenant_role)
    errors = _identity_errors(issuer, subject)
    if errors:
        raise InvalidInput(*errors)
    issuer, subject = issuer.strip(), subject.strip()
    if not authz.can(principal, Action.PERSON_LINK_IDENTITY_DIRECTLY):
        pending = await propose_identity_link(session, principal, person, issuer, subject)
        return LinkResult(person, pending)
    session.add(PersonIdentity(person_id=person.id, issuer=issuer, subject=subject))
    await flush_unique(session, UNIQUE_CONFLICTS)
    return LinkResult(person, None)


async def unlink_identity(
    session: AsyncSession,
    principal: Principal | None,
    person_id: uuid.UUID,
    issuer: str,
    subject: str,
) -> Person:
    """Undo a link made by mistake; the identity can no longer act as this person."""
    authz.require(principal, Action.PERSON_LINK_IDENTITY)
    person = await get_person(session, person_id, field="personId")
    authz.require_power_over(principal, person.id, person.tenant_role)
    identity = await session.scalar(
        select(PersonIdentity).where(
            PersonIdentity.person_id == person.id,
            PersonIdentity.issuer == issuer.strip(),
            PersonIdentity.subject == subject.strip(),
        )
    )
    if identity is None:
        raise NotFound("Identity", field="subject")
    await session.delete(identity)
    await session.flush()
    return person

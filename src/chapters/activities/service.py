"""Creating and editing activities with their co-hosts, organisations, participants and links.
Services validate, ask the policy, write, and never commit (the request's transaction does).

Input mistakes come back together, one typed error per field (``participants.2.personId``);
references to other objects are checked only once the input itself is sound.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.activities.loaders import organisers_by_activity
from chapters.activities.queries import may_read
from chapters.auth.principal import Principal
from chapters.authz import Action, partners
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import get_row
from chapters.errors import DomainError, ErrorCode, FieldError, Forbidden, InvalidInput, NotFound
from chapters.lifecycle import keep_step
from chapters.models import (
    Activity,
    ActivityCoHost,
    ActivityKind,
    ActivityLink,
    ActivityOrganisation,
    ActivityParticipant,
    ActivityStatus,
    ActivityTransition,
    Chapter,
    Committee,
    LinkKind,
    MentoringProject,
    Organisation,
    OrganisationRole,
    ParticipantRole,
    Person,
    Tenant,
    TenantScoped,
)
from chapters.validation import (
    check_length,
    check_locale,
    check_timezone,
    clean_text,
    label,
    required_text,
)

TEXT_LIMITS = {"title": 300, "description": 20000, "venue": 300}
URL_LIMIT = 500
ATTENDANCE_LIMIT = 1_000_000
TAG_COUNT, TAG_LENGTH = 20, 50
LIST_LIMITS = {"co_host_chapter_ids": 50, "organisations": 50, "participants": 100, "links": 50}
EDITABLE = frozenset({ActivityStatus.DRAFT, ActivityStatus.CHANGES_REQUESTED})


@dataclass(frozen=True, kw_only=True)
class OrganisationEntry:
    organisation_id: uuid.UUID
    role: OrganisationRole


@dataclass(frozen=True, kw_only=True)
class ParticipantEntry:
    """A person of the tenant, or an external speaker known by name only."""

    role: ParticipantRole
    person_id: uuid.UUID | None = None
    external_name: str | None = None
    external_affiliation: str | None = None
    topic: str | None = None


@dataclass(frozen=True, kw_only=True)
class LinkEntry:
    kind: LinkKind
    url: str
    title: str | None = None


@dataclass(frozen=True, kw_only=True)
class ActivityFields(Changes):
    """Activity fields; in updates, UNSET leaves a field as it is and None clears it. The owner
    (``chapter_id`` / ``committee_id``) is given at creation only."""

    chapter_id: Change[uuid.UUID | None] = UNSET
    committee_id: Change[uuid.UUID | None] = UNSET
    # None for a required field (kind, title, starts_at, timezone) is refused as REQUIRED.
    kind: Change[ActivityKind | None] = UNSET
    title: Change[str | None] = UNSET
    description: Change[str | None] = UNSET
    starts_at: Change[datetime | None] = UNSET
    ends_at: Change[datetime | None] = UNSET
    timezone: Change[str | None] = UNSET
    venue: Change[str | None] = UNSET
    online_url: Change[str | None] = UNSET
    language: Change[str | None] = UNSET
    expected_attendance: Change[int | None] = UNSET
    tags: Change[Sequence[str] | None] = UNSET
    mentoring_project_id: Change[uuid.UUID | None] = UNSET
    # Lists: a given one replaces the list, None empties it.
    co_host_chapter_ids: Change[Sequence[uuid.UUID] | None] = UNSET
    organisations: Change[Sequence[OrganisationEntry] | None] = UNSET
    participants: Change[Sequence[ParticipantEntry] | None] = UNSET
    links: Change[Sequence[LinkEntry] | None] = UNSET


OWNER_FIELDS = ("chapter_id", "committee_id")
LIST_FIELDS = ("co_host_chapter_ids", "organisations", "participants", "links")
REQUIRED_FIELDS = ("kind", "title", "starts_at", "timezone")
# The columns the rules across fields look at, when an update leaves them as they are.
STATE_COLUMNS = ("chapter_id", "kind", "starts_at", "ends_at", "mentoring_project_id")


# Validation: pure checks of the input, collected.


def check_url(value: str, field: str) -> list[FieldError]:
    url = urlparse(value)
    if url.scheme not in {"http", "https"} or not url.netloc:
        return [FieldError(field, ErrorCode.INVALID, "Use an http or https URL")]
    if len(value) > URL_LIMIT:
        return [FieldError(field, ErrorCode.TOO_LONG, f"URL is over {URL_LIMIT} characters")]
    return []


def check_attendance(value: int | None, field: str) -> list[FieldError]:
    if value is not None and not 0 <= value <= ATTENDANCE_LIMIT:
        return [FieldError(field, ErrorCode.INVALID, f"Use 0 to {ATTENDANCE_LIMIT}")]
    return []


def check_links(links: Sequence[LinkEntry], field: str = "links") -> list[FieldError]:
    errors = _too_many(links, field, LIST_LIMITS["links"])
    for index, link in enumerate(links):
        errors += check_url(link.url.strip(), f"{field}.{index}.url")
        errors += check_length(link.title, f"{field}.{index}.title", 300)
    return errors


def _too_many(items: Sequence[Any], field: str, limit: int) -> list[FieldError]:
    if len(items) > limit:
        return [FieldError(field, ErrorCode.INVALID, f"At most {limit} entries")]
    return []


def _check_tags(tags: Sequence[str]) -> list[FieldError]:
    errors = []
    for index, tag in enumerate(tags):
        if len(tag.strip()) > TAG_LENGTH:
            errors.append(
                FieldError(f"tags.{index}", ErrorCode.TOO_LONG, f"Over {TAG_LENGTH} characters")
            )
    if len(normalized_tags(tags)) > TAG_COUNT:
        errors.append(FieldError("tags", ErrorCode.INVALID, f"At most {TAG_COUNT} tags"))
    return errors


def normalized_tags(tags: Iterable[str]) -> list[str]:
    """Trimmed, blank ones dropped, each once (the first spelling wins, ignoring case)."""
    seen: dict[str, str] = {}
    for tag in (t.strip() for t in tags):
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    return list(seen.values())


def check_participant(p: ParticipantEntry, where: str = "") -> list[FieldError]:
    """One entry on its own: a person or a name, texts within their limits. ``where``
    prefixes the field names (``participants.2``)."""

    def at(name: str) -> str:
        return f"{where}.{name}" if where else name

    errors = []
    named = p.external_name is not None and p.external_name.strip() != ""
    if (p.person_id is None) == (not named):
        errors.append(
            FieldError(
                where or "person_id", ErrorCode.INVALID, "Give either personId or externalName"
            )
        )
    for name, limit in (("external_name", 200), ("external_affiliation", 200), ("topic", 300)):
        errors += check_length(getattr(p, name), at(name), limit)
    return errors


def participant_key(
    person_id: uuid.UUID | None, external_name: str | None, role: ParticipantRole
) -> tuple[uuid.UUID | str, ParticipantRole]:
    """Who in which role: nobody is listed twice in one role (names ignoring case)."""
    return (person_id or (external_name or "").strip().lower(), role)


def _check_participants(participants: Sequence[ParticipantEntry]) -> list[FieldError]:
    errors = _too_many(participants, "participants", LIST_LIMITS["participants"])
    seen: set[tuple[uuid.UUID | str, ParticipantRole]] = set()
    for index, p in enumerate(participants):
        where = f"participants.{index}"
        errors += check_participant(p, where)
        key = participant_key(p.person_id, p.external_name, p.role)
        if key in seen:
            errors.append(FieldError(where, ErrorCode.INVALID, "Listed twice in this role"))
        seen.add(key)
    return errors


def _check_fields(values: dict[str, Any]) -> list[FieldError]:
    """Each given field on its own."""
    errors: list[FieldError] = []
    for name in REQUIRED_FIELDS:
        if name in values and values[name] is None:
            errors.append(FieldError(name, ErrorCode.REQUIRED, f"{label(name)} is required"))
    if values.get("title") is not None:
        errors += required_text(values["title"], "title", TEXT_LIMITS["title"])
    for name in ("description", "venue"):
        errors += check_length(values.get(name), name, TEXT_LIMITS[name])
    if values.get("timezone") is not None:
        errors += check_timezone(values["timezone"], "timezone")
    if values.get("online_url"):
        errors += check_url(values["online_url"].strip(), "online_url")
    if values.get("language"):
        errors += check_locale(values["language"].strip(), "language")
    errors += check_attendance(values.get("expected_attendance"), "expected_attendance")
    errors += _check_tags(values.get("tags") or [])
    for name in ("co_host_chapter_ids", "organisations"):
        errors += _too_many(values.get(name) or [], name, LIST_LIMITS[name])
    errors += _check_participants(values.get("participants") or [])
    errors += check_links(values.get("links") or [])
    return errors


def _check_state(state: dict[str, Any]) -> list[FieldError]:
    """Rules across fields, on the activity as it would be after the change."""
    errors = []
    starts, ends = state.get("starts_at"), state.get("ends_at")
    if starts is not None and ends is not None and ends < starts:
        errors.append(FieldError("ends_at", ErrorCode.INVALID, "Cannot end before it starts"))
    if (
        state.get("mentoring_project_id") is not None
        and state.get("kind") != ActivityKind.MENTORING
    ):
        errors.append(
            FieldError(
                "mentoring_project_id",
                ErrorCode.INVALID,
                "Only mentoring activities link to a mentoring project",
            )
        )
    if state.get("chapter_id") is not None and state["chapter_id"] in (
        state.get("co_host_chapter_ids") or []
    ):
        errors.append(
            FieldError("co_host_chapter_ids", ErrorCode.INVALID, "The owning chapter hosts already")
        )
    return errors


def _instant(value: datetime | None) -> datetime | None:
    """In UTC. The API refuses times without a UTC offset (``chapters.api.scalars``)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("a time without a UTC offset")  # a caller's bug, never user input
    return value.astimezone(UTC)


def _normalized(values: dict[str, Any]) -> dict[str, Any]:
    """Trimmed texts (blank optional ones become null), tags cleaned, times made absolute."""
    for name in ("title", "description", "venue", "online_url", "language"):
        if values.get(name) is not None:
            values[name] = values[name].strip() or None
    if "tags" in values:
        values["tags"] = normalized_tags(values["tags"] or [])
    for name in ("starts_at", "ends_at"):
        if name in values:
            values[name] = _instant(values[name])
    for name in LIST_FIELDS:
        if name in values and values[name] is None:
            values[name] = []
    return values


# References: one query per kind of object, all missing ids reported at once.


async def _missing(
    session: AsyncSession, model: type[TenantScoped], ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    if not ids:
        return set()
    found = await session.scalars(select(model.id).where(model.id.in_(set(ids))))
    return set(ids) - set(found)


async def _check_references(session: AsyncSession, values: dict[str, Any]) -> None:
    errors: list[FieldError] = []

    async def check(
        model: type[TenantScoped], what: str, pairs: list[tuple[str, uuid.UUID]]
    ) -> None:
        missing = await _missing(session, model, [object_id for _, object_id in pairs])
        errors.extend(
            FieldError(field, ErrorCode.NOT_FOUND, f"{what} not found")
            for field, object_id in pairs
            if object_id in missing
        )

    if values.get("committee_id") is not None:
        await check(Committee, "Committee", [("committee_id", values["committee_id"])])
    if values.get("mentoring_project_id") is not None:
        project = [("mentoring_project_id", values["mentoring_project_id"])]
        await check(MentoringProject, "Mentoring project", project)
    co_hosts = values.get("co_host_chapter_ids") or []
    await check(
        Chapter, "Chapter", [(f"co_host_chapter_ids.{i}", c) for i, c in enumerate(co_hosts)]
    )
    organisations = values.get("organisations") or []
    await check(
        Organisation,
        "Organisation",
        [
            (f"organisations.{i}.organisation_id", o.organisation_id)
            for i, o in enumerate(organisations)
        ],
    )
    people = [
        (f"participants.{i}.person_id", p.person_id)
        for i, p in enumerate(values.get("participants") or [])
        if p.person_id is not None
    ]
    await check(Person, "Person", people)
    if errors:
        raise DomainError(*errors)


# Reading


async def get_activity(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    field: str = "id",
    *,
    lock: bool = False,
) -> Activity:
    """The activity, if the caller may see it: one they may not see is "not found", exactly
    like a missing one, so a refused write never reveals that a draft exists. Locked for the
    rest of the transaction when it is about to change (an edit and a review cannot
    interleave)."""
    activity = await get_row(session, Activity, activity_id, "Activity", field, lock=lock)
    organisation_ids: set[uuid.UUID] = set()
    if partners.partner_of(principal) is not None:
        organisation_ids = set(
            await session.scalars(
                select(ActivityOrganisation.organisation_id).where(
                    ActivityOrganisation.activity_id == activity.id
                )
            )
        )
    co_hosts = await co_hosts_of(session, principal, activity)
    if not may_read(principal, activity, organisation_ids, co_hosts):
        raise NotFound("Activity", field=field)
    return activity


async def co_hosts_of(
    session: AsyncSession, principal: Principal | None, activity: Activity
) -> frozenset[uuid.UUID]:
    """The chapters co-hosting the activity, when they can matter to the caller's roles."""
    if not authz.co_hosts_matter(principal):
        return frozenset()
    statement = select(ActivityCoHost.chapter_id).where(ActivityCoHost.activity_id == activity.id)
    return frozenset(await session.scalars(statement))


async def may_on(
    session: AsyncSession, principal: Principal | None, action: Action, activity: Activity
) -> bool:
    """The policy on one activity: its owning chapter, the chapters co-hosting it and, for the
    actions its organisers may take, the people organising it."""
    co_hosts = await co_hosts_of(session, principal, activity)
    if authz.can(principal, action, chapter_id=activity.chapter_id, co_hosts=co_hosts):
        return True
    if not authz.organisers_matter(principal, action):
        return False
    [organisers] = await organisers_by_activity(session, [activity.id])
    return authz.can(principal, action, chapter_id=activity.chapter_id, organisers=organisers)


async def require_on(
    session: AsyncSession, principal: Principal | None, action: Action, activity: Activity
) -> Principal:
    """``may_on`` or FORBIDDEN; the caller, who is then known to be there."""
    if principal is None or not await may_on(session, principal, action, activity):
        raise Forbidden(action.value)
    return principal


def has_ended(activity: Activity, now: datetime) -> bool:
    return (activity.ends_at or activity.starts_at) <= now


# Writing


def record_transition(
    session: AsyncSession,
    activity: Activity,
    to_status: ActivityStatus,
    principal: Principal,
    comment: str | None,
    now: datetime,
    *,
    initial: bool = False,
) -> None:
    """Move the activity to ``to_status`` and keep the step in its history (``initial``: the
    activity was just created in that status)."""
    keep_step(
        session,
        ActivityTransition,
        "activity_id",
        activity,
        to_status,
        principal.person_id,
        comment,
        now,
        initial=initial,
    )


async def _default_timezone(
    session: AsyncSession, principal: Principal, chapter: Chapter | None
) -> str:
    if chapter is not None:
        return chapter.timezone
    timezone = await session.scalar(select(Tenant.timezone).where(Tenant.id == principal.tenant_id))
    return timezone or "UTC"


def _may_create_somewhere(principal: Principal | None) -> bool:
    if authz.can(principal, Action.ACTIVITY_CREATE):
        return True
    chapters = principal.chapter_roles if principal else {}
    return any(authz.can(principal, Action.ACTIVITY_CREATE, chapter_id=c) for c in chapters)


async def create_activity(
    session: AsyncSession, principal: Principal | None, fields: ActivityFields
) -> Activity:
    """A new draft of the chapter (or, without one, of the committee)."""
    values = fields.given_to_create()
    chapter_id, committee_id = values.get("chapter_id"), values.get("committee_id")
    if chapter_id is None and committee_id is None:
        # Only someone who may create activities somewhere learns what is missing.
        if not _may_create_somewhere(principal):
            raise Forbidden(Action.ACTIVITY_CREATE.value)
        raise InvalidInput(
            FieldError("chapter_id", ErrorCode.REQUIRED, "Give the chapter or the committee")
        )
    chapter = None
    if chapter_id is not None:
        chapter = await session.scalar(select(Chapter).where(Chapter.id == chapter_id))
        if chapter is None:
            raise NotFound("Chapter", field="chapter_id")
    caller = authz.require_caller(principal, Action.ACTIVITY_CREATE, chapter_id=chapter_id)
    for name in ("kind", "title", "starts_at"):
        values.setdefault(name, None)
    if values.get("timezone") is None:
        values["timezone"] = await _default_timezone(session, caller, chapter)
    errors = _check_fields(values)
    if errors:
        raise InvalidInput(*errors)
    values = _normalized(values)
    errors = _check_state(values)
    if errors:
        raise InvalidInput(*errors)
    await _check_references(session, values)
    columns = {k: v for k, v in values.items() if k not in LIST_FIELDS}
    columns.setdefault("tags", [])
    activity = Activity(status=ActivityStatus.DRAFT, created_by_id=caller.person_id, **columns)
    session.add(activity)
    await session.flush()  # the rows below reference it
    await _write_lists(session, activity, values, new=True)
    record_transition(session, activity, activity.status, caller, None, utc_now(), initial=True)
    await session.flush()
    return activity


def _refuse_edit(activity: Activity, values: dict[str, Any]) -> None:
    """Only drafts and activities handed back for changes are edited; see the package notes."""
    if activity.status in EDITABLE:
        return
    if activity.status == ActivityStatus.ACCEPTED:
        raise InvalidInput(
            *(
                FieldError(
                    name,
                    ErrorCode.CONFLICT,
                    "Locked since the activity was accepted; only its recap can change",
                )
                for name in values
            )
        )
    reason = {
        ActivityStatus.SUBMITTED: "Under review: it can be edited once ops decide",
        ActivityStatus.CANCELLED: "The activity was cancelled",
    }[activity.status]
    raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, reason))


async def update_activity(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    fields: ActivityFields,
) -> Activity:
    activity = await get_activity(session, principal, activity_id, lock=True)
    await require_on(session, principal, Action.ACTIVITY_EDIT, activity)
    values = {k: v for k, v in fields.given().items() if k not in OWNER_FIELDS}
    if not values:
        return activity
    _refuse_edit(activity, values)
    errors = _check_fields(values)
    if errors:
        raise InvalidInput(*errors)
    values = _normalized(values)
    current = {name: getattr(activity, name) for name in STATE_COLUMNS}
    co_hosts = values.get("co_host_chapter_ids")
    errors = _check_state({**current, **values, "co_host_chapter_ids": co_hosts})
    if errors:
        raise InvalidInput(*errors)
    await _check_references(session, values)
    for name, value in values.items():
        if name not in LIST_FIELDS:
            setattr(activity, name, value)
    if await _write_lists(session, activity, values, new=False):
        activity.updated_at = utc_now()  # the lists are part of the activity's last change
    await session.flush()
    return activity


def utc_now() -> datetime:
    return datetime.now(UTC)


# The lists. Co-hosts and organisations are sets (listed by name); participants and links keep
# the order they were given in, through ``created_at`` one microsecond apart.


async def _write_lists(
    session: AsyncSession, activity: Activity, values: dict[str, Any], *, new: bool
) -> bool:
    """Replace the given lists; whether any changed."""
    changed = False
    wanted: list[tuple[Any, ...]]
    if "co_host_chapter_ids" in values:
        wanted = [(chapter_id,) for chapter_id in values["co_host_chapter_ids"]]
        changed |= await _replace_set(
            session, activity, ActivityCoHost, ("chapter_id",), wanted, new
        )
    if "organisations" in values:
        wanted = [(o.organisation_id, o.role) for o in values["organisations"]]
        changed |= await _replace_set(
            session, activity, ActivityOrganisation, ("organisation_id", "role"), wanted, new
        )
    if "participants" in values:
        rows = [participant_values(p) for p in values["participants"]]
        changed |= await _replace_ordered(session, activity, ActivityParticipant, rows, new)
    if "links" in values:
        rows = [link_values(link) for link in values["links"]]
        changed |= await _replace_ordered(session, activity, ActivityLink, rows, new)
    return changed


def participant_values(p: ParticipantEntry) -> dict[str, Any]:
    external = p.person_id is None
    return {
        "person_id": p.person_id,
        "external_name": clean_text(p.external_name) if external else None,
        "external_affiliation": clean_text(p.external_affiliation) if external else None,
        "role": p.role,
        "topic": clean_text(p.topic),
    }


def link_values(link: LinkEntry) -> dict[str, Any]:
    return {"kind": link.kind, "url": link.url.strip(), "title": clean_text(link.title)}


# The rows of an activity's lists.
ListRow = TypeVar(
    "ListRow", ActivityCoHost, ActivityOrganisation, ActivityParticipant, ActivityLink
)
SetRow = TypeVar("SetRow", ActivityCoHost, ActivityOrganisation)
OrderedRow = TypeVar("OrderedRow", ActivityParticipant, ActivityLink)


async def rows_of(session: AsyncSession, model: type[ListRow], activity: Activity) -> list[ListRow]:
    statement = select(model).where(model.activity_id == activity.id)
    return list(await session.scalars(statement.order_by(model.created_at, model.id)))


async def _replace_set(
    session: AsyncSession,
    activity: Activity,
    model: type[SetRow],
    keys: tuple[str, ...],
    wanted: list[tuple[Any, ...]],
    new: bool,
) -> bool:
    """Delete the rows no longer wanted and add the missing ones; the others stay."""
    existing = [] if new else await rows_of(session, model, activity)
    have = {tuple(getattr(row, key) for key in keys): row for row in existing}
    wanted = list(dict.fromkeys(wanted))
    removed = [row for key, row in have.items() if key not in wanted]
    for row in removed:
        await session.delete(row)
    added = [dict(zip(keys, key, strict=True)) for key in wanted if key not in have]
    session.add_all(model(activity_id=activity.id, **values) for values in added)
    return bool(removed or added)


async def _replace_ordered(
    session: AsyncSession,
    activity: Activity,
    model: type[OrderedRow],
    rows: list[dict[str, Any]],
    new: bool,
) -> bool:
    """Replace the whole list, unless it is given unchanged."""
    existing = [] if new else await rows_of(session, model, activity)
    if rows and [{key: getattr(row, key) for key in rows[0]} for row in existing] == rows:
        return False
    if not rows and not existing:
        return False
    for row in existing:
        await session.delete(row)
    append_rows(session, activity, model, rows)
    return True


def append_rows(
    session: AsyncSession,
    activity: Activity,
    model: type[OrderedRow],
    rows: list[dict[str, Any]],
) -> None:
    """Add rows after the existing ones, in the order given."""
    start = utc_now()
    session.add_all(
        model(activity_id=activity.id, created_at=start + timedelta(microseconds=i), **row)
        for i, row in enumerate(rows)
    )

"""What the compiler covers: for each object type, how each covered field's JSON value is
built in SQL, with the same read rules as its resolver (the domains' own predicates and
orderings, the one policy table).

A ``row`` is a FROM element (a subquery of ``select(Model)``) whose columns are named as the
model's. Every table read names its tenant (``Builder.tenant``), as every ORM statement does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    literal_column,
    null,
    select,
)

from chapters import authz
from chapters.activities import queries as activity_queries
from chapters.authz import Action, partners
from chapters.committees import queries as committee_queries
from chapters.compiled import encode
from chapters.compiled.build import Builder, Fallback, OpaqueId, decoded_id, split_global_id
from chapters.compiled.plan import FieldSpec, ObjectSpec, PlannedField
from chapters.db.pagination import PageArgs
from chapters.errors import DomainError
from chapters.local_chapters import queries as chapter_queries
from chapters.local_chapters.loaders import BY_NAME
from chapters.memberships.loaders import PERIOD_ORDER, ROSTER_ORDER, PeriodFilter, RosterFilter
from chapters.models import (
    Activity,
    ActivityCoHost,
    ActivityOrganisation,
    Chapter,
    ChapterMembership,
    ChapterMembershipPeriod,
    ChapterStatusChange,
    Committee,
    MembershipStatus,
    Organisation,
    Person,
    Tenant,
)
from chapters.people import queries as people_queries

Build = Callable[[Builder, Any, PlannedField], Any]
PAGE = frozenset({"first", "after"})
PAGE_BOTH_WAYS = PAGE | {"last", "before"}

# --- leaves ------------------------------------------------------------------------------------


def column(name: str) -> FieldSpec:
    return FieldSpec(lambda b, row, f: row.c[name], columns=(name,))


def instant(name: str) -> FieldSpec:
    return FieldSpec(lambda b, row, f: encode.instant(row.c[name]), columns=(name,))


def day(name: str) -> FieldSpec:
    return FieldSpec(lambda b, row, f: encode.day(row.c[name]), columns=(name,))


def global_id(type_name: str, name: str = "id") -> FieldSpec:
    return FieldSpec(lambda b, row, f: encode.global_id(type_name, row.c[name]), columns=(name,))


_NO_STRINGS = encode.sql("'{}'::varchar[]")


def strings(name: str) -> FieldSpec:
    """A text array as a JSON list (none: ``[]``)."""
    return FieldSpec(
        lambda b, row, f: func.to_json(func.coalesce(row.c[name], _NO_STRINGS)), columns=(name,)
    )


def enum(name: str) -> FieldSpec:
    return FieldSpec(lambda b, row, f: encode.enum_name(row.c[name], b.enum_of(f)), columns=(name,))


def enum_list(name: str) -> FieldSpec:
    """A text array of stored enum values as a JSON list of GraphQL names, in order."""

    def build(b: Builder, row: Any, f: PlannedField) -> Any:
        element = (
            func.unnest(row.c[name]).table_valued("value", with_ordinality="n").render_derived()
        )
        named = encode.enum_name(element.c.value, b.enum_of(f))
        return (
            select(encode.json_array(named, [element.c.n])).select_from(element).scalar_subquery()
        )

    return FieldSpec(build, columns=(name,))


# --- objects and lists -------------------------------------------------------------------------


def nested(
    build: Build,
    args: frozenset[str] = frozenset(),
    columns: tuple[str, ...] = ("id",),
    opaque: tuple[tuple[str, str], ...] = (),
) -> FieldSpec:
    return FieldSpec(build, args=args, nested="object", columns=columns, opaque=opaque)


def paged(
    build: Build, args: frozenset[str] = PAGE, opaque: tuple[tuple[str, str], ...] = ()
) -> FieldSpec:
    return FieldSpec(build, args=args, nested="connection", columns=("id",), opaque=opaque)


def chapter_by(key: str) -> FieldSpec:
    """The chapter a column names (chapters are the public directory: no rule)."""

    def build(b: Builder, row: Any, f: PlannedField) -> Any:
        statement = select(Chapter).where(Chapter.id == row.c[key], b.tenant(Chapter))
        return b.one(f, statement, Chapter, correlate=row)

    return nested(build, columns=(key,))


def person_statement(b: Builder, person_id: Any) -> Select | None:
    """``people.queries.person``: the person, for callers who read profiles, unless invited
    by email and not yet seen by the caller (None: the caller reads no profile)."""
    if not authz.can(b.principal, Action.PERSON_READ_PROFILE):
        return None
    listed = people_queries.listed_to(b.reader)
    return select(Person).where(Person.id == person_id, b.tenant(Person), listed)


def person_by(key: str) -> FieldSpec:
    def build(b: Builder, row: Any, f: PlannedField) -> Any:
        statement = person_statement(b, row.c[key])
        return null() if statement is None else b.one(f, statement, Person, correlate=row)

    return nested(build, columns=(key,))


def _members(b: Builder, row: Any, f: PlannedField) -> Any:
    """``Chapter.members``: ``memberships.queries.roster`` (FORBIDDEN without the right to
    read the chapter's roster: the guard hands those requests to the resolver path)."""
    args = b.arguments(f, frozenset({"role", "status", "first", "after"}))
    statuses = [MembershipStatus.ACTIVE] if "status" not in args else (args["status"] or [])
    filters = RosterFilter(roles=tuple(args.get("role") or ()), statuses=tuple(statuses))
    statement = select(ChapterMembership).where(
        *filters.conditions(), ChapterMembership.chapter_id == row.c.id, b.tenant(ChapterMembership)
    )
    page = PageArgs(first=args.get("first"), after=args.get("after"))
    members = b.connection(f, statement, ChapterMembership, ROSTER_ORDER, page, correlate=row)
    return b.guarded(row.c.id, Action.CHAPTER_READ_ROSTER, members)


def _children(b: Builder, row: Any, f: PlannedField) -> Any:
    args = b.arguments(f, PAGE)
    statement = select(Chapter).where(Chapter.parent_id == row.c.id, b.tenant(Chapter))
    page = PageArgs(first=args.get("first"), after=args.get("after"))
    return b.connection(f, statement, Chapter, BY_NAME, page, correlate=row)


def _viewer_role(b: Builder, row: Any, f: PlannedField) -> Any:
    """The caller's own role in the chapter (presentation of the caller's data)."""
    roles = b.principal.chapter_roles if b.principal is not None else {}
    if not roles:
        return null()
    return case(
        *[
            (row.c.id == chapter, encode.enum_name(literal_column(f"'{role.value}'"), b.enum_of(f)))
            for chapter, role in roles.items()
        ],
        else_=null(),
    )


def _contact_links(b: Builder, row: Any, f: PlannedField) -> Any:
    element = (
        func.jsonb_array_elements(row.c.contact_links)
        .table_valued("value", with_ordinality="n")
        .render_derived()
    )
    links = select(
        element.c.value.op("->>")(literal_column("'kind'")).label("kind"),
        element.c.value.op("->>")(literal_column("'url'")).label("url"),
        element.c.n,
    ).subquery()
    json = b.object(f.child, links)
    return select(encode.json_array(json, [links.c.n])).select_from(links).scalar_subquery()


def _co_hosts(b: Builder, row: Any, f: PlannedField) -> Any:
    """``activities.queries.co_hosts``: the co-hosting chapters, by name."""
    statement = (
        select(Chapter)
        .join(ActivityCoHost, ActivityCoHost.chapter_id == Chapter.id)
        .where(ActivityCoHost.activity_id == row.c.id, b.tenant(Chapter), b.tenant(ActivityCoHost))
    )
    return b.many(
        f, statement, lambda r: [r.c.name, r.c.id], Chapter, ("name", "id"), correlate=row
    )


def _organisations(b: Builder, row: Any, f: PlannedField) -> Any:
    """``activities.queries.organisations``: by name; a partner's client sees its own."""
    conditions = [
        ActivityOrganisation.activity_id == row.c.id,
        b.tenant(ActivityOrganisation),
        b.tenant(Organisation),
    ]
    partner = partners.partner_of(b.principal)
    if partner is not None:
        conditions.append(partners.visible_organisations(partner))
    statement = (
        select(
            ActivityOrganisation.id,
            ActivityOrganisation.role,
            ActivityOrganisation.organisation_id,
            Organisation.name,
        )
        .join(Organisation, Organisation.id == ActivityOrganisation.organisation_id)
        .where(*conditions)
    )
    return b.many(f, statement, lambda r: [r.c.name, r.c.role, r.c.id], correlate=row)


def _reach(b: Builder, row: Any, f: PlannedField) -> Any:
    """``ActivityReach.of``: null unless both the count and the unit are known."""
    known = and_(row.c.reach.is_not(None), row.c.reach_unit.is_not(None))
    return case((known, b.object(f.child, row)), else_=null())


def _committee(b: Builder, row: Any, f: PlannedField) -> Any:
    """``committees.queries.committee``: for callers who may read committees."""
    if not committee_queries.may_read(b.reader):
        return null()
    statement = select(Committee).where(Committee.id == row.c.committee_id, b.tenant(Committee))
    return b.one(f, statement, Committee, correlate=row)


def _status_history(b: Builder, row: Any, f: PlannedField) -> Any:
    """``local_chapters.queries.status_history``: every status, oldest first (public)."""
    statement = select(ChapterStatusChange).where(
        ChapterStatusChange.chapter_id == row.c.id, b.tenant(ChapterStatusChange)
    )
    return b.many(
        f,
        statement,
        lambda r: [r.c.changed_at, r.c.id],
        ChapterStatusChange,
        ("changed_at", "id"),
        correlate=row,
    )


_PERIOD_FILTER = frozenset({"role", "status", "overlapping", "startedWithin"})


def _range(given: Any) -> tuple[Any, Any] | None:
    if given is None:
        return None
    if set(given) != {"from", "to"}:
        raise Fallback("a time range the compiler does not know")
    return given["from"], given["to"]


def _membership_history(b: Builder, row: Any, f: PlannedField) -> Any:
    """``Chapter.membershipHistory``: ``memberships.queries.history`` (FORBIDDEN without the
    right to read the chapter's history: guarded)."""
    args = b.arguments(f, frozenset({"filter", *PAGE}))
    given = args.get("filter") or {}
    if not set(given) <= _PERIOD_FILTER:
        raise Fallback("a filter the compiler does not know")
    filters = PeriodFilter(
        roles=tuple(given.get("role") or ()),
        statuses=tuple(given.get("status") or ()),
        overlapping=_range(given.get("overlapping")),
        started_within=_range(given.get("startedWithin")),
    )
    period = ChapterMembershipPeriod
    statement = select(period).where(
        *filters.conditions(), period.chapter_id == row.c.id, b.tenant(period)
    )
    page = PageArgs(first=args.get("first"), after=args.get("after"))
    history = b.connection(f, statement, period, PERIOD_ORDER, page, correlate=row)
    return b.guarded(row.c.id, Action.CHAPTER_READ_HISTORY, history)


SPECS: dict[str, ObjectSpec] = {}


def _spec(name: str, fields: Mapping[str, FieldSpec]) -> None:
    SPECS[name] = ObjectSpec(name, dict(fields))


_spec(
    "Chapter",
    {
        "id": global_id("Chapter"),
        "name": column("name"),
        "slug": column("slug"),
        "city": column("city"),
        "region": column("region"),
        "country": column("country"),
        "timezone": column("timezone"),
        "description": column("description"),
        "status": enum("status"),
        "foundedOn": day("founded_on"),
        "createdAt": instant("created_at"),
        "updatedAt": instant("updated_at"),
        "contactLinks": nested(_contact_links, columns=("contact_links",)),
        "parent": chapter_by("parent_id"),
        "children": paged(_children),
        "members": paged(_members, frozenset({"role", "status", "first", "after"})),
        "membershipHistory": paged(_membership_history, frozenset({"filter", *PAGE})),
        "statusHistory": nested(_status_history),
        "committee": nested(_committee, columns=("committee_id",)),
        "viewerRole": FieldSpec(_viewer_role, columns=("id",)),
    },
)
_spec(
    "ChapterStatusChange",
    {
        "fromStatus": enum("from_status"),
        "toStatus": enum("to_status"),
        "reason": column("reason"),
        "changedAt": instant("changed_at"),
        "changedBy": person_by("changed_by_id"),
    },
)
_spec(
    "MembershipPeriod",
    {
        "role": enum("role"),
        "status": enum("status"),
        "startedAt": instant("started_at"),
        "endedAt": instant("ended_at"),
        "reason": column("reason"),
        "person": person_by("person_id"),
        "chapter": chapter_by("chapter_id"),
        "changedBy": person_by("changed_by_id"),
    },
)
_spec(
    "Committee",
    {
        "id": global_id("Committee"),
        "name": column("name"),
        "kind": enum("kind"),
        "description": column("description"),
        "createdAt": instant("created_at"),
    },
)
_spec("ContactLink", {"kind": column("kind"), "url": column("url")})
_spec(
    "ChapterMembership",
    {
        "id": global_id("ChapterMembership"),
        "role": enum("role"),
        "status": enum("status"),
        "joinedAt": instant("joined_at"),
        "leftAt": instant("left_at"),
        "firstJoinedAt": instant("first_joined_at"),
        "invitedByEmail": FieldSpec(
            lambda b, row, f: row.c.invited_email.is_not(None), columns=("invited_email",)
        ),
        "person": person_by("person_id"),
        "chapter": chapter_by("chapter_id"),
    },
)
_spec(
    "Person",
    {
        "id": global_id("Person"),
        "displayName": column("display_name"),
        "githubHandle": column("github_handle"),
        "city": column("city"),
        "company": column("company"),
        "bio": column("bio"),
        "locale": column("locale"),
        "segments": enum_list("segments"),
        "tags": strings("tags"),
        "interests": strings("interests"),
        "tenantRole": enum("tenant_role"),
        "status": enum("status"),
        "publicProfile": FieldSpec(
            lambda b, row, f: func.coalesce(row.c.public_profile, encode.FALSE),
            columns=("public_profile",),
        ),
        "createdAt": instant("created_at"),
    },
)
_spec(
    "Activity",
    {
        "id": global_id("Activity"),
        "kind": enum("kind"),
        "status": enum("status"),
        "title": column("title"),
        "description": column("description"),
        "startsAt": instant("starts_at"),
        "endsAt": instant("ends_at"),
        "timezone": column("timezone"),
        "venue": column("venue"),
        "onlineUrl": column("online_url"),
        "language": column("language"),
        "expectedAttendance": column("expected_attendance"),
        "actualAttendance": column("actual_attendance"),
        "attendance": column("actual_attendance"),
        "reach": nested(_reach, columns=("reach", "reach_unit")),
        "tags": strings("tags"),
        "mentoringProjectId": global_id("MentoringProject", "mentoring_project_id"),
        "submittedAt": instant("submitted_at"),
        "reviewedAt": instant("reviewed_at"),
        "recapSummary": column("recap_summary"),
        "recapPublishedAt": instant("recap_published_at"),
        "createdAt": instant("created_at"),
        "updatedAt": instant("updated_at"),
        "chapter": chapter_by("chapter_id"),
        "coHosts": nested(_co_hosts),
        "organisations": nested(_organisations),
    },
)
_spec("ActivityReach", {"count": column("reach"), "unit": enum("reach_unit")})
_spec(
    "ActivityOrganisation",
    {
        "role": enum("role"),
        "organisationId": global_id("Organisation", "organisation_id"),
        "name": column("name"),
    },
)

# --- root fields -------------------------------------------------------------------------------


def _chapter(b: Builder, row: Any, f: PlannedField) -> Any:
    """``chapter(slug:)``: ``local_chapters.service.find_by_slug``."""
    slug = b.arguments(f, frozenset({"slug"}))["slug"]
    return b.one(f, select(Chapter).where(Chapter.slug == slug, b.tenant(Chapter)), Chapter)


_CHAPTER_FILTER = frozenset({"status", "region", "parentId", "topLevelOnly", "committeeId", "text"})


def _chapters(b: Builder, row: Any, f: PlannedField) -> Any:
    """``chapters``: ``local_chapters.queries.directory``."""
    args = b.arguments(f, frozenset({"filter", *PAGE_BOTH_WAYS}))
    given = args.get("filter") or {}
    if not set(given) <= _CHAPTER_FILTER:
        raise Fallback("a filter the compiler does not know")
    filters = chapter_queries.ChapterFilter(
        statuses=list(given.get("status") or []),
        region=given.get("region"),
        parent_id=decoded_id(given["parentId"], "Chapter") if given.get("parentId") else None,
        top_level_only=bool(given.get("topLevelOnly")),
        committee_id=(
            decoded_id(given["committeeId"], "Committee") if given.get("committeeId") else None
        ),
        text=given.get("text"),
    )
    statement = select(Chapter).where(*filters.conditions(), b.tenant(Chapter))
    return b.connection(f, statement, Chapter, BY_NAME, _page(args))


def _page(args: Mapping[str, Any]) -> PageArgs:
    return PageArgs(
        first=args.get("first"),
        after=args.get("after"),
        last=args.get("last"),
        before=args.get("before"),
    )


def _optional_id(value: Any, type_name: str) -> uuid.UUID | None:
    return None if value is None else decoded_id(value, type_name)


_ACTIVITY_FILTER = frozenset(
    {
        "chapterId",
        "includeSubChapters",
        "committeeId",
        "kind",
        "status",
        "startsFrom",
        "startsBefore",
        "startsOn",
        "organisationId",
        "participantPersonId",
        "text",
        "recapOverdue",
    }
)


def activity_filter(given: Mapping[str, Any]) -> activity_queries.ActivityFilter:
    """The ``ActivityFilter`` input as the service reads it (``activities.schema``)."""
    if not set(given) <= _ACTIVITY_FILTER:
        raise Fallback("a filter the compiler does not know")
    starts_on = given.get("startsOn")
    if starts_on is not None and not set(starts_on) <= {"from", "to"}:
        raise Fallback("a date range the compiler does not know")
    return activity_queries.ActivityFilter(
        chapter_id=_optional_id(given.get("chapterId"), "Chapter"),
        include_sub_chapters=bool(given.get("includeSubChapters")),
        committee_id=_optional_id(given.get("committeeId"), "Committee"),
        kinds=tuple(given.get("kind") or ()),
        statuses=tuple(given.get("status") or ()),
        starts_from=given.get("startsFrom"),
        starts_before=given.get("startsBefore"),
        starts_on=(starts_on.get("from"), starts_on.get("to")) if starts_on else None,
        organisation_id=_optional_id(given.get("organisationId"), "Organisation"),
        participant_person_id=_optional_id(given.get("participantPersonId"), "Person"),
        text=given.get("text"),
        recap_overdue=given.get("recapOverdue"),
    )


async def _activities(b: Builder, row: Any, f: PlannedField) -> Any:
    """``activities``: ``activities.queries.activities`` (its statement, paged here)."""
    args = b.arguments(f, frozenset({"filter", "orderBy", "descending", *PAGE_BOTH_WAYS}))
    filters = activity_filter(args.get("filter") or {})
    order = args["orderBy"].value  # the schema's enum wraps queries.OrderField
    # Days and overdue recaps are read on the database's clock and data while building.
    b.volatile = b.volatile or filters.starts_on is not None or filters.recap_overdue is not None
    try:
        statement = await activity_queries.activity_query(b.reader, b.tenant_id, filters)
    except DomainError as error:
        raise Fallback(str(error)) from None
    ordering = activity_queries.ordering(activity_queries.OrderField(order), args["descending"])
    statement = statement.where(b.tenant(Activity))
    sources: tuple[ColumnElement[bool], ...] = ()
    if filters.chapter_id is not None:
        sources = activity_queries.credit_sources(activity_queries.credited_chapters(filters))
    return b.connection(f, statement, Activity, ordering, _page(args), sources=sources)


def _review_queue(b: Builder, row: Any, f: PlannedField) -> Any:
    args = b.arguments(f, PAGE)
    try:
        statement = activity_queries.review_queue_query(b.principal)
    except DomainError as error:
        raise Fallback(str(error)) from None
    statement = statement.where(b.tenant(Activity))
    return b.connection(f, statement, Activity, activity_queries.REVIEW_QUEUE_ORDER, _page(args))


# node(id:): the object types the compiler loads by id, with their read rules.
NodeLoad = Callable[[Builder, PlannedField, uuid.UUID, str], Any]


def _load_chapter(b: Builder, f: PlannedField, object_id: uuid.UUID, type_name: str) -> Any:
    statement = select(Chapter).where(Chapter.id == object_id, b.tenant(Chapter))
    return b.one(f, statement, Chapter, type_name=type_name)


def _load_activity(b: Builder, f: PlannedField, object_id: uuid.UUID, type_name: str) -> Any:
    """``activities.queries.activity``: ``may_read`` is ``visible`` for one row."""
    visible = activity_queries.visible(b.principal)
    statement = select(Activity).where(Activity.id == object_id, visible, b.tenant(Activity))
    return b.one(f, statement, Activity, type_name=type_name)


def _load_person(b: Builder, f: PlannedField, object_id: uuid.UUID, type_name: str) -> Any:
    statement = person_statement(b, object_id)
    return null() if statement is None else b.one(f, statement, Person, type_name=type_name)


NODE_LOADS: dict[str, NodeLoad] = {
    "Chapter": _load_chapter,
    "Activity": _load_activity,
    "Person": _load_person,
}


def _node(b: Builder, row: Any, f: PlannedField) -> Any:
    """``node(id:)``: null for an id that is not one (as ``api.schema._node_or_none``)."""
    raw = b.arguments(f, frozenset({"id"}))["id"]
    object_id: Any  # a uuid, or the parameter of one
    if isinstance(raw, OpaqueId):  # a valid id, its uuid a parameter
        type_name, object_id = raw.type_name, raw.id
    else:
        try:
            type_name, node_id = split_global_id(raw)
        except ValueError:
            return null()
    load = NODE_LOADS.get(type_name)
    if load is None or type_name not in f.children:
        raise Fallback(f"node of type {type_name!r}")
    if not isinstance(raw, OpaqueId):
        try:
            object_id = uuid.UUID(node_id)
        except ValueError:
            return null()
    return load(b, f, object_id, type_name)


def _tenant(b: Builder, row: Any, f: PlannedField) -> Any:
    """``tenant``: the tenant the request names (``tenants.service.get_tenant``)."""
    b.arguments(f, frozenset())
    return b.one(f, select(Tenant).where(Tenant.id == b.tenant_id), Tenant)


def _viewer(b: Builder, row: Any, f: PlannedField) -> Any:
    """``viewer``: the signed-in person (null for anonymous callers and API clients)."""
    b.arguments(f, frozenset())
    principal = b.principal
    if principal is None or principal.person_id is None:
        return null()
    return b.object(f.child, principal)


def _viewer_person(b: Builder, principal: Any, f: PlannedField) -> Any:
    statement = person_statement(b, principal.person_id)
    return null() if statement is None else b.one(f, statement, Person)


_spec(
    "Tenant",
    {
        "slug": column("slug"),
        "name": column("name"),
        "timezone": column("timezone"),
        "defaultLocale": column("default_locale"),
    },
)
# The viewer's "row" is the principal: its fields are the caller's own data.
_spec(
    "Viewer",
    {
        "email": FieldSpec(lambda b, principal, f: literal(principal.email)),
        "tenantRole": FieldSpec(
            lambda b, principal, f: encode.enum_value(principal.tenant_role, b.enum_of(f))
        ),
        "person": nested(_viewer_person, columns=()),
    },
)

_spec(
    "Query",
    {
        "tenant": nested(_tenant, columns=()),
        "viewer": nested(_viewer, columns=()),
        "chapter": nested(_chapter, frozenset({"slug"}), columns=(), opaque=(("slug", "text"),)),
        "chapters": paged(_chapters, frozenset({"filter", *PAGE_BOTH_WAYS})),
        "activities": paged(
            _activities,
            frozenset({"filter", "orderBy", "descending", *PAGE_BOTH_WAYS}),
            opaque=(("filter.chapterId", "id"),),
        ),
        "activityReviewQueue": paged(_review_queue),
        "node": nested(_node, frozenset({"id"}), columns=(), opaque=(("id", "id"),)),
    },
)

NODE_TYPES = tuple(NODE_LOADS)

"""What can be exported: a registry of export kinds, each a header and a source of rows.

A kind is registered once, at import time, with either ``rows`` or ``query``::

    register(ExportKind(
        name="chapter-health",
        columns=["chapter", "status", "fired_rules"],
        rows=chapter_health_rows,
        accepts=frozenset({"from", "to", "chapter"}),
    ))

``rows`` is an async function ``(session, principal, tenant_id, filters)`` returning an
async iterator of rows, each a sequence of values in the order of ``columns``. Values are
``None``, ``str``, ``int``, ``float``, ``bool``, ``Decimal``, ``datetime`` (an instant: written
in UTC), ``date``, ``uuid.UUID``, an enum (its value) or a list of these (joined with "; ").
A metric kind computes its figures first and yields rows from those lists::

    async def chapter_health_rows(session, principal, tenant_id, filters):
        for row in await insight.health_rows(session, principal, ...):
            yield (row.chapter.slug, row.status, [rule.name for rule in row.fired])

A data kind that is one SELECT gives ``query`` instead: ``(principal, tenant_id, filters)``
returning an ORM ``select(...)`` of its columns, in order. Its rows are read with a
server-side cursor (``stream``) for XLSX, and its CSV is written by PostgreSQL
(``exports.sql_csv``), so that a million rows keep memory flat and go out at the database's
pace. Either way the session's tenant predicate is applied (``chapters.tenancy``).

Everything around the rows is the service's (``exports.service``): the policy
(``Action.DATA_EXPORT`` for every kind, plus the kind's own ``requires``), the filters
(parsed, validated and resolved once: ``ExportFilters``; a filter the kind does not
``accept`` is refused), the columns a caller may not see (``restricted``: left out of the
header and of every row), the formats, counting the rows and the audit entry. Filter
semantics: ``from`` / ``to`` are days of the tenant's time zone, both included (a span, such
as a membership period or a relationship, is kept when it overlaps them); ``chapter`` is a
chapter's slug; ``status`` one or more (comma-separated) of the kind's ``statuses``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import with_loader_criteria

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.models import (
    Activity,
    ActivityCoHost,
    ActivityOrganisation,
    ActivityStatus,
    Chapter,
    ChapterMembershipPeriod,
    ChapterOrganisation,
    MembershipStatus,
    Organisation,
    OrganisationRelationship,
    Person,
    PersonStatus,
    RegistrationStatus,
    RelationshipStatus,
    TenantScoped,
)
from chapters.models import Registration as R

Row = Sequence[Any]
RowSource = Callable[
    [AsyncSession, Principal | None, uuid.UUID, "ExportFilters"], AsyncIterator[Row]
]
# (principal, tenant_id, filters) -> an ORM SELECT of the kind's columns, in their order
QuerySource = Callable[[Principal | None, uuid.UUID, "ExportFilters"], Any]

FILTER_NAMES = ("from", "to", "chapter", "status")
# Rows fetched per round trip of a server-side cursor.
FETCH_ROWS = 2_000


@dataclass(frozen=True)
class ExportFilters:
    """The filters of one export, validated and resolved (``exports.service``)."""

    from_day: date | None = None
    to_day: date | None = None  # included
    # The same days as instants: the start of ``from_day`` and of the day after ``to_day``,
    # in the tenant's time zone.
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    chapter_slug: str | None = None
    chapter_id: uuid.UUID | None = None
    statuses: tuple[str, ...] = ()

    def recorded(self) -> dict[str, Any]:
        """The filters as the caller gave them (for the audit log), unset ones left out."""
        given = {
            "from": self.from_day.isoformat() if self.from_day else None,
            "to": self.to_day.isoformat() if self.to_day else None,
            "chapter": self.chapter_slug,
            "status": list(self.statuses) or None,
        }
        return {name: value for name, value in given.items() if value is not None}


@dataclass(frozen=True)
class ExportKind:
    name: str
    columns: Sequence[str]
    rows: RowSource | None = None
    # A kind that is one SELECT gives it instead of ``rows``: its rows are streamed from it,
    # and its CSV is written by PostgreSQL (``exports.sql_csv``).
    query: QuerySource | None = None
    accepts: frozenset[str] = frozenset()  # among FILTER_NAMES
    statuses: tuple[str, ...] = ()  # the values ``status`` takes
    # column → the action (tenant-wide) a caller needs for it; else the column is left out
    restricted: Mapping[str, Action] = field(default_factory=dict)
    # actions needed on top of DATA_EXPORT
    requires: tuple[Action, ...] = ()

    def __post_init__(self) -> None:
        if (self.rows is None) == (self.query is None):
            raise ValueError(f"export {self.name!r}: give rows or query (one of them)")
        unknown = self.accepts - set(FILTER_NAMES)
        if unknown:
            raise ValueError(f"export {self.name!r}: unknown filters {sorted(unknown)}")
        if not set(self.restricted) <= set(self.columns):
            raise ValueError(f"export {self.name!r}: restricted columns must be columns")

    def row_source(
        self,
        session: AsyncSession,
        principal: Principal | None,
        tenant_id: uuid.UUID,
        filters: ExportFilters,
    ) -> AsyncIterator[Row]:
        if self.query is not None:
            return stream(session, tenant_id, self.query(principal, tenant_id, filters))
        assert self.rows is not None
        return self.rows(session, principal, tenant_id, filters)

    def visible_columns(self, principal: Principal | None) -> list[int]:
        """The positions of the columns ``principal`` may see."""
        return [
            index
            for index, column in enumerate(self.columns)
            if column not in self.restricted or authz.can(principal, self.restricted[column])
        ]


_KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    if kind.name in _KINDS:
        raise ValueError(f"export kind {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def kind_named(name: str) -> ExportKind | None:
    return _KINDS.get(name)


def kind_names() -> list[str]:
    return sorted(_KINDS)


def compiled_for_tenant(
    connection: AsyncConnection, tenant_id: uuid.UUID, statement: Any
) -> tuple[str, list[Any]]:
    """The statement's SQL for asyncpg and its values, with the tenant predicate the session
    adds to every ORM statement (``chapters.tenancy``) added the same way (row-level security
    holds beneath)."""
    compiled = statement.options(_of_tenant(tenant_id)).compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    return compiled.string, [compiled.params[name] for name in compiled.positiontup or ()]


async def stream(session: AsyncSession, tenant_id: uuid.UUID, statement: Any) -> AsyncIterator[Row]:
    """The statement's rows, read in the session's transaction (bound to the tenant) through a
    server-side cursor, ``FETCH_ROWS`` at a time.

    The rows come from asyncpg itself, not through SQLAlchemy's result objects: measured on a
    million activities, those cost three times what asyncpg's records do. The next batch is
    asked for before this one is handed out, so PostgreSQL computes it while these rows are
    written."""
    connection = await session.connection()
    sql, values = compiled_for_tenant(connection, tenant_id, statement)
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    cursor = await driver.cursor(sql, *values)
    pending = asyncio.ensure_future(cursor.fetch(FETCH_ROWS))
    try:
        while batch := await pending:
            pending = asyncio.ensure_future(cursor.fetch(FETCH_ROWS))
            await asyncio.sleep(0)  # the next fetch is sent
            for row in batch:
                yield row
    finally:
        # A fetch cancelled half-way would leave the connection unusable: let it finish.
        await asyncio.wait([pending])


def _of_tenant(tenant_id: uuid.UUID) -> Any:
    return with_loader_criteria(
        TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
    )


def _between(
    column: Any, filters: ExportFilters, ends: Any | None = None
) -> list[ColumnElement[bool]]:
    """``column`` within the filters' days; with ``ends``, a span [column, ends) that overlaps
    them (an open span, ``ends`` null, lasts)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.starts_before is not None:
        conditions.append(column < filters.starts_before)
    if filters.starts_from is not None:
        last = ends if ends is not None else column
        reaches = last >= filters.starts_from
        conditions.append(or_(ends.is_(None), reaches) if ends is not None else reaches)
    return conditions


def _global_id(type_name: str, column: Any) -> ColumnElement[str]:
    """The id the API shows (``chapters.global_ids``), made in SQL (base64 of PostgreSQL
    breaks lines every 76 characters: they are removed)."""
    raw = literal(f"{type_name}:") + cast(column, Text)
    encoded = func.encode(func.convert_to(raw, literal("UTF8")), literal("base64"))
    return func.replace(encoded, func.chr(10), literal(""))


def _joined(value: Any, *order: Any) -> ColumnElement[str]:
    """The values of a group as one text, "; " between them, in the order given."""
    return func.string_agg(value, aggregate_order_by(literal("; "), *(order or (value,))))


# -- activities ---------------------------------------------------------------------------


def activity_query(
    principal: Principal | None, tenant_id: uuid.UUID, filters: ExportFilters
) -> Any:
    co_hosts = (
        select(
            ActivityCoHost.activity_id,
            _joined(Chapter.slug).label("slugs"),
        )
        .join(Chapter, Chapter.id == ActivityCoHost.chapter_id)
        .group_by(ActivityCoHost.activity_id)
        .subquery()
    )
    organisations = (
        select(
            ActivityOrganisation.activity_id,
            _joined(
                func.concat(Organisation.name, " (", ActivityOrganisation.role, ")"),
                Organisation.name,
                ActivityOrganisation.role,
            ).label("names"),
        )
        .join(Organisation, Organisation.id == ActivityOrganisation.organisation_id)
        .group_by(ActivityOrganisation.activity_id)
        .subquery()
    )
    conditions = _between(Activity.starts_at, filters)
    if filters.chapter_id is not None:
        conditions.append(Activity.chapter_id == filters.chapter_id)
    if filters.statuses:
        conditions.append(Activity.status.in_(filters.statuses))
    statement = (
        select(
            _global_id("Activity", Activity.id),  # the id the API shows
            Chapter.slug,
            Activity.kind,
            Activity.status,
            Activity.title,
            Activity.starts_at,
            Activity.ends_at,
            Activity.timezone,
            Activity.venue,
            Activity.online_url,
            Activity.actual_attendance,
            Activity.reach,
            Activity.reach_unit,
            Activity.tags,
            Activity.recap_published_at,
            co_hosts.c.slugs,
            organisations.c.names,
        )
        .outerjoin(Chapter, Chapter.id == Activity.chapter_id)
        .outerjoin(co_hosts, co_hosts.c.activity_id == Activity.id)
        .outerjoin(organisations, organisations.c.activity_id == Activity.id)
        .where(*conditions)
        .order_by(Activity.starts_at, Activity.id)
    )
    return statement


register(
    ExportKind(
        name="activities",
        columns=[
            "id",
            "chapter",
            "kind",
            "status",
            "title",
            "starts_at",
            "ends_at",
            "timezone",
            "venue",
            "online_url",
            "attendance",
            "reach",
            "reach_unit",
            "tags",
            "recap_published_at",
            "co_host_chapters",
            "organisations",
        ],
        query=activity_query,
        accepts=frozenset(FILTER_NAMES),
        statuses=tuple(status.value for status in ActivityStatus),
    )
)


# -- memberships: every period of every membership ----------------------------------------


def _listed(principal: Principal | None) -> ColumnElement[bool]:
    """People invited by email who have not accepted yet are staff's to see (``authz.
    can_see_person``; exporters are readers of the whole tenant, not a chapter's leads)."""
    if authz.can(principal, Action.PERSON_READ_INVITED):
        return true()
    return Person.status == PersonStatus.ACTIVE


def membership_query(
    principal: Principal | None, tenant_id: uuid.UUID, filters: ExportFilters
) -> Any:
    period = ChapterMembershipPeriod
    conditions = [_listed(principal), *_between(period.started_at, filters, period.ended_at)]
    if filters.chapter_id is not None:
        conditions.append(period.chapter_id == filters.chapter_id)
    if filters.statuses:
        conditions.append(period.status.in_(filters.statuses))
    statement = (
        select(
            Chapter.slug,
            Person.display_name,
            period.role,
            period.status,
            period.started_at,
            period.ended_at,
            period.reason,
        )
        .join(Chapter, Chapter.id == period.chapter_id)
        .join(Person, Person.id == period.person_id)
        .where(*conditions)
        .order_by(
            Chapter.slug, func.lower(Person.display_name), period.person_id, period.started_at
        )
    )
    return statement


register(
    ExportKind(
        name="memberships",
        columns=["chapter", "person", "role", "status", "started_at", "ended_at", "reason"],
        query=membership_query,
        accepts=frozenset(FILTER_NAMES),
        statuses=tuple(status.value for status in MembershipStatus),
    )
)


# -- people -------------------------------------------------------------------------------


def people_query(principal: Principal | None, tenant_id: uuid.UUID, filters: ExportFilters) -> Any:
    # Emails are read only for callers who may see everyone's (the service drops the column
    # for the others as well).
    email = Person.email if authz.can(principal, Action.PERSON_READ_EMAIL) else literal(None)
    statement = (
        select(
            Person.display_name,
            email,
            Person.github_handle,
            Person.city,
            Person.company,
            Person.tenant_role,
            Person.status,
            Person.segments,
            Person.created_at,
        )
        .where(_listed(principal))
        .order_by(func.lower(Person.display_name), Person.id)
    )
    return statement


register(
    ExportKind(
        name="people",
        columns=[
            "display_name",
            "email",
            "github_handle",
            "city",
            "company",
            "tenant_role",
            "status",
            "segments",
            "created_at",
        ],
        query=people_query,
        restricted={"email": Action.PERSON_READ_EMAIL},
    )
)


# -- organisations and their relationships (notes and contacts are private: not exported) --


def _statuses(statuses: tuple[str, ...], column: Any) -> list[ColumnElement[bool]]:
    return [column.in_(statuses)] if statuses else []


def organisation_query(
    principal: Principal | None, tenant_id: uuid.UUID, filters: ExportFilters
) -> Any:
    relationship = OrganisationRelationship
    relationships = (
        select(
            relationship.organisation_id,
            _joined(
                func.concat(relationship.kind, ": ", relationship.status),
                relationship.starts_on.nulls_first(),
                relationship.kind,
            ).label("relationships"),
        )
        .group_by(relationship.organisation_id)
        .subquery()
    )
    chapters = (
        select(ChapterOrganisation.organisation_id, _joined(Chapter.slug).label("slugs"))
        .join(Chapter, Chapter.id == ChapterOrganisation.chapter_id)
        .group_by(ChapterOrganisation.organisation_id)
        .subquery()
    )
    conditions = []
    if filters.chapter_id is not None:
        linked = select(ChapterOrganisation.organisation_id).where(
            ChapterOrganisation.chapter_id == filters.chapter_id
        )
        conditions.append(Organisation.id.in_(linked))
    statement = (
        select(
            Organisation.name,
            Organisation.kind,
            Organisation.website,
            relationships.c.relationships,
            chapters.c.slugs,
        )
        .outerjoin(relationships, relationships.c.organisation_id == Organisation.id)
        .outerjoin(chapters, chapters.c.organisation_id == Organisation.id)
        .where(*conditions)
        .order_by(func.lower(Organisation.name), Organisation.id)
    )
    return statement


register(
    ExportKind(
        name="organisations",
        columns=["name", "kind", "website", "relationships", "chapters"],
        query=organisation_query,
        accepts=frozenset({"chapter"}),
    )
)


def relationship_query(
    principal: Principal | None, tenant_id: uuid.UUID, filters: ExportFilters
) -> Any:
    relationship = OrganisationRelationship
    conditions = _statuses(filters.statuses, relationship.status)
    if filters.to_day is not None:
        conditions.append(
            or_(relationship.starts_on.is_(None), relationship.starts_on <= filters.to_day)
        )
    if filters.from_day is not None:
        conditions.append(
            or_(relationship.ends_on.is_(None), relationship.ends_on >= filters.from_day)
        )
    statement = (
        select(
            Organisation.name,
            relationship.kind,
            relationship.status,
            relationship.starts_on,
            relationship.ends_on,
        )
        .join(Organisation, Organisation.id == relationship.organisation_id)
        .where(*conditions)
        .order_by(func.lower(Organisation.name), relationship.starts_on, relationship.id)
    )
    return statement


register(
    ExportKind(
        name="organisation-relationships",
        columns=["organisation", "kind", "status", "starts_on", "ends_on"],
        query=relationship_query,
        accepts=frozenset({"from", "to", "status"}),
        statuses=tuple(status.value for status in RelationshipStatus),
    )
)


# -- registrants (chapters.registrations) ----------------------------------------------------
# Tenant-wide for staff here; an activity's organisers export its own registrants at
# ``/t/{tenant}/activities/{id}/registrants.{csv|xlsx}`` (``registrations/routes.py``).

REGISTRANT_COLUMNS = [
    "activity_id",
    "activity",
    "starts_at",
    "code",
    "status",
    "name",
    "email",
    "registered_at",
    "confirmed_at",
    "waitlisted_at",
    "cancelled_at",
    "checked_in_at",
    "erased",
]


def registrants_query(
    principal: Principal | None,
    tenant_id: uuid.UUID,
    filters: ExportFilters,
    activity_id: uuid.UUID | None = None,
) -> Any:
    conditions = [*_between(Activity.starts_at, filters), *_statuses(filters.statuses, R.status)]
    if filters.chapter_id is not None:
        conditions.append(Activity.chapter_id == filters.chapter_id)
    if activity_id is not None:
        conditions.append(R.activity_id == activity_id)
    statement = (
        select(
            _global_id("Activity", Activity.id),
            Activity.title,
            Activity.starts_at,
            R.code,
            R.status,
            func.coalesce(Person.display_name, R.name),
            func.coalesce(Person.email, R.email),
            R.created_at,
            R.confirmed_at,
            R.waitlisted_at,
            R.cancelled_at,
            R.checked_in_at,
            R.erased_at.is_not(None),
        )
        .join(Activity, Activity.id == R.activity_id)
        .outerjoin(Person, Person.id == R.person_id)
        .where(*conditions)
        .order_by(Activity.starts_at, Activity.id, R.created_at, R.id)
    )
    return statement


register(
    ExportKind(
        name="registrants",
        columns=REGISTRANT_COLUMNS,
        query=registrants_query,
        accepts=frozenset(FILTER_NAMES),
        statuses=tuple(status.value for status in RegistrationStatus),
        requires=(Action.REGISTRATION_EXPORT,),
    )
)


# -- incentives: the rewards ledger (``chapters.incentives.export`` registers its kind) -------

from chapters.incentives import export as _incentives  # noqa: E402, F401

"""Use cases of the insight layer: each checks the policy, runs its statements (``evidence``)
and answers plain figures (``figures``). Services never commit."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import DateTime, String, Uuid, column, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.channels import queries as channels
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate_in_memory
from chapters.errors import ErrorCode, FieldError, Forbidden, InvalidInput
from chapters.insight import evidence, periods, rollup
from chapters.insight.figures import (
    SEVERITY,
    ChannelReachRow,
    ChapterHealthRow,
    CohortRow,
    Contribution,
    Count,
    FiredRule,
    Funnel,
    Granularity,
    HealthStatus,
    MetricPoint,
    Period,
    PersonActivity,
    QuarterlyReport,
    QuietContributor,
    Segment,
    TopContributor,
)
from chapters.insight.rules import HealthRules, rules_from_settings
from chapters.memberships.loaders import chapters_by_person
from chapters.models import Chapter, ChapterStatus, Tenant
from chapters.tenants.service import recap_overdue_days


@dataclass(frozen=True)
class Scope:
    """Whose figures a caller may read: the whole tenant, some chapters, or (a partner) the
    activities of one organisation, without people."""

    tenant_wide: bool
    chapter_ids: frozenset[uuid.UUID] = frozenset()
    organisation_id: uuid.UUID | None = None

    @property
    def people(self) -> bool:
        return self.organisation_id is None


@dataclass(frozen=True)
class ChapterFilter:
    chapter_ids: list[uuid.UUID] | None = None
    statuses: list[ChapterStatus] | None = None
    health: list[HealthStatus] | None = None


@dataclass
class _Figures:
    members: int = 0
    active: int = 0
    new: int = 0
    churned: int = 0
    reactivated: int = 0
    stayed: int = 0

    def __add__(self, other: _Figures) -> _Figures:
        """The figures of two groups of different people."""
        return _Figures(
            *(getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(self))
        )


@dataclass
class _Activities:
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    attendance: int = 0

    def total(self) -> int:
        return sum(self.by_kind.values())


# The orders of the lists computed here (their cursors are keyed by these names).
HEALTH_ORDER = Ordering((column("chapter_name", String()), column("chapter_id", Uuid())))
QUIET_ORDER = Ordering(
    (column("last_active_at", DateTime(timezone=True)), column("person_id", Uuid())),
    descending=True,
)


# --- who may read what ---------------------------------------------------------------------


def scope_of(principal: Principal | None) -> Scope:
    """The caller's scope; refused when they may read no figures at all."""
    if authz.can(principal, authz.Action.INSIGHT_READ_TENANT):
        return Scope(tenant_wide=True)
    if authz.can(principal, authz.Action.INSIGHT_READ_PARTNER):
        organisation_id = authz.partner_of(principal)
        if organisation_id is not None:
            return Scope(tenant_wide=False, organisation_id=organisation_id)
    led = authz.chapter_ids_led_by(principal)
    readable = {
        c for c in led if authz.can(principal, authz.Action.INSIGHT_READ_CHAPTER, chapter_id=c)
    }
    if not readable:
        raise Forbidden(authz.Action.INSIGHT_READ_CHAPTER.value)
    return Scope(tenant_wide=False, chapter_ids=frozenset(readable))


def breaks_down_small_groups(principal: Principal | None) -> bool:
    return authz.can(principal, authz.Action.INSIGHT_READ_SMALL_GROUPS)


# --- the statements ------------------------------------------------------------------------


class Basis(NamedTuple):
    """What every figure of a request is computed against: the tenant, its rules, and the
    database's clock (the transaction's)."""

    tenant: Tenant
    rules: HealthRules
    now: datetime


async def basis_of(session: AsyncSession, tenant_id: uuid.UUID) -> Basis:
    """Read once per session: a session serves one request or one command, whose figures
    are all computed against the same rules and clock."""
    key = ("insight.basis", tenant_id)
    # concurrent resolvers share the one read: the first reads, the others wait for it
    async with session.info.setdefault("insight.basis.lock", asyncio.Lock()):
        found: Basis | None = session.info.get(key)
        if found is None:
            found = session.info[key] = await _read_basis(session, tenant_id)
        return found


async def _read_basis(session: AsyncSession, tenant_id: uuid.UUID) -> Basis:
    # The request's transaction plans every statement for its own parameters: a generic
    # plan (the read path's choice, ``tenancy.bind_connection``) of a figures statement
    # guesses a few hundred rows where there are hundreds of thousands, and runs for minutes.
    custom_plans = func.set_config("plan_cache_mode", "force_custom_plan", True)
    statement = select(Tenant, func.now(), custom_plans).where(Tenant.id == tenant_id)
    tenant, now, _ = (await session.execute(statement)).one()
    return Basis(tenant, rules_from_settings(tenant.settings), now)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _bounds(spans: Sequence[Period]) -> list[datetime]:
    return [_moment(p.starts_on) for p in spans] + [_moment(spans[-1].ends_on)]


def _params(
    tenant_id: uuid.UUID,
    rules: HealthRules,
    spans: Sequence[Period],
    as_of: datetime,
    **extra: Any,
) -> dict[str, Any]:
    bounds = _bounds(spans)
    return {
        "tenant": tenant_id,
        "as_of": min(as_of, bounds[-1]),
        "inactive": timedelta(days=rules.inactive_after_days),
        "code_counts": rules.code_counts_as_active,
        "bounds": bounds,
        "periods": len(spans),
        "first": bounds[0],
        "last": bounds[-1],
        "segment": None,
        "chapters": [],
        "organisation": None,
        **extra,
    }


async def _people_figures(
    session: AsyncSession, params: dict[str, Any], by_chapter: bool
) -> dict[tuple[uuid.UUID | None, int], _Figures]:
    live = await _live_beside_rollup(session, params)
    segmented = params["segment"] is not None
    if by_chapter and live is not None and not segmented:
        rolled_up = evidence.CHAPTER_ROLLUP
    elif live is not None and not segmented and _months_only(params["bounds"]):
        rolled_up = evidence.TENANT_MONTHS
    else:
        statement = evidence.people_figures(by_chapter, segmented, rollup=live is not None)
        return _figures(await session.execute(text(statement), {**params, "live": live}))
    # everyone else's from the rollup alone, plus the live people's from their evidence
    params = {**params, "live": live, "last_month": params["bounds"][-2]}
    figures = _figures(await session.execute(text(rolled_up), params))
    if live:
        statement = evidence.people_figures(by_chapter, segmented, live_only=True)
        for key, more in _figures(await session.execute(text(statement), params)).items():
            figures[key] = figures[key] + more if key in figures else more
    return figures


def _figures(rows: Any) -> dict[tuple[uuid.UUID | None, int], _Figures]:
    return {
        (row.chapter_id, row.bucket): _Figures(
            members=row.members or 0,
            active=row.active,
            new=row.new,
            churned=row.churned,
            reactivated=row.reactivated,
            stayed=row.stayed,
        )
        for row in rows
    }


def _months_only(bounds: list[datetime]) -> bool:
    return all(
        periods.add_months(start.date(), 1) == end.date()
        for start, end in itertools.pairwise(bounds)
    )


async def _activity_figures(
    session: AsyncSession, params: dict[str, Any], by_chapter: bool
) -> dict[tuple[uuid.UUID | None, int], _Activities]:
    statement = evidence.CHAPTER_ACTIVITIES if by_chapter else evidence.TENANT_ACTIVITIES
    figures: dict[tuple[uuid.UUID | None, int], _Activities] = defaultdict(_Activities)
    for row in await session.execute(text(statement), params):
        bucket = figures[(row.chapter_id, row.bucket)]
        bucket.by_kind[row.kind] += row.activities
        bucket.by_status[row.status] += row.activities
        bucket.attendance += row.attendance
    return figures


async def _live_beside_rollup(
    session: AsyncSession, params: dict[str, Any]
) -> list[uuid.UUID] | None:
    """The people to read live when the rollup can serve the figures, else None: it keeps
    months, so every bound must be a month's start."""
    if not all(_is_month_start(bound) for bound in params["bounds"]):
        return None
    _, rules, _ = await basis_of(session, params["tenant"])
    return await rollup.live_people(session, params["tenant"], rules, params["as_of"])


def _is_month_start(moment: datetime) -> bool:
    return moment.day == 1 and moment.timetz() == time(tzinfo=UTC)


def _counts(values: dict[str, int]) -> list[Count]:
    return [Count(key, n) for key, n in sorted(values.items()) if n]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- chapter health ------------------------------------------------------------------------


async def chapter_health(
    session: AsyncSession,
    principal: Principal | None,
    tenant_id: uuid.UUID,
    period: Period,
    filters: ChapterFilter,
    args: PageArgs,
) -> Page[ChapterHealthRow]:
    """Per chapter the caller may read: its figures for ``period`` and its health, by name."""
    scope = scope_of(principal)
    if not scope.people:
        raise Forbidden(authz.Action.INSIGHT_READ_CHAPTER.value)
    chapters = await _chapters(session, scope, filters)
    rows = await health_rows(session, tenant_id, chapters, period)
    if filters.health:
        rows = [row for row in rows if row.status in filters.health]
    return paginate_in_memory(rows, lambda r: (r.chapter_name, r.chapter_id), HEALTH_ORDER, args)


async def _chapters(session: AsyncSession, scope: Scope, filters: ChapterFilter) -> list[Chapter]:
    statement = select(Chapter).where(
        Chapter.status.in_(filters.statuses)
        if filters.statuses
        else Chapter.status != ChapterStatus.ARCHIVED
    )
    if filters.chapter_ids is not None:
        statement = statement.where(Chapter.id.in_(filters.chapter_ids))
    if not scope.tenant_wide:
        statement = statement.where(Chapter.id.in_(scope.chapter_ids))
    return list((await session.scalars(statement)).all())


async def health_rows(
    session: AsyncSession, tenant_id: uuid.UUID, chapters: Sequence[Chapter], period: Period
) -> list[ChapterHealthRow]:
    """Figures and health of ``chapters`` for ``period`` (the caller's right is checked)."""
    if not chapters:
        return []
    tenant, rules, now = await basis_of(session, tenant_id)
    as_of = min(now, _moment(period.ends_on))
    spans = [periods.previous(period), period]
    ids = [c.id for c in chapters]
    params = _params(tenant_id, rules, spans, now, chapters=ids)
    people = await _people_figures(session, params, by_chapter=True)
    activities = await _activity_figures(session, params, by_chapter=True)
    standing_params = {  # params["as_of"] is already the period's end, or now
        **params,
        "first": _moment(period.starts_on),
        "last": _moment(period.ends_on),
        "recap_cutoff": now - timedelta(days=recap_overdue_days(tenant)),
    }
    standing = {
        row.chapter_id: row
        for row in await session.execute(text(evidence.CHAPTER_STANDING), standing_params)
    }
    return [
        _health_row(
            chapter,
            period,
            people.get((chapter.id, 2), _Figures()),
            people.get((chapter.id, 1), _Figures()),
            activities.get((chapter.id, 2), _Activities()),
            standing[chapter.id],
            rules,
            as_of,
        )
        for chapter in chapters
    ]


def _health_row(
    chapter: Chapter,
    period: Period,
    now: _Figures,
    before: _Figures,
    acts: _Activities,
    standing: Any,
    rules: HealthRules,
    as_of: datetime,
) -> ChapterHealthRow:
    last = standing.last_activity_at
    # a chapter that never had an accepted activity is judged from its creation
    idle_days = (as_of - (last or chapter.created_at)).days
    lead_days = (as_of - standing.lead_since).days if standing.lead_since is not None else None
    compliance = _share(standing.published, standing.due)
    fired = fired_rules(rules, idle_days, compliance, standing.lead_id is not None)
    return ChapterHealthRow(
        chapter_id=chapter.id,
        chapter_name=chapter.name,
        chapter_slug=chapter.slug,
        period=period,
        members=now.members,
        active_members=now.active,
        new_members=now.new,
        churned_members=now.churned,
        reactivated_members=now.reactivated,
        retention=_share(before.stayed, before.active),
        activities_by_kind=_counts(acts.by_kind),
        activities_by_status=_counts(acts.by_status),
        accepted_activities=acts.by_status.get(evidence.ACCEPTED, 0),
        cancelled_activities=acts.by_status.get(evidence.CANCELLED, 0),
        recaps_due=standing.due,
        recaps_published=standing.published,
        recap_compliance=compliance,
        last_activity_at=last,
        days_since_last_activity=idle_days,
        lead_id=standing.lead_id,
        lead_since=standing.lead_since,
        lead_tenure_days=lead_days,
        status=max(
            (rule.status for rule in fired), key=SEVERITY.__getitem__, default=HealthStatus.HEALTHY
        ),
        fired_rules=fired,
    )


def fired_rules(
    rules: HealthRules,
    idle_days: int,
    compliance: float | None,
    has_lead: bool,
) -> list[FiredRule]:
    """The health rules that apply to a chapter, worst first."""
    fired = []
    if idle_days >= rules.dormant_after_days:
        fired.append(
            FiredRule(
                "dormant_after_days",
                HealthStatus.DORMANT_CANDIDATE,
                rules.dormant_after_days,
                idle_days,
                f"No accepted activity for {idle_days} days",
            )
        )
    elif idle_days >= rules.at_risk_after_days:
        fired.append(
            FiredRule(
                "at_risk_after_days",
                HealthStatus.AT_RISK,
                rules.at_risk_after_days,
                idle_days,
                f"No accepted activity for {idle_days} days",
            )
        )
    if compliance is not None and compliance < rules.min_recap_compliance:
        fired.append(
            FiredRule(
                "min_recap_compliance",
                HealthStatus.NEEDS_ATTENTION,
                rules.min_recap_compliance,
                compliance,
                f"Recaps published for {compliance:.0%} of the activities due",
            )
        )
    if rules.lead_required and not has_lead:
        fired.append(
            FiredRule("lead_required", HealthStatus.NEEDS_ATTENTION, 1, 0, "No active lead")
        )
    return fired


# --- series, cohorts, funnel ---------------------------------------------------------------


async def community_metrics(
    session: AsyncSession,
    principal: Principal | None,
    tenant_id: uuid.UUID,
    span: Period,
    granularity: Granularity,
    segment: Segment | None = None,
    chapter_ids: Sequence[uuid.UUID] | None = None,
) -> list[MetricPoint]:
    """The tenant's series (``chapter_id`` None), then each chapter's: every chapter the
    caller may read, or those of ``chapter_ids``. A partner's series counts only the
    activities its organisation took part in, without people."""
    scope = scope_of(principal)
    chapters = _readable_chapters(scope, chapter_ids)
    return await metric_points(session, tenant_id, scope, span, granularity, segment, chapters)


async def metric_points(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    scope: Scope,
    span: Period,
    granularity: Granularity,
    segment: Segment | None,
    chapters: list[uuid.UUID],
) -> list[MetricPoint]:
    spans = periods.series(span, granularity)
    _, rules, now = await basis_of(session, tenant_id)
    params = _params(
        tenant_id,
        rules,
        spans,
        now,
        segment=segment.value if segment else None,
        chapters=chapters,
        organisation=scope.organisation_id,
    )
    people: dict[tuple[uuid.UUID | None, int], _Figures] = {}
    activities: dict[tuple[uuid.UUID | None, int], _Activities] = {}
    # leads get their chapters' series only; staff, viewers and partners the tenant's
    tenant_series = scope.tenant_wide or scope.organisation_id is not None
    if tenant_series:
        activities.update(await _activity_figures(session, params, by_chapter=False))
        if scope.people:
            people.update(await _people_figures(session, params, by_chapter=False))
    if chapters:
        activities.update(await _activity_figures(session, params, by_chapter=True))
        people.update(await _people_figures(session, params, by_chapter=True))
    owners: list[uuid.UUID | None] = [None] if tenant_series else []
    return [
        _point(
            spans[index],
            owner,
            people.get((owner, index + 1)),
            activities.get((owner, index + 1)),
            scope.people,
        )
        for owner in [*owners, *chapters]
        for index in range(len(spans))
    ]


def _readable_chapters(scope: Scope, chapter_ids: Sequence[uuid.UUID] | None) -> list[uuid.UUID]:
    """The chapters a series is broken down by: those asked for that the caller may read (a
    lead asking for none gets their own)."""
    if scope.organisation_id is not None:
        return []
    if chapter_ids is None:
        return [] if scope.tenant_wide else sorted(scope.chapter_ids)
    if scope.tenant_wide:
        return list(dict.fromkeys(chapter_ids))
    hidden = [c for c in chapter_ids if c not in scope.chapter_ids]
    if hidden:
        raise Forbidden(authz.Action.INSIGHT_READ_CHAPTER.value)
    return list(dict.fromkeys(chapter_ids))


def _point(
    period: Period,
    chapter_id: uuid.UUID | None,
    people: _Figures | None,
    acts: _Activities | None,
    with_people: bool,
) -> MetricPoint:
    people = people or _Figures()
    acts = acts or _Activities()
    return MetricPoint(
        period=period,
        chapter_id=chapter_id,
        active=people.active if with_people else None,
        new=people.new if with_people else None,
        churned=people.churned if with_people else None,
        reactivated=people.reactivated if with_people else None,
        activities=acts.total(),
        accepted_activities=acts.by_status.get(evidence.ACCEPTED, 0),
        cancelled_activities=acts.by_status.get(evidence.CANCELLED, 0),
        attendance=acts.attendance,
        activities_by_kind=_counts(acts.by_kind),
    )


async def retention_cohorts(
    session: AsyncSession,
    principal: Principal | None,
    tenant_id: uuid.UUID,
    granularity: Granularity,
    cohorts: int,
    segment: Segment | None = None,
    ending: date | None = None,
) -> list[CohortRow]:
    """The last ``cohorts`` months or quarters (up to the one holding ``ending``, default
    today): of the people who arrived in each, how many were active in each period since."""
    authz.require(principal, authz.Action.INSIGHT_READ_TENANT)
    return await cohort_rows(session, tenant_id, granularity, cohorts, segment, ending)


async def cohort_rows(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    granularity: Granularity,
    cohorts: int,
    segment: Segment | None = None,
    ending: date | None = None,
) -> list[CohortRow]:
    """The cohorts of the ``cohorts`` periods up to the one holding ``ending`` (default:
    today), each followed up to that period."""
    if not 1 <= cohorts <= 60:
        raise InvalidInput(FieldError("periods", ErrorCode.INVALID, "Use 1 to 60 periods"))
    _, rules, now = await basis_of(session, tenant_id)
    spans = _last_periods(ending or now.date(), granularity, cohorts)
    params = _params(
        tenant_id, rules, spans, now, cohorts=cohorts, segment=segment and segment.value
    )
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for statement, live in await _cohort_statements(session, params):
        for row in await session.execute(text(statement), {**params, "live": live}):
            counts[(row.cohort, row.k)] += row.people
    return [_cohort_row(spans, index, counts) for index in range(len(spans))]


async def _cohort_statements(
    session: AsyncSession, params: dict[str, Any]
) -> list[tuple[str, list[uuid.UUID] | None]]:
    """The live statement, or the rollup's plus the live people's (counts of different
    people: they add up)."""
    live = await _live_beside_rollup(session, params)
    if live is None or params["segment"] is not None:
        return [(evidence.COHORTS, None)]
    statements: list[tuple[str, list[uuid.UUID] | None]] = [(evidence.COHORTS_ROLLUP, live)]
    if live:
        statements.append((evidence.cohorts(live_only=True), live))
    return statements


def _last_periods(today: date, granularity: Granularity, n: int) -> list[Period]:
    current = periods.truncate(today, granularity)
    step = 1 if granularity is Granularity.MONTH else 3
    first = periods.add_months(current, -step * (n - 1))
    return periods.series(Period(first, periods.add_months(current, step), ""), granularity)


def _cohort_row(spans: list[Period], index: int, counts: dict[tuple[int, int], int]) -> CohortRow:
    size = counts.get((index + 1, -1), 0)
    retained = [counts.get((index + 1, k), 0) for k in range(len(spans) - index)]
    return CohortRow(
        cohort=spans[index],
        size=size,
        retained=retained,
        retention=[_share(n, size) for n in retained],
    )


async def funnel(
    session: AsyncSession,
    principal: Principal | None,
    tenant_id: uuid.UUID,
    period: Period,
    segment: Segment | None = None,
) -> Funnel:
    authz.require(principal, authz.Action.INSIGHT_READ_TENANT)
    _, rules, now = await basis_of(session, tenant_id)
    following = periods.following(period)
    params = _params(
        tenant_id,
        rules,
        [period, following],
        now,
        segment=segment and segment.value,
        period_end=_moment(period.ends_on),
    )
    row = (await session.execute(text(evidence.FUNNEL), params)).one()
    return Funnel(
        period=period,
        acquired=row.acquired,
        activated=row.activated,
        retained=row.retained,
        active=row.active,
        converted_to_contributor=row.converted,
        promoted_to_lead=row.promoted,
    )


# --- people ----------------------------------------------------------------------------------


async def contributors_to_reactivate(
    session: AsyncSession,
    principal: Principal | None,
    tenant_id: uuid.UUID,
    quiet_since: datetime | None,
    chapter_ids: Sequence[uuid.UUID] | None,
    segment: Segment | None,
    args: PageArgs,
) -> tuple[Page[QuietContributor], bool]:
    """Contributors active before and quiet since ``quiet_since`` (default: the inactivity
    rule), most recently active first, with their last contributions; and whether the names
    are withheld: callers who are not staff see no names where fewer than the tenant's
    minimum group size match."""
    scope = scope_of(principal)
    if not scope.people:
        raise Forbidden(authz.Action.INSIGHT_READ_CHAPTER.value)
    chapters = _readable_chapters(scope, chapter_ids)
    _, rules, now = await basis_of(session, tenant_id)
    since = quiet_since or now - timedelta(days=rules.inactive_after_days)
    params = _params(
        tenant_id,
        rules,
        [Period(date(1970, 1, 1), now.date() + timedelta(days=1), "")],
        now,
        quiet_since=since,
        chapters=chapters or None,
        segment=segment and segment.value,
    )
    rows = list(await session.execute(text(evidence.QUIET_CONTRIBUTORS), params))
    withheld = len(rows) < rules.min_group_size and not breaks_down_small_groups(principal)
    if withheld:
        rows = []
    page = paginate_in_memory(rows, lambda r: (r.last_active_at, r.person_id), QUIET_ORDER, args)
    latest = await last_contributions(session, tenant_id, [r.person_id for _, r in page.rows])
    quiet = page.map(
        lambda r: QuietContributor(
            person_id=r.person_id,
            display_name=r.display_name,
            segments=_segments(r.code, r.non_code),
            last_active_at=r.last_active_at,
            last_contributions=latest.get(r.person_id, []),
        )
    )
    return quiet, withheld


def _segments(code: bool, non_code: bool) -> list[Segment]:
    segments = [Segment.CODE_CONTRIBUTOR] if code else []
    if non_code:
        segments.append(Segment.NON_CODE_CONTRIBUTOR)
    return segments or [Segment.USER]


async def last_contributions(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    person_ids: Sequence[uuid.UUID],
    per_person: int = 3,
) -> dict[uuid.UUID, list[Contribution]]:
    if not person_ids:
        return {}
    params = {"tenant": tenant_id, "people": list(person_ids), "per_person": per_person}
    latest: dict[uuid.UUID, list[Contribution]] = defaultdict(list)
    for row in await session.execute(text(evidence.LAST_CONTRIBUTIONS), params):
        latest[row.person_id].append(
            Contribution(row.occurred_at, row.kind, row.title, row.url, row.activity_id)
        )
    return latest


async def person_activity(
    session: AsyncSession, tenant_id: uuid.UUID, person_ids: Sequence[uuid.UUID]
) -> list[PersonActivity]:
    """The participation summary of each person (in order; the caller's right to see each is
    checked by ``can_see_activity_summary``)."""
    _, rules, now = await basis_of(session, tenant_id)
    params = {"tenant": tenant_id, "people": list(person_ids), "as_of": now}
    rows: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for row in await session.execute(text(evidence.PERSON_ACTIVITY), params):
        rows[row.person_id].append(row)
    quiet_after = now - timedelta(days=rules.inactive_after_days)
    return [_summary(person_id, rows[person_id], rules, quiet_after) for person_id in person_ids]


def _summary(
    person_id: uuid.UUID, rows: list[Any], rules: HealthRules, quiet_after: datetime
) -> PersonActivity:
    roles = [row for row in rows if row.kind not in ("code", "seat")]
    code = sum(row.n for row in rows if row.kind == "code")
    counted = [row for row in rows if row.kind != "code" or rules.code_counts_as_active]
    non_code = any(row.kind in evidence.CONTRIBUTOR_ROLES for row in roles)
    return PersonActivity(
        person_id=person_id,
        first_participation_at=min((row.first_at for row in roles), default=None),
        last_participation_at=max((row.last_at for row in roles), default=None),
        participations_by_role=[
            Count(row.kind, row.n) for row in sorted(roles, key=lambda r: r.kind)
        ],
        code_contributions=code,
        segments=_segments(code > 0, non_code),
        active=any(row.last_at >= quiet_after for row in counted),
    )


# --- what a chapter is now -----------------------------------------------------------------


async def last_activity_at(
    session: AsyncSession, tenant_id: uuid.UUID, chapter_ids: Sequence[uuid.UUID]
) -> list[datetime | None]:
    """When each chapter last had an accepted activity (its own or co-hosted): public, as
    accepted activities are."""
    params = {
        "tenant": tenant_id,
        "chapters": list(chapter_ids),
        "as_of": (await basis_of(session, tenant_id)).now,
    }
    found = {
        row.chapter_id: row.last_activity_at
        for row in await session.execute(text(evidence.LAST_ACTIVITY), params)
    }
    return [found.get(chapter_id) for chapter_id in chapter_ids]


async def current_health(
    session: AsyncSession, tenant_id: uuid.UUID, chapter_ids: Sequence[uuid.UUID]
) -> list[ChapterHealthRow | None]:
    """The health now of each of ``chapter_ids`` (None where there is no such chapter), over
    the trailing at-risk window; the caller's right is checked by ``chapter_health_now``."""
    chapters = [c for c in await rows_by_id(session, Chapter, chapter_ids) if c is not None]
    _, rules, now = await basis_of(session, tenant_id)
    today = now.date()
    window = periods.days(
        today - timedelta(days=rules.at_risk_after_days - 1), today + timedelta(days=1)
    )
    rows = {row.chapter_id: row for row in await health_rows(session, tenant_id, chapters, window)}
    return [rows.get(chapter_id) for chapter_id in chapter_ids]


# --- the quarterly report ------------------------------------------------------------------


async def quarterly_report(
    session: AsyncSession, principal: Principal | None, tenant_id: uuid.UUID, quarter: str
) -> QuarterlyReport:
    authz.require(principal, authz.Action.DATA_EXPORT)
    period = periods.quarter(quarter)
    tenant, rules, now = await basis_of(session, tenant_id)
    everything = Scope(tenant_wide=True)
    chapters = await _chapters(session, everything, ChapterFilter())
    health = await health_rows(session, tenant_id, chapters, period)
    months = await metric_points(
        session, tenant_id, everything, period, Granularity.MONTH, None, []
    )
    last_day = period.ends_on - timedelta(days=1)
    cohorts = await cohort_rows(session, tenant_id, Granularity.QUARTER, 8, ending=last_day)
    params = {
        "tenant": tenant_id,
        "first": _moment(period.starts_on),
        "last": _moment(period.ends_on),
        "top": 10,
    }
    top = [
        TopContributor(row.person_id, row.display_name, row.participations, row.code_contributions)
        for row in await session.execute(text(evidence.TOP_CONTRIBUTORS), params)
    ]
    return QuarterlyReport(
        tenant_name=tenant.name,
        quarter=period,
        generated_at=now,
        rules={name: float(value) for name, value in dataclasses.asdict(rules).items()},
        chapters=sorted(health, key=lambda row: (row.chapter_name, row.chapter_id)),
        months=months,
        cohorts=cohorts,
        top_contributors=top,
        reach=await _quarter_reach(session, principal, period),
    )


async def _quarter_reach(
    session: AsyncSession, principal: Principal | None, period: Period
) -> list[ChannelReachRow] | None:
    """Reach per channel and month of the quarter, for readers who may see reach."""
    if not authz.can(principal, authz.Action.REACH_READ):
        return None
    last_day = period.ends_on - timedelta(days=1)
    return [
        ChannelReachRow(
            month=channels.month_label(row.month),
            channel_name=row.channel_name,
            publications=row.publications,
            reads=row.reads,
            views=row.views,
            likes=row.likes,
            followers_gained=row.followers_gained,
        )
        for row in await channels.monthly_reach(session, period.starts_on, last_day)
    ]


# --- fields of chapters and people (batched per request) -----------------------------------


async def chapter_last_activity(
    reader: Reader, tenant_id: uuid.UUID, chapter_id: uuid.UUID
) -> datetime | None:
    found: datetime | None = await reader.loaders.of(last_activity_at, tenant_id).load(chapter_id)
    return found


async def chapter_health_now(
    reader: Reader, tenant_id: uuid.UUID, chapter_id: uuid.UUID
) -> ChapterHealthRow | None:
    """The chapter's health now, or None for callers who may not read its figures."""
    if not authz.can(reader.principal, authz.Action.INSIGHT_READ_CHAPTER, chapter_id=chapter_id):
        return None
    found: ChapterHealthRow | None = await reader.loaders.of(current_health, tenant_id).load(
        chapter_id
    )
    return found


async def person_activity_of(
    reader: Reader, tenant_id: uuid.UUID, person_id: uuid.UUID
) -> PersonActivity | None:
    """The person's participation summary, or None for callers who may not see it."""
    principal = reader.principal
    if not authz.can(principal, authz.Action.PERSON_READ_ACTIVITY, person_id=person_id):
        if not authz.chapter_ids_led_by(principal):
            return None
        chapters = await reader.loaders.of(chapters_by_person).load(person_id)
        if not authz.can_see_activity_summary(principal, person_id, chapters.active):
            return None
    found: PersonActivity = await reader.loaders.of(person_activity, tenant_id).load(person_id)
    return found


async def rules_of(session: AsyncSession, tenant_id: uuid.UUID) -> HealthRules:
    return (await basis_of(session, tenant_id)).rules

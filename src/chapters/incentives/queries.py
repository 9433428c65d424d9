"""Reads of the incentives ledger for a request (``Reader``): programs (signed-in people),
budgets with what they committed and spent, every reward and the reports (the tenant's
readers), a chapter's rewards (its leads), one's own rewards.

Batch functions (``reader.loaders.of(...)``) answer many programs or rewards in one statement.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.authz import Action
from chapters.db.loaders import Reader, grouped, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.errors import Forbidden, InvalidInput
from chapters.incentives.money import check_quarter
from chapters.incentives.service import COMMITTED, SETTLED, BudgetFigures
from chapters.models import Person
from chapters.models.incentive import (
    IncentiveBudget,
    IncentiveProgram,
    IncentiveReward,
    RewardStatus,
    RewardTransition,
)

PROGRAM_ORDER = Ordering((IncentiveProgram.name, IncentiveProgram.id))
NEWEST_FIRST = Ordering((IncentiveReward.created_at, IncentiveReward.id), descending=True)
COST = func.coalesce(IncentiveReward.amount_cents, IncentiveReward.value_cents, 0)


# --- programs and budgets ---------------------------------------------------------------------


async def programs(reader: Reader, args: PageArgs) -> Page[IncentiveProgram]:
    authz.require(reader.principal, Action.INCENTIVE_PROGRAM_READ)
    page: Page[IncentiveProgram] = await paginate(
        reader.session, select(IncentiveProgram), PROGRAM_ORDER, args
    )
    return page


async def program(reader: Reader, program_id: uuid.UUID | None) -> IncentiveProgram | None:
    if program_id is None or not authz.can(reader.principal, Action.INCENTIVE_PROGRAM_READ):
        return None
    found: IncentiveProgram | None = await reader.loaders.of(rows_by_id, IncentiveProgram).load(
        program_id
    )
    return found


def may_read_budgets(reader: Reader) -> bool:
    return authz.can(reader.principal, Action.INCENTIVE_READ)


def _budget_figures() -> Select:
    """Each budget with the cost of its program's rewards of its quarter in its currency:
    committed (approved, sent, paid) and spent (sent, paid)."""
    rewards = and_(
        IncentiveReward.tenant_id == IncentiveBudget.tenant_id,
        IncentiveReward.program_id == IncentiveBudget.program_id,
        IncentiveReward.quarter == IncentiveBudget.quarter,
        IncentiveReward.currency == IncentiveBudget.currency,
    )
    return (
        select(
            IncentiveBudget,
            func.coalesce(func.sum(COST).filter(IncentiveReward.status.in_(COMMITTED)), 0),
            func.coalesce(func.sum(COST).filter(IncentiveReward.status.in_(SETTLED)), 0),
        )
        .outerjoin(IncentiveReward, rewards)
        .group_by(IncentiveBudget.tenant_id, IncentiveBudget.id)
    )


async def budgets_by_program(
    session: AsyncSession, program_ids: Sequence[uuid.UUID]
) -> list[list[BudgetFigures]]:
    """Each program's budgets, the latest quarter first."""
    result = await session.execute(
        _budget_figures()
        .where(IncentiveBudget.program_id.in_(program_ids))
        .order_by(IncentiveBudget.quarter.desc())
    )
    figures = [
        BudgetFigures(budget, int(committed), int(spent)) for budget, committed, spent in result
    ]
    return grouped(figures, lambda f: f.budget.program_id, program_ids)


async def budgets(reader: Reader, program_id: uuid.UUID) -> list[BudgetFigures] | None:
    """A program's budgets for the tenant's readers (None: the caller may not see them)."""
    if not may_read_budgets(reader):
        return None
    found: list[BudgetFigures] = await reader.loaders.of(budgets_by_program).load(program_id)
    return found


# --- rewards ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RewardFilter:
    program_id: uuid.UUID | None = None
    quarter: str | None = None
    statuses: tuple[RewardStatus, ...] = ()
    person_id: uuid.UUID | None = None
    chapter_id: uuid.UUID | None = None


def _filtered(statement: Select, filters: RewardFilter) -> Select:
    conditions: list[ColumnElement[bool]] = []
    if filters.program_id is not None:
        conditions.append(IncentiveReward.program_id == filters.program_id)
    if filters.quarter is not None:
        quarter, errors = check_quarter(filters.quarter, "filter.quarter")
        if errors:
            raise InvalidInput(*errors)
        conditions.append(IncentiveReward.quarter == quarter)
    if filters.statuses:
        conditions.append(IncentiveReward.status.in_(filters.statuses))
    if filters.person_id is not None:
        conditions.append(IncentiveReward.person_id == filters.person_id)
    if filters.chapter_id is not None:
        conditions.append(IncentiveReward.chapter_id == filters.chapter_id)
    return statement.where(*conditions)


def _visible(reader: Reader) -> ColumnElement[bool] | None:
    """Which rewards the caller reads: all (readers, None), those of the chapters they lead,
    or none (``Forbidden``)."""
    principal = reader.principal
    if authz.can(principal, Action.INCENTIVE_READ):
        return None
    led = [
        chapter_id
        for chapter_id in authz.chapter_ids_led_by(principal)
        if authz.can(principal, Action.INCENTIVE_READ, chapter_id=chapter_id)
    ]
    if not led:
        raise Forbidden(Action.INCENTIVE_READ.value)
    return IncentiveReward.chapter_id.in_(led)


async def rewards(reader: Reader, filters: RewardFilter, args: PageArgs) -> Page[IncentiveReward]:
    """The rewards the caller may read, newest first."""
    visible = _visible(reader)
    statement = _filtered(select(IncentiveReward), filters)
    if visible is not None:
        statement = statement.where(visible)
    page: Page[IncentiveReward] = await paginate(reader.session, statement, NEWEST_FIRST, args)
    return page


async def own_rewards(
    reader: Reader, person_id: uuid.UUID, args: PageArgs
) -> Page[IncentiveReward]:
    """The rewards promised to the caller, newest first."""
    authz.require(reader.principal, Action.INCENTIVE_READ_OWN, person_id=person_id)
    statement = select(IncentiveReward).where(IncentiveReward.person_id == person_id)
    page: Page[IncentiveReward] = await paginate(reader.session, statement, NEWEST_FIRST, args)
    return page


def may_see(reader: Reader, reward: IncentiveReward) -> bool:
    """The person rewarded, the leads of the contribution's chapter, the tenant's readers."""
    principal = reader.principal
    return authz.can(principal, Action.INCENTIVE_READ_OWN, person_id=reward.person_id) or authz.can(
        principal, Action.INCENTIVE_READ, chapter_id=reward.chapter_id
    )


async def reward(reader: Reader, reward_id: uuid.UUID | None) -> IncentiveReward | None:
    """A reward by id, for those who may see it (else None, as if missing)."""
    if reward_id is None:
        return None
    found: IncentiveReward | None = await reader.loaders.of(rows_by_id, IncentiveReward).load(
        reward_id
    )
    if found is None or not may_see(reader, found):
        return None
    return found


async def transitions_by_reward(
    session: AsyncSession, reward_ids: Sequence[uuid.UUID]
) -> list[list[RewardTransition]]:
    rows = await session.scalars(
        select(RewardTransition)
        .where(RewardTransition.reward_id.in_(reward_ids))
        .order_by(RewardTransition.occurred_at, RewardTransition.id)
    )
    return grouped(rows, lambda row: row.reward_id, reward_ids)


async def transitions(reader: Reader, reward_id: uuid.UUID) -> list[RewardTransition]:
    found: list[RewardTransition] = await reader.loaders.of(transitions_by_reward).load(reward_id)
    return found


# --- reports ----------------------------------------------------------------------------------


class GroupBy(enum.StrEnum):
    PERSON = "person"
    PROGRAM = "program"


@dataclass
class CurrencyTotals:
    """Cents of one currency: promised (not yet approved), committed (approved, sent, paid)
    and spent (sent, paid)."""

    currency: str
    promised_cents: int = 0
    committed_cents: int = 0
    spent_cents: int = 0

    def add(self, other: CurrencyTotals) -> None:
        self.promised_cents += other.promised_cents
        self.committed_cents += other.committed_cents
        self.spent_cents += other.spent_cents


@dataclass
class ReportGroup:
    key: uuid.UUID  # the person's or the program's id
    name: str  # the person's display name, the program's name
    reward_count: int = 0  # rewards not cancelled, money or goods
    totals: list[CurrencyTotals] = field(default_factory=list)


@dataclass
class Report:
    quarter: str
    group_by: GroupBy
    groups: list[ReportGroup]
    totals: list[CurrencyTotals]


async def report(reader: Reader, quarter: str, group_by: GroupBy) -> Report:
    """The quarter's rewards (cancelled ones left out), by person or by program, with their
    sums per currency, and the totals per currency."""
    authz.require(reader.principal, Action.INCENTIVE_READ)
    checked, errors = check_quarter(quarter)
    if errors:
        raise InvalidInput(*errors)
    named: type[Person] | type[IncentiveProgram]
    if group_by == GroupBy.PERSON:
        key, name, named = IncentiveReward.person_id, Person.display_name, Person
    else:
        key, name, named = IncentiveReward.program_id, IncentiveProgram.name, IncentiveProgram
    status = IncentiveReward.status
    result = await reader.session.execute(
        select(
            key,
            name,
            IncentiveReward.currency,
            func.count(),
            func.coalesce(func.sum(COST).filter(status == RewardStatus.PROMISED), 0),
            func.coalesce(func.sum(COST).filter(status.in_(COMMITTED)), 0),
            func.coalesce(func.sum(COST).filter(status.in_(SETTLED)), 0),
        )
        .join(named, and_(named.tenant_id == IncentiveReward.tenant_id, named.id == key))
        .where(IncentiveReward.quarter == checked, status != RewardStatus.CANCELLED)
        .group_by(key, name, IncentiveReward.currency)
        .order_by(func.lower(name), key, IncentiveReward.currency)
    )
    groups: dict[uuid.UUID, ReportGroup] = {}
    totals: dict[str, CurrencyTotals] = {}
    for group_key, group_name, currency, count, promised, committed, spent in result:
        group = groups.setdefault(group_key, ReportGroup(group_key, group_name))
        group.reward_count += count
        if currency is None:
            continue  # goods of unknown value: counted, not summed
        sums = CurrencyTotals(currency, int(promised), int(committed), int(spent))
        group.totals.append(sums)
        totals.setdefault(currency, CurrencyTotals(currency)).add(sums)
    assert checked is not None
    return Report(
        quarter=checked,
        group_by=group_by,
        groups=list(groups.values()),
        totals=[totals[currency] for currency in sorted(totals)],
    )

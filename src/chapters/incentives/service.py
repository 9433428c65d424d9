"""The incentives ledger: programs and their quarterly budgets (staff), rewards promised to
people for their contributions (leads for their chapter, staff for anything), and each
reward's lifecycle: promised → approved → sent (goods) or paid (money), or cancelled.

Approving commits a reward's cost to its program's budget for the reward's quarter. The
budget row is locked first (``SELECT … FOR UPDATE``), so approvals of one budget queue up:
each sees the sums the previous one committed, and none overspends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.session import flush_unique, get_row
from chapters.errors import ErrorCode, FieldError, Forbidden, InvalidInput
from chapters.incentives.money import (
    check_currency,
    check_quarter,
    from_cents,
    quarter_of,
    to_cents,
)
from chapters.models import (
    Activity,
    ActivityKind,
    ActivityParticipant,
    ActivityStatus,
    MentoringProject,
    MentoringProjectMember,
    ParticipantRole,
    Person,
)
from chapters.models.incentive import (
    IncentiveBudget,
    IncentiveProgram,
    IncentiveReward,
    RewardedContribution,
    RewardKind,
    RewardStatus,
    RewardTransition,
)
from chapters.validation import check_length, required_text

NAME_LENGTH = 200
DESCRIPTION_LENGTH = 500
TEXT_LENGTH = 2000
# The roles of an activity's participants that a reward may be for (not mentees, not guests).
REWARDED_ROLES = frozenset(
    {
        ParticipantRole.SPEAKER,
        ParticipantRole.ORGANIZER,
        ParticipantRole.HOST,
        ParticipantRole.AUTHOR,
        ParticipantRole.MENTOR,
    }
)
# What the budget has committed: approved rewards and those already sent or paid.
COMMITTED = (RewardStatus.APPROVED, RewardStatus.SENT, RewardStatus.PAID)
SETTLED = (RewardStatus.SENT, RewardStatus.PAID)
GOODS_ONLY = frozenset({RewardKind.SWAG, RewardKind.TICKET})


def current_quarter() -> str:
    return quarter_of(datetime.now(UTC).date())


# --- programs and budgets ---------------------------------------------------------------------


async def create_program(
    session: AsyncSession,
    principal: Principal | None,
    *,
    name: str,
    description: str | None,
    default_currency: str,
) -> IncentiveProgram:
    caller = authz.require_caller(principal, Action.INCENTIVE_PROGRAM_MANAGE)
    currency, currency_errors = check_currency(default_currency, "default_currency")
    errors = [
        *required_text(name, "name", NAME_LENGTH),
        *check_length(description, "description", TEXT_LENGTH),
        *currency_errors,
    ]
    if errors:
        raise InvalidInput(*errors)
    assert currency is not None
    program = IncentiveProgram(
        name=name.strip(),
        description=(description or "").strip() or None,
        default_currency=currency,
        created_by_id=caller.person_id,
    )
    session.add(program)
    taken = FieldError("name", ErrorCode.CONFLICT, "There is a program by this name already")
    await flush_unique(session, {"uq_incentive_programs_tenant_id_name": taken})
    return program


@dataclass(frozen=True)
class BudgetFigures:
    """A program's budget for a quarter and where it stands, in the budget's currency."""

    budget: IncentiveBudget
    committed_cents: int
    spent_cents: int

    @property
    def remaining_cents(self) -> int:
        return self.budget.amount_cents - self.committed_cents


async def budget_sums(
    session: AsyncSession, program_id: uuid.UUID, quarter: str, currency: str
) -> tuple[int, int]:
    """(committed, spent) cents of the program's rewards of the quarter, in ``currency``."""
    cost = func.coalesce(IncentiveReward.amount_cents, IncentiveReward.value_cents, 0)
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(cost).filter(IncentiveReward.status.in_(COMMITTED)), 0),
                func.coalesce(func.sum(cost).filter(IncentiveReward.status.in_(SETTLED)), 0),
            ).where(
                IncentiveReward.program_id == program_id,
                IncentiveReward.quarter == quarter,
                IncentiveReward.currency == currency,
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def _locked_budget(
    session: AsyncSession, program_id: uuid.UUID, quarter: str
) -> IncentiveBudget | None:
    budget: IncentiveBudget | None = await session.scalar(
        select(IncentiveBudget)
        .where(IncentiveBudget.program_id == program_id, IncentiveBudget.quarter == quarter)
        .with_for_update()
    )
    return budget


async def set_budget(
    session: AsyncSession,
    principal: Principal | None,
    *,
    program_id: uuid.UUID,
    quarter: str,
    amount: Decimal,
    currency: str | None,
) -> BudgetFigures:
    """Set (or change) a program's budget for a quarter; the currency defaults to the
    program's. A budget cannot drop below what it has committed, nor change currency once it
    has committed anything."""
    caller = authz.require_caller(principal, Action.INCENTIVE_PROGRAM_MANAGE)
    checked_quarter, errors = check_quarter(quarter)
    cents, amount_errors = to_cents(amount, "amount", zero_allowed=True)
    code, currency_errors = (None, []) if currency is None else check_currency(currency, "currency")
    errors += amount_errors + currency_errors
    if errors:
        raise InvalidInput(*errors)
    assert checked_quarter is not None
    program = await get_row(
        session, IncentiveProgram, program_id, "Incentive program", "incentive_program_id"
    )
    code = code or program.default_currency
    budget = await _locked_budget(session, program.id, checked_quarter)
    if budget is None:
        budget = IncentiveBudget(program_id=program.id, quarter=checked_quarter)
        session.add(budget)
    else:
        committed, _ = await budget_sums(session, program.id, checked_quarter, budget.currency)
        if committed and code != budget.currency:
            raise InvalidInput(
                FieldError(
                    "currency",
                    ErrorCode.CONFLICT,
                    f"Rewards of {budget.currency} are committed already: the budget stays in "
                    f"{budget.currency}",
                )
            )
        if cents < committed:
            raise InvalidInput(
                FieldError(
                    "amount",
                    ErrorCode.CONFLICT,
                    f"{from_cents(committed)} {budget.currency} is committed already: the "
                    "budget cannot be less",
                )
            )
    budget.amount_cents = cents
    budget.currency = code
    budget.set_by_id = caller.person_id
    taken = FieldError("quarter", ErrorCode.CONFLICT, "The budget was just set: try again")
    await flush_unique(session, {"uq_incentive_budgets_tenant_id_program_id_quarter": taken})
    committed, spent = await budget_sums(session, program.id, checked_quarter, code)
    return BudgetFigures(budget, committed, spent)


# --- proposing a reward -----------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """What a reward is for: an activity or a mentoring project (exactly one)."""

    activity_id: uuid.UUID | None = None
    mentoring_project_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Proposal:
    program_id: uuid.UUID
    person_id: uuid.UUID
    contribution: Contribution
    kind: RewardKind
    description: str
    amount: Decimal | None = None  # money: a fee, a special reward paid in money
    value: Decimal | None = None  # goods: what they are worth, if known
    currency: str | None = None  # default: the program's
    quarter: str | None = None  # default: the current quarter
    note: str | None = None


@dataclass(frozen=True)
class _Contributed:
    kind: RewardedContribution
    chapter_id: uuid.UUID | None
    activity: Activity | None = None
    project: MentoringProject | None = None


async def _contribution(session: AsyncSession, contribution: Contribution) -> _Contributed:
    if contribution.activity_id is not None:
        activity = await get_row(
            session, Activity, contribution.activity_id, "Activity", "contribution_id"
        )
        kinds = {ActivityKind.TALK: RewardedContribution.TALK}
        kinds[ActivityKind.ARTICLE] = RewardedContribution.ARTICLE
        kind = kinds.get(activity.kind, RewardedContribution.ACTIVITY)
        return _Contributed(kind, activity.chapter_id, activity=activity)
    assert contribution.mentoring_project_id is not None
    project = await get_row(
        session,
        MentoringProject,
        contribution.mentoring_project_id,
        "Mentoring project",
        "contribution_id",
    )
    return _Contributed(RewardedContribution.MENTORING_PROJECT, project.chapter_id, project=project)


def _check_sums(proposal: Proposal) -> tuple[int | None, int | None, list[FieldError]]:
    """(amount cents, value cents, errors): money for a fee, goods for swag and tickets, one
    or the other for a special reward."""
    errors: list[FieldError] = []
    amount = value = None
    if proposal.amount is not None:
        amount, found = to_cents(proposal.amount, "amount")
        errors += found
    if proposal.value is not None:
        value, found = to_cents(proposal.value, "value")
        errors += found
    if proposal.kind == RewardKind.FEE and proposal.amount is None:
        errors.append(FieldError("amount", ErrorCode.REQUIRED, "A fee needs its amount"))
    if proposal.kind in GOODS_ONLY and proposal.amount is not None:
        message = "Swag and tickets are goods: give their value, not an amount"
        errors.append(FieldError("amount", ErrorCode.INVALID, message))
    if proposal.kind == RewardKind.FEE and proposal.value is not None:
        errors.append(FieldError("value", ErrorCode.INVALID, "A fee is money: give its amount"))
    elif proposal.amount is not None and proposal.value is not None:
        message = "Money has an amount, goods a value: not both"
        errors.append(FieldError("value", ErrorCode.INVALID, message))
    return amount, value, errors


def _check_proposal(proposal: Proposal) -> tuple[int | None, int | None, str | None, str]:
    """The sums in cents, the currency (None: the program's) and the quarter, or every input
    error at once."""
    amount, value, errors = _check_sums(proposal)
    currency = None
    if proposal.currency is not None:
        currency, found = check_currency(proposal.currency, "currency")
        errors += found
    quarter: str | None = current_quarter()
    if proposal.quarter is not None:
        quarter, found = check_quarter(proposal.quarter)
        errors += found
    errors += required_text(proposal.description, "description", DESCRIPTION_LENGTH)
    errors += check_length(proposal.note, "note", TEXT_LENGTH)
    if errors:
        raise InvalidInput(*errors)
    assert quarter is not None
    return amount, value, currency, quarter


async def _check_contributor(
    session: AsyncSession, person: Person, contributed: _Contributed
) -> None:
    """The person must have taken part: as a speaker, organizer, host, author or mentor of
    the activity, or as a member of the mentoring project."""
    if contributed.activity is not None:
        took_part = await session.scalar(
            select(ActivityParticipant.id).where(
                ActivityParticipant.activity_id == contributed.activity.id,
                ActivityParticipant.person_id == person.id,
                ActivityParticipant.role.in_(REWARDED_ROLES),
            )
        )
        roles = "speaker, organizer, host, author or mentor"
        what = f"{person.display_name} is not a {roles} of this activity"
    else:
        assert contributed.project is not None
        took_part = await session.scalar(
            select(MentoringProjectMember.id).where(
                MentoringProjectMember.project_id == contributed.project.id,
                MentoringProjectMember.person_id == person.id,
            )
        )
        what = f"{person.display_name} is not a mentor or mentee of this project"
    if took_part is None:
        raise InvalidInput(FieldError("person_id", ErrorCode.INVALID, what))


async def propose(
    session: AsyncSession, principal: Principal | None, proposal: Proposal
) -> IncentiveReward:
    """Promise a reward: staff for any contribution, the leads and co-leads of the chapter
    whose activity or project it is for theirs."""
    contributed = await _contribution(session, proposal.contribution)
    caller = authz.require_caller(
        principal, Action.INCENTIVE_PROPOSE, chapter_id=contributed.chapter_id
    )
    amount, value, currency, quarter = _check_proposal(proposal)
    if contributed.activity is not None and contributed.activity.status == ActivityStatus.CANCELLED:
        message = "The activity was cancelled"
        raise InvalidInput(FieldError("contribution_id", ErrorCode.CONFLICT, message))
    program = await get_row(
        session, IncentiveProgram, proposal.program_id, "Incentive program", "incentive_program_id"
    )
    person = await get_row(session, Person, proposal.person_id, "Person", "person_id")
    await _check_contributor(session, person, contributed)
    has_sum = amount is not None or value is not None
    reward = IncentiveReward(
        program_id=program.id,
        quarter=quarter,
        person_id=person.id,
        contribution_kind=contributed.kind,
        activity_id=proposal.contribution.activity_id,
        mentoring_project_id=proposal.contribution.mentoring_project_id,
        chapter_id=contributed.chapter_id,
        kind=proposal.kind,
        status=RewardStatus.PROMISED,
        description=proposal.description.strip(),
        amount_cents=amount,
        value_cents=value,
        currency=(currency or program.default_currency) if has_sum else None,
        note=(proposal.note or "").strip() or None,
        proposed_by_id=caller.person_id,
    )
    session.add(reward)
    await session.flush()
    _record(session, reward, None, caller)
    await session.flush()
    return reward


# --- the lifecycle ----------------------------------------------------------------------------


def _record(
    session: AsyncSession,
    reward: IncentiveReward,
    from_status: RewardStatus | None,
    caller: Principal,
    reason: str | None = None,
) -> None:
    session.add(
        RewardTransition(
            reward_id=reward.id,
            from_status=from_status,
            to_status=reward.status,
            actor_id=caller.person_id,
            reason=reason,
        )
    )


async def _decided(
    session: AsyncSession, principal: Principal | None, reward_id: uuid.UUID
) -> tuple[Principal, IncentiveReward]:
    """The caller (staff) and the reward, locked: its transitions queue up."""
    caller = authz.require_caller(principal, Action.INCENTIVE_DECIDE)
    reward = await get_row(session, IncentiveReward, reward_id, "Reward", lock=True)
    return caller, reward


def _require_status(reward: IncentiveReward, allowed: tuple[RewardStatus, ...], step: str) -> None:
    if reward.status not in allowed:
        message = f"A reward that is {reward.status.value} cannot be {step}"
        raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, message))


async def _check_budget(session: AsyncSession, reward: IncentiveReward) -> None:
    """The reward's cost fits what its budget has left (the budget row locked meanwhile)."""
    cost = reward.cost_cents
    if cost == 0:
        return  # goods of unknown value take nothing from the budget
    program = await get_row(session, IncentiveProgram, reward.program_id, "Incentive program")
    budget = await _locked_budget(session, reward.program_id, reward.quarter)
    where = f"{program.name} in {reward.quarter}"
    if budget is None:
        message = f"There is no budget for {where}: staff set one first (incentiveBudgetSet)"
        raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, message))
    if reward.currency != budget.currency:
        message = (
            f"The reward is in {reward.currency} but the budget for {where} is in "
            f"{budget.currency}: cancel it and promise it again in {budget.currency}"
        )
        raise InvalidInput(FieldError("id", ErrorCode.INVALID, message))
    committed, _ = await budget_sums(session, reward.program_id, reward.quarter, budget.currency)
    remaining = budget.amount_cents - committed
    if cost > remaining:
        message = (
            f"Over budget: {from_cents(remaining)} {budget.currency} left for {where}, "
            f"the reward needs {from_cents(cost)}"
        )
        raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, message))


async def approve(
    session: AsyncSession, principal: Principal | None, reward_id: uuid.UUID
) -> IncentiveReward:
    caller, reward = await _decided(session, principal, reward_id)
    _require_status(reward, (RewardStatus.PROMISED,), "approved")
    await _check_budget(session, reward)
    reward.status = RewardStatus.APPROVED
    _record(session, reward, RewardStatus.PROMISED, caller)
    await session.flush()
    return reward


async def mark_sent(
    session: AsyncSession, principal: Principal | None, reward_id: uuid.UUID
) -> IncentiveReward:
    """Goods went out (swag, a ticket, a special reward in kind)."""
    caller, reward = await _decided(session, principal, reward_id)
    _require_status(reward, (RewardStatus.APPROVED,), "sent")
    if reward.is_money:
        message = "This reward is money: mark it paid (incentiveRewardMarkPaid)"
        raise InvalidInput(FieldError("id", ErrorCode.INVALID, message))
    reward.status = RewardStatus.SENT
    _record(session, reward, RewardStatus.APPROVED, caller)
    await session.flush()
    return reward


async def mark_paid(
    session: AsyncSession, principal: Principal | None, reward_id: uuid.UUID
) -> IncentiveReward:
    """Money was paid (a fee, a special reward in money)."""
    caller, reward = await _decided(session, principal, reward_id)
    _require_status(reward, (RewardStatus.APPROVED,), "paid")
    if not reward.is_money:
        message = "This reward is goods: mark it sent (incentiveRewardMarkSent)"
        raise InvalidInput(FieldError("id", ErrorCode.INVALID, message))
    reward.status = RewardStatus.PAID
    _record(session, reward, RewardStatus.APPROVED, caller)
    await session.flush()
    return reward


async def cancel(
    session: AsyncSession, principal: Principal | None, reward_id: uuid.UUID, reason: str
) -> IncentiveReward:
    """A promised or approved reward is called off, with a reason; an approved one gives its
    cost back to the budget."""
    caller, reward = await _decided(session, principal, reward_id)
    errors = required_text(reason, "reason", TEXT_LENGTH)
    if errors:
        raise InvalidInput(*errors)
    _require_status(reward, (RewardStatus.PROMISED, RewardStatus.APPROVED), "cancelled")
    before = reward.status
    reward.status = RewardStatus.CANCELLED
    reward.cancel_reason = reason.strip()
    _record(session, reward, before, caller, reward.cancel_reason)
    await session.flush()
    return reward


def require_tenant_reader(principal: Principal | None) -> None:
    """Budgets, every reward and the reports: the tenant's readers."""
    if not authz.can(principal, Action.INCENTIVE_READ):
        raise Forbidden(Action.INCENTIVE_READ.value)

"""Incentives for tenant ``demo``: a "Speaker rewards" program with a budget for the current
quarter and rewards for speakers of accepted activities, in several states, within the budget.
Written as rows with their history (the seeding acts for no one); once: the program is the
marker."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.incentives.service import REWARDED_ROLES, current_quarter
from chapters.models import Activity, ActivityKind, ActivityParticipant, ActivityStatus
from chapters.models.incentive import (
    IncentiveBudget,
    IncentiveProgram,
    IncentiveReward,
    RewardedContribution,
    RewardKind,
    RewardStatus,
    RewardTransition,
)

PROGRAM = "Speaker rewards"
BUDGET_CENTS = 200_000  # 2,000.00 EUR
# (kind, amount cents, value cents, description, the steps it went through)
REWARDS = (
    (RewardKind.FEE, 30_000, None, "Speaker fee", (RewardStatus.APPROVED, RewardStatus.PAID)),
    (
        RewardKind.SWAG,
        None,
        4_500,
        "Hoodie and stickers",
        (RewardStatus.APPROVED, RewardStatus.SENT),
    ),
    (RewardKind.FEE, 25_000, None, "Speaker fee", (RewardStatus.APPROVED,)),
    (RewardKind.TICKET, None, 12_000, "Conference ticket", ()),
    (RewardKind.SWAG, None, None, "T-shirt", (RewardStatus.CANCELLED,)),
)


async def seed_incentives(session: AsyncSession) -> str:
    if await session.scalar(select(IncentiveProgram.id).where(IncentiveProgram.name == PROGRAM)):
        return "incentives: already seeded"
    program = IncentiveProgram(
        name=PROGRAM,
        description="Fees and swag for the people who speak at our meetups.",
        default_currency="EUR",
    )
    session.add(program)
    await session.flush()
    quarter = current_quarter()
    session.add(
        IncentiveBudget(
            program_id=program.id, quarter=quarter, amount_cents=BUDGET_CENTS, currency="EUR"
        )
    )
    speakers = (
        await session.execute(
            select(ActivityParticipant.person_id, Activity)
            .join(Activity, Activity.id == ActivityParticipant.activity_id)
            .where(
                ActivityParticipant.person_id.is_not(None),
                ActivityParticipant.role.in_(REWARDED_ROLES),
                Activity.status == ActivityStatus.ACCEPTED,
            )
            .order_by(Activity.starts_at.desc(), ActivityParticipant.id)
            .limit(len(REWARDS))
        )
    ).all()
    for (person_id, activity), (kind, amount, value, description, steps) in zip(
        speakers, REWARDS, strict=False
    ):
        contribution = {
            ActivityKind.TALK: RewardedContribution.TALK,
            ActivityKind.ARTICLE: RewardedContribution.ARTICLE,
        }.get(activity.kind, RewardedContribution.ACTIVITY)
        reward = IncentiveReward(
            program_id=program.id,
            quarter=quarter,
            person_id=person_id,
            contribution_kind=contribution,
            activity_id=activity.id,
            chapter_id=activity.chapter_id,
            kind=kind,
            status=steps[-1] if steps else RewardStatus.PROMISED,
            description=description,
            amount_cents=amount,
            value_cents=value,
            currency="EUR" if amount or value else None,
            cancel_reason="Out of stock" if RewardStatus.CANCELLED in steps else None,
        )
        session.add(reward)
        await session.flush()
        previous = None
        for status in (RewardStatus.PROMISED, *steps):
            reason = reward.cancel_reason if status == RewardStatus.CANCELLED else None
            session.add(
                RewardTransition(
                    reward_id=reward.id, from_status=previous, to_status=status, reason=reason
                )
            )
            previous = status
    await session.flush()
    return (
        f"incentives: {PROGRAM} with a {quarter} budget, {min(len(speakers), len(REWARDS))} rewards"
    )

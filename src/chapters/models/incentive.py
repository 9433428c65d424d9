"""Incentives: the programs that reward contributors (speaker rewards, author fees …), their
budget per quarter, and the ledger of rewards promised to people for their contributions.

Money is kept in hundredths of the currency's unit (``*_cents``, whole numbers): the API shows
it as a decimal with two places, and sums stay exact.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk

QUARTER_PATTERN = "^[0-9]{4}-Q[1-4]$"
CURRENCY_PATTERN = "^[A-Z]{3}$"


class RewardKind(enum.StrEnum):
    SWAG = "swag"
    FEE = "fee"
    SPECIAL_REWARD = "special_reward"
    TICKET = "ticket"


class RewardStatus(enum.StrEnum):
    PROMISED = "promised"  # proposed by a lead or staff
    APPROVED = "approved"  # staff approved it: it counts against the quarter's budget
    SENT = "sent"  # goods (swag, a ticket, a special reward in kind) went out
    PAID = "paid"  # money (a fee, a special reward in money) was paid
    CANCELLED = "cancelled"


class RewardedContribution(enum.StrEnum):
    """What a reward is for: an activity the person took part in (a talk and an article are
    activities of their own kinds), or a mentoring project they were a member of."""

    ACTIVITY = "activity"
    TALK = "talk"
    ARTICLE = "article"
    MENTORING_PROJECT = "mentoring_project"


class IncentiveProgram(TenantScoped, Timestamped, Base):
    """A way the tenant rewards contributors, e.g. "Speaker rewards" or "Author fees"."""

    __tablename__ = "incentive_programs"
    __table_args__ = (
        tenant_fk("created_by_id", "people"),
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint(f"default_currency ~ '{CURRENCY_PATTERN}'", name="currency_code"),
    )

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    default_currency: Mapped[str] = mapped_column(String(3))
    created_by_id: Mapped[uuid.UUID | None]


class IncentiveBudget(TenantScoped, Timestamped, Base):
    """What a program may commit in one quarter ("2026-Q4"), in one currency, set by staff.
    Approving a reward locks this row, so concurrent approvals queue up and never overspend."""

    __tablename__ = "incentive_budgets"
    __table_args__ = (
        tenant_fk("program_id", "incentive_programs", ondelete="CASCADE"),
        tenant_fk("set_by_id", "people"),
        UniqueConstraint("tenant_id", "program_id", "quarter"),
        CheckConstraint(f"quarter ~ '{QUARTER_PATTERN}'", name="quarter_format"),
        CheckConstraint(f"currency ~ '{CURRENCY_PATTERN}'", name="currency_code"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
    )

    program_id: Mapped[uuid.UUID]
    quarter: Mapped[str] = mapped_column(String(7))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    set_by_id: Mapped[uuid.UUID | None]


class IncentiveReward(TenantScoped, Timestamped, Base):
    """A reward promised to a person for one contribution, charged to a program's budget of
    one quarter. Money (a fee; a special reward paid in money) has ``amount_cents``; goods
    (swag, a ticket, a special reward in kind) may state their ``value_cents``. What counts
    against the budget is the one given."""

    __tablename__ = "incentive_rewards"
    __table_args__ = (
        tenant_fk("program_id", "incentive_programs"),
        tenant_fk("person_id", "people"),
        tenant_fk("activity_id", "activities"),
        tenant_fk("mentoring_project_id", "mentoring_projects"),
        tenant_fk("chapter_id", "chapters"),
        tenant_fk("proposed_by_id", "people"),
        CheckConstraint(
            "(activity_id IS NULL) <> (mentoring_project_id IS NULL)", name="one_contribution"
        ),
        CheckConstraint(f"quarter ~ '{QUARTER_PATTERN}'", name="quarter_format"),
        CheckConstraint(
            f"currency IS NULL OR currency ~ '{CURRENCY_PATTERN}'", name="currency_code"
        ),
        CheckConstraint("amount_cents IS NULL OR amount_cents > 0", name="amount_positive"),
        CheckConstraint("value_cents IS NULL OR value_cents > 0", name="value_positive"),
        CheckConstraint("amount_cents IS NULL OR value_cents IS NULL", name="money_or_goods"),
        CheckConstraint(
            "(amount_cents IS NULL AND value_cents IS NULL) OR currency IS NOT NULL",
            name="sum_has_a_currency",
        ),
        CheckConstraint("kind <> 'fee' OR amount_cents IS NOT NULL", name="fee_is_money"),
        CheckConstraint(
            "kind NOT IN ('swag', 'ticket') OR amount_cents IS NULL", name="goods_are_not_money"
        ),
        CheckConstraint(
            "(status = 'cancelled') = (cancel_reason IS NOT NULL)", name="cancelled_with_reason"
        ),
        # A budget's committed and spent sums: the rewards of a program's quarter.
        Index("ix_incentive_rewards_budget", "tenant_id", "program_id", "quarter", "status"),
        Index("ix_incentive_rewards_person", "tenant_id", "person_id", "created_at"),
        Index("ix_incentive_rewards_chapter", "tenant_id", "chapter_id", "created_at"),
        Index("ix_incentive_rewards_created", "tenant_id", "created_at", "id"),
    )

    program_id: Mapped[uuid.UUID]
    quarter: Mapped[str] = mapped_column(String(7))
    person_id: Mapped[uuid.UUID]
    contribution_kind: Mapped[RewardedContribution] = mapped_column(
        str_enum(RewardedContribution, "contribution_kind")
    )
    activity_id: Mapped[uuid.UUID | None]
    mentoring_project_id: Mapped[uuid.UUID | None]
    # The chapter of the contribution (the activity's, the project's): its leads proposed it.
    chapter_id: Mapped[uuid.UUID | None]
    kind: Mapped[RewardKind] = mapped_column(str_enum(RewardKind, "kind"))
    status: Mapped[RewardStatus] = mapped_column(str_enum(RewardStatus, "status"))
    description: Mapped[str] = mapped_column(String(500))
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    value_cents: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[uuid.UUID | None]

    @property
    def is_money(self) -> bool:
        """Paid (``PAID``) rather than sent (``SENT``)."""
        return self.amount_cents is not None

    @property
    def cost_cents(self) -> int:
        """What it takes from the budget: its amount, or the value of the goods (0 unknown)."""
        return self.amount_cents or self.value_cents or 0


class RewardTransition(TenantScoped, Base):
    """One step of a reward's lifecycle: who moved it from which status to which, and when
    (with the reason, for a cancellation)."""

    __tablename__ = "incentive_reward_transitions"
    __table_args__ = (
        tenant_fk("reward_id", "incentive_rewards", ondelete="CASCADE"),
        tenant_fk("actor_id", "people"),
        Index("ix_incentive_reward_transitions_reward", "tenant_id", "reward_id", "occurred_at"),
    )

    reward_id: Mapped[uuid.UUID]
    from_status: Mapped[RewardStatus | None] = mapped_column(str_enum(RewardStatus, "from_status"))
    to_status: Mapped[RewardStatus] = mapped_column(str_enum(RewardStatus, "to_status"))
    actor_id: Mapped[uuid.UUID | None]
    reason: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())

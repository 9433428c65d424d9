"""GraphQL types of the incentives ledger: programs with their budgets, rewards with their
history, the quarterly report, and the field they add to ``Viewer``."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry
from strawberry import relay

from chapters.api.connections import connection
from chapters.api.ids import LoadedNode
from chapters.db.pagination import PageArgs
from chapters.incentives import queries
from chapters.incentives.money import from_cents
from chapters.incentives.service import BudgetFigures
from chapters.models.incentive import (
    IncentiveProgram,
    IncentiveReward,
    RewardedContribution,
    RewardKind,
    RewardStatus,
    RewardTransition,
)

if TYPE_CHECKING:
    from chapters.activities.types import ActivityType
    from chapters.local_chapters.types import ChapterType
    from chapters.mentoring.types import MentoringProjectType
    from chapters.people.types import PersonType

strawberry.enum(
    RewardKind,
    name="IncentiveRewardKind",
    description="SWAG and TICKET are goods; FEE is money; a SPECIAL_REWARD is either.",
)
RewardKindType: TypeAlias = RewardKind
strawberry.enum(
    RewardStatus,
    name="IncentiveRewardStatus",
    description="PROMISED → APPROVED → SENT (goods) or PAID (money); PROMISED or APPROVED → "
    "CANCELLED.",
)
RewardStatusType: TypeAlias = RewardStatus
strawberry.enum(
    RewardedContribution,
    name="IncentiveContributionKind",
    description="What a reward is for: a TALK or an ARTICLE (activities of those kinds), "
    "another ACTIVITY, or a MENTORING_PROJECT.",
)
ContributionKindType: TypeAlias = RewardedContribution
strawberry.enum(queries.GroupBy, name="IncentiveReportGroupBy")
GroupByType: TypeAlias = queries.GroupBy

Person = Annotated["PersonType", strawberry.lazy("chapters.people.types")]


async def _person(info: strawberry.Info, person_id: uuid.UUID | None) -> PersonType | None:
    from chapters.people.types import load_person

    return await load_person(info, person_id)


@strawberry.type(
    name="IncentiveBudget",
    description="A program's budget for one quarter, and where it stands (in its currency).",
)
class IncentiveBudgetType:
    quarter: str = strawberry.field(description="Such as 2026-Q4.")
    amount: Decimal
    currency: str
    committed: Decimal = strawberry.field(
        description="The cost of its approved rewards, those sent or paid included."
    )
    spent: Decimal = strawberry.field(description="The cost of its rewards sent or paid.")
    remaining: Decimal = strawberry.field(description="Amount less committed.")
    updated_at: datetime

    @classmethod
    def from_figures(cls, figures: BudgetFigures) -> IncentiveBudgetType:
        def money(cents: int) -> Decimal:
            value = from_cents(cents)
            assert value is not None
            return value

        return cls(
            quarter=figures.budget.quarter,
            amount=money(figures.budget.amount_cents),
            currency=figures.budget.currency,
            committed=money(figures.committed_cents),
            spent=money(figures.spent_cents),
            remaining=money(figures.remaining_cents),
            updated_at=figures.budget.updated_at,
        )


@strawberry.type(
    name="IncentiveProgram",
    description="A way the community rewards contributors (speaker rewards, author fees …).",
)
class IncentiveProgramType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    description: str | None
    default_currency: str = strawberry.field(
        description="The currency of its rewards and budgets unless they name another."
    )
    created_at: datetime
    program_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, program: IncentiveProgram) -> IncentiveProgramType:
        return cls(
            id=str(program.id),
            name=program.name,
            description=program.description,
            default_currency=program.default_currency,
            created_at=program.created_at,
            program_id=program.id,
        )

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: uuid.UUID | None
    ) -> IncentiveProgramType | None:
        found = await queries.program(info.context, object_id)
        return None if found is None else cls.from_model(found)

    @strawberry.field(
        description="Its budgets, the latest quarter first (the tenant's staff and analytics "
        "viewers; null for others)."
    )
    async def budgets(self, info: strawberry.Info) -> list[IncentiveBudgetType] | None:
        found = await queries.budgets(info.context, self.program_id)
        return None if found is None else [IncentiveBudgetType.from_figures(f) for f in found]

    @strawberry.field(description="Its budget for one quarter (such as 2026-Q4), if set.")
    async def budget(self, info: strawberry.Info, quarter: str) -> IncentiveBudgetType | None:
        found = await queries.budgets(info.context, self.program_id)
        wanted = quarter.strip().upper()
        match = next((f for f in found or [] if f.budget.quarter == wanted), None)
        return None if match is None else IncentiveBudgetType.from_figures(match)


@strawberry.type(name="IncentiveRewardTransition", description="One step of a reward's life.")
class RewardTransitionType:
    from_status: RewardStatusType | None
    to_status: RewardStatusType
    reason: str | None = strawberry.field(description="Why it was cancelled.")
    occurred_at: datetime
    actor_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Who took the step.")
    async def actor(self, info: strawberry.Info) -> Person | None:
        return await _person(info, self.actor_id)


@strawberry.type(
    name="IncentiveReward",
    description="A reward promised to a person for a contribution. Seen by that person, the "
    "leads of the contribution's chapter, and the tenant's staff and analytics viewers.",
)
class IncentiveRewardType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    kind: RewardKindType
    status: RewardStatusType
    quarter: str = strawberry.field(description="The quarter whose budget it is charged to.")
    contribution_kind: ContributionKindType
    description: str = strawberry.field(description="What is promised.")
    amount: Decimal | None = strawberry.field(description="Money: what is paid.")
    value: Decimal | None = strawberry.field(description="Goods: what they are worth, if known.")
    currency: str | None
    is_money: bool = strawberry.field(description="Paid (PAID) rather than sent (SENT).")
    note: str | None
    cancel_reason: str | None
    promised_at: datetime
    updated_at: datetime
    row: strawberry.Private[IncentiveReward]

    @classmethod
    def from_model(cls, reward: IncentiveReward) -> IncentiveRewardType:
        return cls(
            id=str(reward.id),
            kind=reward.kind,
            status=reward.status,
            quarter=reward.quarter,
            contribution_kind=reward.contribution_kind,
            description=reward.description,
            amount=from_cents(reward.amount_cents),
            value=from_cents(reward.value_cents),
            currency=reward.currency,
            is_money=reward.is_money,
            note=reward.note,
            cancel_reason=reward.cancel_reason,
            promised_at=reward.created_at,
            updated_at=reward.updated_at,
            row=reward,
        )

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: uuid.UUID | None
    ) -> IncentiveRewardType | None:
        found = await queries.reward(info.context, object_id)
        return None if found is None else cls.from_model(found)

    @strawberry.field
    async def program(self, info: strawberry.Info) -> IncentiveProgramType | None:
        return await IncentiveProgramType.load(info, self.row.program_id)

    @strawberry.field(description="The person rewarded.")
    async def person(self, info: strawberry.Info) -> Person | None:
        return await _person(info, self.row.person_id)

    @strawberry.field(description="Who proposed it.")
    async def proposed_by(self, info: strawberry.Info) -> Person | None:
        return await _person(info, self.row.proposed_by_id)

    @strawberry.field(description="The activity (talk, article …) it is for, if one.")
    async def activity(
        self, info: strawberry.Info
    ) -> Annotated[ActivityType, strawberry.lazy("chapters.activities.types")] | None:
        from chapters.activities.types import load_activity

        return await load_activity(info, self.row.activity_id)

    @strawberry.field(description="The mentoring project it is for, if one.")
    async def mentoring_project(
        self, info: strawberry.Info
    ) -> Annotated[MentoringProjectType, strawberry.lazy("chapters.mentoring.types")] | None:
        from chapters.mentoring.types import load_project

        return await load_project(info, self.row.mentoring_project_id)

    @strawberry.field(description="The chapter of the contribution (null: none).")
    async def chapter(
        self, info: strawberry.Info
    ) -> Annotated[ChapterType, strawberry.lazy("chapters.local_chapters.types")] | None:
        from chapters.local_chapters.types import load_chapter

        return await load_chapter(info, self.row.chapter_id)

    @strawberry.field(description="Its history, oldest first.")
    async def transitions(self, info: strawberry.Info) -> list[RewardTransitionType]:
        rows = await queries.transitions(info.context, self.row.id)
        return [_transition(row) for row in rows]


def _transition(row: RewardTransition) -> RewardTransitionType:
    return RewardTransitionType(
        from_status=row.from_status,
        to_status=row.to_status,
        reason=row.reason,
        occurred_at=row.occurred_at,
        actor_id=row.actor_id,
    )


@strawberry.type(name="IncentiveProgramConnection")
class IncentiveProgramConnection(relay.Connection[IncentiveProgramType]):
    pass


@strawberry.type(name="IncentiveRewardConnection")
class IncentiveRewardConnection(relay.Connection[IncentiveRewardType]):
    pass


@strawberry.type(
    name="IncentiveCurrencyTotals",
    description="Sums in one currency: promised (not approved yet), committed (approved, sent "
    "or paid) and spent (sent or paid). Goods of unknown value are counted, not summed.",
)
class CurrencyTotalsType:
    currency: str
    promised: Decimal
    committed: Decimal
    spent: Decimal

    @classmethod
    def from_totals(cls, totals: queries.CurrencyTotals) -> CurrencyTotalsType:
        return cls(
            currency=totals.currency,
            promised=from_cents(totals.promised_cents) or Decimal("0.00"),
            committed=from_cents(totals.committed_cents) or Decimal("0.00"),
            spent=from_cents(totals.spent_cents) or Decimal("0.00"),
        )


@strawberry.type(name="IncentiveReportGroup", description="One person's or one program's rewards.")
class ReportGroupType:
    name: str = strawberry.field(description="The person's display name, or the program's.")
    reward_count: int = strawberry.field(description="Rewards not cancelled.")
    totals: list[CurrencyTotalsType]
    key: strawberry.Private[uuid.UUID]
    by_person: strawberry.Private[bool]

    @strawberry.field(description="The person (grouped by PERSON).")
    async def person(self, info: strawberry.Info) -> Person | None:
        return await _person(info, self.key) if self.by_person else None

    @strawberry.field(description="The program (grouped by PROGRAM).")
    async def program(self, info: strawberry.Info) -> IncentiveProgramType | None:
        return None if self.by_person else await IncentiveProgramType.load(info, self.key)


@strawberry.type(
    name="IncentiveReport",
    description="A quarter's rewards (cancelled ones left out) by person or by program.",
)
class ReportType:
    quarter: str
    group_by: GroupByType
    groups: list[ReportGroupType]
    totals: list[CurrencyTotalsType] = strawberry.field(description="Per currency, all groups.")

    @classmethod
    def from_report(cls, report: queries.Report) -> ReportType:
        by_person = report.group_by == queries.GroupBy.PERSON
        return cls(
            quarter=report.quarter,
            group_by=report.group_by,
            groups=[
                ReportGroupType(
                    name=group.name,
                    reward_count=group.reward_count,
                    totals=[CurrencyTotalsType.from_totals(t) for t in group.totals],
                    key=group.key,
                    by_person=by_person,
                )
                for group in report.groups
            ],
            totals=[CurrencyTotalsType.from_totals(t) for t in report.totals],
        )


async def rewards_of_viewer(
    info: strawberry.Info, person_id: uuid.UUID, first: int | None, after: str | None
) -> IncentiveRewardConnection:
    page = await queries.own_rewards(info.context, person_id, PageArgs(first=first, after=after))
    return connection(IncentiveRewardConnection, page, IncentiveRewardType.from_model)

"""This domain's root fields: incentive programs and budgets, rewards and their lifecycle, the
quarterly report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import strawberry
from strawberry import relay

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id, decode_optional_id
from chapters.api.mutations import mutate
from chapters.db.pagination import PageArgs
from chapters.errors import NotFound
from chapters.incentives import queries, service
from chapters.incentives.types import (
    GroupByType,
    IncentiveBudgetType,
    IncentiveProgramConnection,
    IncentiveProgramType,
    IncentiveRewardConnection,
    IncentiveRewardType,
    ReportType,
    RewardKindType,
    RewardStatusType,
)
from chapters.models.incentive import IncentiveReward


@strawberry.input
class IncentiveProgramCreateInput:
    name: str
    default_currency: str = strawberry.field(description="ISO 4217, such as EUR or CNY.")
    description: str | None = None


@strawberry.input(description="Set (or change) a program's budget for one quarter.")
class IncentiveBudgetSetInput:
    incentive_program_id: strawberry.ID
    quarter: str = strawberry.field(description="Such as 2026-Q4.")
    amount: Decimal = strawberry.field(description="Zero or more, two decimal places at most.")
    currency: str | None = strawberry.field(
        default=None, description="ISO 4217; default: the program's."
    )


@strawberry.input(description="A reward for a person's contribution.")
class IncentiveRewardProposeInput:
    incentive_program_id: strawberry.ID
    person_id: strawberry.ID = strawberry.field(
        description="The person rewarded: a speaker, organizer, host, author or mentor of the "
        "activity, or a member of the mentoring project."
    )
    contribution_id: strawberry.ID = strawberry.field(
        description="An Activity (a talk, an article …) or a MentoringProject."
    )
    kind: RewardKindType
    description: str = strawberry.field(description="What is promised.")
    amount: Decimal | None = strawberry.field(
        default=None,
        description="Money (a fee; a special reward paid in money), more than zero.",
    )
    value: Decimal | None = strawberry.field(
        default=None, description="Goods (swag, a ticket, a special reward in kind): their value."
    )
    currency: str | None = strawberry.field(
        default=None, description="ISO 4217 for the amount or value; default: the program's."
    )
    quarter: str | None = strawberry.field(
        default=None, description="The budget's quarter it is charged to; default: the current."
    )
    note: str | None = None


@strawberry.input
class IncentiveRewardIdInput:
    id: strawberry.ID


@strawberry.input
class IncentiveRewardCancelInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class IncentiveRewardFilter:
    incentive_program_id: strawberry.ID | None = None
    quarter: str | None = None
    status: list[RewardStatusType] | None = None
    person_id: strawberry.ID | None = None
    chapter_id: strawberry.ID | None = None

    def to_service(self) -> queries.RewardFilter:
        return queries.RewardFilter(
            program_id=decode_optional_id(
                self.incentive_program_id, "IncentiveProgram", "filter.program_id"
            ),
            quarter=self.quarter,
            statuses=tuple(self.status or ()),
            person_id=decode_optional_id(self.person_id, "Person", "filter.person_id"),
            chapter_id=decode_optional_id(self.chapter_id, "Chapter", "filter.chapter_id"),
        )


@strawberry.type
class IncentiveProgramPayload:
    program: IncentiveProgramType | None
    errors: list[UserError]


@strawberry.type
class IncentiveBudgetPayload:
    budget: IncentiveBudgetType | None
    errors: list[UserError]


@strawberry.type
class IncentiveRewardPayload:
    reward: IncentiveRewardType | None
    errors: list[UserError]


def _contribution(value: strawberry.ID) -> service.Contribution:
    """An Activity's or a MentoringProject's global id, as a contribution."""
    try:
        type_name, _ = relay.from_base64(value)
    except (ValueError, TypeError):
        type_name = ""
    if type_name == "MentoringProject":
        project = decode_id(value, "MentoringProject", "contribution_id")
        return service.Contribution(mentoring_project_id=project)
    if type_name == "Activity" or not type_name:
        return service.Contribution(activity_id=decode_id(value, "Activity", "contribution_id"))
    raise NotFound("Activity or mentoring project", field="contribution_id")


async def _reward_step(
    info: strawberry.Info, work: Callable[[], Awaitable[IncentiveReward]]
) -> IncentiveRewardPayload:
    async def presented() -> IncentiveRewardType:
        return IncentiveRewardType.from_model(await work())

    return await mutate(
        info,
        presented,
        present=lambda reward: IncentiveRewardPayload(reward=reward, errors=[]),
        failed=lambda errors: IncentiveRewardPayload(reward=None, errors=errors),
    )


@strawberry.type
class IncentiveQuery:
    @strawberry.field(description="The incentive programs, by name (signed-in people).")
    async def incentive_programs(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> IncentiveProgramConnection:
        page = await queries.programs(info.context, PageArgs(first=first, after=after))
        return connection(IncentiveProgramConnection, page, IncentiveProgramType.from_model)

    @strawberry.field(
        description="Rewards, newest first: all of them for the tenant's staff and analytics "
        "viewers, those of their chapters' contributions for leads and co-leads."
    )
    async def incentive_rewards(
        self,
        info: strawberry.Info,
        filter: IncentiveRewardFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> IncentiveRewardConnection:
        filters = (filter or IncentiveRewardFilter()).to_service()
        page = await queries.rewards(info.context, filters, PageArgs(first=first, after=after))
        return connection(IncentiveRewardConnection, page, IncentiveRewardType.from_model)

    @strawberry.field(
        description="A quarter's rewards by person or by program, with sums per currency "
        "(the tenant's staff and analytics viewers)."
    )
    async def incentive_report(
        self, info: strawberry.Info, quarter: str, group_by: GroupByType
    ) -> ReportType:
        return ReportType.from_report(await queries.report(info.context, quarter, group_by))


@strawberry.type
class IncentiveMutation:
    @strawberry.mutation(description="Create an incentive program (staff).")
    async def incentive_program_create(
        self, info: strawberry.Info, input: IncentiveProgramCreateInput
    ) -> IncentiveProgramPayload:
        ctx = info.context

        async def work() -> IncentiveProgramType:
            program = await service.create_program(
                ctx.session,
                ctx.principal,
                name=input.name,
                description=input.description,
                default_currency=input.default_currency,
            )
            return IncentiveProgramType.from_model(program)

        return await mutate(
            info,
            work,
            present=lambda program: IncentiveProgramPayload(program=program, errors=[]),
            failed=lambda errors: IncentiveProgramPayload(program=None, errors=errors),
        )

    @strawberry.mutation(
        description="Set a program's budget for a quarter (staff); it cannot drop below what "
        "is committed."
    )
    async def incentive_budget_set(
        self, info: strawberry.Info, input: IncentiveBudgetSetInput
    ) -> IncentiveBudgetPayload:
        ctx = info.context

        async def work() -> service.BudgetFigures:
            return await service.set_budget(
                ctx.session,
                ctx.principal,
                program_id=decode_id(
                    input.incentive_program_id, "IncentiveProgram", "incentive_program_id"
                ),
                quarter=input.quarter,
                amount=input.amount,
                currency=input.currency,
            )

        return await mutate(
            info,
            work,
            present=lambda figures: IncentiveBudgetPayload(
                budget=IncentiveBudgetType.from_figures(figures), errors=[]
            ),
            failed=lambda errors: IncentiveBudgetPayload(budget=None, errors=errors),
        )

    @strawberry.mutation(
        description="Promise a reward for a contribution: staff for any, leads and co-leads for "
        "their chapter's activities and projects."
    )
    async def incentive_reward_propose(
        self, info: strawberry.Info, input: IncentiveRewardProposeInput
    ) -> IncentiveRewardPayload:
        ctx = info.context

        async def work() -> IncentiveReward:
            proposal = service.Proposal(
                program_id=decode_id(
                    input.incentive_program_id, "IncentiveProgram", "incentive_program_id"
                ),
                person_id=decode_id(input.person_id, "Person", "person_id"),
                contribution=_contribution(input.contribution_id),
                kind=input.kind,
                description=input.description,
                amount=input.amount,
                value=input.value,
                currency=input.currency,
                quarter=input.quarter,
                note=input.note,
            )
            return await service.propose(ctx.session, ctx.principal, proposal)

        return await _reward_step(info, work)

    @strawberry.mutation(
        description="Approve a promised reward (staff): its cost must fit what the budget of "
        "its program and quarter has left, in the budget's currency."
    )
    async def incentive_reward_approve(
        self, info: strawberry.Info, input: IncentiveRewardIdInput
    ) -> IncentiveRewardPayload:
        ctx = info.context
        return await _reward_step(
            info,
            lambda: service.approve(
                ctx.session, ctx.principal, decode_id(input.id, "IncentiveReward", "id")
            ),
        )

    @strawberry.mutation(description="An approved reward of goods went out (staff).")
    async def incentive_reward_mark_sent(
        self, info: strawberry.Info, input: IncentiveRewardIdInput
    ) -> IncentiveRewardPayload:
        ctx = info.context
        return await _reward_step(
            info,
            lambda: service.mark_sent(
                ctx.session, ctx.principal, decode_id(input.id, "IncentiveReward", "id")
            ),
        )

    @strawberry.mutation(description="An approved reward of money was paid (staff).")
    async def incentive_reward_mark_paid(
        self, info: strawberry.Info, input: IncentiveRewardIdInput
    ) -> IncentiveRewardPayload:
        ctx = info.context
        return await _reward_step(
            info,
            lambda: service.mark_paid(
                ctx.session, ctx.principal, decode_id(input.id, "IncentiveReward", "id")
            ),
        )

    @strawberry.mutation(
        description="Call off a promised or approved reward, with a reason (staff)."
    )
    async def incentive_reward_cancel(
        self, info: strawberry.Info, input: IncentiveRewardCancelInput
    ) -> IncentiveRewardPayload:
        ctx = info.context
        return await _reward_step(
            info,
            lambda: service.cancel(
                ctx.session,
                ctx.principal,
                decode_id(input.id, "IncentiveReward", "id"),
                input.reason,
            ),
        )

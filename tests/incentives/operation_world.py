"""What the example operations of ``graphql/operations/incentives`` need, made as the tenant
admin: a talk of the chapter where the member spoke, a program with a budget for the current
quarter, and rewards for the talk: one promised, a fee and swag approved."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.activities.service import ParticipantEntry
from chapters.api.ids import global_id
from chapters.incentives import service
from chapters.models import ActivityKind, ParticipantRole
from chapters.models.incentive import RewardKind
from tests.support import TenantFixture, make_activity, staff_session_call

ADMIN = "admin@x.example"


async def incentives_placeholders(
    tenant: TenantFixture, owner_engine: AsyncEngine, chapter_id: uuid.UUID
) -> dict[str, str]:
    member = tenant.people["member@x.example"].id
    talk = await make_activity(
        owner_engine,
        tenant,
        chapter_id,
        staff=ADMIN,
        title="Observability with eBPF",
        kind=ActivityKind.TALK,
        participants=[ParticipantEntry(role=ParticipantRole.SPEAKER, person_id=member)],
    )

    async def ledger(session, principal) -> dict[str, str]:
        program = await service.create_program(
            session, principal, name="Speaker rewards", description=None, default_currency="EUR"
        )
        await service.set_budget(
            session,
            principal,
            program_id=program.id,
            quarter=service.current_quarter(),
            amount=Decimal("1000"),
            currency=None,
        )

        async def reward(kind: RewardKind, description: str, **sums: Decimal) -> uuid.UUID:
            proposal = service.Proposal(
                program_id=program.id,
                person_id=member,
                contribution=service.Contribution(activity_id=talk.id),
                kind=kind,
                description=description,
                **sums,
            )
            return (await service.propose(session, principal, proposal)).id

        promised = await reward(RewardKind.FEE, "Speaker fee", amount=Decimal("100"))
        fee = await reward(RewardKind.FEE, "Travel allowance", amount=Decimal("200"))
        swag = await reward(RewardKind.SWAG, "Hoodie", value=Decimal("30"))
        for approved in (fee, swag):
            await service.approve(session, principal, approved)
        return {
            "@incentiveProgramId": global_id("IncentiveProgram", program.id),
            "@incentiveTalkId": global_id("Activity", talk.id),
            "@incentiveQuarter": service.current_quarter(),
            "@incentivePromisedRewardId": global_id("IncentiveReward", promised),
            "@incentiveApprovedRewardId": global_id("IncentiveReward", fee),
            "@incentiveApprovedSwagId": global_id("IncentiveReward", swag),
        }

    placeholders: dict[str, str] = await staff_session_call(owner_engine, tenant, ADMIN, ledger)
    return placeholders

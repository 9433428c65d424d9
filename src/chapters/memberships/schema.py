from __future__ import annotations

from uuid import UUID

import strawberry

from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import mutate
from chapters.memberships import service
from chapters.memberships.types import ChapterMembershipType, ChapterRoleType
from chapters.models import ChapterMembership, ChapterRole


@strawberry.input
class MembershipJoinInput:
    chapter_id: strawberry.ID
    person_id: strawberry.ID
    role: ChapterRoleType = ChapterRoleType.MEMBER
    reason: str | None = None


@strawberry.input(
    description="An invitation to whoever holds an email address (a newcomer is created as "
    "an invited person, seen only by staff and the chapter's leads until they accept)."
)
class MembershipInviteByEmailInput:
    chapter_id: strawberry.ID
    email: str
    display_name: str | None = strawberry.field(
        default=None,
        description="How to call a newcomer until they edit their profile (default: the part "
        "of the address before @); ignored when the address belongs to someone already.",
    )
    role: ChapterRoleType = ChapterRoleType.MEMBER
    reason: str | None = None


@strawberry.input
class MembershipChangeInput:
    membership_id: strawberry.ID
    reason: str | None = None


@strawberry.input
class MembershipChangeRoleInput:
    membership_id: strawberry.ID
    role: ChapterRoleType = strawberry.field(description="CO_LEAD or MEMBER.")
    reason: str | None = None


@strawberry.input
class ChapterAppointLeadInput:
    chapter_id: strawberry.ID
    person_id: strawberry.ID
    previous_lead_becomes: ChapterRoleType = ChapterRoleType.CO_LEAD
    reason: str | None = None


@strawberry.type
class ChapterMembershipPayload:
    membership: ChapterMembershipType | None
    errors: list[UserError]


def _present(membership: ChapterMembership) -> ChapterMembershipPayload:
    return ChapterMembershipPayload(
        membership=ChapterMembershipType.from_model(membership), errors=[]
    )


def _failed(errors: list[UserError]) -> ChapterMembershipPayload:
    return ChapterMembershipPayload(membership=None, errors=errors)


def _ids(data: MembershipJoinInput | ChapterAppointLeadInput) -> tuple[UUID, UUID]:
    return (
        decode_id(str(data.chapter_id), "Chapter", "chapterId"),
        decode_id(str(data.person_id), "Person", "personId"),
    )


@strawberry.type
class MembershipMutation:
    @strawberry.mutation(description="Invite a person to a chapter (they accept to become active).")
    async def membership_invite(
        self, info: strawberry.Info, input: MembershipJoinInput
    ) -> ChapterMembershipPayload:
        return await _join(info, input, invite=True)

    @strawberry.mutation(
        description="Invite someone by email, whether or not they are in the directory yet. "
        "The answer has the same shape either way; a message to the address waits in the "
        "outbox, and the person accepts (membershipAccept) once signed in with that verified "
        "address."
    )
    async def membership_invite_by_email(
        self, info: strawberry.Info, input: MembershipInviteByEmailInput
    ) -> ChapterMembershipPayload:
        ctx = info.context

        async def work() -> ChapterMembership:
            return await service.invite_by_email(
                ctx.session,
                ctx.principal,
                decode_id(str(input.chapter_id), "Chapter", "chapterId"),
                input.email,
                display_name=input.display_name,
                role=ChapterRole(input.role),
                reason=input.reason,
            )

        return await mutate(info, work, present=_present, failed=_failed)

    @strawberry.mutation(description="Add a person to a chapter as an active member right away.")
    async def membership_add(
        self, info: strawberry.Info, input: MembershipJoinInput
    ) -> ChapterMembershipPayload:
        return await _join(info, input, invite=False)

    @strawberry.mutation(description="Accept one's own invitation.")
    async def membership_accept(
        self, info: strawberry.Info, input: MembershipChangeInput
    ) -> ChapterMembershipPayload:
        ctx = info.context

        async def work() -> ChapterMembership:
            membership_id = decode_id(str(input.membership_id), "ChapterMembership", "membershipId")
            return await service.accept_invitation(ctx.session, ctx.principal, membership_id)

        return await mutate(info, work, present=_present, failed=_failed)

    @strawberry.mutation(
        description="End a membership (kept in the history as left). Members may leave."
    )
    async def membership_remove(
        self, info: strawberry.Info, input: MembershipChangeInput
    ) -> ChapterMembershipPayload:
        ctx = info.context

        async def work() -> ChapterMembership:
            membership_id = decode_id(str(input.membership_id), "ChapterMembership", "membershipId")
            return await service.remove(
                ctx.session, ctx.principal, membership_id, reason=input.reason
            )

        return await mutate(info, work, present=_present, failed=_failed)

    @strawberry.mutation(description="Make a member co-lead, or a co-lead member.")
    async def membership_change_role(
        self, info: strawberry.Info, input: MembershipChangeRoleInput
    ) -> ChapterMembershipPayload:
        ctx = info.context

        async def work() -> ChapterMembership:
            membership_id = decode_id(str(input.membership_id), "ChapterMembership", "membershipId")
            return await service.change_role(
                ctx.session,
                ctx.principal,
                membership_id,
                ChapterRole(input.role),
                reason=input.reason,
            )

        return await mutate(info, work, present=_present, failed=_failed)

    @strawberry.mutation(
        description="Appoint a chapter's lead; the previous lead becomes co-lead or member."
    )
    async def chapter_appoint_lead(
        self, info: strawberry.Info, input: ChapterAppointLeadInput
    ) -> ChapterMembershipPayload:
        ctx = info.context

        async def work() -> ChapterMembership:
            chapter_id, person_id = _ids(input)
            return await service.appoint_lead(
                ctx.session,
                ctx.principal,
                chapter_id,
                person_id,
                previous_lead_becomes=ChapterRole(input.previous_lead_becomes),
                reason=input.reason,
            )

        return await mutate(info, work, present=_present, failed=_failed)


async def _join(
    info: strawberry.Info, data: MembershipJoinInput, *, invite: bool
) -> ChapterMembershipPayload:
    ctx = info.context

    async def work() -> ChapterMembership:
        chapter_id, person_id = _ids(data)
        return await service.join(
            ctx.session,
            ctx.principal,
            chapter_id,
            person_id,
            role=ChapterRole(data.role),
            invite=invite,
            reason=data.reason,
        )

    return await mutate(info, work, present=_present, failed=_failed)

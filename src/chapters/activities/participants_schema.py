"""Mutations that change an activity's participants one at a time (see ``participants``)."""

from __future__ import annotations

import strawberry

from chapters.activities import participants
from chapters.activities.schema import (
    ActivityPayload,
    _activity_failed,
    _activity_id,
    _activity_payload,
)
from chapters.activities.service import ParticipantEntry
from chapters.activities.types import (
    ActivityParticipantType,
    ActivityType,
    ParticipantRoleType,
)
from chapters.api.errors import UserError
from chapters.api.ids import decode_id, decode_optional_id
from chapters.api.mutations import mutate
from chapters.models import Activity


@strawberry.input(
    description="One participant: a person of the tenant (personId) or an external one "
    "(externalName), in a role."
)
class ActivityAddParticipantInput:
    activity_id: strawberry.ID
    role: ParticipantRoleType
    person_id: strawberry.ID | None = None
    external_name: str | None = None
    external_affiliation: str | None = None
    topic: str | None = None


@strawberry.input
class ActivityRemoveParticipantInput:
    participant_id: strawberry.ID = strawberry.field(description="ActivityParticipant.id.")


@strawberry.type
class ActivityParticipantPayload:
    participant: ActivityParticipantType | None
    activity: ActivityType | None
    errors: list[UserError]


@strawberry.type
class ActivityParticipantMutation:
    @strawberry.mutation(
        description="Add one speaker, organiser, host … after the others: drafts and activities "
        "sent back for changes (whoever may edit it); accepted ones (staff, to correct them)."
    )
    async def activity_add_participant(
        self, info: strawberry.Info, input: ActivityAddParticipantInput
    ) -> ActivityParticipantPayload:
        ctx = info.context

        async def work() -> participants.Added:
            entry = ParticipantEntry(
                role=input.role,
                person_id=decode_optional_id(input.person_id, "Person", "personId"),
                external_name=input.external_name,
                external_affiliation=input.external_affiliation,
                topic=input.topic,
            )
            activity_id = _activity_id(input.activity_id, "activityId")
            return await participants.add_participant(
                ctx.session, ctx.principal, activity_id, entry
            )

        return await mutate(
            info,
            work,
            present=lambda added: ActivityParticipantPayload(
                participant=ActivityParticipantType.from_model(added.participant, added.name),
                activity=ActivityType.from_model(added.activity),
                errors=[],
            ),
            failed=lambda errors: ActivityParticipantPayload(
                participant=None, activity=None, errors=errors
            ),
        )

    @strawberry.mutation(
        description="Take one participant off the list (the same rules as adding one)."
    )
    async def activity_remove_participant(
        self, info: strawberry.Info, input: ActivityRemoveParticipantInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            participant_id = decode_id(
                str(input.participant_id), "ActivityParticipant", "participantId"
            )
            return await participants.remove_participant(ctx.session, ctx.principal, participant_id)

        return await mutate(info, work, present=_activity_payload, failed=_activity_failed)

"""What the example operations of ``graphql/operations/conferences`` need, made as the tenant
admin: a conference whose call for papers closes in ten days, with a talk the chapter's member
is drafting (title and abstract written), one submitted, one accepted and one rejected."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.ids import global_id
from chapters.conferences import service
from tests.support import TenantFixture, staff_session_call

ADMIN = "admin@x.example"
MEMBER = "member@x.example"  # a member of the world's chapter: accepted talks are its


async def conferences_placeholders(
    tenant: TenantFixture, owner_engine: AsyncEngine, chapter_id: uuid.UUID
) -> dict[str, str]:
    speaker = tenant.people[MEMBER].id
    deadline = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)

    async def world(session, principal) -> dict[str, str]:
        conference = await service.create_conference(
            session,
            principal,
            service.ConferenceFields(
                name="Open Source Summit",
                starts_on=date(2027, 6, 14),
                ends_on=date(2027, 6, 16),
                city="Vancouver",
                cfp_deadline=deadline,
                url="https://summit.example/cfp",
            ),
        )

        async def talk(title: str, *steps) -> uuid.UUID:
            fields = service.SubmissionFields(
                title=title, abstract=f"{title}: what we learnt.", speaker_ids=[speaker]
            )
            submission = await service.create_submission(session, principal, conference.id, fields)
            for step in steps:
                await step(session, principal, submission.id)
            return submission.id

        draft = await talk("Chapters at scale")
        submitted = await talk("Running a meetup on a budget", service.submit)
        await talk("The ledger of activities", service.submit, service.accept)
        await talk("Our mentoring program", service.submit, service.reject)
        return {
            "@conferenceId": global_id("Conference", conference.id),
            "@draftTalkSubmissionId": global_id("TalkSubmission", draft),
            "@submittedTalkSubmissionId": global_id("TalkSubmission", submitted),
        }

    placeholders: dict[str, str] = await staff_session_call(owner_engine, tenant, ADMIN, world)
    return placeholders

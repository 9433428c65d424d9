"""What the example operations of graphql/operations/ambassadors need: a program, pending
nominations to accept and to decline, and an active term ending soon (to renew)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from chapters.ambassadors import service
from chapters.api.ids import global_id
from tests.support import TenantFixture, staff_session_call

ADMIN, LEAD, MEMBER = "admin@x.example", "lead@x.example", "member@x.example"


async def ambassadors_placeholders(
    tenant: TenantFixture, owner_engine, chapter_id: uuid.UUID
) -> dict[str, str]:
    async def work(session, principal):
        fields = service.ProgramFields(
            name="Ambassadors", term_months=12, criteria="Leads a chapter"
        )
        program = await service.create_program(session, principal, fields)

        async def nominate(email: str) -> uuid.UUID:
            entry = service.Nomination(
                program_id=program.id,
                person_id=tenant.people[email].id,
                statement="Organises our meetups",
                evidence_urls=["https://example.org/talks"],
                chapter_id=chapter_id,
            )
            return (await service.nominate(session, principal, entry)).id

        to_accept, to_decline, served = (
            await nominate(MEMBER),
            await nominate(ADMIN),
            await nominate(LEAD),
        )
        today = datetime.now(UTC).date()
        accepted = await service.accept(
            session,
            principal,
            served,
            starts_on=today - timedelta(days=340),
            ends_on=today + timedelta(days=20),
        )
        return program.id, to_accept, to_decline, accepted.term.id

    program_id, to_accept, to_decline, term_id = await staff_session_call(
        owner_engine, tenant, ADMIN, work
    )
    return {
        "@ambassadorProgramId": global_id("AmbassadorProgram", program_id),
        "@ambassadorNominationId": global_id("AmbassadorNomination", to_accept),
        "@ambassadorDeclinableNominationId": global_id("AmbassadorNomination", to_decline),
        "@ambassadorTermId": global_id("AmbassadorTerm", term_id),
        "@ambassadorPersonId": global_id("Person", tenant.people[LEAD].id),
    }

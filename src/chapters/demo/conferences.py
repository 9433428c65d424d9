"""Conferences and talk submissions for tenant ``demo``: Open Source Summit China (in six
weeks), where two members' talk was accepted (a TALK activity in the ledger, credited to the
first speaker's chapter) and another's rejected; and KubeCon Asia, whose call for papers
closes ten days after the demo is seeded (the daily reminder has something to say). Written
through the services as the tenant's first admin, audited as the mutations would be; once: a
conference is the marker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.conferences import service
from chapters.demo.replay import as_mutation, first_with_role
from chapters.models import ChapterMembership, MembershipStatus, TenantRole
from chapters.models.conference import Conference
from chapters.people.service import load_principal


async def seed_conferences(session: AsyncSession) -> str:
    if await session.scalar(select(Conference.id).limit(1)) is not None:
        return "conferences: already seeded"
    admin = await first_with_role(session, TenantRole.ADMIN)
    members = list(
        await session.scalars(
            select(ChapterMembership.person_id)
            .where(ChapterMembership.status == MembershipStatus.ACTIVE)
            .order_by(ChapterMembership.joined_at, ChapterMembership.id)
            .limit(3)
        )
    )
    if admin is None or len(members) < 2:
        return "conferences: no admin or members to seed them with"
    principal = await load_principal(session, admin)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    today = now.date()

    with as_mutation(session, "conferenceCreate", principal):
        summit = await service.create_conference(
            session,
            principal,
            service.ConferenceFields(
                name="Open Source Summit China",
                starts_on=today + timedelta(days=42),
                ends_on=today + timedelta(days=43),
                city="Shanghai",
                cfp_deadline=now - timedelta(days=30),
                url="https://summit.example/china",
                notes="Booth shared with the Shanghai chapter.",
            ),
        )
        await service.create_conference(
            session,
            principal,
            service.ConferenceFields(
                name="KubeCon + CloudNativeCon Asia",
                starts_on=today + timedelta(days=120),
                ends_on=today + timedelta(days=122),
                city="Hong Kong",
                cfp_deadline=now + timedelta(days=10),
                url="https://kubecon.example/asia/cfp",
            ),
        )
    talks = (
        ("Forty chapters, one ledger", members[:2], service.accept, None),
        ("Docs sprints that stick", members[2:] or members[1:], service.reject, "Track full."),
    )
    for title, speakers, decide, comment in talks:
        with as_mutation(session, "talkSubmissionCreate", principal):
            submission = await service.create_submission(
                session,
                principal,
                summit.id,
                service.SubmissionFields(
                    title=title,
                    abstract=f"{title}: what our community learnt running it for two years.",
                    track="Community",
                    speaker_ids=speakers,
                ),
            )
        with as_mutation(session, "talkSubmissionSubmit", principal):
            await service.submit(session, principal, submission.id)
        with as_mutation(session, f"talkSubmission{decide.__name__.title()}", principal):
            await decide(session, principal, submission.id, comment)
    return (
        "conferences: 2 conferences (a call for papers closing within two weeks),"
        " 1 talk accepted (in the ledger), 1 rejected"
    )

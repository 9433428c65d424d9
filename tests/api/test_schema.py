"""The checked-in SDL matches the code, and every example operation validates and runs."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from graphql import parse, validate

from chapters.activities import lifecycle
from chapters.activities import service as activities
from chapters.activities.participants import add_participant
from chapters.api.ids import global_id
from chapters.api.schema import schema
from chapters.jobs.records import QueueJob, of_tenant
from chapters.jobs.types import job_global_id
from chapters.memberships.service import join
from chapters.models import (
    ActivityKind,
    ChapterOrganisation,
    Committee,
    CommitteeKind,
    CommitteeSeat,
    JobError,
    MentoringProgram,
    MentoringProject,
    Organisation,
    OrganisationContact,
    OrganisationKind,
    OrganisationRelationship,
    ParticipantRole,
    ProjectStatus,
    RelationshipKind,
    RelationshipStatus,
    SeatRole,
    TenantRole,
)
from chapters.registrations import links as registration_links
from chapters.registrations import service as registrations
from chapters.settings import PROJECT_ROOT
from tests.ambassadors.operation_world import ambassadors_placeholders
from tests.articles.operation_world import articles_placeholders
from tests.authors.operation_world import authors_placeholders
from tests.channels.operation_world import channels_placeholders
from tests.conferences.operation_world import conferences_placeholders
from tests.incentives.operation_world import incentives_placeholders
from tests.newsletters.operation_world import newsletters_placeholders
from tests.partnerships.operation_world import partnerships_placeholders
from tests.recognition.operation_world import recognition_placeholders
from tests.support import TenantFixture, gql, make_chapter, staff_session_call, statements_sent
from tests.tenancy.tenant_filters import table_columns, unfiltered_references

SDL_FILE = PROJECT_ROOT / "graphql" / "schema.graphql"
OPERATIONS = sorted((PROJECT_ROOT / "graphql" / "operations").rglob("*.graphql"))
OPERATION_TEXT = {path: path.read_text() for path in OPERATIONS}
VARIABLES_LINE = re.compile(r"^# variables: (.*)$", re.MULTILINE)


def test_checked_in_schema_is_current() -> None:
    assert SDL_FILE.read_text() == schema.as_str() + "\n", (
        "graphql/schema.graphql is stale: run `chapters export-schema`"
    )


def test_there_are_example_operations() -> None:
    assert len(OPERATIONS) >= 4


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_operation_is_valid_against_the_exported_schema(path: Path) -> None:
    errors = validate(schema._schema, parse(path.read_text()))
    assert errors == []


async def _operation_world(tenants, owner_engine) -> tuple[TenantFixture, dict[str, str]]:
    """A small tenant for the example operations, and the ids their placeholders stand for."""

    tenant = await tenants.create(
        people={
            "admin@x.example": TenantRole.ADMIN,
            "lead@x.example": None,
            "member@x.example": None,
            "newcomer@x.example": None,
        }
    )
    chapter = await make_chapter(
        owner_engine,
        tenant,
        "shanghai",
        staff="admin@x.example",
        lead="lead@x.example",
        members=("member@x.example",),
    )
    other = await make_chapter(owner_engine, tenant, "hangzhou", staff="admin@x.example")

    async def extras(session, principal):
        invitation = await join(
            session, principal, other.id, tenant.people["admin@x.example"].id, invite=True
        )
        member = await join(
            session, principal, other.id, tenant.people["member@x.example"].id, invite=False
        )
        committee = Committee(name="User Committee", kind=CommitteeKind.USER_COMMITTEE)
        session.add(committee)
        await session.flush()
        program = MentoringProgram(
            name="Summer of Code",
            year=2026,
            applications_open_on=date(2026, 3, 1),
            applications_close_on=date(2026, 4, 15),
            coding_starts_on=date(2026, 6, 1),
            coding_ends_on=date(2026, 9, 30),
        )
        session.add(program)
        await session.flush()
        project = MentoringProject(
            program_id=program.id,
            chapter_id=chapter.id,
            title="Docs site",
            status=ProjectStatus.PROPOSED,
        )
        session.add(project)
        seat = CommitteeSeat(
            committee_id=committee.id,
            person_id=tenant.people["lead@x.example"].id,
            role=SeatRole.MEMBER,
            starts_on=date(2024, 1, 1),
        )
        session.add(seat)
        await session.flush()
        return invitation.id, member.id, committee.id, seat.id, program.id, project.id

    (
        invitation_id,
        membership_id,
        committee_id,
        seat_id,
        program_id,
        project_id,
    ) = await staff_session_call(owner_engine, tenant, "admin@x.example", extras)

    async def organisation_extras(session, principal):
        # Linked to hangzhou, not to shanghai (ChapterOrganisationLink links it there).
        organisation = Organisation(
            name="Acme Cloud", kind=OrganisationKind.COMPANY, website="https://acme.example"
        )
        session.add(organisation)
        await session.flush()
        relationship = OrganisationRelationship(
            organisation_id=organisation.id,
            kind=RelationshipKind.SPONSOR,
            status=RelationshipStatus.ACTIVE,
        )
        contact = OrganisationContact(
            organisation_id=organisation.id, name="Dana Li", email="dana@acme.example"
        )
        link = ChapterOrganisation(chapter_id=other.id, organisation_id=organisation.id)
        session.add_all([relationship, contact, link])
        await session.flush()
        return organisation.id, relationship.id, contact.id

    organisation_id, relationship_id, contact_id = await staff_session_call(
        owner_engine, tenant, "admin@x.example", organisation_extras
    )
    pending_link_id, email_change_token = await staff_session_call(
        owner_engine, tenant, "admin@x.example", _confirmation_extras
    )

    async def activity_extras(session, principal):
        now = datetime.now(UTC)

        def meetup(title: str, starts_at: datetime) -> activities.ActivityFields:
            return activities.ActivityFields(
                chapter_id=chapter.id,
                kind=ActivityKind.OFFLINE_MEETUP,
                title=title,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                venue="Cafe",
            )

        draft = await activities.create_activity(
            session, principal, meetup("Draft meetup", now + timedelta(days=10))
        )
        submitted = await activities.create_activity(
            session, principal, meetup("Submitted meetup", now + timedelta(days=20))
        )
        await lifecycle.submit(session, principal, submitted.id)
        ended = await activities.create_activity(
            session, principal, meetup("Ended meetup", now - timedelta(days=3))
        )
        await lifecycle.submit(session, principal, ended.id)
        await lifecycle.review(session, principal, ended.id, lifecycle.Step.ACCEPT)
        speaker = activities.ParticipantEntry(role=ParticipantRole.SPEAKER, external_name="Ada")
        added = await add_participant(session, principal, draft.id, speaker)
        upcoming = await activities.create_activity(
            session, principal, meetup("Open meetup", now + timedelta(days=30))
        )
        await lifecycle.submit(session, principal, upcoming.id)
        await lifecycle.review(session, principal, upcoming.id, lifecycle.Step.ACCEPT)
        return draft.id, submitted.id, ended.id, added.participant.id, upcoming.id

    draft_id, submitted_id, ended_id, participant_id, upcoming_id = await staff_session_call(
        owner_engine, tenant, "admin@x.example", activity_extras
    )

    async def registration_settings_extras(session, principal):
        # The upcoming meetup takes 20 registrations, also by name and email (its chapter
        # allows public registration).
        seats = registrations.RegistrationSettings(capacity=20, open=True)
        await registrations.update_settings(session, principal, upcoming_id, seats)
        await registrations.set_public_registration(session, principal, chapter.id, True)

    async def member_registration_extras(session, principal):
        registration = await registrations.register(session, principal, upcoming_id)
        return registration.id, registration.code

    async def public_registration_extras(session, principal):
        # A visitor, not signed in: pending until the mailed link confirms the address.
        entry = registrations.PublicEntry(name="Lin Wei", email="lin.wei@public.example")
        registration = await registrations.register_public(session, None, upcoming_id, entry)
        assert registration is not None
        return registration.id

    await staff_session_call(owner_engine, tenant, "admin@x.example", registration_settings_extras)
    registration_id, check_in_code = await staff_session_call(
        owner_engine, tenant, "member@x.example", member_registration_extras
    )
    public_registration_id = await staff_session_call(
        owner_engine, tenant, "admin@x.example", public_registration_extras
    )
    failed_job_id = await staff_session_call(
        owner_engine, tenant, "admin@x.example", _failed_job_extras
    )
    people = {email: person.id for email, person in tenant.people.items()}
    return tenant, {
        "@viewerPersonId": global_id("Person", people["admin@x.example"]),
        "@personId": global_id("Person", people["newcomer@x.example"]),
        "@memberPersonId": global_id("Person", people["member@x.example"]),
        "@chapterId": global_id("Chapter", chapter.id),
        "@membershipId": global_id("ChapterMembership", membership_id),
        "@viewerInvitationId": global_id("ChapterMembership", invitation_id),
        "@committeeId": global_id("Committee", committee_id),
        "@seatId": global_id("CommitteeSeat", seat_id),
        "@draftActivityId": global_id("Activity", draft_id),
        "@submittedActivityId": global_id("Activity", submitted_id),
        "@endedAcceptedActivityId": global_id("Activity", ended_id),
        "@participantId": global_id("ActivityParticipant", participant_id),
        "@programId": global_id("MentoringProgram", program_id),
        "@projectId": global_id("MentoringProject", project_id),
        "@organisationId": global_id("Organisation", organisation_id),
        "@organisationRelationshipId": global_id("OrganisationRelationship", relationship_id),
        "@organisationContactId": global_id("OrganisationContact", contact_id),
        "@organisationChapterId": global_id("Chapter", other.id),
        "@pendingIdentityLinkId": global_id("PendingIdentityLink", pending_link_id),
        "@emailChangeToken": email_change_token,
        "@registrationActivityId": global_id("Activity", upcoming_id),
        "@registrationId": global_id("Registration", registration_id),
        "@registrationCheckInCode": check_in_code,
        "@publicRegistrationId": global_id("Registration", public_registration_id),
        # The tokens of the links mailed to the public registrant (mail.service makes them so).
        "@registrationConfirmationToken": registration_links.confirmation_token(
            tenant.slug, public_registration_id
        ),
        "@registrationCancellationToken": registration_links.cancellation_token(
            tenant.slug, public_registration_id
        ),
        "@failedJobId": job_global_id(failed_job_id),
        **await ambassadors_placeholders(tenant, owner_engine, chapter.id),
        **await recognition_placeholders(tenant, owner_engine, chapter.id),
        **await incentives_placeholders(tenant, owner_engine, chapter.id),
        **await partnerships_placeholders(tenant, owner_engine, chapter.id),
        **await conferences_placeholders(tenant, owner_engine, chapter.id),
        **await articles_placeholders(tenant, owner_engine, chapter.id),
        **await newsletters_placeholders(tenant, owner_engine, chapter.id),
        **await authors_placeholders(tenant, owner_engine, chapter.id),
        **await channels_placeholders(tenant, owner_engine, chapter.id),
    }


async def _confirmation_extras(session, principal):
    """For the admin: an identity they proposed for themself, and an email change they asked
    for (its token read from the outbox, as the mail sender would)."""
    from sqlalchemy import select

    from chapters.models import OutboxMessage
    from chapters.people import service as people

    proposed = await people.link_identity(
        session, principal, principal.person_id, "https://accounts.example.org", "user-77"
    )
    await people.request_own_email_change(session, principal, "ada.new@x.example")
    token = await session.scalar(
        select(OutboxMessage.body["token"].astext).where(
            OutboxMessage.kind == "email_change_confirmation"
        )
    )
    return proposed.pending.id, token


async def _failed_job_extras(session, principal):
    """The id of a job of the tenant that failed: the dispatch of its latest event, failed by
    the queue's own function as the worker fails it, with the reason the worker records."""
    from sqlalchemy import select, text

    job = await session.scalar(
        select(QueueJob)
        .where(of_tenant(principal.tenant_id), QueueJob.task_name == "events.dispatch")
        .order_by(QueueJob.id.desc())
        .limit(1)
    )
    assert job is not None, "the world's changes enqueue their events' dispatch"
    await session.execute(
        text("SELECT procrastinate_finish_job_v1(:id, 'failed', false)"), {"id": job.id}
    )
    session.add(JobError(job_id=job.id, task=job.task_name, attempt=1, error="TimeoutError"))
    await session.flush()
    return job.id


MUTATION = re.compile(r"^\s*mutation\b", re.MULTILINE)


@pytest.fixture(scope="module")
async def catalog(owner_engine) -> dict[str, tuple[str, ...]]:
    """Every table's columns, for telling which statements must name the tenant."""
    return await table_columns(owner_engine)


@pytest.fixture(scope="module")
def shared_world() -> dict:
    """Queries change nothing, so they share one world; each mutation gets its own."""
    return {}


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
async def test_operation_runs(
    client, app, tenants, owner_engine, catalog, shared_world, path: Path
) -> None:
    """Each operation on its own small world, as the tenant admin: no errors at all, and every
    SQL statement it causes filters every tenant table it touches by its tenant, parsed as
    PostgreSQL parses it (``tests/tenancy/tenant_filters.py``: what a Citus router plan
    needs, and row-level security does not give)."""
    text = OPERATION_TEXT[path]
    if MUTATION.search(text):
        tenant, placeholders = await _operation_world(tenants, owner_engine)
    else:
        if "world" not in shared_world:
            shared_world["world"] = await _operation_world(tenants, owner_engine)
        tenant, placeholders = shared_world["world"]
    match = VARIABLES_LINE.search(text)
    raw = match.group(1) if match else "{}"
    for placeholder, value in placeholders.items():
        raw = raw.replace(json.dumps(placeholder), json.dumps(value))
    assert '"@' not in raw, f"unknown placeholder in {path.name}: {raw}"
    with statements_sent(app.state.runtime.engine) as statements:
        body = await gql(
            client, tenant.slug, text, json.loads(raw), token=tenant.token("admin@x.example")
        )
    assert "errors" not in body, body
    unfiltered = {
        statement: references
        for statement in statements
        if (references := unfiltered_references(statement, catalog))
    }
    assert unfiltered == {}, unfiltered
    payload_errors = [
        value["errors"]
        for value in body["data"].values()
        if isinstance(value, dict) and "errors" in value
    ]
    assert all(errors == [] for errors in payload_errors), payload_errors
    assert all(value is not None for value in body["data"].values())

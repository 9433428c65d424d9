"""Ambassadors through the API on the real database: nominations (self, lead, staff; an
outsider refused), review (accept with term dates, decline with a reason), the renewal review
with the activity from the ledger, renewal, the alumni transition by the daily job run by a
real worker, the public directory, the history of terms, and tenant isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update

from chapters.activities.service import ParticipantEntry
from chapters.ambassadors import service
from chapters.api.ids import global_id
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue
from chapters.jobs.worker import run_worker
from chapters.models import (
    ActivityKind,
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    ParticipantRole,
    Person,
    ProjectRole,
    ProjectStatus,
    TenantRole,
)
from chapters.models.ambassador import AmbassadorTerm, TermStatus
from tests.support import (
    Api,
    codes,
    make_activity,
    make_chapter,
    person_id,
    staff_session_call,
    statements_sent,
)

ADMIN, LEAD, ANN, BOB, CAT, OUT = (
    "admin@x.example",
    "lead@x.example",
    "ann@x.example",
    "bob@x.example",
    "cat@x.example",
    "out@x.example",
)
PEOPLE = {ADMIN: TenantRole.ADMIN, LEAD: None, ANN: None, BOB: None, CAT: None, OUT: None}
TODAY = datetime.now(UTC).date()

ERRORS = "errors { field code message }"
PROGRAM_CREATE = f"""mutation ($input: AmbassadorProgramCreateInput!) {{
  ambassadorProgramCreate(input: $input) {{ program {{ id name termMonths active }} {ERRORS} }} }}"""
NOMINATION = "id status nominatedAs statement evidenceUrls declineReason chapter { name }"
NOMINATE = f"""mutation ($input: AmbassadorNominateInput!) {{
  ambassadorNominate(input: $input) {{ nomination {{ {NOMINATION} }} {ERRORS} }} }}"""
TERM = "id startsOn endsOn status endedAt renewedAt chapter { name }"
ACCEPT = f"""mutation ($input: AmbassadorNominationAcceptInput!) {{
  ambassadorNominationAccept(input: $input) {{
    nomination {{ status }} term {{ {TERM} }} {ERRORS} }} }}"""
DECLINE = f"""mutation ($input: AmbassadorNominationDeclineInput!) {{
  ambassadorNominationDecline(input: $input) {{ nomination {{ {NOMINATION} }} {ERRORS} }} }}"""
RENEW = f"""mutation ($input: AmbassadorTermRenewInput!) {{
  ambassadorTermRenew(input: $input) {{
    previousTerm {{ {TERM} }} term {{ {TERM} }} {ERRORS} }} }}"""
NOMINATIONS = f"""query ($filter: AmbassadorNominationFilter) {{
  ambassadorNominations(filter: $filter) {{ edges {{ node {{ {NOMINATION} person {{ displayName }} }} }} }} }}"""
RENEWALS = f"""query ($program: ID) {{ ambassadorRenewalsDue(programId: $program) {{ edges {{ node {{
  {TERM} person {{ displayName }} activity {{ activitiesOrganised talksGiven activitiesHosted
  articlesAuthored projectsMentored }} }} }} }} }}"""
TERMS = f"""query ($person: ID!) {{ ambassadorTerms(personId: $person) {{
  edges {{ node {{ {TERM} program {{ name }} }} }} }} }}"""
DIRECTORY = """query ($program: ID, $status: AmbassadorStanding!) {
  ambassadors(programId: $program, status: $status) { edges { node {
    id personId displayName standing startsOn endsOn program { name } chapter { name } } } } }"""


NODE = "query ($id: ID!) { node(id: $id) { id } }"


def names(data: dict, field: str) -> list[str]:
    return [edge["node"]["displayName"] for edge in data[field]["edges"]]


async def _world(tenants, owner_engine):
    tenant = await tenants.create("amb", PEOPLE)
    chapter = await make_chapter(
        owner_engine, tenant, "alpha", staff=ADMIN, lead=LEAD, members=(ANN, BOB)
    )
    await _set_public(owner_engine, tenant, {ANN: True, CAT: True, BOB: False})
    return tenant, chapter


async def _set_public(owner_engine, tenant, choices: dict[str, bool]) -> None:
    async with (
        open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session,
        session.begin(),
    ):
        for email, public in choices.items():
            await session.execute(
                update(Person)
                .where(Person.id == tenant.people[email].id)
                .values(public_profile=public)
            )


async def _ledger(owner_engine, tenant, chapter, term_start: date) -> None:
    """Ann organised one activity and spoke at another in her term, wrote an article, and
    mentors a project; the activities outside the term or not accepted do not count."""
    ann = tenant.people[ANN].id
    in_term = datetime.combine(term_start + timedelta(days=30), time(10), UTC)

    async def activity(title, role, *, starts_at=in_term, accept=True, kind=None):
        await make_activity(
            owner_engine,
            tenant,
            chapter.id,
            staff=ADMIN,
            title=title,
            starts_at=starts_at,
            accept=accept,
            participants=[ParticipantEntry(role=role, person_id=ann)],
            **({"kind": kind} if kind else {}),
        )

    await activity("Organised", ParticipantRole.ORGANIZER)
    await activity("Spoke", ParticipantRole.SPEAKER, starts_at=in_term + timedelta(days=3))
    await activity("Article", ParticipantRole.AUTHOR, kind=ActivityKind.ARTICLE)
    before = datetime.combine(term_start - timedelta(days=10), time(10), UTC)
    await activity("Before the term", ParticipantRole.SPEAKER, starts_at=before)
    await activity("Still a draft", ParticipantRole.SPEAKER, accept=False)

    async def mentoring(session, principal):
        program = MentoringProgram(
            name="Summer of code",
            year=TODAY.year,
            coding_starts_on=term_start + timedelta(days=40),
            coding_ends_on=term_start + timedelta(days=100),
        )
        session.add(program)
        await session.flush()
        project = MentoringProject(
            program_id=program.id, title="Docs", status=ProjectStatus.ACCEPTED
        )
        session.add(project)
        await session.flush()
        session.add(
            MentoringProjectMember(project_id=project.id, person_id=ann, role=ProjectRole.MENTOR)
        )

    await staff_session_call(owner_engine, tenant, ADMIN, mentoring)


async def test_nomination_review_renewal_and_alumni_end_to_end(
    client, tenants, owner_engine, settings, urls
):
    tenant, chapter = await _world(tenants, owner_engine)
    admin, lead, ann, bob, cat, out = (Api(client, tenant, e) for e in PEOPLE)
    anonymous = Api(client, tenant, None)

    created = await admin.mutate(PROGRAM_CREATE, name="Ambassadors", termMonths=12)
    assert created["errors"] == [] and created["program"]["active"] is True
    program = created["program"]["id"]
    refused = await lead.mutate(PROGRAM_CREATE, name="Mine", termMonths=12)
    assert codes(refused) == [(None, "FORBIDDEN")]

    # Nominations: oneself, a lead for a member of their chapter, staff for anyone.
    def nominate(api, email, **more):
        return api.mutate(
            NOMINATE,
            programId=program,
            personId=person_id(tenant, email),
            statement="Runs our meetups",
            **more,
        )

    own = await nominate(ann, ANN, evidenceUrls=["https://example.org/talk"])
    assert own["nomination"]["nominatedAs"] == "SELF"
    assert own["nomination"]["evidenceUrls"] == ["https://example.org/talk"]
    by_lead = await nominate(lead, BOB)
    assert by_lead["nomination"]["nominatedAs"] == "LEAD"
    assert by_lead["nomination"]["chapter"] == {"name": "Alpha"}
    by_staff = await nominate(admin, CAT)
    assert by_staff["nomination"]["nominatedAs"] == "STAFF"
    assert codes(await nominate(out, CAT)) == [(None, "FORBIDDEN")]
    assert codes(await nominate(lead, CAT)) == [(None, "FORBIDDEN")]  # not their member
    assert codes(await nominate(ann, ANN)) == [("personId", "CONFLICT")]  # one open at a time
    bad_link = await nominate(admin, OUT, evidenceUrls=["javascript:alert(1)"])
    assert codes(bad_link) == [("evidenceUrls.0", "INVALID")]

    # Who sees which nominations: staff the queue, the others their own.
    queue = await admin.data(NOMINATIONS, {"filter": {"status": ["PENDING"]}})
    assert sorted(names(_persons(queue), "ambassadorNominations")) == ["ann", "bob", "cat"]
    assert names(_persons(await ann.data(NOMINATIONS)), "ambassadorNominations") == ["ann"]
    assert names(_persons(await lead.data(NOMINATIONS)), "ambassadorNominations") == ["bob"]
    assert (await out.data(NOMINATIONS))["ambassadorNominations"]["edges"] == []

    # Review: declining needs a reason, which the nominee sees.
    cat_id = by_staff["nomination"]["id"]
    assert codes(await admin.mutate(DECLINE, id=cat_id, reason="  ")) == [("reason", "REQUIRED")]
    assert codes(await cat.mutate(DECLINE, id=cat_id, reason="No")) == [(None, "FORBIDDEN")]
    declined = await admin.mutate(DECLINE, id=cat_id, reason="Not enough activity yet")
    assert declined["nomination"]["status"] == "DECLINED"
    (seen,) = (await cat.data(NOMINATIONS))["ambassadorNominations"]["edges"]
    assert (seen["node"]["status"], seen["node"]["declineReason"]) == (
        "DECLINED",
        "Not enough activity yet",
    )

    # Accept with term dates: Ann's term ends in 20 days; Bob's ended five days ago.
    ann_start = TODAY - timedelta(days=330)
    accepted = await admin.mutate(
        ACCEPT,
        id=own["nomination"]["id"],
        startsOn=ann_start.isoformat(),
        endsOn=(TODAY + timedelta(days=20)).isoformat(),
    )
    assert accepted["nomination"]["status"] == "ACCEPTED"
    assert accepted["term"]["status"] == "ACTIVE"
    ann_term = accepted["term"]["id"]
    bob_accepted = await admin.mutate(
        ACCEPT,
        id=by_lead["nomination"]["id"],
        startsOn=(TODAY - timedelta(days=400)).isoformat(),
        endsOn=(TODAY - timedelta(days=5)).isoformat(),
    )
    assert bob_accepted["term"]["chapter"] == {"name": "Alpha"}
    # Past its last day and unrenewed, it reads as ended before any job ran.
    assert (bob_accepted["term"]["status"], bob_accepted["term"]["endedAt"]) == ("ENDED", None)
    again = await admin.mutate(ACCEPT, id=cat_id, startsOn=TODAY.isoformat())
    assert codes(again) == [("id", "CONFLICT")]

    # The renewal review shows what Ann did during her term, from the ledger.
    await _ledger(owner_engine, tenant, chapter, ann_start)
    due = (await admin.data(RENEWALS, {"program": program}))["ambassadorRenewalsDue"]["edges"]
    assert [edge["node"]["person"]["displayName"] for edge in due] == ["ann"]
    assert due[0]["node"]["activity"] == {
        "activitiesOrganised": 1,
        "talksGiven": 1,
        "activitiesHosted": 0,
        "articlesAuthored": 1,
        "projectsMentored": 1,
    }
    forbidden = await lead.raw(RENEWALS, {"program": program})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # Renew Ann: a new term from the day after; an ended term cannot be renewed.
    renewed = await admin.mutate(RENEW, id=ann_term)
    assert renewed["previousTerm"]["status"] == "RENEWED"
    new_start = TODAY + timedelta(days=21)
    assert renewed["term"]["status"] == "ACTIVE"
    assert renewed["term"]["startsOn"] == new_start.isoformat()
    assert (
        renewed["term"]["endsOn"]
        == (service.add_months(new_start, 12) - timedelta(days=1)).isoformat()
    )
    bob_term = bob_accepted["term"]["id"]
    assert codes(await admin.mutate(RENEW, id=bob_term)) == [("id", "CONFLICT")]

    # The daily job records Bob's end.
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        now = int(datetime.now(UTC).timestamp())
        await enqueue(session, "ambassadors.end_terms", queue="housekeeping", at=now)
        await session.commit()
    await run_worker(settings, urls.app, wait=False)
    (bob_history,) = (await bob.data(TERMS, {"person": person_id(tenant, BOB)}))["ambassadorTerms"][
        "edges"
    ]
    assert bob_history["node"]["status"] == "ENDED"
    assert bob_history["node"]["endedAt"] is not None
    assert await _stored_status(owner_engine, tenant, bob_term) == TermStatus.ENDED

    # The full history, newest first, for the person; leads see their chapter's terms.
    history = (await ann.data(TERMS, {"person": person_id(tenant, ANN)}))["ambassadorTerms"]
    assert [edge["node"]["status"] for edge in history["edges"]] == ["ACTIVE", "RENEWED"]
    lead_view = await lead.data(TERMS, {"person": person_id(tenant, BOB)})
    assert len(lead_view["ambassadorTerms"]["edges"]) == 1
    refused_history = await out.raw(TERMS, {"person": person_id(tenant, ANN)})
    assert refused_history["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # The directory: public profiles only (anonymous callers included), staff see everyone.
    def directory(api, status):
        return api.data(DIRECTORY, {"program": program, "status": status})

    active = await directory(anonymous, "ACTIVE")
    assert names(active, "ambassadors") == ["ann"]
    entry = active["ambassadors"]["edges"][0]["node"]
    assert entry["standing"] == "ACTIVE" and entry["program"] == {"name": "Ambassadors"}
    assert "email" not in entry
    assert names(await directory(anonymous, "ALUMNI"), "ambassadors") == []
    assert names(await directory(admin, "ALUMNI"), "ambassadors") == ["bob"]
    await _set_public(owner_engine, tenant, {BOB: True})
    alumni = await directory(anonymous, "ALUMNI")
    assert names(alumni, "ambassadors") == ["bob"]
    assert alumni["ambassadors"]["edges"][0]["node"]["chapter"] == {"name": "Alpha"}


def _persons(data: dict) -> dict:
    """A nominations answer with each node's nominee name as its displayName."""
    edges = [
        {"node": {"displayName": edge["node"]["person"]["displayName"]}}
        for edge in data["ambassadorNominations"]["edges"]
    ]
    return {"ambassadorNominations": {"edges": edges}}


async def _stored_status(owner_engine, tenant, term_gid: str) -> TermStatus:
    from strawberry import relay

    _, raw = relay.from_base64(term_gid)
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        status = await session.scalar(
            select(AmbassadorTerm.status).where(AmbassadorTerm.id == uuid.UUID(raw))
        )
    assert status is not None
    return status


async def test_programs_and_review_check_their_input(client, tenants, owner_engine):
    tenant, _ = await _world(tenants, owner_engine)
    admin = Api(client, tenant, ADMIN)
    zero = await admin.mutate(PROGRAM_CREATE, name="Student Ambassadors", termMonths=0)
    assert codes(zero) == [("termMonths", "INVALID")]
    program = (await admin.mutate(PROGRAM_CREATE, name="Student Ambassadors", termMonths=6))[
        "program"
    ]["id"]
    twin = await admin.mutate(PROGRAM_CREATE, name="Student Ambassadors", termMonths=6)
    assert codes(twin) == [("name", "CONFLICT")]
    nominated = await admin.mutate(
        NOMINATE, programId=program, personId=person_id(tenant, ANN), statement=" "
    )
    assert codes(nominated) == [("statement", "REQUIRED")]
    nomination = (
        await admin.mutate(
            NOMINATE, programId=program, personId=person_id(tenant, ANN), statement="Great"
        )
    )["nomination"]["id"]
    backwards = await admin.mutate(
        ACCEPT, id=nomination, startsOn=TODAY.isoformat(), endsOn=TODAY.isoformat()
    )
    assert codes(backwards) == [("endsOn", "INVALID")]
    accepted = await admin.mutate(ACCEPT, id=nomination, startsOn=TODAY.isoformat())
    assert (
        accepted["term"]["endsOn"] == (service.add_months(TODAY, 6) - timedelta(days=1)).isoformat()
    )
    # Serving already: no new nomination for the same program.
    again = await admin.mutate(
        NOMINATE, programId=program, personId=person_id(tenant, ANN), statement="Again"
    )
    assert codes(again) == [("personId", "CONFLICT")]


async def test_another_tenants_ids_are_not_found(client, tenants, owner_engine):
    tenant, _ = await _world(tenants, owner_engine)
    other = await tenants.create("amb-other", {ADMIN: TenantRole.ADMIN, ANN: None})
    admin = Api(client, tenant, ADMIN)
    program = (await admin.mutate(PROGRAM_CREATE, name="Ambassadors", termMonths=12))["program"][
        "id"
    ]
    nomination = (
        await admin.mutate(
            NOMINATE, programId=program, personId=person_id(tenant, ANN), statement="Great"
        )
    )["nomination"]["id"]
    stranger = Api(client, other, ADMIN)
    accept = await stranger.mutate(ACCEPT, id=nomination, startsOn=TODAY.isoformat())
    assert codes(accept) == [("id", "NOT_FOUND")]
    decline = await stranger.mutate(DECLINE, id=nomination, reason="No")
    assert codes(decline) == [("id", "NOT_FOUND")]
    nominate = await stranger.mutate(
        NOMINATE, programId=program, personId=person_id(other, ANN), statement="Hi"
    )
    assert codes(nominate) == [("programId", "NOT_FOUND")]
    listing = await stranger.raw(DIRECTORY, {"program": program, "status": "ACTIVE"})
    assert listing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    term = (await admin.mutate(ACCEPT, id=nomination, startsOn=TODAY.isoformat()))["term"]["id"]
    assert codes(await stranger.mutate(RENEW, id=term)) == [("id", "NOT_FOUND")]
    assert (await stranger.data(NODE, {"id": term}))["node"] is None


async def test_the_directory_reads_in_a_fixed_number_of_statements(
    app, client, tenants, owner_engine
):
    tenant = await tenants.create(
        "amb-count", {ADMIN: TenantRole.ADMIN, **{f"p{i}@x.example": None for i in range(9)}}
    )
    chapter = await make_chapter(owner_engine, tenant, "beta", staff=ADMIN)
    await _set_public(owner_engine, tenant, {f"p{i}@x.example": True for i in range(9)})

    async def program(session, principal):
        fields = service.ProgramFields(name="Ambassadors", term_months=12)
        return (await service.create_program(session, principal, fields)).id

    program_id = await staff_session_call(owner_engine, tenant, ADMIN, program)

    async def appoint(emails):
        async def work(session, principal):
            for email in emails:
                entry = service.Nomination(
                    program_id=program_id,
                    person_id=tenant.people[email].id,
                    statement="Great",
                    chapter_id=chapter.id,
                )
                nomination = await service.nominate(session, principal, entry)
                await service.accept(session, principal, nomination.id, starts_on=TODAY)

        await staff_session_call(owner_engine, tenant, ADMIN, work)

    anonymous = Api(client, tenant, None)
    variables = {"program": global_id("AmbassadorProgram", program_id), "status": "ACTIVE"}

    async def statements(expected: int) -> int:
        with statements_sent(app.state.runtime.engine) as sent:
            data = await anonymous.data(DIRECTORY, variables)
        assert len(data["ambassadors"]["edges"]) == expected
        return len(sent)

    await appoint([f"p{i}@x.example" for i in range(3)])
    await statements(3)  # warm: the tenant's lookup is cached after the first request
    few = await statements(3)
    await appoint([f"p{i}@x.example" for i in range(3, 9)])
    assert await statements(9) == few

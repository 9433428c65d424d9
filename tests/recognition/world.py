"""A small recognition world: a tenant whose holder is called 王小明, a past accepted meetup
he spoke at, a draft one, a completed and an ongoing mentoring project, an ambassador term;
and the GraphQL documents the tests send."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update

from chapters.activities.service import ParticipantEntry
from chapters.ambassadors import service as ambassadors
from chapters.api.ids import global_id
from chapters.models import (
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    ParticipantRole,
    Person,
    ProjectRole,
    ProjectStatus,
    TenantRole,
)
from tests.support import Api, TenantFixture, make_activity, make_chapter, staff_session_call

ADMIN, OPS, HOLDER, OTHER, MEMBER = (
    "admin@x.example",
    "ops@x.example",
    "wang@x.example",
    "li@x.example",
    "member@x.example",
)
PEOPLE = {ADMIN: TenantRole.ADMIN, OPS: TenantRole.OPS, HOLDER: None, OTHER: None, MEMBER: None}
HOLDER_NAME = "王小明"
ERRORS = "errors { field code message }"
CERTIFICATE = """id publicId basis status holderName title whatFor issuedOn issuerName
  signatories jws revokedReason verificationUrl pdfUrl pngUrl recordId
  previous { publicId } supersededBy { publicId }"""
TITLE_CREATE = f"""mutation ($input: RecognitionTitleCreateInput!) {{
  recognitionTitleCreate(input: $input) {{ title {{ id name description }} {ERRORS} }} }}"""
AWARD_GRANT = f"""mutation ($input: AwardGrantInput!) {{
  awardGrant(input: $input) {{ award {{ id startsOn endsOn reason title {{ name }}
    person {{ displayName }} citations {{ recordId recordType }} }} {ERRORS} }} }}"""
ISSUE = f"""mutation ($input: CertificateIssueInput!) {{
  certificateIssue(input: $input) {{ certificate {{ {CERTIFICATE} }} {ERRORS} }} }}"""
REVOKE = f"""mutation ($input: CertificateRevokeInput!) {{
  certificateRevoke(input: $input) {{ certificate {{ {CERTIFICATE} }} {ERRORS} }} }}"""
REISSUE = f"""mutation ($id: ID!) {{
  certificateReissue(id: $id) {{ certificate {{ {CERTIFICATE} }} {ERRORS} }} }}"""
SETTINGS = f"""mutation ($input: RecognitionSettingsUpdateInput!) {{
  recognitionSettingsUpdate(input: $input) {{ settings {{ signatories logoMediaType }} {ERRORS} }} }}"""
CERTIFICATES = """query ($filter: CertificateFilter, $first: Int) {
  certificates(filter: $filter, first: $first) { edges { node {
    publicId status holderName person { displayName }
    award { title { name } citations { recordId } } previous { publicId } supersededBy { publicId }
  } } } }"""
MINE = """{ viewer { certificates(first: 10) { edges { node { publicId status title } } } } }"""


@dataclass
class World:
    tenant: TenantFixture
    chapter_id: uuid.UUID
    spoke: str  # a past accepted meetup the holder spoke at
    attended: str  # a past accepted meetup the holder was only a guest of
    draft: str  # a draft meetup the holder is to speak at
    completed_project: str
    ongoing_project: str
    term: str  # the holder's ambassador term
    others_term: str  # another person's term

    def api(self, client, email: str | None) -> Api:
        return Api(client, self.tenant, email)

    def person(self, email: str) -> str:
        return global_id("Person", self.tenant.people[email].id)


async def build_world(tenants, owner_engine, prefix: str = "rec") -> World:
    tenant = await tenants.create(prefix=prefix, people=PEOPLE)
    chapter = await make_chapter(owner_engine, tenant, "hangzhou", staff=ADMIN)
    holder = tenant.people[HOLDER].id
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)

    async def meetup(title: str, role: ParticipantRole, accept: bool = True) -> str:
        activity = await make_activity(
            owner_engine,
            tenant,
            chapter.id,
            staff=ADMIN,
            title=title,
            starts_at=past,
            accept=accept,
            participants=[ParticipantEntry(role=role, person_id=holder)],
        )
        return global_id("Activity", activity.id)

    spoke = await meetup("Rust in Production", ParticipantRole.SPEAKER)
    attended = await meetup("Open Day", ParticipantRole.GUEST)
    draft = await meetup("Next Talk", ParticipantRole.SPEAKER, accept=False)

    async def records(session, principal):
        await session.execute(
            update(Person).where(Person.id == holder).values(display_name=HOLDER_NAME)
        )
        program = MentoringProgram(name="Open Source Summer", year=2026)
        session.add(program)
        await session.flush()
        projects = []
        for title, status in (
            ("Docs site", ProjectStatus.COMPLETED),
            ("CLI", ProjectStatus.IN_PROGRESS),
        ):
            project = MentoringProject(
                program_id=program.id, chapter_id=chapter.id, title=title, status=status
            )
            session.add(project)
            await session.flush()
            session.add(
                MentoringProjectMember(
                    project_id=project.id, person_id=holder, role=ProjectRole.MENTOR
                )
            )
            projects.append(project.id)
        ambassador_program = await ambassadors.create_program(
            session, principal, ambassadors.ProgramFields(name="Ambassadors", term_months=12)
        )
        terms = []
        for email in (HOLDER, OTHER):
            nomination = await ambassadors.nominate(
                session,
                principal,
                ambassadors.Nomination(
                    program_id=ambassador_program.id,
                    person_id=tenant.people[email].id,
                    statement="Runs the Hangzhou meetups",
                    evidence_urls=[],
                ),
            )
            today = datetime.now(UTC).date()
            accepted = await ambassadors.accept(
                session,
                principal,
                nomination.id,
                starts_on=today - timedelta(days=100),
                ends_on=today + timedelta(days=265),
            )
            terms.append(accepted.term.id)
        await session.flush()
        return projects, terms

    projects, terms = await staff_session_call(owner_engine, tenant, ADMIN, records)
    return World(
        tenant=tenant,
        chapter_id=chapter.id,
        spoke=spoke,
        attended=attended,
        draft=draft,
        completed_project=global_id("MentoringProject", projects[0]),
        ongoing_project=global_id("MentoringProject", projects[1]),
        term=global_id("AmbassadorTerm", terms[0]),
        others_term=global_id("AmbassadorTerm", terms[1]),
    )


async def payload(api: Api, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    (value,) = (await api.data(document, variables)).values()
    return value


async def award_certificate(world: World, admin: Api, title: str = "Contributor of the Month"):
    """A title, an award of it to the holder citing his talk, and its certificate."""
    created = await payload(admin, TITLE_CREATE, {"input": {"name": title}})
    assert created["errors"] == [], created
    granted = await payload(
        admin,
        AWARD_GRANT,
        {
            "input": {
                "titleId": created["title"]["id"],
                "personId": world.person(HOLDER),
                "startsOn": date(2026, 3, 1).isoformat(),
                "endsOn": date(2026, 3, 31).isoformat(),
                "reason": "Three talks and a new meetup series",
                "citing": [world.spoke],
            }
        },
    )
    assert granted["errors"] == [], granted
    issued = await payload(admin, ISSUE, {"input": {"awardId": granted["award"]["id"]}})
    assert issued["errors"] == [], issued
    return granted["award"], issued["certificate"]

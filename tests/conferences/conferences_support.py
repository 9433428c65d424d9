"""What the conference tests share: their GraphQL documents and a caller with this domain's
reads and writes."""

from __future__ import annotations

from typing import Any

from chapters.api.ids import global_id
from tests import support
from tests.support import TenantFixture

ADMIN = "admin@x.example"
OPS = "ops@x.example"
SPEAKER = "speaker@x.example"  # a member of chapter shanghai
GUEST = "guest@x.example"  # a person of the tenant in no chapter
OTHER = "other@x.example"  # a member who speaks on nothing
ERRORS = "errors { field code message }"

CONFERENCE = "id name startsOn endsOn city online cfpDeadline url notes"
CONFERENCE_CREATE = f"""mutation ($input: ConferenceCreateInput!) {{
  conferenceCreate(input: $input) {{ conference {{ {CONFERENCE} }} {ERRORS} }}
}}"""
CONFERENCE_UPDATE = f"""mutation ($input: ConferenceUpdateInput!) {{
  conferenceUpdate(input: $input) {{ conference {{ {CONFERENCE} }} {ERRORS} }}
}}"""
CONFERENCES = """query { conferences(first: 50) { edges { node { name
  acceptance { accepted decided rate } } } } }"""
UPCOMING = """query ($days: Int!) { upcomingCfpDeadlines(withinDays: $days, first: 50) {
  edges { node { name } } } }"""
BY_YEAR = "query { talkAcceptanceByYear { year accepted decided rate } }"

SUBMISSION = """id title abstract track status submittedAt decidedAt
  conference { name } speakers { id }
  activity { kind status title startsAt chapter { slug }
    participants { role person { id } } }"""
SUBMISSION_CREATE = f"""mutation ($input: TalkSubmissionCreateInput!) {{
  talkSubmissionCreate(input: $input) {{ submission {{ {SUBMISSION} }} {ERRORS} }}
}}"""
SUBMISSION_UPDATE = f"""mutation ($input: TalkSubmissionUpdateInput!) {{
  talkSubmissionUpdate(input: $input) {{ submission {{ {SUBMISSION} }} {ERRORS} }}
}}"""
STEPS = {
    step: f"""mutation ($input: TalkSubmissionStepInput!) {{
  talkSubmission{step}(input: $input) {{ submission {{ {SUBMISSION} }} {ERRORS} }}
}}"""
    for step in ("Submit", "Withdraw", "Accept", "Reject")
}
SUBMISSIONS = f"""query ($filter: TalkSubmissionFilter) {{
  talkSubmissions(filter: $filter, first: 50) {{ edges {{ node {{ {SUBMISSION} }} }} }}
}}"""
SUBMISSION_NODE = f"""query ($id: ID!) {{
  node(id: $id) {{ ... on TalkSubmission {{ {SUBMISSION} }} }}
}}"""


def person(tenant: TenantFixture, email: str) -> str:
    return global_id("Person", tenant.people[email].id)


class Api(support.Api):
    """One caller of one tenant's endpoint, with this package's reads and writes."""

    async def ok(self, document: str, **input: Any) -> dict[str, Any]:
        payload = await self.mutate(document, **input)
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def conference(self, name: str, **fields: Any) -> str:
        values = {"startsOn": "2026-06-10", "endsOn": "2026-06-11", "city": "Berlin", **fields}
        payload = await self.ok(CONFERENCE_CREATE, name=name, **values)
        return str(payload["conference"]["id"])

    async def draft(self, conference: str, **fields: Any) -> dict[str, Any]:
        values = {"title": "Scaling the ledger", "abstract": "How we did it.", **fields}
        payload = await self.ok(SUBMISSION_CREATE, conferenceId=conference, **values)
        submission: dict[str, Any] = payload["submission"]
        return submission

    async def step(self, step: str, submission: str, **input: Any) -> dict[str, Any]:
        return await self.mutate(STEPS[step], id=submission, **input)

    async def submissions(self, **filter: Any) -> list[dict[str, Any]]:
        data = await self.data(SUBMISSIONS, {"filter": filter or None})
        return [edge["node"] for edge in data["talkSubmissions"]["edges"]]

"""What the article tests share: their GraphQL documents, the people of their tenant, and a
caller with this domain's reads and writes."""

from __future__ import annotations

from typing import Any

import httpx

from chapters.models import TenantRole
from tests import support
from tests.support import TenantFixture, make_chapter, make_editor, person_id

ADMIN = "admin@x.example"
OPS = "ops@x.example"
VIEWER = "viewer@x.example"
EDITOR = "editor@x.example"  # a content editor, with no tenant role
LEAD = "lead@x.example"  # leads chapter shanghai
WRITER = "writer@x.example"  # a member of shanghai who writes
CO_WRITER = "cowriter@x.example"  # a member of shanghai
OTHER = "other@x.example"  # a member of hangzhou
PEOPLE = {
    ADMIN: TenantRole.ADMIN,
    OPS: TenantRole.OPS,
    VIEWER: TenantRole.VIEWER,
    EDITOR: None,
    LEAD: None,
    WRITER: None,
    CO_WRITER: None,
    OTHER: None,
}
ERRORS = "errors { field code message }"

ARTICLE = """id title topic kind source sourceUrl status summary body submittedAt
  scheduledFor publishedAt chapter { slug } template { name }
  authors { id name person { id } }
  sections { key title required minWords body wordCount }
  availableSteps
  submissionProblems { field code message }"""
HISTORY = "history { fromStatus toStatus comment actor { id } }"
REVIEW = "reviewComments { id sectionKey body resolved reviewer { id } }"
PUBLICATIONS = "publications { url publishedOn channel { name } }"
PERMISSIONS = (
    "reprintPermissions { id sourceUrl contact status requestedOn answeredOn terms termsNote }"
)

CREATE = f"""mutation ($input: ArticleCreateInput!) {{
  articleCreate(input: $input) {{ article {{ {ARTICLE} }} {ERRORS} }}
}}"""
UPDATE = f"""mutation ($input: ArticleUpdateInput!) {{
  articleUpdate(input: $input) {{ article {{ {ARTICLE} }} {ERRORS} }}
}}"""
STEP_INPUTS = {
    "Invite": "ArticleStepInput",
    "Start": "ArticleStepInput",
    "Submit": "ArticleStepInput",
    "StartReview": "ArticleStepInput",
    "RequestChanges": "ArticleStepInput",
    "Schedule": "ArticleScheduleInput",
    "Publish": "ArticlePublishInput",
    "Decline": "ArticleStepInput",
    "Withdraw": "ArticleStepInput",
}
STEPS = {
    step: f"""mutation ($input: {input_type}!) {{
  article{step}(input: $input) {{ article {{ {ARTICLE} {HISTORY} }} {ERRORS} }}
}}"""
    for step, input_type in STEP_INPUTS.items()
}
NODE = f"""query ($id: ID!) {{ node(id: $id) {{ ... on Article {{
  {ARTICLE} {HISTORY} {REVIEW} {PUBLICATIONS} {PERMISSIONS} }} }} }}"""
ARTICLES = """query ($filter: ArticleFilter, $first: Int) {
  articles(filter: $filter, first: $first) { edges { node { id title status } } } }"""

TEMPLATE = """id name description kind retired
  sections { key title guidance required minWords }"""
TEMPLATE_CREATE = f"""mutation ($input: ArticleTemplateCreateInput!) {{
  articleTemplateCreate(input: $input) {{ template {{ {TEMPLATE} }} {ERRORS} }}
}}"""
TEMPLATE_UPDATE = f"""mutation ($input: ArticleTemplateUpdateInput!) {{
  articleTemplateUpdate(input: $input) {{ template {{ {TEMPLATE} }} {ERRORS} }}
}}"""
TEMPLATES = f"""query ($includeRetired: Boolean) {{
  articleTemplates(includeRetired: $includeRetired, first: 50) {{
    edges {{ node {{ {TEMPLATE} }} }} }} }}"""

COMMENT = "id sectionKey body resolved resolvedAt reviewer { id } article { id }"
COMMENT_ADD = f"""mutation ($input: ArticleReviewCommentAddInput!) {{
  articleReviewCommentAdd(input: $input) {{ comment {{ {COMMENT} }} {ERRORS} }}
}}"""
COMMENT_RESOLVE = f"""mutation ($input: ArticleReviewCommentResolveInput!) {{
  articleReviewCommentResolve(input: $input) {{ comment {{ {COMMENT} }} {ERRORS} }}
}}"""

PERMISSION = "id sourceUrl contact status requestedOn answeredOn terms termsNote article { id }"
REPRINT_REQUEST = f"""mutation ($input: ReprintPermissionRequestInput!) {{
  reprintPermissionRequest(input: $input) {{ permission {{ {PERMISSION} }} {ERRORS} }}
}}"""
REPRINT_ANSWER = f"""mutation ($input: ReprintPermissionAnswerInput!) {{
  reprintPermissionAnswer(input: $input) {{ permission {{ {PERMISSION} }} {ERRORS} }}
}}"""

CHANNEL_CREATE = """mutation ($input: ChannelCreateInput!) {
  channelCreate(input: $input) { channel { id } errors { field code message } } }"""
AUTHOR_CREATE = """mutation ($input: AuthorCreateInput!) {
  authorCreate(input: $input) { author { id } errors { field code message } } }"""
ORGANISATION_CREATE = """mutation ($input: OrganisationCreateInput!) {
  organisationCreate(input: $input) { organisation { id } errors { code } } }"""
NOTIFICATIONS = """{ viewer { notifications(first: 50) {
  edges { node { kind title body } } } } }"""

BEST_PRACTICE = [
    {"key": "background", "title": "Background", "guidance": "Where you started."},
    {"key": "setup", "title": "Setup", "required": False},
    {"key": "lessons", "title": "Lessons", "minWords": 5},
    {"key": "next_steps", "title": "Next steps", "required": False},
]


def person(tenant: TenantFixture, email: str) -> str:
    return person_id(tenant, email)


async def content_world(client: httpx.AsyncClient, tenants: Any, owner_engine: Any) -> Any:
    """A tenant with chapters shanghai (led by LEAD; WRITER and CO_WRITER members) and
    hangzhou (OTHER), and EDITOR appointed content editor by OPS."""
    tenant = await tenants.create(people=PEOPLE)
    shanghai = await make_chapter(
        owner_engine, tenant, "shanghai", staff=OPS, lead=LEAD, members=(WRITER, CO_WRITER)
    )
    await make_chapter(owner_engine, tenant, "hangzhou", staff=OPS, members=(OTHER,))
    await make_editor(owner_engine, tenant, EDITOR, staff=OPS)
    return tenant, shanghai


class Api(support.Api):
    """One caller of one tenant's endpoint, with this package's reads and writes."""

    async def ok(self, document: str, **input: Any) -> dict[str, Any]:
        payload = await self.mutate(document, **input)
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def propose(self, **fields: Any) -> dict[str, Any]:
        values = {"title": "Running Chapters at scale", "kind": "BEST_PRACTICE", **fields}
        article: dict[str, Any] = (await self.ok(CREATE, **values))["article"]
        return article

    async def step(self, step: str, article: str, **input: Any) -> dict[str, Any]:
        return await self.mutate(STEPS[step], id=article, **input)

    async def steps(self, article: str, *steps: str) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        for step in steps:
            payload = await self.step(step, article)
            assert payload["errors"] == [], (step, payload["errors"])
        return payload

    async def node(self, article: str) -> dict[str, Any] | None:
        node: dict[str, Any] | None = (await self.data(NODE, {"id": article}))["node"]
        return node

    async def articles(self, **filter: Any) -> list[dict[str, Any]]:
        data = await self.data(ARTICLES, {"filter": filter or None, "first": 100})
        return [edge["node"] for edge in data["articles"]["edges"]]

    async def template(self, name: str, sections: list[dict[str, Any]], **fields: Any) -> str:
        payload = await self.ok(TEMPLATE_CREATE, name=name, sections=sections, **fields)
        return str(payload["template"]["id"])

    async def channel(self, name: str, kind: str = "WEBSITE") -> str:
        payload = await self.ok(CHANNEL_CREATE, name=name, kind=kind)
        return str(payload["channel"]["id"])

    async def notifications(self) -> list[dict[str, Any]]:
        data = await self.data(NOTIFICATIONS)
        return [edge["node"] for edge in data["viewer"]["notifications"]["edges"]]


class ClientApi(Api):
    """An API client calling with its own token (a partner's)."""

    def __init__(self, client: httpx.AsyncClient, tenant: TenantFixture, token: str) -> None:
        self.client, self.tenant, self.token = client, tenant, token

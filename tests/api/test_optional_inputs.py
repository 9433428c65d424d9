"""Omitted and null optional input fields, for every mutation of the schema that has any.

Each such mutation is called over HTTP, as a caller allowed to, on a fresh object of a seeded
tenant, three ways: with only its required fields; with every optional field explicitly null;
and, for updates, with every optional field null except those the answer named as required.
The values of required fields are found from their names (``chapterId``, ``email``, ``id`` of
the object the mutation is named after …), so a new mutation is covered without a change here
as long as its required fields are named like the others; a field nobody knows how to fill
fails the test with a message saying so.

The rule (README, "What the API covers"): in a create, null is the same as omitting the field;
in an update, an omitted field stays as it is and null clears it, where it can be cleared
(an optional value, a list, which becomes empty); where it cannot (a name, a kind, a
timezone, a year …), null is a ``REQUIRED`` error on that field and nothing is written.
Nothing may answer INTERNAL or "Unexpected error.".
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLNonNull,
    get_named_type,
    is_list_type,
    is_non_null_type,
)
from graphql.pyutils import Undefined

from chapters.api.schema import schema
from chapters.auth.tokens import issue_access_token
from tests.oidc_provider import TestProvider
from tests.seeding import Naming, Seeded, Seeder, seeded_tenant
from tests.support import data_of, gql

NAMING = Naming("optin", "optional-inputs.example", "Optin", ("opt-alpha", "opt-beta"))
SCHEMA = schema._schema
MUTATIONS = SCHEMA.mutation_type.fields

# The object each mutation acts on, by the longest prefix of its name; its ``id`` is a fresh one.
OBJECT_OF_PREFIX = {
    "tenant": None,
    "chapter": "chapter",
    "chapterOrganisation": "chapter",
    "membership": "membership",
    "committee": "committee",
    "committeeSeat": "seat",
    "person": "person",
    "organisation": "organisation",
    "organisationRelationship": "relationship",
    "organisationContact": "contact",
    "mentoringProgram": "program",
    "mentoringProject": "project",
    "activity": "draft",
    "apiClient": "client",
    "identityProvider": "provider",
    "webhookEndpoint": "webhook_endpoint",
    "ambassadorProgram": "ambassador_program",
    "ambassadorNomination": "ambassador_nomination",
    "ambassadorTerm": "ambassador_term",
    "recognitionTitle": "recognition_title",
    "recognitionSettings": None,
    "award": "award",
    "certificate": "certificate",
    "partnerAgreement": "partner_agreement",
    "caseUser": "case_user",
    "conference": "conference",
    "talkSubmission": "talk_draft",
    "newsletterColumn": "newsletter_column",
    "newsletterIssue": "newsletter_issue",
    "newsletterItem": "newsletter_item",
    "projectUpdate": "project_update",
    "channel": "channel",
    "author": "author",
    "authorOutreach": "author_outreach",
    "article": "article",
    "articleTemplate": "article_template",
    "reprintPermission": "reprint_permission",
}
RECAP_LINK = "https://slides.example.org/recap"


@dataclass(frozen=True)
class Fresh_:
    """A fresh object of this kind (a method of ``Fresh``), as a field's value."""

    kind: str


# Fields that null in an update resets to a default rather than to nothing.
CLEARED_TO_DEFAULT: dict[str, tuple[str, ...]] = {"tenantUpdate": ("recapOverdueDays",)}
# Per mutation, what its required fields need beyond what their names give: an object in a
# given state, or a value with a meaning.
SPECIAL: dict[str, dict[str, Any]] = {
    "activityReview": {"id": Fresh_("submitted")},
    "activityPublishRecap": {"id": Fresh_("past_accepted")},
    "activityRecapLinkRemove": {"id": Fresh_("recapped"), "url": RECAP_LINK},
    "activityRemoveParticipant": {"participantId": Fresh_("participant")},
    "membershipAccept": {"membershipId": Fresh_("invitation")},
    "membershipChangeRole": {"role": "CO_LEAD"},
    # a public address: private and loopback targets are refused (no SSRF)
    "webhookEndpointCreate": {"url": "https://93.184.215.14/hook"},
    "incentiveProgramCreate": {"defaultCurrency": "EUR"},
    "ambassadorProgramCreate": {"termMonths": 12},
    "ambassadorNominate": {"programId": Fresh_("ambassador_program")},
    "ambassadorNominationAccept": {"startsOn": "2026-03-01"},
    "awardGrant": {
        "titleId": Fresh_("recognition_title"),
        "startsOn": "2026-03-01",
        "endsOn": "2026-03-31",
    },
    "certificateIssue": {"awardId": Fresh_("award")},
    "incentiveBudgetSet": {
        "incentiveProgramId": Fresh_("incentive_program"),
        "quarter": "2026-Q4",
        "amount": "100",
    },
    "partnerAgreementAdd": {"relationshipId": Fresh_("relationship")},
    "caseUserGrantPermission": {"caseUserId": Fresh_("case_user")},
    "caseUserWithdrawPermission": {"caseUserId": Fresh_("published_case_user")},
    "conferenceCreate": {"startsOn": "2026-06-01", "endsOn": "2026-06-02"},
    "talkSubmissionCreate": {"conferenceId": Fresh_("conference")},
    "talkSubmissionAccept": {"id": Fresh_("talk_submitted")},
    "talkSubmissionReject": {"id": Fresh_("talk_submitted")},
    "newsletterColumnCreate": {"firstIssueOn": "2026-01-06"},
    "projectUpdateCreate": {"happenedOn": "2026-01-07"},
    "newsletterIssueCreate": {"columnId": Fresh_("newsletter_column")},
    "newsletterItemAdd": {"issueId": Fresh_("newsletter_issue")},
    # the figures of a recording published two days ago, read yesterday
    "reachRecord": {
        "publicationId": Fresh_("publication"),
        "readOn": (datetime.now(UTC) - timedelta(days=1)).date().isoformat(),
        "reads": 120,
    },
    "authorOutreachLog": {"authorId": Fresh_("author"), "contactedOn": "2026-01-05"},
    "authorOutreachAnswer": {"answer": "ACCEPTED"},  # not PENDING: an answer
    "articleSubmit": {"id": Fresh_("article_drafting")},
    "articleStartReview": {"id": Fresh_("article_submitted")},
    "articleRequestChanges": {"id": Fresh_("article_in_review")},
    "articleSchedule": {"id": Fresh_("article_in_review")},
    "articlePublish": {
        "id": Fresh_("article_in_review"),
        "publications": Fresh_("publication_entries"),
    },
    "articleReviewCommentAdd": {"articleId": Fresh_("article")},
    "reprintPermissionRequest": {"articleId": Fresh_("reprint_article")},
    "articleTemplateCreate": {"sections": [{"key": "steps", "title": "Steps"}]},
    # swag for the seeded member's talk at A's accepted meetup
    "incentiveRewardPropose": {
        "incentiveProgramId": Fresh_("incentive_program"),
        "personId": Fresh_("speaker_of_accepted"),
        "contributionId": Fresh_("accepted"),
        "kind": "SWAG",
    },
}
# Reference fields, by name, and the fresh object each takes.
OBJECT_OF_FIELD = {
    "chapterId": "chapter",
    "personId": "person",
    "membershipId": "membership",
    "committeeId": "committee",
    "seatId": "seat",
    "organisationId": "organisation",
    "contactId": "contact",
    "programId": "program",
    "projectId": "project",
    "activityId": "draft",
    "mentorIds": "person",
    "menteeIds": "person",
}
# Callers: an admin unless the rule names someone else (the invitee accepts an invitation).
CALLER_OF_MUTATION = {"membershipAccept": "invitee"}
# Required enum values with a meaning beyond "any value".
ENUM_CHOICES = {
    ("role", "CommitteeSeatRole"): "MEMBER",
    ("role", "ChapterRole"): "MEMBER",
    ("status", "MentoringProjectStatus"): "ACCEPTED",  # a fresh project is proposed already
    ("kind", "ApiClientKind"): "SERVICE",  # a partner client needs its organisation, below
    ("status", "ReprintStatus"): "GRANTED",  # an answer, not REQUESTED
}
# Optional in the schema, needed by the rules: leaving them out is this typed error, and the
# same call with the field given succeeds.
NEEDED = {
    # An activity belongs to a chapter or, without one, to a committee.
    "activityCreate": ("chapterId", "REQUIRED"),
    # A participant is a person of the directory or an external speaker named here.
    "activityAddParticipant": ("personId", "INVALID"),
    # Who granted a case user's permission: a name, or the organisation's contact.
    "caseUserGrantPermission": ("grantedByName", "REQUIRED"),
    # A certificate is for an award or for a person's contribution: one of them is named.
    "certificateIssue": ("awardId", "REQUIRED"),
    # A reach reading gives at least one figure (the first named when none is).
    "reachRecord": ("reads", "REQUIRED"),
    # An author is a person of the tenant or a writer from outside, named here.
    "authorCreate": ("name", "REQUIRED"),
    # An article says what kind it is, unless its template does.
    "articleCreate": ("kind", "REQUIRED"),
    # Sending an article back for changes says what to change.
    "articleRequestChanges": ("comment", "REQUIRED"),
}
UNIQUE = itertools.count(1)


def _unique(stem: str) -> str:
    return f"{stem}-{next(UNIQUE)}-{uuid.uuid4().hex[:6]}"


@dataclass
class Arena:
    client: httpx.AsyncClient
    seeded: Seeded
    tokens: dict[str, str]
    mint: Callable[[str], str]  # person global id → token
    provider: TestProvider

    @property
    def slug(self) -> str:
        return self.seeded.tenant.slug

    async def run(self, token: str, document: str, **variables: Any) -> dict[str, Any]:
        return await gql(self.client, self.slug, document, variables, token=token)

    async def create(self, field: str, input: dict[str, Any], returns: str) -> str:
        input_type = MUTATIONS[field].args["input"].type
        body = await self.run(
            self.tokens["admin"],
            f"mutation ($input: {input_type}) {{ {field}(input: $input) {{"
            f" {returns} {{ id }} errors {{ field code message }} }} }}",
            input=input,
        )
        payload = data_of(body)[field]
        assert payload["errors"] == [], (field, payload["errors"])
        return payload[returns]["id"]


class Fresh:
    """New objects of each kind, made through the API, so that no call depends on another."""

    def __init__(self, arena: Arena) -> None:
        self.arena = arena
        self.place = arena.seeded.places["A"]
        self.invitees: dict[str, str] = {}  # membership id → the invitee's person id

    async def __call__(self, kind: str) -> str:
        return await getattr(self, kind)()

    async def person(self) -> str:
        name = _unique("person")
        return await self.arena.create(
            "personCreate", {"displayName": name, "email": f"{name}@{NAMING.domain}"}, "person"
        )

    async def chapter(self) -> str:
        slug = _unique("chapter")
        return await self.arena.create(
            "chapterCreate", {"name": slug.title(), "slug": slug, "status": "ACTIVE"}, "chapter"
        )

    async def membership(self) -> str:
        return await self.arena.create(
            "membershipAdd",
            {"chapterId": await self.chapter(), "personId": await self.person(), "role": "MEMBER"},
            "membership",
        )

    async def invitation(self) -> str:
        person = await self.person()
        membership = await self.arena.create(
            "membershipInvite",
            {"chapterId": await self.chapter(), "personId": person, "role": "MEMBER"},
            "membership",
        )
        self.invitees[membership] = person
        return membership

    async def committee(self) -> str:
        return await self.arena.create(
            "committeeCreate", {"name": _unique("Committee"), "kind": "STEERING"}, "committee"
        )

    async def seat(self) -> str:
        """A member's seat that began a year ago (ending one that has not begun removes it)."""
        return await self.arena.create(
            "committeeSeatAdd",
            {
                "committeeId": await self.committee(),
                "personId": await self.person(),
                "startsOn": (datetime.now(UTC) - timedelta(days=365)).date().isoformat(),
            },
            "seat",
        )

    async def organisation(self) -> str:
        return await self.arena.create(
            "organisationCreate", {"name": _unique("Org"), "kind": "COMPANY"}, "organisation"
        )

    async def relationship(self) -> str:
        return await self.arena.create(
            "organisationRelationshipAdd",
            {"organisationId": await self.organisation(), "kind": "PARTNER", "status": "ACTIVE"},
            "relationship",
        )

    async def contact(self) -> str:
        return await self.arena.create(
            "organisationContactAdd",
            {"organisationId": self.place.org, "name": _unique("Contact")},
            "contact",
        )

    async def program(self) -> str:
        return await self.arena.create(
            "mentoringProgramCreate", {"name": _unique("Program"), "year": 2026}, "program"
        )

    async def project(self) -> str:
        return await self.arena.create(
            "mentoringProjectCreate",
            {
                "programId": self.place.program,
                "title": _unique("Project"),
                "mentorIds": [await self.person()],
                "menteeIds": [await self.person()],
            },
            "project",
        )

    async def draft(self, starts: datetime | None = None) -> str:
        starts = starts or datetime.now(UTC) + timedelta(days=20)
        return await self.arena.create(
            "activityCreate",
            {
                "chapterId": self.place.chapter,
                "kind": "OFFLINE_MEETUP",
                "title": _unique("Meetup"),
                "venue": "Innovation Hub",
                "startsAt": starts.isoformat(),
                "endsAt": (starts + timedelta(hours=2)).isoformat(),
            },
            "activity",
        )

    async def submitted(self, starts: datetime | None = None) -> str:
        activity = await self.draft(starts)
        await self.arena.create("activitySubmit", {"id": activity}, "activity")
        return activity

    async def past_accepted(self) -> str:
        activity = await self.submitted(datetime.now(UTC) - timedelta(days=3))
        await self.arena.create(
            "activityReview", {"id": activity, "decision": "ACCEPT"}, "activity"
        )
        return activity

    async def recapped(self) -> str:
        activity = await self.past_accepted()
        await self.arena.create(
            "activityPublishRecap",
            {
                "id": activity,
                "summary": "Went well",
                "links": [{"kind": "SLIDES", "url": RECAP_LINK}],
            },
            "activity",
        )
        return activity

    async def participant(self) -> str:
        body = await self.arena.run(
            self.arena.tokens["admin"],
            "mutation ($input: ActivityAddParticipantInput!) { activityAddParticipant("
            "input: $input) { participant { id } errors { field code message } } }",
            input={"activityId": await self.draft(), "role": "SPEAKER", "externalName": "Ada"},
        )
        payload = data_of(body)["activityAddParticipant"]
        assert payload["errors"] == [], payload
        return payload["participant"]["id"]

    async def client(self) -> str:
        body = await self.arena.run(
            self.arena.tokens["admin"],
            "mutation ($input: ApiClientCreateInput!) { apiClientCreate(input: $input) {"
            " client { id } errors { code } } }",
            input={"name": _unique("Client"), "kind": "SERVICE", "scopes": ["activities:read"]},
        )
        return data_of(body)["apiClientCreate"]["client"]["id"]

    async def provider(self) -> str:
        raise AssertionError("no fresh provider: one issuer is added once")

    async def webhook_endpoint(self) -> str:
        return await self.arena.create(
            "webhookEndpointCreate", {"url": "https://93.184.215.14/hook"}, "endpoint"
        )

    async def ambassador_program(self) -> str:
        input = {"name": _unique("Ambassadors"), "termMonths": 12}
        return await self.arena.create("ambassadorProgramCreate", input, "program")

    async def ambassador_nomination(self) -> str:
        input = {"programId": await self.ambassador_program(), "personId": await self.person()}
        input["statement"] = "Runs our meetups"
        return await self.arena.create("ambassadorNominate", input, "nomination")

    async def ambassador_term(self) -> str:  # starts today: renewable
        today = datetime.now(UTC).date().isoformat()
        input = {"id": await self.ambassador_nomination(), "startsOn": today}
        return await self.arena.create("ambassadorNominationAccept", input, "term")

    async def recognition_title(self) -> str:
        input = {"name": _unique("Title")}
        return await self.arena.create("recognitionTitleCreate", input, "title")

    async def award(self) -> str:
        input = {"titleId": await self.recognition_title(), "personId": await self.person()}
        input |= {"startsOn": "2026-03-01", "endsOn": "2026-03-31"}
        return await self.arena.create("awardGrant", input, "award")

    async def certificate(self) -> str:
        input = {"awardId": await self.award()}
        return await self.arena.create("certificateIssue", input, "certificate")

    async def partner_agreement(self) -> str:
        input = {"relationshipId": await self.relationship(), "kind": "MOU"}
        return await self.arena.create("partnerAgreementAdd", input, "agreement")

    async def case_user(self) -> str:
        input = {"organisationId": await self.organisation()}
        return await self.arena.create("caseUserAdd", input, "caseUser")

    async def published_case_user(self) -> str:
        case_user = await self.case_user()
        input = {"caseUserId": case_user, "grantedByName": "Their CTO"}
        await self.arena.create("caseUserGrantPermission", input, "caseUser")
        return case_user

    async def conference(self) -> str:
        input = {"name": _unique("Summit"), "startsOn": "2026-06-01", "endsOn": "2026-06-02"}
        return await self.arena.create("conferenceCreate", input, "conference")

    async def talk_draft(self) -> str:
        """A draft ready to submit, by the place's member (a member of chapter A: an accepted
        talk is credited there)."""
        input = {"conferenceId": await self.conference(), "title": _unique("Talk")}
        input |= {"abstract": "What we learnt.", "speakerIds": [self.place.member]}
        return await self.arena.create("talkSubmissionCreate", input, "submission")

    async def talk_submitted(self) -> str:
        draft = await self.talk_draft()
        return await self.arena.create("talkSubmissionSubmit", {"id": draft}, "submission")

    async def author(self) -> str:
        input = {"name": _unique("Writer"), "origin": "FOUND"}
        return await self.arena.create("authorCreate", input, "author")

    async def author_outreach(self) -> str:
        input = {"authorId": await self.author(), "contactedOn": "2026-01-05"}
        return await self.arena.create("authorOutreachLog", input, "outreach")

    async def newsletter_column(self) -> str:
        input = {"name": _unique("Weekly"), "cadence": "WEEKLY", "firstIssueOn": "2026-01-06"}
        return await self.arena.create("newsletterColumnCreate", input, "column")

    async def newsletter_issue(self) -> str:
        input = {"columnId": await self.newsletter_column()}
        return await self.arena.create("newsletterIssueCreate", input, "issue")

    async def newsletter_item(self) -> str:
        input = {"issueId": await self.newsletter_issue(), "section": "RECAPS"}
        input |= {"title": _unique("Item"), "body": "Text", "url": "https://x.example/item"}
        return await self.arena.create("newsletterItemAdd", input, "item")

    async def project_update(self) -> str:
        input = {"title": _unique("Release"), "happenedOn": "2026-01-07", "body": "News"}
        return await self.arena.create("projectUpdateCreate", input, "projectUpdate")

    async def incentive_program(self) -> str:
        input = {"name": _unique("Rewards"), "defaultCurrency": "EUR"}
        return await self.arena.create("incentiveProgramCreate", input, "program")

    async def accepted(self) -> str:
        return self.place.accepted  # the place's member speaks at it

    async def speaker_of_accepted(self) -> str:
        return self.place.member

    async def channel(self) -> str:
        input = {"name": _unique("Channel"), "kind": "VIDEO", "url": "https://video.example"}
        return await self.arena.create("channelCreate", input, "channel")

    async def publication(self) -> str:
        """Where the recording of an activity that took place went, two days ago."""
        body = await self.arena.run(
            self.arena.tokens["admin"],
            "mutation ($input: ActivityRecordingPublishInput!) { activityRecordingPublish("
            "input: $input) { publications { id } errors { field code message } } }",
            input={
                "activityId": await self.past_accepted(),
                "publications": [
                    {
                        "channelId": await self.channel(),
                        "publishedOn": (datetime.now(UTC) - timedelta(days=2)).date().isoformat(),
                    }
                ],
            },
        )
        payload = data_of(body)["activityRecordingPublish"]
        assert payload["errors"] == [], payload
        return payload["publications"][0]["id"]

    async def article(self) -> str:
        """An idea the place's member writes, with its body."""
        input = {"title": _unique("Article"), "kind": "NEWS", "body": "Text."}
        input |= {"personIds": [self.place.member]}
        return await self.arena.create("articleCreate", input, "article")

    async def article_drafting(self) -> str:
        article = await self.article()
        return await self.arena.create("articleStart", {"id": article}, "article")

    async def article_submitted(self) -> str:
        article = await self.article_drafting()
        return await self.arena.create("articleSubmit", {"id": article}, "article")

    async def article_in_review(self) -> str:
        article = await self.article_submitted()
        return await self.arena.create("articleStartReview", {"id": article}, "article")

    async def reprint_article(self) -> str:
        input = {"title": _unique("Reprint"), "kind": "DEEP_DIVE", "source": "REPRINT"}
        input |= {"sourceUrl": "https://blog.example/original"}
        return await self.arena.create("articleCreate", input, "article")

    async def reprint_permission(self) -> str:
        input = {"articleId": await self.reprint_article(), "contact": "author@blog.example"}
        return await self.arena.create("reprintPermissionRequest", input, "permission")

    async def article_template(self) -> str:
        input = {"name": _unique("Template"), "sections": [{"key": "steps", "title": "Steps"}]}
        input |= {"description": "How to", "kind": "INSTALLATION_GUIDE"}
        return await self.arena.create("articleTemplateCreate", input, "template")

    async def publication_entries(self) -> Any:
        return [{"channelId": await self.channel(), "publishedOn": "2026-01-01"}]


# --- reading the schema ---------------------------------------------------------------------


def _input_fields(field: GraphQLField) -> dict[str, Any]:
    """The fields a caller fills: those of the ``input`` object, else the plain arguments."""
    if "input" in field.args:
        input_type = get_named_type(field.args["input"].type)
        assert isinstance(input_type, GraphQLInputObjectType)
        return dict(input_type.fields)
    return dict(field.args)


def _is_required(value: Any) -> bool:
    return is_non_null_type(value.type) and value.default_value is Undefined


def _optional(field: GraphQLField) -> list[str]:
    """The fields a caller may leave out and may send as null."""
    return [
        name for name, value in _input_fields(field).items() if not is_non_null_type(value.type)
    ]


def _is_update(name: str) -> bool:
    return name.endswith(("Update", "Edit"))


def _is_create(name: str) -> bool:
    return name.endswith(("Create", "Add")) and name != "identityProviderAdd"


def _object_of(mutation: str) -> str | None:
    prefixes = [prefix for prefix in OBJECT_OF_PREFIX if mutation.startswith(prefix)]
    return OBJECT_OF_PREFIX[max(prefixes, key=len)] if prefixes else None


WITH_OPTIONALS = sorted(name for name, field in MUTATIONS.items() if _optional(field))
# identityProviderAdd needs a live issuer, which one call at most may add: it runs once below.
# notificationsMarkRead takes its ids or `all`, neither required alone: tests/notifications.
COVERED = [
    name for name in WITH_OPTIONALS if name not in {"identityProviderAdd", "notificationsMarkRead"}
]


async def _value(fresh: Fresh, mutation: str, name: str, type_: Any) -> Any:
    """A valid value for one required field, found from its name and type."""
    named = get_named_type(type_)
    many = is_list_type(type_.of_type if isinstance(type_, GraphQLNonNull) else type_)
    special = SPECIAL.get(mutation, {}).get(name)
    if isinstance(special, Fresh_):
        return await fresh(special.kind)
    if special is not None:
        return special
    if name == "id":
        kind = _object_of(mutation)
        assert kind, f"{mutation}: which object does its `id` name? Add it to OBJECT_OF_PREFIX"
        return await fresh(kind)
    if name in OBJECT_OF_FIELD:
        value = await fresh(OBJECT_OF_FIELD[name])
        return [value] if many else value
    if isinstance(named, GraphQLEnumType):
        return ENUM_CHOICES.get((name, named.name), next(iter(named.values)))
    if name == "email":
        return f"{_unique('new')}@{NAMING.domain}"
    if name == "slug":
        return _unique("slug")
    if name == "scopes":
        return ["activities:read"]
    if name == "year":
        return 2026
    if name == "audience":
        return "chapters"
    if named.name == "DateTime":
        return (datetime.now(UTC) + timedelta(days=30)).isoformat()
    if named.name == "String":
        return _unique(name.title())
    raise AssertionError(f"{mutation}: no value for its required field {name}: add one here")


async def _required(fresh: Fresh, mutation: str) -> dict[str, Any]:
    fields = _input_fields(MUTATIONS[mutation])
    return {
        name: await _value(fresh, mutation, name, value.type)
        for name, value in fields.items()
        if _is_required(value)
    }


def _selection(field: GraphQLField, mutation: str) -> str:
    """The returned object's id, and its fields named like the mutation's optional inputs
    (scalars and lists of scalars), to see what null did to them."""
    named = get_named_type(field.type)
    optional = set(_optional(MUTATIONS[mutation]))
    echoed = [
        name
        for name, value in named.fields.items()
        if name in optional and not hasattr(get_named_type(value.type), "fields") and not value.args
    ]
    return " ".join(["id"] * ("id" in named.fields) + echoed)


def _document(mutation: str) -> str:
    field = MUTATIONS[mutation]
    payload = get_named_type(field.type)
    returned = [
        name
        for name, value in payload.fields.items()
        if name != "errors" and hasattr(get_named_type(value.type), "fields")
    ]
    objects = " ".join(
        f"{name} {{ __typename {_selection(payload.fields[name], mutation)} }}" for name in returned
    )
    if "input" in field.args:
        return (
            f"mutation ($input: {field.args['input'].type}) {{ {mutation}(input: $input) {{"
            f" {objects} errors {{ field code message }} }} }}"
        )
    variables = ", ".join(f"${name}: {arg.type}" for name, arg in field.args.items())
    arguments = ", ".join(f"{name}: ${name}" for name in field.args)
    return (
        f"mutation ({variables}) {{ {mutation}({arguments}) {{ {objects}"
        " errors { field code message } } }"
    )


@dataclass
class Answer:
    payload: dict[str, Any]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.payload["errors"]

    def created(self) -> dict[str, Any] | None:
        objects = [v for k, v in self.payload.items() if k != "errors"]
        return next((o for o in objects if o), None)


async def _call(arena: Arena, fresh: Fresh, mutation: str, values: dict[str, Any]) -> Answer:
    caller = CALLER_OF_MUTATION.get(mutation, "admin")
    if caller == "invitee":
        token = arena.mint(fresh.invitees[values["membershipId"]])
    else:
        token = arena.tokens[caller]
    variables = {"input": values} if "input" in MUTATIONS[mutation].args else values
    response = await arena.client.post(
        f"/t/{arena.slug}/graphql",
        json={"query": _document(mutation), "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, (mutation, values, response.text)
    body = response.json()
    assert not body.get("errors"), (mutation, values, body["errors"])
    payload = body["data"][mutation]
    for error in payload["errors"]:
        assert error["code"] != "INTERNAL" and "Unexpected" not in error["message"], (
            mutation,
            values,
            error,
        )
    return Answer(payload)


@pytest.fixture(scope="module")
async def arena(client, tenants, owner_engine, keys, settings) -> Arena:
    tenant = await seeded_tenant(tenants, NAMING)
    seeded = await Seeder(client, tenant, NAMING).build(owner_engine)
    tokens = {who: tenant.token(NAMING.email(who)) for who in ("admin", "ops", "lead_a")}

    def mint(person_global_id: str) -> str:
        from strawberry import relay

        _, raw = relay.from_base64(person_global_id)
        return issue_access_token(keys, settings, tenant_id=tenant.id, subject=raw)

    provider = TestProvider(path="/realms/optional-inputs")
    try:
        yield Arena(client, seeded, tokens, mint, provider)
    finally:
        provider.close()


def test_the_covered_mutations_are_found_from_the_schema() -> None:
    """Every mutation with a nullable input field is called below (the others have nothing
    to leave out but defaults, which their own tests cover)."""
    for name, field in MUTATIONS.items():
        if name not in WITH_OPTIONALS:
            assert all(is_non_null_type(v.type) for v in _input_fields(field).values()), name
    assert {"chapterCreate", "chapterUpdate", "personUpdate", "activityCreate"} <= set(COVERED)


async def _needed(arena: Arena, fresh: Fresh, mutation: str, answer: Answer) -> dict[str, Any]:
    """When the rules need an optional field, the answer says so as documented in ``NEEDED``;
    the value to send with it."""
    if mutation not in NEEDED:
        return {}
    field, code = NEEDED[mutation]
    assert [(e["field"], e["code"]) for e in answer.errors] == [(field, code)], answer.errors
    type_ = _input_fields(MUTATIONS[mutation])[field].type
    return {field: await _value(fresh, mutation, field, type_)}


@pytest.mark.parametrize("mutation", COVERED)
async def test_only_required_fields(arena: Arena, mutation: str) -> None:
    fresh = Fresh(arena)
    values = await _required(fresh, mutation)
    answer = await _call(arena, fresh, mutation, values)
    needed = await _needed(arena, fresh, mutation, answer)
    if needed:
        answer = await _call(arena, fresh, mutation, {**values, **needed})
    assert answer.errors == [], (mutation, values, answer.errors)
    assert answer.created(), (mutation, answer.payload)


@pytest.mark.parametrize("mutation", COVERED)
async def test_every_optional_field_null(arena: Arena, mutation: str) -> None:
    fresh = Fresh(arena)
    values = await _required(fresh, mutation)
    optional = _optional(MUTATIONS[mutation])
    nulls = dict.fromkeys(optional)
    answer = await _call(arena, fresh, mutation, {**values, **nulls})
    if not _is_update(mutation):
        # Null in a create, or in any other operation's option, means "not given".
        needed = await _needed(arena, fresh, mutation, answer)
        if needed:
            answer = await _call(arena, fresh, mutation, {**values, **nulls, **needed})
        assert answer.errors == [], (mutation, answer.errors)
        assert answer.created(), (mutation, answer.payload)
        return
    # In an update, null clears; a field that cannot be empty says so, and nothing is written.
    for error in answer.errors:
        assert error["code"] == "REQUIRED" and error["field"] in optional, (mutation, error)
    if answer.errors:
        assert not answer.created()
    cannot_clear = {error["field"] for error in answer.errors}
    clearable = [name for name in optional if name not in cannot_clear]
    cleared = await _call(arena, fresh, mutation, {**values, **dict.fromkeys(clearable)})
    assert cleared.errors == [], (mutation, clearable, cleared.errors)
    updated = cleared.created()
    assert updated, (mutation, cleared.payload)
    kept = {name: updated[name] for name in clearable if updated.get(name) not in (None, [], False)}
    assert kept.keys() <= set(CLEARED_TO_DEFAULT.get(mutation, ())), (mutation, kept)


async def test_identity_provider_with_only_its_issuer(arena: Arena) -> None:
    fresh = Fresh(arena)
    values = {"issuer": arena.provider.issuer, "audience": "chapters"}
    answer = await _call(arena, fresh, "identityProviderAdd", values)
    assert answer.errors == [] and answer.created(), answer.payload


async def test_chapter_with_only_name_and_slug(arena: Arena) -> None:
    """The first thing a new admin tries: the chapter comes back with no contact links."""
    body = await arena.run(
        arena.tokens["admin"],
        'mutation { chapterCreate(input: {name: "Wuhan", slug: "wuhan"}) {'
        " chapter { name contactLinks { url } parent { id } } errors { code } } }",
    )
    assert data_of(body)["chapterCreate"] == {
        "chapter": {"name": "Wuhan", "contactLinks": [], "parent": None},
        "errors": [],
    }

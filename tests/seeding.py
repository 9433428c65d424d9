"""A seeded tenant, built through GraphQL as its people would: two chapters with leads and
members, a committee, organisations (one a partner), a mentoring program, activities in every
state, a revoked API client, an identity provider and an audit trail. The authorization matrix
seeds two such tenants (``HOME`` and ``ABROAD``, whose every name carries ``FOREIGN_MARK``);
the fuzzer and the optional-input tests seed their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from chapters.api.ids import global_id
from chapters.api.schema import schema
from chapters.models import TenantRole
from tests.authz.authz_matrix_table import Place
from tests.oidc_provider import TestProvider
from tests.support import TenantFixture, data_of, gql, make_chapter, person_id

ROLES = {"admin": TenantRole.ADMIN, "ops": TenantRole.OPS, "viewer": TenantRole.VIEWER}
ROLES["owner"] = TenantRole.OWNER  # a person others must not act as, not a caller
SEEDED_PEOPLE = (
    *("owner", "admin", "ops", "viewer"),
    *("lead_a", "co_lead_a", "member_a", "lead_b", "member_b", "spare"),
)


@dataclass(frozen=True)
class Naming:
    """How one tenant's seeded things are called. Everything of the other tenant carries
    ``FOREIGN_MARK``, so that any response showing it is caught."""

    prefix: str
    domain: str
    title: str
    slugs: tuple[str, str]

    def email(self, who: str) -> str:
        return f"{self.prefix}-canary-{who.replace('_', '-')}@{self.domain}"

    def display_name(self, who: str) -> str:
        return self.email(who).split("@")[0]

    @property
    def external_speaker(self) -> str:
        return f"{self.prefix}-canary-external-speaker"

    @property
    def contact(self) -> tuple[str, str]:
        return f"{self.prefix}-canary-contact", f"{self.prefix}-canary-contact@partner.example"


HOME = Naming("zhang", "lyra.example", "Lyra", ("alpha", "beta"))
FOREIGN_MARK = "orion"
ABROAD = Naming(FOREIGN_MARK, f"{FOREIGN_MARK}.example", "Orion", ("orion-alpha", "orion-beta"))


@dataclass
class Seeded:
    tenant: TenantFixture
    places: dict[str, Place]
    personal_data: list[str]  # emails and names of people and contacts
    activity_titles: dict[str, str]  # key → title
    organisation_names: dict[str, str]
    organisation_ids: dict[str, str]


class Seeder:
    """Builds one tenant's objects through GraphQL, as its people would."""

    def __init__(self, client: httpx.AsyncClient, tenant: TenantFixture, naming: Naming) -> None:
        self.client, self.tenant, self.naming = client, tenant, naming

    def person(self, who: str) -> str:
        return person_id(self.tenant, self.naming.email(who))

    async def op(self, who: str, document: str, **variables: Any) -> dict[str, Any]:
        token = self.tenant.token(self.naming.email(who))
        data = data_of(await gql(self.client, self.tenant.slug, document, variables, token=token))
        for value in data.values():
            assert not (isinstance(value, dict) and value.get("errors")), value
        return data

    async def create(self, who: str, field: str, input: dict[str, Any], returns: str) -> str:
        input_type = schema._schema.mutation_type.fields[field].args["input"].type
        data = await self.op(
            who,
            f"mutation ($input: {input_type}) {{ {field}(input: $input) {{ {returns} {{ id }}"
            " errors { field code } } }",
            input=input,
        )
        return data[field][returns]["id"]

    async def membership(self, slug: str, who: str) -> str:
        data = await self.op(
            "ops",
            "query ($slug: String!) { chapter(slug: $slug) { members { edges { node { id"
            " person { id } } } } } }",
            slug=slug,
        )
        edges = data["chapter"]["members"]["edges"]
        return next(e["node"]["id"] for e in edges if e["node"]["person"]["id"] == self.person(who))

    async def participant(self, activity: str) -> str:
        data = await self.op(
            "ops",
            "query ($id: ID!) { node(id: $id) { ... on Activity { participants { id } } } }",
            id=activity,
        )
        return data["node"]["participants"][0]["id"]

    async def activity(
        self,
        chapter: str,
        lead: str,
        member: str,
        title: str,
        starts: datetime,
        status: str,
        organisations: tuple[tuple[str, str], ...] = (),
    ) -> str:
        activity = await self.create(
            lead,
            "activityCreate",
            {
                "chapterId": chapter,
                "kind": "OFFLINE_MEETUP",
                "title": title,
                "venue": "Innovation Hub",
                "startsAt": starts.isoformat(),
                "endsAt": (starts + timedelta(hours=2)).isoformat(),
                "participants": [
                    {"role": "SPEAKER", "personId": self.person(member), "topic": "eBPF"},
                    {"role": "SPEAKER", "externalName": self.naming.external_speaker},
                ],
                "organisations": [{"organisationId": o, "role": r} for o, r in organisations]
                or None,
            },
            "activity",
        )
        await self.create(
            lead, "activityComment", {"activityId": activity, "body": "Venue booked"}, "comment"
        )
        if status in ("SUBMITTED", "ACCEPTED"):
            await self.create(
                lead, "activitySubmit", {"id": activity, "comment": "Ready"}, "activity"
            )
        if status == "ACCEPTED":
            await self.create(
                "ops", "activityReview", {"id": activity, "decision": "ACCEPT"}, "activity"
            )
        return activity

    async def api_client(
        self, name: str, scopes: list[str], kind: str = "SERVICE", **extra: Any
    ) -> dict[str, Any]:
        data = await self.op(
            "admin",
            "mutation ($input: ApiClientCreateInput!) { apiClientCreate(input: $input) {"
            " client { id clientId } clientSecret errors { code } } }",
            input={"name": name, "kind": kind, "scopes": scopes, **extra},
        )
        return data["apiClientCreate"]

    async def client_token(self, created: dict[str, Any]) -> str:
        response = await self.client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(created["client"]["clientId"], created["clientSecret"]),
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    async def build(self, owner_engine) -> Seeded:
        n, now = self.naming, datetime.now(UTC)
        slug_a, slug_b = n.slugs
        ops = n.email("ops")
        a = await make_chapter(
            owner_engine,
            self.tenant,
            slug_a,
            staff=ops,
            lead=n.email("lead_a"),
            co_leads=(n.email("co_lead_a"),),
            members=(n.email("member_a"),),
        )
        b = await make_chapter(
            owner_engine,
            self.tenant,
            slug_b,
            staff=ops,
            lead=n.email("lead_b"),
            members=(n.email("member_b"),),
        )
        chapters = {"A": global_id("Chapter", a.id), "B": global_id("Chapter", b.id)}
        committee = await self.create(
            "ops",
            "committeeCreate",
            {"name": f"{n.title} Steering", "kind": "STEERING"},
            "committee",
        )
        seat = await self.create(
            "ops",
            "committeeSeatAdd",
            {"committeeId": committee, "personId": self.person("member_a")},
            "seat",
        )
        names = {key: f"{n.title} {key.title()} Org" for key in ("partner", "other", "lone")}
        orgs = {}
        for key, name in names.items():
            orgs[key] = await self.create(
                "ops",
                "organisationCreate",
                {"name": name, "kind": "COMPANY", "notes": "private terms"},
                "organisation",
            )
        relationship = await self.create(
            "ops",
            "organisationRelationshipAdd",
            {
                "organisationId": orgs["partner"],
                "kind": "PARTNER",
                "status": "ACTIVE",
                "notes": "private terms",
            },
            "relationship",
        )
        contact_name, contact_email = n.contact
        contact = await self.create(
            "ops",
            "organisationContactAdd",
            {
                "organisationId": orgs["partner"],
                "name": contact_name,
                "email": contact_email,
                "personId": self.person("member_a"),
            },
            "contact",
        )
        for chapter, org in (("A", "partner"), ("A", "other"), ("B", "other")):
            await self.op(
                "ops",
                "mutation ($input: ChapterOrganisationLinkInput!) {"
                " chapterOrganisationLink(input: $input) { errors { code } } }",
                input={"chapterId": chapters[chapter], "organisationId": orgs[org]},
            )
        program = await self.create(
            "ops", "mentoringProgramCreate", {"name": f"{n.title} Summer", "year": 2026}, "program"
        )
        projects, titles, activities = {}, {}, {}
        soon, long_ago = now + timedelta(days=10), now - timedelta(days=30)
        for place, lead, member in (("A", "lead_a", "member_a"), ("B", "lead_b", "member_b")):
            projects[place] = await self.create(
                "ops",
                "mentoringProjectCreate",
                {
                    "programId": program,
                    "chapterId": chapters[place],
                    "title": f"Project {place}",
                    "mentorIds": [self.person(lead)],
                    "menteeIds": [self.person(member)],
                },
                "project",
            )
            for key, starts, status in (
                ("draft", soon, "DRAFT"),
                ("submitted", soon, "SUBMITTED"),
                ("accepted", soon, "ACCEPTED"),
                ("past", long_ago, "ACCEPTED"),
            ):
                titles[f"{place}.{key}"] = f"{n.title} {place} {key} meetup"
                activities[f"{place}.{key}"] = await self.activity(
                    chapters[place], lead, member, titles[f"{place}.{key}"], starts, status
                )
        titles["A.partner_meetup"] = f"{n.title} A partner meetup"
        activities["A.partner_meetup"] = await self.activity(
            chapters["A"],
            "lead_a",
            "member_a",
            titles["A.partner_meetup"],
            soon,
            "ACCEPTED",
            # Another organisation sponsors it: the partner must not see that one.
            organisations=((orgs["partner"], "CO_HOST"), (orgs["other"], "SPONSOR")),
        )
        revoked = await self.api_client("Old sync", ["activities:read"])
        await self.op(
            "admin",
            "mutation ($id: ID!) { apiClientRevoke(id: $id) { errors { code } } }",
            id=revoked["client"]["id"],
        )
        # A provider is added once its discovery document is read; its issuer carries the
        # tenant's canary mark.
        idp = TestProvider(path=f"/realms/{n.prefix}-idp")
        try:
            provider = await self.create(
                "admin",
                "identityProviderAdd",
                {"issuer": idp.issuer, "audience": "chapters"},
                "provider",
            )
        finally:
            idp.close()
        audit = await self.op("ops", "{ auditLog(first: 1) { edges { node { id } } } }")
        memberships = {
            "A": await self.membership(slug_a, "member_a"),
            "B": await self.membership(slug_b, "member_b"),
        }
        participants = {
            place: await self.participant(activities[f"{place}.submitted"]) for place in ("A", "B")
        }
        places = {
            place: Place(
                chapter=chapters[place],
                slug=n.slugs[index],
                member=self.person(member),
                member_name=n.display_name(member),
                membership=memberships[place],
                project=projects[place],
                draft=activities[f"{place}.draft"],
                submitted=activities[f"{place}.submitted"],
                accepted=activities[f"{place}.accepted"],
                past=activities[f"{place}.past"],
                partner_meetup=activities["A.partner_meetup"],
                spare=self.person("spare"),
                owner=self.person("owner"),
                admin=self.person("admin"),
                ops=self.person("ops"),
                committee=committee,
                seat=seat,
                partner_org=orgs["partner"],
                org=orgs["other"],
                lone_org=orgs["lone"],
                relationship=relationship,
                contact=contact,
                program=program,
                client=revoked["client"]["id"],
                provider=provider,
                audit_entry=audit["auditLog"]["edges"][0]["node"]["id"],
                participant=participants[place],
            )
            for index, (place, member) in enumerate((("A", "member_a"), ("B", "member_b")))
        }
        personal = [n.email(who) for who in SEEDED_PEOPLE] + [
            n.display_name(who) for who in SEEDED_PEOPLE
        ]
        # External speakers are named publicly, and so are people who chose a public profile
        # (none of the seeded people did: their names must never reach a public caller).
        personal += [contact_name, contact_email]
        return Seeded(self.tenant, places, personal, titles, names, orgs)


async def seeded_tenant(tenants, naming: Naming) -> TenantFixture:
    people = {naming.email(who): ROLES.get(who) for who in SEEDED_PEOPLE}
    return await tenants.create(prefix=naming.title.lower(), people=people)


# Service clients of the seeded tenant, by caller name: the scopes each is granted.
SERVICE_CLIENT_SCOPES = {
    "svc_narrow": ["activities:read"],
    "svc_broad": [
        "chapters:read",
        "activities:read",
        "activities:write",
        "export",
        "metrics:read",
        "contributions:write",
    ],
}


@dataclass
class SeededWorld:
    """The seeded home tenant, another seeded tenant, and a token for every kind of caller of
    the home tenant (None for anonymous)."""

    home: Seeded
    abroad: Seeded
    tokens: dict[str, str | None]
    home_tenant: TenantFixture
    abroad_tenant: TenantFixture


async def seed_world(client: httpx.AsyncClient, tenants, owner_engine) -> SeededWorld:
    home_tenant = await seeded_tenant(tenants, HOME)
    abroad_tenant = await seeded_tenant(tenants, ABROAD)
    home = Seeder(client, home_tenant, HOME)
    seeded_home = await home.build(owner_engine)
    seeded_abroad = await Seeder(client, abroad_tenant, ABROAD).build(owner_engine)
    tokens: dict[str, str | None] = {"anonymous": None}
    for who in ("member_a", "co_lead_a", "lead_a", "lead_b", "ops", "viewer", "admin"):
        tokens[who] = home_tenant.token(HOME.email(who))
    partner = await home.api_client(
        "Partner portal",
        ["activities:read", "chapters:read"],
        kind="PARTNER",
        organisationId=seeded_home.places["A"].partner_org,
    )
    tokens["partner"] = await home.client_token(partner)
    for actor, scopes in SERVICE_CLIENT_SCOPES.items():
        tokens[actor] = await home.client_token(await home.api_client(actor, scopes))
    return SeededWorld(seeded_home, seeded_abroad, tokens, home_tenant, abroad_tenant)

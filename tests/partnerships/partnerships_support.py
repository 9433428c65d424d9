"""What the partnership tests share: their GraphQL documents, a registry to sign agreements
on (made by ops through the API), and a partner organisation's API client."""

from __future__ import annotations

from typing import Any

import httpx

from tests import support
from tests.support import TenantFixture, data_of, gql

ADMIN = "admin@x.example"
OPS = "ops@x.example"
MEMBER = "member@x.example"
ERRORS = "errors { field code message }"

AGREEMENT = """id kind status startsOn endsOn renewsOn documentUrl notes
  organisation { name } relationship { kind }"""
AGREEMENT_ADD = f"""mutation ($input: PartnerAgreementAddInput!) {{
  partnerAgreementAdd(input: $input) {{ agreement {{ {AGREEMENT} }} {ERRORS} }}
}}"""
AGREEMENT_UPDATE = f"""mutation ($input: PartnerAgreementUpdateInput!) {{
  partnerAgreementUpdate(input: $input) {{ agreement {{ {AGREEMENT} }} {ERRORS} }}
}}"""
AGREEMENTS = f"""query ($filter: PartnerAgreementFilter) {{
  partnerAgreements(filter: $filter, first: 50) {{ edges {{ node {{ {AGREEMENT} }} }} }}
}}"""
AGREEMENT_NODE = f"""query ($id: ID!) {{
  node(id: $id) {{ ... on PartnerAgreement {{ {AGREEMENT} }} }}
}}"""

CASE_USER = """id name website logoUrl products { product version } scale story published
  activities { title } notes organisation { name }
  permission { grantedOn grantedByName withdrawnOn grantedByContact { name }
    recordedBy { displayName } withdrawalRecordedBy { displayName } }"""
CASE_USER_ADD = f"""mutation ($input: CaseUserAddInput!) {{
  caseUserAdd(input: $input) {{ caseUser {{ {CASE_USER} }} {ERRORS} }}
}}"""
CASE_USER_UPDATE = f"""mutation ($input: CaseUserUpdateInput!) {{
  caseUserUpdate(input: $input) {{ caseUser {{ {CASE_USER} }} {ERRORS} }}
}}"""
GRANT = f"""mutation ($input: CaseUserGrantPermissionInput!) {{
  caseUserGrantPermission(input: $input) {{ caseUser {{ {CASE_USER} }} {ERRORS} }}
}}"""
WITHDRAW = f"""mutation ($input: CaseUserWithdrawPermissionInput!) {{
  caseUserWithdrawPermission(input: $input) {{ caseUser {{ {CASE_USER} }} {ERRORS} }}
}}"""
CASE_USERS = f"""query ($published: Boolean) {{
  caseUsers(published: $published, first: 100) {{ edges {{ node {{ {CASE_USER} }} }} }}
}}"""
CASE_USER_NODE = f"""query ($id: ID!) {{ node(id: $id) {{ ... on CaseUser {{ {CASE_USER} }} }} }}"""


class Api(support.Api):
    """One caller of one tenant's endpoint, with this package's reads and writes."""

    async def ok(self, document: str, **input: Any) -> dict[str, Any]:
        payload = await self.mutate(document, **input)
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def agreements(self, **filter: Any) -> list[dict[str, Any]]:
        data = await self.data(AGREEMENTS, {"filter": filter or None})
        return [edge["node"] for edge in data["partnerAgreements"]["edges"]]

    async def case_users(self, published: bool | None = None) -> list[dict[str, Any]]:
        data = await self.data(CASE_USERS, {"published": published})
        return [edge["node"] for edge in data["caseUsers"]["edges"]]

    async def node(self, document: str, node_id: str) -> dict[str, Any] | None:
        node: dict[str, Any] | None = (await self.data(document, {"id": node_id}))["node"]
        return node

    async def organisation(self, name: str, **fields: Any) -> str:
        """A new organisation of the registry: its id."""
        body = await self.data(
            "mutation ($input: OrganisationCreateInput!) { organisationCreate(input: $input) {"
            " organisation { id } errors { code } } }",
            {"input": {"name": name, "kind": "COMPANY", **fields}},
        )
        return str(body["organisationCreate"]["organisation"]["id"])

    async def relationship(self, organisation_id: str, kind: str = "PARTNER") -> str:
        body = await self.data(
            "mutation ($input: OrganisationRelationshipAddInput!) {"
            " organisationRelationshipAdd(input: $input) { relationship { id } errors { code } } }",
            {"input": {"organisationId": organisation_id, "kind": kind, "status": "ACTIVE"}},
        )
        return str(body["organisationRelationshipAdd"]["relationship"]["id"])

    async def contact(self, organisation_id: str, name: str) -> str:
        body = await self.data(
            "mutation ($input: OrganisationContactAddInput!) {"
            " organisationContactAdd(input: $input) { contact { id } errors { code } } }",
            {"input": {"organisationId": organisation_id, "name": name, "email": "c@org.example"}},
        )
        return str(body["organisationContactAdd"]["contact"]["id"])


async def partner_token(client: httpx.AsyncClient, tenant: TenantFixture, organisation: str) -> str:
    """An access token of a partner client of ``organisation``, made by the tenant admin."""
    created = data_of(
        await gql(
            client,
            tenant.slug,
            "mutation ($input: ApiClientCreateInput!) { apiClientCreate(input: $input) {"
            " client { clientId } clientSecret errors { code } } }",
            {
                "input": {
                    "name": "Partner portal",
                    "kind": "PARTNER",
                    "organisationId": organisation,
                    "scopes": ["activities:read"],
                }
            },
            token=tenant.token(ADMIN),
        )
    )["apiClientCreate"]
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(created["client"]["clientId"], created["clientSecret"]),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


class PartnerApi(Api):
    """The partner organisation's client, calling with its own token."""

    def __init__(self, client: httpx.AsyncClient, tenant: TenantFixture, token: str) -> None:
        self.client, self.tenant, self.token = client, tenant, token

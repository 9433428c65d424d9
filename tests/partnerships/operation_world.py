"""What the example operations of ``graphql/operations/partnerships`` need, made as the tenant
admin: an organisation with a partnership, an active agreement on it coming up for renewal, its
case-user story (not published yet) told by an accepted talk, with a contact who may grant the
permission; and a second case user, published."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.ids import global_id
from chapters.models import OrganisationKind, RelationshipKind, RelationshipStatus
from chapters.models.partnership import AgreementKind, AgreementStatus
from chapters.organisations import service as registry
from chapters.partnerships import service
from tests.support import TenantFixture, make_activity, staff_session_call

ADMIN = "admin@x.example"


async def partnerships_placeholders(
    tenant: TenantFixture, owner_engine: AsyncEngine, chapter_id: uuid.UUID
) -> dict[str, str]:
    talk = await make_activity(
        owner_engine, tenant, chapter_id, staff=ADMIN, title="Globex runs 300 nodes"
    )
    today = datetime.now(UTC).date()

    async def world(session, principal) -> dict[str, str]:
        async def organisation(name: str) -> uuid.UUID:
            fields = registry.OrganisationFields(name=name, kind=OrganisationKind.COMPANY)
            return (await registry.create_organisation(session, principal, fields)).id

        globex = await organisation("Globex Training")
        relationship = await registry.add_relationship(
            session,
            principal,
            globex,
            registry.RelationshipFields(
                kind=RelationshipKind.PARTNER, status=RelationshipStatus.ACTIVE
            ),
        )
        agreement = await service.add_agreement(
            session,
            principal,
            relationship.id,
            service.AgreementFields(
                kind=AgreementKind.TRAINING_PARTNERSHIP,
                status=AgreementStatus.ACTIVE,
                starts_on=today - timedelta(days=340),
                ends_on=today + timedelta(days=25),
                renews_on=today + timedelta(days=20),
            ),
        )
        contact = await registry.add_contact(
            session, principal, globex, registry.ContactFields(name="Wei Zhang, CTO")
        )
        story = await service.add_case_user(
            session,
            principal,
            globex,
            service.CaseUserFields(
                products=[service.ProductEntry("Chapters", "2.4")],
                scale="3 clusters, 300 nodes",
                story="Globex trains its engineers on the community's stack.",
                activity_ids=[talk.id],
            ),
        )
        published = await service.add_case_user(
            session,
            principal,
            await organisation("Initech Cloud"),
            service.CaseUserFields(story="Initech moved its CI."),
        )
        await service.grant_permission(
            session, principal, published.id, granted_on=today, granted_by_name="Head of IT"
        )
        return {
            "@partnerAgreementId": global_id("PartnerAgreement", agreement.id),
            "@caseUserId": global_id("CaseUser", story.id),
            "@caseUserContactId": global_id("OrganisationContact", contact.id),
            "@publishedCaseUserId": global_id("CaseUser", published.id),
        }

    placeholders: dict[str, str] = await staff_session_call(owner_engine, tenant, ADMIN, world)
    return placeholders

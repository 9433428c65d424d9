"""Partner agreements and case users for tenant ``demo``: Example Cloud's sponsorship (up for
renewal within three weeks of the day the demo is seeded, so the daily reminder has something
to say) and co-hosting memorandum, Cloud Native Training's training partnership; two case
users with their stories: Example Cloud, which allows publishing its name and logo, and
Nanshan Robotics, which has not said yet. Written as rows (the seeding acts for no one);
once: an agreement is the marker."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.demo.replay import first_with_role
from chapters.models import (
    Activity,
    ActivityOrganisation,
    ActivityStatus,
    Organisation,
    OrganisationContact,
    OrganisationRelationship,
    RelationshipKind,
    TenantRole,
)
from chapters.models.partnership import (
    AgreementKind,
    AgreementStatus,
    CaseUser,
    CaseUserActivity,
    PartnerAgreement,
)

DOCUMENTS = "https://docs.example-community.example/agreements"
# organisation name, relationship kind, agreement kind, starts, ends, renews (days from today)
AGREEMENTS = (
    ("Example Cloud Inc.", RelationshipKind.SPONSOR, AgreementKind.SPONSORSHIP, -330, 35, 20),
    ("Example Cloud Inc.", RelationshipKind.CO_HOST, AgreementKind.MOU, -450, 280, 250),
    (
        "Cloud Native Training Co.",
        RelationshipKind.PARTNER,
        AgreementKind.TRAINING_PARTNERSHIP,
        -180,
        550,
        520,
    ),
)
NOTES = {
    AgreementKind.SPONSORSHIP: "Gold tier: venues, catering and recordings. 80k CNY a year.",
    AgreementKind.MOU: "Pudong office for the Shanghai meetups, one evening a month.",
    AgreementKind.TRAINING_PARTNERSHIP: "Exam vouchers for members at 30% off.",
}
STORIES = {
    "Example Cloud Inc.": (
        [{"product": "Chapters", "version": "2.4"}, {"product": "Chapters CLI", "version": "1.8"}],
        "12 clusters, 500 nodes, 2,000 engineers",
        "Example Cloud runs its developer events on the community's stack: every meetup in "
        "Shanghai and Shenzhen is planned, reviewed and recapped here.",
        True,
    ),
    "Nanshan Robotics": (
        [{"product": "Chapters", "version": "2.3"}],
        "1 cluster, 40 nodes",
        "Nanshan Robotics' lab tracks its engineering-culture talks with the community's tools.",
        False,
    ),
}


async def seed_partnerships(session: AsyncSession) -> str:
    if await session.scalar(select(PartnerAgreement.id).limit(1)) is not None:
        return "partnerships: already seeded"
    today = datetime.now(UTC).date()
    organisations = {
        row.name: row
        for row in await session.scalars(
            select(Organisation).where(
                Organisation.name.in_({name for name, *_ in AGREEMENTS} | set(STORIES))
            )
        )
    }
    agreements = 0
    for name, relationship_kind, kind, starts, ends, renews in AGREEMENTS:
        organisation = organisations.get(name)
        relationship = organisation and await session.scalar(
            select(OrganisationRelationship).where(
                OrganisationRelationship.organisation_id == organisation.id,
                OrganisationRelationship.kind == relationship_kind,
            )
        )
        if organisation is None or relationship is None:
            continue
        session.add(
            PartnerAgreement(
                relationship_id=relationship.id,
                organisation_id=organisation.id,
                kind=kind,
                status=AgreementStatus.ACTIVE,
                starts_on=today + timedelta(days=starts),
                ends_on=today + timedelta(days=ends),
                renews_on=today + timedelta(days=renews),
                document_url=f"{DOCUMENTS}/{kind.value}-{organisation.id.hex[:8]}.pdf",
                notes=NOTES[kind],
            )
        )
        agreements += 1
    case_users = [
        await _case_user(session, organisation, *STORIES[name], today)
        for name, organisation in organisations.items()
        if name in STORIES
    ]
    await session.flush()
    published = sum(1 for case_user in case_users if case_user.permission_granted_on)
    return (
        f"partnerships: {agreements} agreements (one renewal due within three weeks),"
        f" {len(case_users)} case users ({published} published)"
    )


async def _case_user(
    session: AsyncSession,
    organisation: Organisation,
    products: list[dict[str, str]],
    scale: str,
    story: str,
    published: bool,
    today: date,
) -> CaseUser:
    """The organisation's story, told by up to two accepted activities it took part in; with
    ``published``, the permission its contact granted a month ago, recorded by an admin."""
    case_user = CaseUser(
        organisation_id=organisation.id, products=products, scale=scale, story=story
    )
    if published:
        contact = await session.scalar(
            select(OrganisationContact).where(
                OrganisationContact.organisation_id == organisation.id
            )
        )
        admin = await first_with_role(session, TenantRole.ADMIN)
        case_user.permission_granted_on = today - timedelta(days=30)
        case_user.permission_contact_id = contact.id if contact else None
        case_user.permission_granted_by_name = None if contact else "Their developer relations"
        case_user.permission_recorded_by_id = admin.id if admin else None
    session.add(case_user)
    await session.flush()
    activities = await session.scalars(
        select(Activity.id)
        .where(
            Activity.status == ActivityStatus.ACCEPTED,
            exists().where(
                ActivityOrganisation.tenant_id == Activity.tenant_id,
                ActivityOrganisation.activity_id == Activity.id,
                ActivityOrganisation.organisation_id == organisation.id,
            ),
        )
        .order_by(Activity.starts_at.desc(), Activity.id)
        .limit(2)
    )
    for position, activity_id in enumerate(activities):
        session.add(
            CaseUserActivity(case_user_id=case_user.id, activity_id=activity_id, position=position)
        )
    return case_user

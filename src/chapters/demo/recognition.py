"""Recognition for tenant ``demo``: the titles "Contributor of the Month", "Excellent Author"
and "Open Source Summer Mentor"; two awards with certificates, one to 王小明 (a demo person
with a Chinese name, added here, so the rendering of CJK names shows) and one revoked; the
signatories. Issued through the service as the demo admin and signed with the service's key
(the one `chapters serve` loads), so the printed /verify/… paths verify. Once: a title is the
marker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.auth.keys import SigningKeys, service_signing_keys
from chapters.models import Activity, ActivityParticipant, ActivityStatus, ParticipantRole, Person
from chapters.models.recognition import CertificateBasis, RecognitionTitle
from chapters.people.admin import ensure_person
from chapters.people.service import load_principal
from chapters.recognition import service
from chapters.recognition.signing import Issuer
from chapters.settings import get_settings

ADMIN = "admin@demo.example"
AUTHOR = "member@demo.example"
TITLES = {
    "Contributor of the Month": "For a month of outstanding help to the community",
    "Excellent Author": "For articles our readers keep coming back to",
    "Open Source Summer Mentor": "For mentoring students through a summer of open source",
}


async def seed_recognition(session: AsyncSession, keys: SigningKeys | None = None) -> str:
    """``keys``: the service's signing keys (default: the key file of the settings)."""
    if await session.scalar(select(RecognitionTitle.id).limit(1)) is not None:
        return "recognition already there"
    admin = await session.scalar(select(Person).where(Person.email == ADMIN))
    author = await session.scalar(select(Person).where(Person.email == AUTHOR))
    assert admin is not None and author is not None  # demo accounts
    principal = await load_principal(session, admin)
    settings = get_settings()
    keys = keys or service_signing_keys(settings)
    issuer = Issuer(keys, settings.public_url)
    titles = {
        name: await service.create_title(session, principal, name=name, description=text)
        for name, text in TITLES.items()
    }
    await service.update_settings(session, principal, {"signatories": ["Ada Admin", "Oscar Ops"]})
    wang = await ensure_person(session, email="xiaoming.wang@demo.example", display_name="王小明")
    last_month_end = datetime.now(UTC).date().replace(day=1) - timedelta(days=1)
    contributor = await service.grant_award(
        session,
        principal,
        title_id=titles["Contributor of the Month"].id,
        person_id=wang.id,
        starts_on=last_month_end.replace(day=1),
        ends_on=last_month_end,
        reason="Translated the getting-started guide into Chinese",
        citations=[],
    )
    article = await session.scalar(
        select(Activity.id)
        .join(ActivityParticipant, ActivityParticipant.activity_id == Activity.id)
        .where(
            ActivityParticipant.person_id == author.id,
            ActivityParticipant.role == ParticipantRole.AUTHOR,
            Activity.status == ActivityStatus.ACCEPTED,
        )
        .limit(1)
    )
    cited = [service.RecordRef(CertificateBasis.ACTIVITY, article, "citing")] if article else []
    author_award = await service.grant_award(
        session,
        principal,
        title_id=titles["Excellent Author"].id,
        person_id=author.id,
        starts_on=last_month_end.replace(day=1),
        ends_on=last_month_end,
        reason="Articles on running a chapter",
        citations=cited,
    )
    valid = await service.issue_certificate(session, principal, issuer, award_id=contributor.id)
    revoked = await service.issue_certificate(session, principal, issuer, award_id=author_award.id)
    await service.revoke_certificate(session, principal, revoked.id, "Issued for the wrong month")
    return (
        f"{len(titles)} recognition titles, 2 awards; certificates: /verify/{valid.public_id} "
        f"(王小明, valid), /verify/{revoked.public_id} (revoked)"
    )

"""What the example operations of graphql/operations/recognition need: a title nobody holds,
an award (of another title) with no certificate yet, a valid certificate of another award, and
a past accepted meetup the chapter's lead spoke at (a contribution to certify or cite)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from joserfc.jwk import ECKey, KeySet

from chapters.activities.service import ParticipantEntry
from chapters.api.ids import global_id
from chapters.auth.keys import SigningKeys, generate_signing_key
from chapters.models import ParticipantRole
from chapters.recognition import service
from chapters.recognition.signing import Issuer
from chapters.settings import get_settings
from tests.support import TenantFixture, make_activity, staff_session_call

ADMIN, CONTRIBUTOR = "admin@x.example", "lead@x.example"


async def recognition_placeholders(
    tenant: TenantFixture, owner_engine, chapter_id: uuid.UUID
) -> dict[str, str]:
    contributor = tenant.people[CONTRIBUTOR].id
    talk = await make_activity(
        owner_engine,
        tenant,
        chapter_id,
        staff=ADMIN,
        title="Rust in Production",
        starts_at=datetime.now(UTC).replace(microsecond=0) - timedelta(days=10),
        participants=[ParticipantEntry(role=ParticipantRole.SPEAKER, person_id=contributor)],
    )
    # Signed by a key of its own: the operations read and change it, nobody verifies it here.
    key = generate_signing_key()
    keys = SigningKeys(key, KeySet([ECKey.import_key(key.as_dict(private=False))]))
    issuer = Issuer(keys, get_settings().public_url)

    async def work(session, principal):
        unheld = await service.create_title(
            session, principal, name="Contributor of the Month", description=None
        )
        awards = []
        for name in ("Excellent Author", "Open Source Summer Mentor"):
            title = await service.create_title(session, principal, name=name, description=None)
            awards.append(
                await service.grant_award(
                    session,
                    principal,
                    title_id=title.id,
                    person_id=contributor,
                    starts_on=date(2026, 3, 1),
                    ends_on=date(2026, 3, 31),
                    reason="Two talks",
                    citations=[],
                )
            )
        certificate = await service.issue_certificate(
            session, principal, issuer, award_id=awards[1].id
        )
        return unheld.id, awards[0].id, certificate.id

    title_id, award_id, certificate_id = await staff_session_call(owner_engine, tenant, ADMIN, work)
    return {
        "@recognitionTitleId": global_id("RecognitionTitle", title_id),
        "@awardId": global_id("Award", award_id),
        "@certificateId": global_id("Certificate", certificate_id),
        "@contributionId": global_id("Activity", talk.id),
        "@contributorPersonId": global_id("Person", contributor),
    }

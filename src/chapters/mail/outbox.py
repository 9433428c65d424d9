"""Messages of the confirmation outbox (``chapters.outbox``) sent as mail.

The outbox row keeps the body, with its single-use secret, where the app role cannot read
it; the mail row written here beside it (same transaction) holds the subject and recipient
only. The sender takes the body once, through ``mail_take_outbox_message`` (migration
9c3e5a7b1f42), when it sends the message.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from chapters.mail.kinds import FROM_OUTBOX, OutboxKind
from chapters.mail.service import Draft, queue_mail


def _public_part(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    # what the subject line may show: never the token
    return {"token": "", "expires": "", "new_email": body.get("newEmail", "")}


async def mail_outbox_message(
    session: AsyncSession, outbox_id: uuid.UUID, *, recipient: str, kind: str, body: dict[str, Any]
) -> None:
    if kind not in FROM_OUTBOX:
        return
    person_id = body.get("personId")
    draft = Draft(
        OutboxKind(kind),
        f"outbox:{outbox_id}",
        recipient,
        _public_part(kind, body),
        person_id=uuid.UUID(person_id) if person_id else None,
        outbox_id=outbox_id,
    )
    await queue_mail(session, [draft])

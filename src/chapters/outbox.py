"""Messages to people (confirmation links …), queued in the tenant's ``outbox_messages`` for a
sender that delivers them later.

A message may carry a single-use secret, so it is written with a plain INSERT: no audit entry
copies it, and the app role may add messages but never read them back.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.mail.outbox import mail_outbox_message
from chapters.models import OutboxMessage


async def queue_message(
    session: AsyncSession, tenant_id: uuid.UUID, *, recipient: str, kind: str, body: dict[str, Any]
) -> None:
    message_id = uuid.uuid4()
    await session.execute(
        insert(OutboxMessage).values(
            tenant_id=tenant_id, id=message_id, recipient=recipient, kind=kind, body=body
        )
    )
    # It goes out as mail; the mail row holds no secret (the body is taken when it is sent).
    await mail_outbox_message(session, message_id, recipient=recipient, kind=kind, body=body)

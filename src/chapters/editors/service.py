"""Who the content editors are, and appointing them.

Being an editor is not a tenant role (it is given per person, beside whatever role they hold):
the content services ask ``is_editor`` and pass the answer to the policy (``editor=``), where
``EDITOR`` is a role like the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.session import get_row
from chapters.models import ContentEditor, Person


async def is_editor(session: AsyncSession, principal: Principal | None) -> bool:
    """Whether the caller is a content editor (API clients never are)."""
    if principal is None or principal.client is not None or principal.person_id is None:
        return False
    statement = select(exists().where(ContentEditor.person_id == principal.person_id))
    return bool(await session.scalar(statement))


async def list_editors(
    session: AsyncSession, principal: Principal | None
) -> Sequence[ContentEditor]:
    """The editors, the first appointed first: anyone who may propose an article sees whom
    to ask (people only: partners' clients never see people)."""
    authz.require(principal, Action.ARTICLE_PROPOSE, editor=await is_editor(session, principal))
    statement = select(ContentEditor).order_by(ContentEditor.appointed_at, ContentEditor.id)
    return (await session.scalars(statement)).all()


async def appoint(
    session: AsyncSession, principal: Principal | None, person_id: uuid.UUID
) -> ContentEditor:
    """Make the person an editor (appointing an editor again changes nothing)."""
    caller = authz.require_caller(principal, Action.EDITOR_APPOINT)
    await get_row(session, Person, person_id, "Person", "person_id")
    current = await session.scalar(
        select(ContentEditor).where(ContentEditor.person_id == person_id)
    )
    if current is not None:
        return current
    editor = ContentEditor(person_id=person_id, appointed_by_id=caller.person_id)
    session.add(editor)
    await session.flush()
    return editor


async def remove(session: AsyncSession, principal: Principal | None, person_id: uuid.UUID) -> bool:
    """The person is no longer an editor; whether they were one."""
    authz.require_caller(principal, Action.EDITOR_APPOINT)
    await get_row(session, Person, person_id, "Person", "person_id")
    editor = await session.scalar(select(ContentEditor).where(ContentEditor.person_id == person_id))
    if editor is None:
        return False
    await session.delete(editor)
    await session.flush()
    return True

"""Who the content editors are, as the API reads them.

Anyone who may propose an article (every signed-in person of the tenant, and the editors)
sees who the editors are: whom to ask about their writing. Partners' and service clients see
nothing of them (they are people).
"""

from __future__ import annotations

from sqlalchemy import select

from chapters import authz
from chapters.authz import Action
from chapters.db.loaders import Reader
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.editors.loaders import editors_among
from chapters.models import ContentEditor

EDITOR_ORDER = Ordering((ContentEditor.appointed_at, ContentEditor.id))


async def caller_is_editor(reader: Reader) -> bool:
    """Whether the caller is a content editor (asked once per request)."""
    principal = reader.principal
    if principal is None or principal.client is not None or principal.person_id is None:
        return False
    answer: bool = await reader.loaders.of(editors_among).load(principal.person_id)
    return answer


async def editors(reader: Reader, args: PageArgs) -> Page[ContentEditor]:
    """The content editors, the first appointed first."""
    editor = await caller_is_editor(reader)
    authz.require(reader.principal, Action.ARTICLE_PROPOSE, editor=editor)
    return await paginate(reader.session, select(ContentEditor), EDITOR_ORDER, args)


async def viewer_is_editor(reader: Reader) -> bool | None:
    """Whether the signed-in person is a content editor (None for API clients and anonymous
    callers, who cannot be one)."""
    principal = reader.principal
    if principal is None or principal.person_id is None:
        return None
    return await caller_is_editor(reader)

"""Content editors as the API shows them: who, appointed when and by whom."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry
from strawberry import relay

from chapters.editors import queries
from chapters.models import ContentEditor
from chapters.people.types import PersonType, load_person


@strawberry.type(
    name="ContentEditor",
    description="A person staff appointed to review and publish articles and to edit the "
    "newsletters.",
)
class ContentEditorType:
    appointed_at: datetime
    person_id: strawberry.Private[UUID]
    appointed_by_id: strawberry.Private[UUID | None]

    @classmethod
    def from_model(cls, editor: ContentEditor) -> ContentEditorType:
        return cls(
            appointed_at=editor.appointed_at,
            person_id=editor.person_id,
            appointed_by_id=editor.appointed_by_id,
        )

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.person_id)

    @strawberry.field(description="Who appointed them.")
    async def appointed_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.appointed_by_id)


# An editor is no relay Node (the person is), which strawberry accepts at run time.
@strawberry.type(name="ContentEditorConnection")
class ContentEditorConnection(relay.Connection[ContentEditorType]):  # type: ignore[type-var]
    pass


async def viewer_is_editor(info: strawberry.Info) -> bool | None:
    return await queries.viewer_is_editor(info.context)

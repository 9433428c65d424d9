"""Global ids: the opaque, typed id by which the API names an object (Relay's convention, the
base64 of ``Type:uuid``). Here, below the API layer, because messages name objects by it too
(an invitation's email names the membership to accept); ``chapters.api.ids`` decodes them."""

from __future__ import annotations

import base64
import uuid


def global_id(type_name: str, object_id: uuid.UUID) -> str:
    return base64.b64encode(f"{type_name}:{object_id}".encode()).decode()

"""The typed errors that mutation payloads carry (``api/mutations.py`` runs mutations)."""

from __future__ import annotations

import strawberry

from chapters.errors import ErrorCode, FieldError

ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode")


@strawberry.type(description="A problem with a mutation's input or its permission to run.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, if any.")
    code: ErrorCodeType
    message: str

    @classmethod
    def from_field_error(cls, error: FieldError) -> UserError:
        return cls(field=error.field, code=error.code, message=error.message)

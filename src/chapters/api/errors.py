"""The typed errors that mutation payloads carry (``api/mutations.py`` runs mutations)."""

from __future__ import annotations

from typing import TypeAlias

import strawberry
from strawberry.utils.str_converters import to_camel_case

from chapters.errors import ErrorCode, FieldError

strawberry.enum(ErrorCode, name="ErrorCode")
ErrorCodeType: TypeAlias = ErrorCode  # the class strawberry.enum registered


@strawberry.type(description="A problem with a mutation's input or its permission to run.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, if any.")
    code: ErrorCodeType
    message: str

    @classmethod
    def from_field_error(cls, error: FieldError) -> UserError:
        return cls(field=api_field_name(error.field), code=error.code, message=error.message)


def api_field_name(field: str | None) -> str | None:
    """A service's field path as the API names it: ``links.0.url_text`` is ``links.0.urlText``."""
    if field is None:
        return None
    return ".".join(to_camel_case(part) for part in field.split("."))

"""The typed errors that mutation payloads carry, and helpers to run a mutation safely."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from chapters.errors import DomainError, ErrorCode, FieldError

T = TypeVar("T")

ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode")


@strawberry.type(description="A problem with a mutation's input or its permission to run.")
class UserError:
    field: str | None = strawberry.field(description="The input field at fault, if any.")
    code: ErrorCodeType
    message: str

    @classmethod
    def from_field_error(cls, error: FieldError) -> UserError:
        return cls(field=error.field, code=error.code, message=error.message)


async def run_mutation(
    info: strawberry.Info, work: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Run one mutation in a savepoint: a domain error undoes all of its writes and comes
    back as typed errors; any other exception propagates and the request rolls back."""
    session = info.context.session
    savepoint = await session.begin_nested()
    try:
        result = await work()
    except DomainError as error:
        await savepoint.rollback()
        return None, [UserError.from_field_error(e) for e in error.errors]
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return result, []

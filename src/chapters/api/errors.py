"""The typed errors that mutation payloads carry, and the one way a mutation runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from chapters.audit.recorder import audited
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
    """Run one mutation in a savepoint, audited under the mutation's name: a domain error
    undoes all of its writes and comes back as typed errors; any other exception propagates
    and the whole request rolls back."""
    ctx = info.context
    session = ctx.session
    actor_id = ctx.principal.actor_id if ctx.principal else None
    savepoint = await session.begin_nested()
    try:
        with audited(session, action=info.field_name, actor_id=actor_id, request_id=ctx.request_id):
            result = await work()
            await session.flush()
    except DomainError as error:
        await savepoint.rollback()
        return None, [UserError.from_field_error(e) for e in error.errors]
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return result, []

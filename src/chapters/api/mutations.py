"""How a mutation runs, and when a request's transaction commits: the one place for both.

Every mutation resolver calls :func:`mutate`::

    return await mutate(
        info,
        work,
        present=lambda committee: CommitteePayload(
            committee=CommitteeType.from_model(committee), errors=[]
        ),
        failed=lambda errors: CommitteePayload(committee=None, errors=errors),
    )

``work`` runs in a savepoint, audited under the mutation's name (``audited``). A
:class:`~chapters.errors.DomainError` undoes the savepoint's writes and becomes the payload's
typed errors (``failed``, one :class:`~chapters.api.errors.UserError` per field error); on
success the result is presented (``present``). Any other exception rolls the savepoint back
and propagates.

The commit rule: a request commits when its operation had no errors and rolls back
otherwise. ``RequestOutcome`` (``api/extensions.py``) calls :func:`roll_back_request` when
the result carries GraphQL errors; the request's context manager (``app.graphql_context``)
ends the transaction through :func:`end_request`. Typed errors in a payload are not GraphQL
errors: their savepoint is already undone, the rest of the operation commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry

from chapters.api.errors import UserError
from chapters.audit.recorder import audited
from chapters.errors import DomainError

if TYPE_CHECKING:
    from chapters.api.context import Context

T = TypeVar("T")
P = TypeVar("P")


async def mutate(
    info: strawberry.Info,
    work: Callable[[], Awaitable[T]],
    *,
    present: Callable[[T], P],
    failed: Callable[[list[UserError]], P],
) -> P:
    """Run ``work`` in a savepoint, audited; present its result, or its typed errors."""
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
        return failed([UserError.from_field_error(e) for e in error.errors])
    except BaseException:
        await savepoint.rollback()
        raise
    await savepoint.commit()
    return present(result)


def roll_back_request(context: Any) -> None:
    """The operation had errors: the request's transaction will be rolled back (a context
    without a transaction, as in schema tests, is left alone)."""
    if hasattr(context, "rollback_only"):
        context.rollback_only = True


async def end_request(context: Context) -> None:
    """Commit the request's transaction, unless its operation had errors."""
    if context.rollback_only:
        await context.session.rollback()
    else:
        await context.session.commit()


def given_fields(data: Any, names: Iterable[str]) -> dict[str, Any]:
    """The input's fields among ``names`` that the caller gave (left out: UNSET), for a
    service's fields dataclass: ``Fields(**given_fields(input, Fields.__dataclass_fields__))``."""
    return {
        name: getattr(data, name)
        for name in names
        if getattr(data, name, strawberry.UNSET) is not strawberry.UNSET
    }

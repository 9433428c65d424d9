"""The hook of the compiled read path (``chapters.compiled``): a schema extension that, once
the document was parsed, limited, costed and validated and its variables coerced (the
extensions before it), and the request authenticated in its tenant-bound transaction (the
context), answers a covered query with one SQL statement instead of executing its fields.
Anything it does not cover is executed as usual. ``CHAPTERS_COMPILED_READS`` switches it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionContext

from chapters import compiled
from chapters.api.extensions import is_database_unavailable

log = logging.getLogger("chapters.compiled")


class CompiledReads(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.result is None and context.query and _enabled(context.context):
            result = await _compiled(context)
            if result is not None:
                context.result = result  # graphql-core does not execute the fields
        yield


async def _compiled(context: ExecutionContext) -> ExecutionResult | None:
    """The operation's result from the compiled statement; None: the resolvers answer."""
    request: Any = context.context
    assert context.graphql_document is not None and context.query is not None
    # The name the request gave (strawberry's own falls back on the first operation).
    operation_name = getattr(context, "_provided_operation_name", context.operation_name)
    try:
        data = await compiled.answer(
            schema=context.schema._schema,
            query=context.query,
            document=context.graphql_document,
            operation_name=operation_name,
            variables=context.variables,
            reader=request,
            tenant_id=request.tenant.id,
        )
    except Exception as error:
        if is_database_unavailable(error):  # as when a resolver meets it: a 503
            return ExecutionResult(None, [GraphQLError(str(error), original_error=error)])
        # A statement the database refused, or a bug of the compiler: nothing was written
        # (a query); the resolvers answer it in a fresh transaction.
        log.error("compiled read failed; executing it instead", exc_info=error)
        await request.session.rollback()
        return None
    if data is None:
        return None
    # Validated under this app's limits and compiled: the front answers it from now on.
    request.request.app.state.runtime.known_reads.put(
        (context.query, operation_name), context.graphql_document
    )
    return ExecutionResult(data, None)


def _enabled(request_context: object) -> bool:
    """Compiled reads are on for the app serving the request (its settings)."""
    request = getattr(request_context, "request", None)
    runtime = getattr(request.app.state, "runtime", None) if request is not None else None
    return (
        runtime is not None
        and runtime.settings.compiled_reads
        and hasattr(request_context, "session")
    )

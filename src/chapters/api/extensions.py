"""Schema extensions: document limits, caches and what a request's errors mean for its
transaction and its HTTP status."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import asyncpg
from graphql import GraphQLError, get_operation_ast
from graphql.execution.values import get_variable_values
from graphql.validation.validate import ValidationAbortedError
from sqlalchemy import exc as sa_exc
from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.types.execution import ExecutionContext, PreExecutionError

from chapters.api.errors import api_field_name
from chapters.api.limits import (
    VALIDATION_BUDGET,
    DocumentPolicy,
    cost_report,
    document_errors,
    operation_cost,
)
from chapters.api.mutations import roll_back_request
from chapters.errors import DomainError
from chapters.observability.record import current as current_request
from chapters.settings import Settings

log = logging.getLogger("chapters.graphql")

MASKED_MESSAGE = "Unexpected error."
UNAVAILABLE_MESSAGE = "The database is unavailable; retry later."
RETRY_AFTER_SECONDS = 1
# SQLSTATE classes and codes that mean "the database cannot serve now", not "bad request":
# connection exceptions, insufficient resources, operator intervention (shutdown, restart,
# statement_timeout).
UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57")
# graphql-core's own cap on the errors of one request's variables.
MAX_VARIABLE_ERRORS = 50


def is_database_unavailable(error: BaseException) -> bool:
    """The failure is the database's (unreachable, pool exhausted, shutting down, timed out):
    the caller should retry later (503), nothing is wrong with the request."""
    if isinstance(error, sa_exc.TimeoutError | OSError | TimeoutError):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None) or ""
        return error.connection_invalidated or sqlstate.startswith(UNAVAILABLE_SQLSTATE_PREFIXES)
    # the driver's own errors, from the compiled reads' pool (``db.read_pool``)
    if isinstance(error, asyncpg.ConnectionDoesNotExistError):
        return True
    if isinstance(error, asyncpg.PostgresError):
        return (error.sqlstate or "").startswith(UNAVAILABLE_SQLSTATE_PREFIXES)
    return False


class DocumentLimits(SchemaExtension):
    """The parser's token limit, then depth, aliases, expanded size and cost
    (``api/limits.py``), then validation with the app's rules, cached; before execution, the
    variables are coerced, so a request error never starts executing. The limits come from
    the settings of the app serving the request: the schema is built once per process, apps
    differ (tests, ``CHAPTERS_ENV``). Every response reports the cost in
    ``extensions.cost``: ``requested`` (0 for a document that does not parse), ``limit``, and
    ``actual`` (objects in the answer) once the operation ran."""

    def __init__(self, default: DocumentPolicy) -> None:
        self.policy = default
        self.requested_cost = 0

    def on_operation(self) -> Iterator[None]:
        settings = _app_settings(self.execution_context.context)
        if settings is not None:
            self.policy = DocumentPolicy.of(settings)
        self.execution_context.parse_options["max_tokens"] = self.policy.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None  # validation comes after parsing
        schema = context.schema._schema
        self.requested_cost = operation_cost(
            document, schema, context.variables, context.operation_name
        )
        errors = document_errors(document, schema, self.policy, self.requested_cost)
        context.pre_execution_errors = [_explained(error) for error in errors]
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        errors = _request_errors(context)
        if errors:  # a request error: nothing executes (GraphQL over HTTP: a 400)
            context.result = PreExecutionError(data=None, errors=errors)
        yield

    def get_results(self) -> dict[str, object]:
        result = self.execution_context.result
        data = result.data if result is not None else None
        return {"cost": cost_report(self.requested_cost, self.policy, data)}


def _request_errors(context: ExecutionContext) -> list[GraphQLError]:
    """Why the operation cannot start: it cannot be chosen, or its variables cannot be
    coerced (as execution will, which then does it again, cheaply)."""
    # The name the request gave: Strawberry's ``operation_name`` falls back on the document's
    # first operation, where GraphQL's GetOperation() refuses to guess among several.
    requested = getattr(context, "_provided_operation_name", context.operation_name)
    assert context.graphql_document is not None  # execution comes after parsing
    operation = get_operation_ast(context.graphql_document, requested)
    if operation is None:  # several operations and no operationName: none can be chosen
        return [GraphQLError("Must provide operation name if query contains multiple operations.")]
    if not operation.variable_definitions:
        return []
    coerced = get_variable_values(
        context.schema._schema,
        operation.variable_definitions,
        context.variables or {},
        max_errors=MAX_VARIABLE_ERRORS,
    )
    return coerced if isinstance(coerced, list) else []


def _app_settings(context: object) -> Settings | None:
    request = getattr(context, "request", None)
    runtime = getattr(request.app.state, "runtime", None) if request is not None else None
    return runtime.settings if runtime is not None else None


def _explained(error: GraphQLError) -> GraphQLError:
    if isinstance(error, ValidationAbortedError):
        return GraphQLError(
            f"The document is too complex to validate (more than {VALIDATION_BUDGET} "
            "units of work comparing its fields); simplify or split it."
        )
    return error


class RequestOutcome(SchemaExtension):
    """After an operation: roll the request back if anything failed, give domain errors a
    code, mask unexpected exceptions (logged here with their traceback), and choose the HTTP
    status: 400 for a document refused before execution, 503 when the database failed."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError:  # a syntax error, raised through the parser cache's hook
            self._set_status(400)
            raise
        result = self.execution_context.result
        _observed(self.execution_context)
        if result is None or not result.errors:
            return
        roll_back_request(self.execution_context.context)
        if isinstance(result, PreExecutionError):
            self._set_status(400)
        if any(_caused_by_database(error) for error in result.errors):
            result.data = None
            result.errors = [GraphQLError(UNAVAILABLE_MESSAGE, extensions={"code": "UNAVAILABLE"})]
            self._set_status(503, {"Retry-After": str(RETRY_AFTER_SECONDS)})
            return
        result.errors = [self._present(error) for error in result.errors]

    def _set_status(self, status: int, headers: dict[str, str] | None = None) -> None:
        response = getattr(self.execution_context.context, "response", None)
        if response is not None:
            response.status_code = status
            response.headers.update(headers or {})

    @staticmethod
    def _present(error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return error
        if isinstance(original, DomainError):
            first = original.errors[0]
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                path=error.path,
                original_error=None,
                extensions={"code": first.code.value, "field": api_field_name(first.field)},
            )
        log.error("unexpected error in %s", error.path, exc_info=original)
        return GraphQLError(
            MASKED_MESSAGE,
            nodes=error.nodes,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL"},
        )


def _observed(context: ExecutionContext) -> None:
    """What the request's record says of the operation: its name and type as the document
    defines them (never a name the client sent that the document lacks), and its errors."""
    record = current_request()
    if record is None:
        return
    document = context.graphql_document
    operation = get_operation_ast(document, context.operation_name) if document else None
    if operation is not None:
        name = operation.name.value if operation.name else None
        record.named(name, operation.operation.value)
    if context.result is not None and context.result.errors:
        record.graphql_errors += len(context.result.errors)


def _caused_by_database(error: GraphQLError) -> bool:
    original = error.original_error
    if original is not None and is_database_unavailable(original):
        log.warning("database unavailable in %s: %s", error.path, original)
        return True
    return False


def build_extensions(settings: Settings) -> list:
    default_policy = DocumentPolicy.of(settings)
    return [
        lambda: DocumentLimits(default_policy),
        lambda: ParserCache(maxsize=1024),
        RequestOutcome,
    ]

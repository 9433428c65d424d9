"""The front door of compiled reads: an ASGI middleware on the GraphQL route that answers a POST
of a query this app already validated and compiled, without Strawberry and graphql-core.

Strawberry answers a document the first time (parsing, the document limits, validation, the
compiled statement through ``api.compiled_reads``); once it answered one with the compiled
statement, the document is *known* to this app (``KnownReads``, bounded, by query text and
operation name). The next request of a known document skips the per-request GraphQL machinery
that cannot change its outcome -- parsing, validation and per-field execution -- and keeps
everything that can: the media types, the body limits, the request id, the cost of *its*
variables, the tenant, the bearer token, the caller's rights (inside the statement, as on the
Strawberry path). The answer is the same bytes the Strawberry path sends; the differential
tests hold both to it.

Anything else goes on to Strawberry, unchanged, with the body it already read: another method,
batches, an unknown document, bad input of any kind (Strawberry says what is wrong), a token
that does not verify, a request the compiler hands back (its transaction rolled back first).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
)
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.serialization import encode_json
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chapters import compiled
from chapters.api.extensions import is_database_unavailable
from chapters.api.graphql_http import (
    NotAcceptable,
    UnsupportedMediaType,
    check_request_content_type,
    content_type,
    response_media_type,
)
from chapters.api.limits import (
    DocumentPolicy,
    RejectedInput,
    checked_request_id,
    cost_errors,
    cost_report,
    decode_request_json,
    document_errors,
    operation_cost,
)
from chapters.api.replica_reads import caller_named
from chapters.api.trusted_documents import UnusableDocument, trusted_documents, with_trusted_query
from chapters.auth.bearer import OtherCaller, client_principal, own_token_claims
from chapters.auth.principal import KnownPrincipals, Principal
from chapters.auth.tokens import AccessClaims
from chapters.clients.service import active_client_statement, client_fingerprint
from chapters.compiled.plan import Plan
from chapters.compiled.run import Built
from chapters.db.read_pool import PreconditionUnmet, ReadPool
from chapters.db.replica import (
    Replica,
    WritesUnknown,
    is_unreachable,
    replayed,
    replayed_precondition,
)
from chapters.lru import LRU
from chapters.observability import metrics, traces
from chapters.observability.record import current as current_request
from chapters.people.service import principal_fingerprint, principal_from, principal_statement
from chapters.tenancy import bind_connection

log = logging.getLogger("chapters.compiled")

KNOWN_READS = 1024  # documents per app


class KnownReads(LRU[tuple[str, str | None], DocumentNode]):
    """The documents this app answered with a compiled statement, by query text and the
    operation name the request gave: each passed this app's limits and validation."""

    def __init__(self, size: int = KNOWN_READS) -> None:
        super().__init__(size)


def learn_trusted_documents(
    known: KnownReads, schema: GraphQLSchema, policy: DocumentPolicy
) -> int:
    """Make the trusted documents (``api.trusted_documents``) that are covered queries known
    before any request: parsed, held to the app's limits, validated and planned once. How
    many became known."""
    learnt = 0
    for query in trusted_documents().values():
        try:
            document = _parsed(query, policy.max_tokens)
        except GraphQLError:
            continue
        if document_errors(document, schema, policy, requested_cost=0):
            continue  # (a request's cost is checked with its variables)
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        names = [op.name.value if op.name else None for op in operations]
        for name in (*names, None) if len(operations) == 1 else names:
            if compiled.plan_for(schema, query, document, name) is not None:
                known.put((query, name), document)
                learnt += 1
    return learnt


@cache  # one document per text: every app validates and plans it once
def _parsed(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


@dataclass(frozen=True)
class _Request:
    """A POST body naming a known document, with what its answer needs."""

    query: str
    operation_name: str | None
    variables: Mapping[str, Any] | None
    document: DocumentNode
    media_type: str
    request_id: str | None


def compiled_front(app: ASGIApp) -> ASGIApp:
    """The middleware (``create_app`` puts it on the GraphQL route)."""

    async def front(scope: Scope, receive: Receive, send: Send) -> None:
        runtime = getattr(scope["app"].state, "runtime", None)
        if (
            scope["type"] != ScopeType.HTTP
            or scope.get("method") != "POST"
            or runtime is None
            or not runtime.settings.compiled_reads
        ):
            await app(scope, receive, send)
            return
        received, complete = await _read_body(receive, runtime.settings.max_body_bytes)
        answer = await _answered(scope, received, runtime) if complete else None
        if answer is None:
            read = {"type": "http.request", "body": received, "more_body": not complete}
            await app(scope, _replaying(read, receive), send)
            return
        body, media_type = answer
        headers = [(b"content-type", media_type.encode()), (b"content-length", b"%d" % len(body))]
        start: Any = {"type": "http.response.start", "status": 200, "headers": headers}
        await send(start)
        end: Any = {"type": "http.response.body", "body": body}
        await send(end)

    return front


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The body, if it arrives whole within ``limit`` bytes (complete), else what was read."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: Litestar sees it too
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks), False
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replaying(first: dict[str, Any], receive: Receive) -> Any:
    """``receive`` that first gives back what the front already read."""
    pending = [first]

    async def replay() -> Any:
        return pending.pop() if pending else await receive()

    return replay


async def _answered(scope: Scope, body: bytes, runtime: Any) -> tuple[bytes, str] | None:
    """The response body and media type of a known, covered request; None: Strawberry's."""
    headers = Headers.from_scope(scope)
    request = _known_request(headers, body, runtime)
    if request is None:
        return None
    with traces.operation_span(compiled=True):
        settings = runtime.settings
        schema: GraphQLSchema = runtime.graphql_schema
        policy = DocumentPolicy.of(settings)
        cost = operation_cost(request.document, schema, request.variables, request.operation_name)
        if cost_errors(cost, policy):  # Strawberry's path says so
            return None
        slug = scope["path_params"]["tenant_slug"]
        tenant = await runtime.directory.find(slug)
        if tenant is None:
            return None
        data = await _data(headers, runtime, tenant.id, request)
        if data is None:
            return None
        result = {"data": data, "extensions": {"cost": cost_report(cost, policy, data)}}
        _observed(request, slug)
        metrics.count_token(
            metrics.TOKEN_VALID if "authorization" in headers else metrics.TOKEN_NONE
        )
        return encode_json(result), content_type(request.media_type)


def _observed(request: _Request, tenant_slug: str) -> None:
    """What the request's record says of a read this front door answered."""
    record = current_request()
    if record is not None:
        record.request_id = request.request_id
        record.tenant = tenant_slug
        record.named(_operation_name(request), "query")


def _operation_name(request: _Request) -> str | None:
    if request.operation_name is not None:
        return request.operation_name
    operation = get_operation_ast(request.document)  # known without a name: it has one
    return operation.name.value if operation is not None and operation.name else None


def _known_request(headers: Headers, body: bytes, runtime: Any) -> _Request | None:
    try:
        check_request_content_type(headers.get("content-type"))
        media_type = response_media_type(headers.get("accept"))
        request_id = checked_request_id(headers.get("x-request-id"))
        payload = decode_request_json(body)
    except (UnsupportedMediaType, NotAcceptable, RejectedInput):
        return None
    if not isinstance(payload, dict):
        return None
    try:
        payload = with_trusted_query(payload)
    except UnusableDocument:
        return None
    query, variables = payload.get("query"), payload.get("variables")
    operation_name = payload.get("operationName") or None  # "" is the same as omitted
    if (
        not isinstance(query, str)
        or not (variables is None or isinstance(variables, dict))
        or not (operation_name is None or isinstance(operation_name, str))
        or set(payload) - {"query", "variables", "operationName", "extensions"}
    ):
        return None
    document = runtime.known_reads.get((query, operation_name))
    if document is None:
        return None
    return _Request(query, operation_name, variables, document, media_type, request_id)


async def _data(
    headers: Headers, runtime: Any, tenant_id: uuid.UUID, request: _Request
) -> dict[str, Any] | None:
    """The compiled statement's ``data``: on the replica when one is configured and has
    replayed the caller's latest write (``db.replica``), else on the primary."""
    try:
        claims = own_token_claims(headers, runtime.verifiers, tenant_id)
    except OtherCaller:
        return None
    plan = compiled.plan_for(
        runtime.graphql_schema, request.query, request.document, request.operation_name
    )
    if plan is None:
        return None
    caller = None if claims is None else _Caller(tenant_id, claims)
    replica: Replica | None = runtime.replica
    if replica is not None and not replica.resting:
        try:
            who = (
                None
                if claims is None
                else caller_named(tenant_id, claims, headers["authorization"])
            )
            latest = await replica.latest_write(who)
            reads = _Reads(replica.read_pool, replica.engine, latest, on_replica=True)
            return await _data_from(reads, runtime, tenant_id, request, plan, caller)
        except (WritesUnknown, PreconditionUnmet):
            pass  # the caller's latest write is not there yet: the primary answers
        except Exception as error:
            if not is_unreachable(error):
                raise
            replica.failed(error)
    primary = _Reads(runtime.read_pool, runtime.engine)
    return await _data_from(primary, runtime, tenant_id, request, plan, caller)


@dataclass(frozen=True)
class _Reads:
    """Where the front door reads: the primary's pool and engine, or the replica's, where
    it waits for the caller's latest write (``replayed``)."""

    pool: ReadPool
    engine: AsyncEngine
    replayed: int | None = None
    on_replica: bool = False

    @property
    def precondition(self) -> tuple[str, tuple[Any, ...]] | None:
        return None if self.replayed is None else replayed_precondition(self.replayed)


async def _data_from(
    reads: _Reads,
    runtime: Any,
    tenant_id: uuid.UUID,
    request: _Request,
    plan: Plan,
    caller: _Caller | None,
) -> dict[str, Any] | None:
    """For a caller this process knows (its principal read for an earlier request), or no
    caller, one statement that binds the tenant itself, with a guard that finds the principal
    unchanged (a stale one is forgotten: Strawberry's path answers). A caller met for the
    first time is read first, in a transaction bound to the tenant that then runs the
    statement: BEGIN, the tenant, the caller, the statement, COMMIT. On the replica, a
    failure to reach it is raised (the primary answers)."""
    principals: KnownPrincipals = runtime.known_principals
    try:
        known = None if caller is None else principals.get(caller.key)
        if caller is not None and known is None:
            return await _data_reading_caller(reads, runtime, tenant_id, request, plan, caller)
        bound = await _prepared(runtime, tenant_id, request, plan, caller, known)
        if bound is None:
            return None
        return await compiled.run_alone(reads.pool, *bound, tenant_id, reads.precondition)
    except compiled.Stale:
        assert caller is not None
        principals.pop(caller.key)
        return None
    except PreconditionUnmet:
        raise
    except Exception as error:  # Strawberry's path answers it, or says what failed
        if reads.on_replica and is_unreachable(error):
            raise
        if not is_database_unavailable(error):
            log.error("compiled read failed; executing it instead", exc_info=error)
        return None


async def _data_reading_caller(
    reads: _Reads,
    runtime: Any,
    tenant_id: uuid.UUID,
    request: _Request,
    plan: Plan,
    caller: _Caller,
) -> dict[str, Any] | None:
    async with reads.engine.connect() as connection, connection.begin():
        if reads.replayed is not None and not await replayed(connection, reads.replayed):
            raise PreconditionUnmet()
        await bind_connection(connection, tenant_id)
        known = await caller.read(connection)
        if known is None:
            return None  # no such caller: Strawberry's path refuses the token
        runtime.known_principals.put(caller.key, known)
        bound = await _prepared(runtime, tenant_id, request, plan, caller, known)
        return None if bound is None else await compiled.run(connection, *bound)


async def _prepared(
    runtime: Any,
    tenant_id: uuid.UUID,
    request: _Request,
    plan: Plan,
    caller: _Caller | None,
    known: tuple[Principal, str] | None,
) -> tuple[Built, tuple[Any, ...]] | None:
    """The request's statement and parameters (``compiled.prepare``) for the caller's
    principal, guarded by its fingerprint."""
    principal = None if known is None else known[0]
    guard = None if caller is None or known is None else caller.unchanged(known[1])
    return await compiled.prepare(
        plan,
        runtime.graphql_schema,
        request.variables,
        _Reader(principal),
        tenant_id,
        runtime.engine.dialect,
        guard,
    )


@dataclass(frozen=True)
class _Caller:
    """Who a verified own token names, and how the front door reads and checks them."""

    tenant_id: uuid.UUID
    claims: AccessClaims

    @property
    def is_client(self) -> bool:
        return self.claims.client_kind is not None

    @property
    def key(self) -> Hashable:
        """A person is one principal; a client's depends on the scopes its token carries."""
        if self.is_client:
            claims = self.claims
            return (self.tenant_id, claims.client_id, claims.client_kind, claims.scope)
        return (self.tenant_id, uuid.UUID(self.claims.subject))

    async def read(self, connection: AsyncConnection) -> tuple[Principal, str] | None:
        if self.is_client:
            statement = active_client_statement(self.tenant_id, self.claims.client_id)
            row = (await connection.execute(statement)).first()
            principal = client_principal(self.claims, self.tenant_id, row)
            return None if principal is None or row is None else (principal, row[-1])
        subject = uuid.UUID(self.claims.subject)
        rows = (await connection.execute(principal_statement(self.tenant_id, subject))).all()
        return principal_from(rows) if rows else None

    def unchanged(self, fingerprint: str) -> Callable[[], ColumnElement[bool]]:
        if self.is_client:
            client_id = self.claims.client_id
            return lambda: client_fingerprint(self.tenant_id, client_id) == fingerprint
        person_id = uuid.UUID(self.claims.subject)
        return lambda: principal_fingerprint(self.tenant_id, person_id) == fingerprint


@dataclass(frozen=True)
class _Reader:
    """What a compiled statement's build reads of the request: the caller. A build that would
    read the database as well is not for the front door (Strawberry's path runs it)."""

    principal: Principal | None

    @property
    def session(self) -> Any:
        raise compiled.Fallback("the build reads the database")

    @property
    def loaders(self) -> Any:
        raise compiled.Fallback("the build reads the database")

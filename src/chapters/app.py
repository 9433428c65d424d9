"""The HTTP application: GraphQL per tenant, health, readiness and the public JWKS."""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import uuid
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import strawberry
from cross_web import AsyncHTTPRequestAdapter
from cross_web import HTTPException as GraphQLHTTPException
from graphql import GraphQLSchema, OperationType
from litestar import Litestar, MediaType, Request, Response, Router, get, post
from litestar.background_tasks import BackgroundTasks
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
)
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS, HTTP_503_SERVICE_UNAVAILABLE
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from strawberry.http import GraphQLRequestData
from strawberry.litestar import make_graphql_controller
from strawberry.litestar.controller import GraphQLController
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from chapters.api.compiled_front import KnownReads, compiled_front, learn_trusted_documents
from chapters.api.context import Context
from chapters.api.extensions import (
    RETRY_AFTER_SECONDS,
    UNAVAILABLE_MESSAGE,
    is_database_unavailable,
)
from chapters.api.graphiql import graphiql_assets, graphiql_page
from chapters.api.graphql_http import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
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
    decode_request_json,
)
from chapters.api.mutations import end_request
from chapters.api.replica_reads import caller_of, requested_operation
from chapters.api.schema import schema
from chapters.api.trusted_documents import UnusableDocument, requested_query
from chapters.auth.bearer import Verifiers, authenticate
from chapters.auth.keys import (
    SigningKeys,
    install_service_keys,
    service_signing_keys,
)
from chapters.auth.oauth_server import (
    MalformedCredentials,
    invalid_client_response,
    issue_client_token,
    requested_client_id,
    tenant_slug_of,
)
from chapters.auth.oidc import JwksCache, provider_http_client
from chapters.auth.principal import KnownPrincipals
from chapters.auth.ratelimit import FailureLimiter, token_failure_limiter
from chapters.clients import service as access_service
from chapters.db.admin import resolve_urls
from chapters.db.loaders import Loaders
from chapters.db.migrations import current_revisions, head_revisions
from chapters.db.read_pool import ReadPool
from chapters.db.replica import ON_REPLICA, Replica, is_read_only_refusal, session_wrote
from chapters.db.session import (
    SerializedSession,
    create_engine,
    open_tenant_session,
    tenant_sessionmaker,
)
from chapters.exports.routes import ExportController
from chapters.feeds import routes as feed_routes
from chapters.insight.report_routes import QuarterlyReportController
from chapters.mail import routes as mail_routes
from chapters.observability import metrics, traces
from chapters.observability.middleware import observe_requests
from chapters.observability.record import current as current_request
from chapters.observability.record import new_request_id
from chapters.recognition import routes as recognition_routes
from chapters.registrations import routes as registration_routes
from chapters.settings import Settings, get_settings
from chapters.tenants.directory import TenantDirectory
from chapters.validation import is_storable

log = logging.getLogger("chapters.http")

GRAPHQL_PATH = "/t/{tenant_slug:str}/graphql"


@dataclass
class Runtime:
    """What the app holds for its lifetime, on ``app.state.runtime``."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[SerializedSession]
    directory: TenantDirectory
    verifiers: Verifiers
    head_revisions: set[str]
    token_limiter: FailureLimiter
    graphql_schema: GraphQLSchema
    known_reads: KnownReads
    known_principals: KnownPrincipals
    read_pool: ReadPool
    # The streaming replica of DATABASE_REPLICA_URL (None: everything on the primary).
    replica: Replica | None = None

    @property
    def keys(self) -> SigningKeys:
        return self.verifiers.keys


def _runtime(connection: ASGIConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime


def _tenant_context(
    reads_on_replica: bool,
) -> Callable[[ASGIConnection, str], AsyncGenerator[Context, None]]:
    """The dependency that gives a request its ``Context``: one tenant-bound session and
    transaction per request, committed when the operation succeeded, rolled back on any
    error. With ``reads_on_replica``, a query reads on the replica when one is configured
    (``db.replica``); everything else runs on the primary.

    The body is read first (bounded by ``max_body_bytes``): a client that sends it slowly
    must not hold a pooled connection and an open transaction while we wait for it."""

    async def context(request: ASGIConnection, tenant_slug: str) -> AsyncGenerator[Context, None]:
        runtime = _runtime(request)
        request_id = _request_id(request)
        # cached on the request; Strawberry reads it from there
        body = await request.body() if isinstance(request, Request) else b""
        if not is_storable(tenant_slug):
            raise NotFoundException(detail="No such tenant")
        tenant = await runtime.directory.find(tenant_slug)
        if tenant is None:
            raise NotFoundException(detail=f"No tenant {tenant_slug!r}")
        _observed(request_id, tenant_slug)
        reading = (
            None
            if runtime.replica is None
            else _ReplicaReading.of(
                runtime.replica, request, body, runtime, tenant.id, reads_on_replica
            )
        )
        session = await reading.session(tenant.id) if reading else None
        if session is None:
            session = open_tenant_session(runtime.sessionmaker, tenant.id)
        try:
            try:
                principal = await authenticate(
                    request.headers, runtime.verifiers, tenant.id, session
                )
            except DBAPIError as error:
                if not (session.info.get(ON_REPLICA) and is_read_only_refusal(error)):
                    raise
                # A first sign-in links its identity to a person: a write, on the primary.
                await session.close()
                session = open_tenant_session(runtime.sessionmaker, tenant.id)
                principal = await authenticate(
                    request.headers, runtime.verifiers, tenant.id, session
                )
            context = Context(
                session=session,
                tenant=tenant,
                principal=principal,
                loaders=Loaders(session),
                request_id=request_id,
            )
            yield context
            await end_request(context)
            if reading is not None and not context.rollback_only:
                await reading.committed(session)
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()

    return context


# The GraphQL route's context: its queries may read on the replica.
graphql_context = _tenant_context(reads_on_replica=True)
# The tenant's other routes (exports, feeds, mail, registrations): always on the primary.
route_context = _tenant_context(reads_on_replica=False)


@dataclass(frozen=True)
class _ReplicaReading:
    """A request of an app with a read replica: its caller, and whether it may read there."""

    replica: Replica
    caller: str | None
    operation: OperationType | None

    @classmethod
    def of(
        cls,
        replica: Replica,
        request: ASGIConnection,
        body: bytes,
        runtime: Runtime,
        tenant_id: uuid.UUID,
        graphql_route: bool,
    ) -> _ReplicaReading:
        operation = (
            requested_operation(request, body, runtime.settings.graphql_max_tokens)
            if graphql_route and isinstance(request, Request)
            else None
        )
        return cls(replica, caller_of(request.headers, runtime.verifiers, tenant_id), operation)

    async def session(self, tenant_id: uuid.UUID) -> SerializedSession | None:
        """A session on the replica, when this request may and can read there."""
        if self.operation is not OperationType.QUERY:
            return None
        return await self.replica.session(tenant_id, self.caller)

    async def committed(self, session: SerializedSession) -> None:
        """The request committed: a write on the primary is one its caller must read back."""
        wrote = self.operation is OperationType.MUTATION or session_wrote(session)
        if self.caller is not None and wrote and not session.info.get(ON_REPLICA):
            await self.replica.wrote(self.caller)


def _observed(request_id: str, tenant_slug: str) -> None:
    record = current_request()
    if record is not None:
        record.request_id, record.tenant = request_id, tenant_slug


def _request_id(request: ASGIConnection) -> str:
    try:
        return checked_request_id(request.headers.get("x-request-id")) or new_request_id()
    except RejectedInput as error:
        raise ClientException(detail=str(error)) from None


def _response_without_thread_hop() -> Response:
    # Strawberry provides this with sync_to_thread=True: a thread-pool hop on every request.
    return Response({}, background=BackgroundTasks([]))


def _graphql_controller(settings: Settings, graphql_schema: strawberry.Schema) -> type:
    """Strawberry's controller for ``graphql_schema`` (its routes, schema and context), held
    to GraphQL over HTTP by ``_GraphQLOverHttp``."""
    base = make_graphql_controller(
        graphql_schema,
        path=GRAPHQL_PATH,
        context_getter=graphql_context,
        graphql_ide="graphiql" if settings.graphiql else None,
        # No subscriptions: a socket would hold a session and a transaction for its life.
        subscription_protocols=(),
    )
    dependencies = {
        **base.dependencies,
        "response": Provide(_response_without_thread_hop, sync_to_thread=False),
    }
    return type(
        "GraphQLController",
        (_GraphQLOverHttp, base),
        {"dependencies": dependencies, "middleware": [compiled_front]},
    )


class _GraphQLOverHttp(GraphQLController):
    """Strawberry's controller held to GraphQL over HTTP (``api/graphql_http.py``)."""

    # No WebSocket route at all: an upgrade is refused before it is accepted.
    websocket_endpoint = None  # type: ignore[assignment]  # removes the route Litestar reads

    def decode_json(self, data: str | bytes) -> object:
        try:
            return decode_request_json(data)
        except RejectedInput as error:
            raise GraphQLHTTPException(400, str(error)) from None

    async def execute_request(
        self, request: Request, context: Any, root_value: Any
    ) -> Response[Any]:
        page = self.should_render_graphql_ide(self.request_adapter_class(request))
        media_type = JSON if page else _negotiated(request)
        token = _response_media_type.set(media_type)
        try:
            if request.method == "POST":
                _check_body_media_type(request)
            response: Response[Any] = await self.run(request, context, root_value)
            return response
        except GraphQLHTTPException as error:
            return _request_error(error.status_code, error.reason, media_type)
        finally:
            _response_media_type.reset(token)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData):
            if data.operation_name == "":
                data.operation_name = None  # the specification: "" is the same as omitted
            try:
                query = requested_query(data.query, data.extensions)
            except UnusableDocument as error:
                raise GraphQLHTTPException(400, str(error)) from None
            data.query = query if isinstance(query, str) else data.query
        return data

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            with traces.operation_span():
                return await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
        except GraphQLHTTPException as error:
            if request_adapter.method == "GET" and _is_invalid_operation_type(error):
                raise GraphQLHTTPException(405, "Mutations are sent with POST.") from None
            raise

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        media_type = _response_media_type.get()
        status = sub_response.status_code or 200
        if media_type == GRAPHQL_RESPONSE_JSON and status >= 400:
            # A request error: no data entry, so a client can tell it never executed.
            response_data = {k: v for k, v in response_data.items() if k != "data"}
        response = super().create_response(response_data, sub_response)
        response.media_type = content_type(media_type)
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_page(request)


# The media type negotiated for the request being answered (read where the response is made).
_response_media_type: ContextVar[str] = ContextVar("response_media_type", default=JSON)


def _negotiated(request: Request) -> str:
    """The response's media type (else a 406)."""
    try:
        return response_media_type(request.headers.get("accept"))
    except NotAcceptable as error:
        raise HTTPException(status_code=406, detail=str(error)) from None


def _check_body_media_type(request: Request) -> None:
    try:
        check_request_content_type(request.headers.get("content-type"))
    except UnsupportedMediaType as error:
        raise GraphQLHTTPException(415, str(error)) from None


def _is_invalid_operation_type(error: GraphQLHTTPException) -> bool:
    return isinstance(error.__cause__, InvalidOperationTypeError)


def _request_error(status: int, reason: str, media_type: str) -> Response:
    """A request refused before GraphQL could answer it: with graphql-response+json, a GraphQL
    response without data; with application/json, this service's JSON error (as on every
    other route)."""
    headers = {"Allow": "POST"} if status == 405 else {}
    if media_type == GRAPHQL_RESPONSE_JSON:
        return Response(
            {"errors": [{"message": reason}]},
            status_code=status,
            headers=headers,
            media_type=content_type(media_type),
        )
    raise HTTPException(status_code=status, detail=reason, headers=headers)


def _within_deadline(seconds: int) -> Callable[[ASGIApp], ASGIApp]:
    """ASGI middleware: every HTTP request starts its answer within ``seconds`` (reading its
    body included), else is cancelled (its transaction rolls back) and answered 503. Once the
    answer has started, a streamed body (an export) takes the time it needs: the export's own
    statement timeout bounds it."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def deadline(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            try:
                async with asyncio.timeout(seconds) as limit:

                    async def send_started(message: Message) -> None:
                        if message["type"] == "http.response.start":
                            limit.reschedule(None)
                        await send(message)

                    await app(scope, receive, send_started)
            except TimeoutError:
                raise HTTPException(
                    status_code=HTTP_503_SERVICE_UNAVAILABLE,
                    detail=f"The request was not answered within {seconds} s.",
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                ) from None

        return deadline

    return middleware


@get("/healthz", media_type=MediaType.JSON)
async def healthz() -> dict[str, str]:
    """The process is alive (it does not touch the database)."""
    return {"status": "ok"}


@get("/readyz", media_type=MediaType.JSON)
async def readyz(request: Request) -> Response[dict[str, str]]:
    """The database answers and its migrations are at head."""
    runtime = _runtime(request)
    try:
        current = await current_revisions(runtime.engine)
    except Exception as error:
        log.warning("readiness check failed: %s", error)
        return Response(
            {"status": "unavailable", "reason": "database unreachable"},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )
    if current != runtime.head_revisions:
        return Response(
            {
                "status": "unavailable",
                "reason": "migrations not at head",
                "current": ",".join(sorted(current)) or "none",
                "head": ",".join(sorted(runtime.head_revisions)),
            },
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )
    return Response({"status": "ready"})


@post("/oauth/token", media_type=MediaType.JSON)
async def oauth_token(request: Request) -> Response:
    """OAuth2 client credentials: a short-lived access token for an API client. Failed
    attempts are limited per client id and per source address (``auth/ratelimit.py``)."""
    runtime = _runtime(request)
    form = await request.form()
    fields = {key: form.getall(key) for key in form}
    address = request.client.host if request.client else "unknown"
    readable = True
    try:
        client_id = requested_client_id(request.headers, fields)
    except MalformedCredentials:
        client_id, readable = None, False
    limiter = runtime.token_limiter
    wait = await limiter.retry_after(client_id=client_id, address=address)
    if wait:
        metrics.count_refusal(metrics.LIMITER_OAUTH_TOKEN)
        return Response(
            {"error": "slow_down", "error_description": "Too many failed attempts; retry later."},
            status_code=HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(wait)},
            media_type=MediaType.JSON,
        )
    status, body, headers = (
        await _client_token_response(request, runtime, fields, client_id)
        if readable
        else invalid_client_response()
    )
    if status >= 400:
        await limiter.failed(client_id=client_id, address=address)
    return Response(body, status_code=status, headers=dict(headers), media_type=MediaType.JSON)


async def _client_token_response(
    request: Request, runtime: Runtime, fields: dict[str, list[str]], client_id: str | None
) -> tuple[int, Any, list]:
    slug = tenant_slug_of(client_id) if client_id else None
    tenant = await runtime.directory.find(slug) if slug else None
    client = None
    if tenant is not None and client_id is not None:  # (a tenant is found by the client id)
        async with open_tenant_session(runtime.sessionmaker, tenant.id) as session:
            row = await access_service.active_client(session, client_id)
            client = access_service.snapshot(row) if row else None
    return await asyncio.to_thread(
        issue_client_token,
        client=client,
        method=request.method,
        url=str(request.url),
        headers=request.headers,
        form=fields,
        keys=runtime.keys,
        settings=runtime.settings,
    )


@get("/metrics", media_type=metrics.CONTENT_TYPE)
async def metrics_endpoint(request: Request) -> Response[bytes]:
    """Prometheus metrics (``observability.metrics``); with ``CHAPTERS_METRICS_TOKEN`` set, for
    callers sending it as their bearer token. The Ingress does not route it."""
    runtime = _runtime(request)
    expected = runtime.settings.metrics_token
    if expected is not None:
        presented = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(presented, f"Bearer {expected}".encode()):
            raise NotAuthorizedException(
                detail="The metrics token is missing or wrong",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
    await metrics.sample(runtime.engine, runtime.read_pool)
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)


@get("/.well-known/jwks.json", media_type=MediaType.JSON)
async def jwks(request: Request) -> dict:
    """The public keys that verify the service's tokens."""
    return dict(_runtime(request).keys.jwks())


def _json_error(request: Request, exc: HTTPException) -> Response:
    return Response(
        {"error": exc.detail, "status": exc.status_code},
        status_code=exc.status_code,
        headers=exc.headers,
        media_type=MediaType.JSON,
    )


def _internal_error(request: Request, exc: Exception) -> Response:
    """A failure nobody expected: logged with its traceback, answered without any detail.
    A database that cannot serve (down, pool exhausted) is a 503 the caller may retry."""
    if is_database_unavailable(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return Response(
            {"error": UNAVAILABLE_MESSAGE, "status": 503},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            media_type=MediaType.JSON,
        )
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(
        {"error": "Internal server error", "status": 500},
        status_code=500,
        media_type=MediaType.JSON,
    )


# Collect the youngest generation after this many net allocations (CPython's default: 700).
GC_THRESHOLDS = (10_000, 10, 10)


def apply_gc_policy() -> None:
    """The garbage collector of a serving process, once the app has started (its schema, models
    and pools exist; ``chapters serve`` applies it in every worker). What start-up left is
    collected, then frozen: it lives as long as the process, and full collections no longer
    walk it (with it, they paused the process 110-170 ms every few dozen requests). A request
    allocates thousands of short-lived objects, so the youngest generation is collected less
    often (``GC_THRESHOLDS``); bench/gc_pauses.py measures both."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(
    settings: Settings | None = None,
    *,
    app_url: str | None = None,
    keys: SigningKeys | None = None,
    engine_options: dict | None = None,
    graphql_schema: strawberry.Schema = schema,
) -> Litestar:
    """Build the app. ``app_url`` is the app role's URL (default: from settings)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        # started in the serving process (uvicorn's workers are made before it), before the
        # clients and pools it traces
        tracing = traces.configure_tracing(settings)
        url = app_url or resolve_urls(settings).app
        engine = create_engine(url, settings, **(engine_options or {}))
        read_pool = await ReadPool.open(url, settings)
        replica = (
            await Replica.open(settings.database_replica_url, settings, read_pool)
            if settings.database_replica_url
            else None
        )
        http = traces.traced_client(provider_http_client(settings))
        token_limiter = token_failure_limiter(settings)
        app.state.runtime = Runtime(
            settings=settings,
            engine=engine,
            sessionmaker=tenant_sessionmaker(engine),
            directory=TenantDirectory(engine),
            verifiers=Verifiers(
                settings=settings,
                keys=keys or service_signing_keys(settings),
                jwks=JwksCache(http, refresh_interval=settings.oidc_jwks_refresh_seconds),
            ),
            head_revisions=head_revisions(),
            token_limiter=token_limiter,
            graphql_schema=graphql_schema._schema,
            known_reads=KnownReads(),
            known_principals=KnownPrincipals(),
            read_pool=read_pool,
            replica=replica,
        )
        # Cursors are signed with a key derived from the token signing key: every replica
        # sharing that key (and every restart) accepts the cursors the others issued.
        install_service_keys(app.state.runtime.keys, settings.secret_keys)
        if settings.compiled_reads:
            learnt = learn_trusted_documents(
                app.state.runtime.known_reads, graphql_schema._schema, DocumentPolicy.of(settings)
            )
            log.info("%d trusted documents compiled at start-up", learnt)
        pool_sampler = metrics.PoolSampler(engine, read_pool)
        pool_sampler.start()
        try:
            yield
        finally:
            await pool_sampler.stop()
            await http.aclose()
            await token_limiter.aclose()
            if replica is not None:
                await replica.close()
            await read_pool.close()
            await engine.dispose()
            if tracing is not None:
                tracing.shutdown()

    return Litestar(
        route_handlers=[
            _graphql_controller(settings, graphql_schema),
            healthz,
            readyz,
            jwks,
            metrics_endpoint,
            *recognition_routes.PUBLIC_ROUTES,
            oauth_token,
            Router(
                path="/",
                route_handlers=[
                    ExportController,
                    QuarterlyReportController,
                    *feed_routes.ROUTES,
                    *mail_routes.ROUTES,
                    *registration_routes.ROUTES,
                    *recognition_routes.TENANT_ROUTES,
                ],
                # the request's tenant-bound session and caller, as GraphQL gets them
                dependencies={"context": Provide(route_context)},
            ),
            *([graphiql_assets] if settings.graphiql else []),
        ],
        lifespan=[lifespan],
        middleware=[observe_requests, _within_deadline(settings.request_timeout_seconds)],
        request_max_body_size=settings.max_body_bytes,
        exception_handlers={HTTPException: _json_error, Exception: _internal_error},
        openapi_config=None,
        logging_config=None,  # the process's logging is chapters.observability.logs
    )

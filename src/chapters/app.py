"""The HTTP application: GraphQL per tenant, health, readiness and the public JWKS."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import strawberry
from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.background_tasks import BackgroundTasks
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from strawberry.litestar import make_graphql_controller

from chapters import db
from chapters.access import service as access_service
from chapters.api.context import Context
from chapters.api.loaders import Loaders
from chapters.api.schema import schema
from chapters.auth.bearer import Verifiers, authenticate
from chapters.auth.keys import SigningKeys, load_or_create_signing_keys
from chapters.auth.oauth_server import issue_client_token, requested_client_id, tenant_slug_of
from chapters.auth.oidc import JwksCache
from chapters.db import SerializedSession
from chapters.settings import Settings, get_settings
from chapters.tenants.directory import TenantDirectory

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

    @property
    def keys(self) -> SigningKeys:
        return self.verifiers.keys


def _runtime(connection: ASGIConnection) -> Runtime:
    return connection.app.state.runtime


async def graphql_context(
    request: ASGIConnection, tenant_slug: str
) -> AsyncGenerator[Context, None]:
    """One tenant-bound session and transaction per request: commit when the operation
    succeeded, roll back on any error."""
    runtime = _runtime(request)
    tenant = await runtime.directory.find(tenant_slug)
    if tenant is None:
        raise NotFoundException(detail=f"No tenant {tenant_slug!r}")
    session = db.open_tenant_session(runtime.sessionmaker, tenant.id)
    try:
        principal = await authenticate(request.headers, runtime.verifiers, tenant.id, session)
        context = Context(
            session=session,
            tenant=tenant,
            principal=principal,
            loaders=Loaders(session),
            request_id=request.headers.get("x-request-id") or uuid.uuid4().hex,
        )
        yield context
        if context.rollback_only:
            await session.rollback()
        else:
            await session.commit()
    except BaseException:
        await session.rollback()
        raise
    finally:
        await session.close()


def _response_without_thread_hop() -> Response:
    # Strawberry provides this with sync_to_thread=True: a thread-pool hop on every request.
    return Response({}, background=BackgroundTasks([]))


def _graphql_controller(settings: Settings, graphql_schema: strawberry.Schema) -> type:
    controller = make_graphql_controller(
        graphql_schema,
        path=GRAPHQL_PATH,
        context_getter=graphql_context,
        graphql_ide="graphiql" if settings.graphiql else None,
    )
    controller.dependencies = {
        **controller.dependencies,
        "response": Provide(_response_without_thread_hop, sync_to_thread=False),
    }
    return controller


@get("/healthz", media_type=MediaType.JSON)
async def healthz() -> dict[str, str]:
    """The process is alive (it does not touch the database)."""
    return {"status": "ok"}


@get("/readyz", media_type=MediaType.JSON)
async def readyz(request: Request) -> Response[dict[str, str]]:
    """The database answers and its migrations are at head."""
    runtime = _runtime(request)
    try:
        current = await db.current_revisions(runtime.engine)
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
    """OAuth2 client credentials: a short-lived access token for an API client."""
    runtime = _runtime(request)
    form = await request.form()
    fields = {key: form.getall(key) for key in form}
    client_id = requested_client_id(request.headers, fields)
    slug = tenant_slug_of(client_id) if client_id else None
    tenant = await runtime.directory.find(slug) if slug else None
    client = None
    if tenant is not None:
        async with db.open_tenant_session(runtime.sessionmaker, tenant.id) as session:
            row = await access_service.active_client(session, client_id)
            client = access_service.snapshot(row) if row else None
    status, body, headers = await asyncio.to_thread(
        issue_client_token,
        client=client,
        method=request.method,
        url=str(request.url),
        headers=request.headers,
        form=fields,
        keys=runtime.keys,
        settings=runtime.settings,
    )
    return Response(body, status_code=status, headers=dict(headers), media_type=MediaType.JSON)


@get("/.well-known/jwks.json", media_type=MediaType.JSON)
async def jwks(request: Request) -> dict:
    """The public keys that verify the service's tokens."""
    return _runtime(request).keys.jwks()


def _json_error(request: Request, exc: HTTPException) -> Response:
    return Response(
        {"error": exc.detail, "status": exc.status_code},
        status_code=exc.status_code,
        headers=exc.headers,
        media_type=MediaType.JSON,
    )


def _internal_error(request: Request, exc: Exception) -> Response:
    """A failure nobody expected: logged with its traceback, answered without any detail."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(
        {"error": "Internal server error", "status": 500},
        status_code=500,
        media_type=MediaType.JSON,
    )


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
        url = app_url or db.resolve_urls(settings).app
        engine = db.create_engine(url, settings, **(engine_options or {}))
        http = httpx.AsyncClient(timeout=settings.oidc_http_timeout_seconds)
        app.state.runtime = Runtime(
            settings=settings,
            engine=engine,
            sessionmaker=db.tenant_sessionmaker(engine),
            directory=TenantDirectory(engine),
            verifiers=Verifiers(
                settings=settings,
                keys=keys or load_or_create_signing_keys(settings.jwt_private_key_file),
                jwks=JwksCache(http, refresh_interval=settings.oidc_jwks_refresh_seconds),
            ),
            head_revisions=db.head_revisions(),
        )
        try:
            yield
        finally:
            await http.aclose()
            await engine.dispose()

    return Litestar(
        route_handlers=[
            _graphql_controller(settings, graphql_schema),
            healthz,
            readyz,
            jwks,
            oauth_token,
        ],
        lifespan=[lifespan],
        exception_handlers={HTTPException: _json_error, Exception: _internal_error},
        openapi_config=None,
    )

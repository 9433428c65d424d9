"""The ``chapters`` command line."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chapters.db import migrations
from chapters.db.admin import DatabaseUrls, bootstrap_database, resolve_urls, url_for_display
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.settings import PROJECT_ROOT, Settings, SettingsError, get_settings

T = TypeVar("T")

if TYPE_CHECKING:  # the commands import what they use when they run: a quick start
    from litestar import Litestar
    from sqlalchemy.ext.asyncio import AsyncSession

    from chapters.auth.keys import SigningKeys
    from chapters.auth.principal import Principal
    from chapters.clients.service import IssuedSecret
    from chapters.models import ApiClient

SCHEMA_FILE = PROJECT_ROOT / "graphql" / "schema.graphql"


def _settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def _step(message: str) -> None:
    click.secho(f"==> {message}", fg="cyan", err=True)


def _with_owner_engine(urls: DatabaseUrls, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_async_engine(urls.owner, poolclass=NullPool)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _resolve_urls(settings: Settings) -> DatabaseUrls:
    if settings.uses_embedded_database:
        _step(f"starting the embedded PostgreSQL in {settings.local_dir / 'pgdata'}")
    return resolve_urls(settings)


def _prepare_database(settings: Settings, bootstrap: bool | None) -> DatabaseUrls:
    urls = _resolve_urls(settings)
    if settings.database_bootstrap if bootstrap is None else bootstrap:
        _step(f"creating roles and database if missing ({url_for_display(urls.admin)})")
        asyncio.run(bootstrap_database(urls, settings))
    _step("applying migrations")
    migrations.migrate(urls.owner, settings)
    return urls


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Chapters: a multi-tenant backend for community chapters, activities and partners."""


@main.command()
@click.option(
    "--bootstrap/--no-bootstrap",
    default=None,
    help="Create the owner and app roles and the database first "
    "(default: DATABASE_BOOTSTRAP, which is true).",
)
def migrate(bootstrap: bool | None) -> None:
    """Apply database migrations (as the owner role) up to head."""
    _prepare_database(_settings(), bootstrap)
    _step("database at head")


@main.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo tenants and accounts (idempotent)."""
    from chapters.demo import seed_demo

    urls = _resolve_urls(_settings())
    _step("seeding demo data")
    _with_owner_engine(urls, lambda engine: seed_demo(engine, echo=click.echo))


@main.command("create-tenant")
@click.option("--slug", required=True, help="URL name: lowercase letters, digits, dashes.")
@click.option("--name", required=True, help="Display name of the community.")
@click.option("--timezone", default="UTC", show_default=True, help="IANA timezone.")
@click.option("--locale", "default_locale", default="en", show_default=True)
@click.option("--admin-email", help="Also create this person as the tenant's owner.")
@click.option("--admin-name", default="Tenant owner", show_default=True)
def create_tenant(
    slug: str,
    name: str,
    timezone: str,
    default_locale: str,
    admin_email: str | None,
    admin_name: str,
) -> None:
    """Create a tenant (and optionally its first owner)."""
    from chapters.errors import DomainError
    from chapters.models import TenantRole
    from chapters.people.admin import ensure_person
    from chapters.tenants.admin import ensure_tenant

    urls = _resolve_urls(_settings())

    async def work(engine: AsyncEngine) -> uuid.UUID:
        tenant_id, created = await ensure_tenant(
            engine, slug=slug, name=name, timezone=timezone, default_locale=default_locale
        )
        if not created:
            raise click.ClickException(f"tenant {slug!r} already exists")
        if admin_email:
            sessionmaker = tenant_sessionmaker(engine)
            async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
                await ensure_person(
                    session,
                    email=admin_email,
                    display_name=admin_name,
                    tenant_role=TenantRole.OWNER,
                )
        return tenant_id

    try:
        tenant_id = _with_owner_engine(urls, work)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created tenant {slug} ({tenant_id})")


async def _token_for(
    engine: AsyncEngine, settings: Settings, tenant_slug: str, email: str, ttl: int | None
) -> str:
    from chapters.auth.keys import service_signing_keys
    from chapters.auth.tokens import issue_access_token
    from chapters.people.service import find_person_by_email
    from chapters.tenants.admin import tenant_id_for_slug

    tenant_id = await tenant_id_for_slug(engine, tenant_slug)
    if tenant_id is None:
        raise click.ClickException(f"no tenant {tenant_slug!r}")
    sessionmaker = tenant_sessionmaker(engine)
    async with open_tenant_session(sessionmaker, tenant_id) as session:
        person = await find_person_by_email(session, email)
    if person is None:
        raise click.ClickException(f"no person with email {email!r} in tenant {tenant_slug!r}")
    keys = service_signing_keys(settings)
    return issue_access_token(
        keys, settings, tenant_id=tenant_id, subject=str(person.id), ttl_seconds=ttl
    )


@main.command()
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option("--email", required=True, help="Email of a person of that tenant.")
@click.option("--ttl", type=click.IntRange(min=60), help="Lifetime in seconds.")
def token(tenant_slug: str, email: str, ttl: int | None) -> None:
    """Print a bearer token for a person of a tenant (valid only on that tenant's path)."""
    settings = _settings()
    urls = _resolve_urls(settings)
    click.echo(_with_owner_engine(urls, lambda e: _token_for(e, settings, tenant_slug, email, ttl)))


def _run_in_tenant(
    urls: DatabaseUrls, tenant_slug: str, work: Callable[[AsyncSession, Principal], Awaitable[T]]
) -> T:
    """Run ``work(session, operator)`` in one committed transaction of the tenant."""
    from chapters.auth.operator import operator_principal
    from chapters.errors import DomainError
    from chapters.tenants.admin import tenant_id_for_slug

    async def run(engine: AsyncEngine) -> T:
        tenant_id = await tenant_id_for_slug(engine, tenant_slug)
        if tenant_id is None:
            raise click.ClickException(f"no tenant {tenant_slug!r}")
        sessionmaker = tenant_sessionmaker(engine)
        async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
            return await work(session, operator_principal(tenant_id))

    try:
        return _with_owner_engine(urls, run)
    except DomainError as error:
        raise click.ClickException(str(error)) from None


def _print_client(client: ApiClient, secret: str, settings: Settings) -> None:
    base = f"http://{settings.host}:{settings.port}"
    click.echo(f"client id:     {client.client_id}")
    click.echo(f"client secret: {secret}   (shown once: store it now)")
    click.echo(
        f"get a token:   curl -s -u '{client.client_id}:{secret}' "
        f"-d grant_type=client_credentials {base}/oauth/token"
    )


@main.command("create-client")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option("--name", required=True, help="What the client is, e.g. 'Website sync'.")
@click.option("--kind", type=click.Choice(["partner", "service"]), required=True)
@click.option("--organisation", help="Partner clients: the organisation's exact name.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="chapters:read, activities:read, activities:write, export",
)
def create_client(
    tenant_slug: str, name: str, kind: str, organisation: str | None, scopes: tuple[str, ...]
) -> None:
    """Create an OAuth2 client (client credentials) and print its id and secret once."""
    from sqlalchemy import select

    from chapters.clients import service
    from chapters.models import ClientKind, Organisation

    settings = _settings()

    async def work(session: AsyncSession, operator: Principal) -> IssuedSecret:
        organisation_id = None
        if organisation:
            organisation_id = await session.scalar(
                select(Organisation.id).where(Organisation.name == organisation)
            )
            if organisation_id is None:
                raise click.ClickException(f"no organisation named {organisation!r}")
        return await service.create_client(
            session,
            operator,
            name=name,
            kind=ClientKind(kind),
            scopes=list(scopes),
            organisation_id=organisation_id,
        )

    issued = _run_in_tenant(_resolve_urls(settings), tenant_slug, work)
    _print_client(issued.client, issued.secret, settings)


def _client_command(
    tenant_slug: str,
    client_id: str,
    action: Callable[[AsyncSession, Principal, uuid.UUID], Awaitable[T]],
) -> T:
    """Run ``action(session, operator, id)`` on the tenant's active client ``client_id``."""
    from chapters.clients import service

    async def work(session: AsyncSession, operator: Principal) -> T:
        client = await service.active_client(session, client_id)
        if client is None:
            raise click.ClickException(f"no active client {client_id!r}")
        return await action(session, operator, client.id)

    return _run_in_tenant(_resolve_urls(_settings()), tenant_slug, work)


@main.command("rotate-client-secret")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--client-id", required=True)
def rotate_client_secret(tenant_slug: str, client_id: str) -> None:
    """Give a client a new secret (the old one stops working) and print it once."""
    from chapters.clients import service

    issued = _client_command(tenant_slug, client_id, service.rotate_secret)
    _print_client(issued.client, issued.secret, _settings())


@main.command("rotate-signing-key")
@click.option(
    "--finish", is_flag=True, help="End a rotation: drop the retired keys, keep the signing one."
)
@click.option(
    "--print",
    "to_stdout",
    is_flag=True,
    help="Print the new key set (JSON) instead of writing the key file (for a secret manager).",
)
def rotate_signing_key(finish: bool, to_stdout: bool) -> None:
    """Start a rotation of the token signing key: a new key signs, the current one still
    verifies (both in the JWKS); with --finish, once tokens and links signed before have
    expired, only the signing key is kept."""
    from chapters.auth.keys import rotated, without_retired, write_key_source

    settings = _settings()
    keys = _signing_keys(settings)
    if settings.jwt_private_key is not None and not to_stdout:
        raise click.ClickException(
            "the key comes from CHAPTERS_JWT_PRIVATE_KEY: use --print and store its output there"
        )
    new = without_retired(keys) if finish else rotated(keys)
    if to_stdout:
        click.echo(json.dumps(new.private_set()))
    else:
        write_key_source(settings.jwt_private_key_file, new)
    retired = ", ".join(str(key.kid) for key in new.retired) or "none"
    click.echo(f"signing key: {new.kid}; still verifying: {retired}", err=True)
    if not finish:
        click.echo(
            "restart or roll out every API process and worker now; after the longest token"
            " and link lifetime has passed, run: chapters rotate-signing-key --finish",
            err=True,
        )


@main.command("revoke-client")
@click.option("--tenant", "tenant_slug", required=True)
@click.option("--client-id", required=True)
def revoke_client(tenant_slug: str, client_id: str) -> None:
    """Revoke a client: no new tokens, and the ones it holds are refused."""
    from chapters.clients import service

    _client_command(tenant_slug, client_id, service.revoke_client)
    click.echo(f"revoked {client_id}")


@main.command("export-schema")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=SCHEMA_FILE,
    show_default=True,
)
@click.option("--check", is_flag=True, help="Exit 1 if the file differs from the code.")
def export_schema(output: Path, check: bool) -> None:
    """Write the GraphQL SDL (graphql/schema.graphql)."""
    from chapters.api.schema import schema

    sdl = schema.as_str() + "\n"
    if check:
        if not output.exists() or output.read_text() != sdl:
            click.echo(f"{output} is stale: run `chapters export-schema`", err=True)
            sys.exit(1)
        click.echo(f"{output} is current")
        return
    output.write_text(sdl)
    click.echo(f"wrote {output}")


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def served_app() -> Litestar:
    """The app of one serving process: uvicorn's factory, called in every worker. Its settings
    come from the environment (``_serve`` puts the resolved app URL there); once started, the
    process's garbage collector follows ``apply_gc_policy``."""
    from chapters.app import apply_gc_policy, create_app
    from chapters.observability.logs import configure_logging

    settings = _settings()
    configure_logging(settings.log_format, settings.log_level)
    app = create_app(settings, app_url=settings.database_app_url)
    app.on_startup.append(apply_gc_policy)  # after the lifespan: the pools exist
    return app


def _signing_keys(settings: Settings) -> SigningKeys:
    """The service's signing keys, or a clear refusal when their source is unusable."""
    from chapters.auth.keys import SigningKeyError, service_signing_keys

    try:
        return service_signing_keys(settings)
    except SigningKeyError as error:
        raise click.ClickException(f"signing key: {error}") from None


def connections_needed(settings: Settings, workers: int) -> int:
    """What ``workers`` serving processes may open at most: each its engine's pool and
    overflow (``pool_size`` each) and the compiled reads' pool (``pool_size``)."""
    return workers * 3 * settings.database_pool_size


def _check_connection_budget(settings: Settings, app_url: str, workers: int) -> None:
    """Refuse a configuration the database cannot serve: more connections than it accepts
    (its ``max_connections`` less those reserved for superusers). Unreachable, it is left to
    the readiness probe."""
    import asyncpg

    from chapters.db.admin import server_connection_limit

    try:
        limit = asyncio.run(server_connection_limit(app_url))
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        click.echo(f"warning: could not read the database's connection limit ({error})", err=True)
        return
    needed = connections_needed(settings, workers)
    if needed > limit:
        raise click.ClickException(
            f"{workers} workers x 3 x DATABASE_POOL_SIZE {settings.database_pool_size} = {needed}"
            f" connections, but the database accepts {limit}: lower --workers or"
            " DATABASE_POOL_SIZE (README: Pool sizing)"
        )


METRICS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"


def _metrics_directory(workers: int) -> Path | None:
    """Where the serving processes write their metrics for one another (prometheus_client's
    multiprocess mode): ``PROMETHEUS_MULTIPROC_DIR``, emptied of an earlier run's files, else,
    with several workers, a new temporary directory (returned: removed at the end). One
    process without the variable keeps its metrics in memory."""
    configured = os.environ.get(METRICS_DIRECTORY)
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
        return None
    if workers == 1:
        return None
    created = Path(tempfile.mkdtemp(prefix="chapters-metrics-"))
    os.environ[METRICS_DIRECTORY] = str(created)
    return created


def _serve(settings: Settings, app_url: str, *, workers: int, access_log: bool) -> None:
    """Serve with uvicorn (uvloop and httptools when installed: dependencies of the project)
    in ``workers`` processes, each with its own pool; ``GET /metrics`` adds up all of them
    (``_metrics_directory``)."""
    import uvicorn

    from chapters.observability.logs import configure_logging

    configure_logging(settings.log_format, settings.log_level)
    _signing_keys(settings)  # refuse before forking workers that would each fail
    _check_connection_budget(settings, app_url, workers)

    # The workers read their settings from the environment: they connect where this process
    # resolved (the embedded server included, which this process started).
    os.environ["DATABASE_APP_URL"] = app_url
    get_settings.cache_clear()
    created = _metrics_directory(workers)
    try:
        uvicorn.run(
            f"{__name__}:{served_app.__name__}",
            factory=True,
            workers=workers,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            log_config=None,  # uvicorn's lines go through the service's (configure_logging)
            access_log=access_log,
            # X-Forwarded-For / -Proto are believed from FORWARDED_ALLOW_IPS only (uvicorn reads
            # the variable; default 127.0.0.1): the load balancer's addresses in production.
            proxy_headers=True,
            timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
            timeout_keep_alive=settings.keep_alive_seconds,
        )
    finally:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)


@main.command()
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes serving requests, each with its own database pool "
    "(default: CHAPTERS_WORKERS, else one per core).",
)
@click.option(
    "--access-log/--no-access-log",
    default=None,
    help="Log every request (default: CHAPTERS_ACCESS_LOG, which is false).",
)
def serve(workers: int | None, access_log: bool | None) -> None:
    """Serve the API (no migrations; run `chapters migrate` first)."""
    settings = _settings()
    _serve(
        settings,
        _resolve_urls(settings).app,
        workers=workers or settings.workers or _cores(),
        access_log=settings.access_log if access_log is None else access_log,
    )


DEMO_PARTNER_ORGANISATION = "Example Cloud Inc."
DEMO_PARTNER_CLIENT = "Example Cloud partner portal"


async def _demo_partner_client(session: AsyncSession, operator: Principal) -> IssuedSecret | None:
    """The demo partner's client, with a fresh secret on every start (only hashes are kept)."""
    from sqlalchemy import select

    from chapters.clients import service
    from chapters.models import ApiClient, ClientKind, Organisation

    organisation_id = await session.scalar(
        select(Organisation.id).where(Organisation.name == DEMO_PARTNER_ORGANISATION)
    )
    if organisation_id is None:
        return None
    existing = await session.scalar(
        select(ApiClient.id).where(
            ApiClient.name == DEMO_PARTNER_CLIENT, ApiClient.revoked_at.is_(None)
        )
    )
    if existing is not None:
        return await service.rotate_secret(session, operator, existing)
    return await service.create_client(
        session,
        operator,
        name=DEMO_PARTNER_CLIENT,
        kind=ClientKind.PARTNER,
        scopes=["chapters:read", "activities:read"],
        organisation_id=organisation_id,
    )


DEMO_RECEIVER = "http://127.0.0.1:8787/"
DEMO_FEED_OWNER = "member@demo.example"


async def _demo_webhook_secret(session: AsyncSession, operator: Principal) -> str:
    """The demo receiver's endpoint (every event), with a fresh secret on every start: the
    receiver `make run` starts verifies deliveries with it."""
    from sqlalchemy import select

    from chapters.models.webhook import WebhookEndpoint
    from chapters.webhooks import service

    existing = await session.scalar(
        select(WebhookEndpoint.id).where(WebhookEndpoint.url == DEMO_RECEIVER)
    )
    if existing is not None:
        return (await service.rotate_secret(session, operator, existing)).secret
    issued = await service.create_endpoint(
        session,
        operator,
        url=DEMO_RECEIVER,
        description="The demo receiver (chapters webhook-receiver, started by make run)",
        event_types=None,
        include_personal_data=False,
        allow_private_networks=True,
    )
    return issued.secret


def _demo_feed_url(settings: Settings) -> Callable[[AsyncSession, Principal], Awaitable[str]]:
    async def create(session: AsyncSession, operator: Principal) -> str:
        """A private calendar feed of the demo member (a new URL on every start)."""
        from sqlalchemy import select

        from chapters.feeds.tokens import create_feed
        from chapters.models import Person
        from chapters.people.service import load_principal

        person = await session.scalar(select(Person).where(Person.email == DEMO_FEED_OWNER))
        assert person is not None  # a demo account
        member = await load_principal(session, person)
        created = await create_feed(
            session, member, public_url=settings.public_url, tenant_slug="demo"
        )
        return created.url

    return create


def _start_companions(urls: DatabaseUrls, commands: list[list[str]]) -> None:
    """Start ``chapters <command>`` processes beside the server (the job worker, the mail
    catcher …), connected where this process resolved; they stop when it exits."""
    import atexit
    import subprocess

    env = {**os.environ, "DATABASE_APP_URL": urls.app}
    children = [
        subprocess.Popen([sys.executable, "-m", "chapters.cli", *command], env=env)
        for command in commands
    ]

    def stop() -> None:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

    atexit.register(stop)


@main.command()
def dev() -> None:
    """Everything `make run` does: database, migrations, demo data, tokens, then serve."""
    from chapters.demo import DEMO_ACCOUNTS, seed_demo

    # The demo's webhook receiver listens on this host (the server, the worker and the
    # receiver inherit this environment).
    os.environ.setdefault("CHAPTERS_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")
    os.environ.setdefault("CHAPTERS_LOG_FORMAT", "console")  # a person reads these logs
    get_settings.cache_clear()
    settings = _settings()
    urls = _prepare_database(settings, None)
    _step("seeding demo data")
    _with_owner_engine(urls, lambda engine: seed_demo(engine, echo=click.echo))
    _step("demo accounts (bearer tokens, valid for one hour)")

    async def tokens(engine: AsyncEngine) -> list[tuple[str, str]]:
        return [
            (account.email, await _token_for(engine, settings, account.tenant, account.email, None))
            for account in DEMO_ACCOUNTS
        ]

    _step("demo partner client (client credentials)")
    issued = _run_in_tenant(urls, "demo", _demo_partner_client)
    if issued is not None:
        click.echo(
            f"  for {DEMO_PARTNER_ORGANISATION}: sees only what it co-hosts, no personal data"
        )
        _print_client(issued.client, issued.secret, settings)
    base = f"http://{settings.host}:{settings.port}"
    for (email, bearer), account in zip(
        _with_owner_engine(urls, tokens), DEMO_ACCOUNTS, strict=True
    ):
        click.echo(f"\n  {email}  ({account.description}, tenant {account.tenant})")
        click.echo(f"  Authorization: Bearer {bearer}")
        if settings.graphiql:  # the token rides in the fragment: it never reaches the server
            click.echo(f"  GraphiQL as them: {base}/t/{account.tenant}/graphql#token={bearer}")
    click.echo(
        f"\n  GraphiQL:  {base}/t/demo/graphql   (and {base}/t/acme/graphql)\n"
        f"  Try:       curl -s {base}/t/demo/graphql -H 'Authorization: Bearer <token>' "
        "-H 'Content-Type: application/json' -d '{\"query\":\"{ viewer { email tenantRole } }\"}'\n"
        f"  More tokens: .venv/bin/chapters token --tenant demo --email member@demo.example\n"
    )
    _step(
        f"mail catcher on {settings.smtp_host}:{settings.smtp_port} (chapters outbox lists it), job worker"
    )
    # (seeding installed the service's keys in this process: the new secret is sealed with them)
    secret = _run_in_tenant(urls, "demo", _demo_webhook_secret)
    feed = _run_in_tenant(urls, "demo", _demo_feed_url(settings))
    log = str(settings.local_dir / "webhooks.log")
    _start_companions(
        urls,
        [
            ["mail-catcher"],
            ["webhook-receiver", "--port", "8787", "--secret", secret, "--log", log],
            ["worker"],
        ],
    )
    click.echo(
        f"  Outbox:    .venv/bin/chapters outbox   (mail the worker sent, e.g. the recap mail)\n"
        f"  Webhooks:  {DEMO_RECEIVER} verifies and prints deliveries (log: {log})\n"
        f"  Calendars: {settings.public_url}/t/demo/calendar.ics\n"
        f"             {settings.public_url}/t/demo/chapters/hangzhou/calendar.ics\n"
        f"             {feed}   ({DEMO_FEED_OWNER}'s private feed)\n"
    )
    _serve(settings, urls.app, workers=settings.workers or 1, access_log=settings.access_log)


def _add_domain_commands() -> None:
    # The domains' commands import this module's helpers: registered once it is complete.
    from chapters.exports.cli import export_command
    from chapters.insight.contributions_cli import import_contributions_command
    from chapters.insight.rollup_cli import insight_refresh_command
    from chapters.jobs.cli import worker_command
    from chapters.mail.cli import mail_catcher_command, outbox_command
    from chapters.tenants.moves_cli import export_tenant_command, import_tenant_command
    from chapters.webhooks.cli import webhook_receiver_command

    main.add_command(export_command)
    main.add_command(import_contributions_command)
    main.add_command(insight_refresh_command)
    main.add_command(worker_command)
    main.add_command(outbox_command)
    main.add_command(mail_catcher_command)
    main.add_command(webhook_receiver_command)
    main.add_command(export_tenant_command)
    main.add_command(import_tenant_command)


_add_domain_commands()

if __name__ == "__main__":
    main()

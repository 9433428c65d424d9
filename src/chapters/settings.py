"""Every setting the service reads, from environment variables, in one typed object.

The README lists each variable with its default; keep the two in step.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""


def _env_optional(name: str) -> str | None:
    """The variable's value; None when it is unset or empty."""
    return os.environ.get(name) or None


def _env_str(name: str, default: str) -> str:
    value = _env_optional(name)
    return default if value is None else value


def _env_bool(name: str, default: bool) -> bool:
    value = _env_optional(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}")


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _env_str(name, default).strip().lower()
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _env_optional(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {number}")
    return number


def _env_optional_int(name: str, *, minimum: int = 0) -> int | None:
    """The variable's whole number; None when it is unset or empty."""
    return None if _env_optional(name) is None else _env_int(name, minimum, minimum=minimum)


def _env_ratio(name: str, default: float) -> float:
    """A number from 0 to 1 (a share of traces)."""
    value = _env_optional(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number from 0 to 1, not {value!r}") from None
    if not 0 <= number <= 1:
        raise SettingsError(f"{name} must be a number from 0 to 1, not {value!r}")
    return number


# OpenTelemetry's standard samplers (OTEL_TRACES_SAMPLER); the ratio ones read
# OTEL_TRACES_SAMPLER_ARG.
TRACE_SAMPLERS = (
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
    "always_on",
    "always_off",
    "traceidratio",
)


def _otlp_traces_endpoint() -> str | None:
    """Where spans are sent (OTLP over HTTP): the traces endpoint as given, else the
    collector's base URL with the traces path, as the OpenTelemetry specification says."""
    traces = _env_optional("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if traces is not None:
        return traces
    base = _env_optional("OTEL_EXPORTER_OTLP_ENDPOINT")
    return None if base is None else base.rstrip("/") + "/v1/traces"


def _env_secret_keys(name: str) -> tuple[str, ...]:
    """Comma-separated Fernet keys (32 bytes in URL-safe base64); unset: none."""
    keys = tuple(key.strip() for key in (_env_optional(name) or "").split(",") if key.strip())
    for number, key in enumerate(keys, start=1):
        try:
            length = len(base64.urlsafe_b64decode(key.encode()))
        except (binascii.Error, ValueError):
            length = -1
        if length != 32:  # the key itself is never echoed: it is a secret
            raise SettingsError(f"{name}: key {number} is not 32 bytes in URL-safe base64")
    return keys


@dataclass(frozen=True, kw_only=True)
class Settings:
    # Where the data lives. Unset: an embedded PostgreSQL under local_dir (development only).
    database_url: str | None
    # The running service connects as the app role; migrations run as the owner role.
    # Unset: derived from database_url by swapping in these role names (and passwords).
    database_app_url: str | None
    database_owner_url: str | None
    app_role: str
    app_role_password: str | None
    owner_role: str
    owner_role_password: str | None
    # Create the two roles and the database with database_url's credentials (dev and tests).
    database_bootstrap: bool
    database_pool_size: int
    database_pool_timeout: int
    database_statement_timeout_ms: int
    # A pooled connection older than this is replaced when it is next checked out (before a
    # firewall or load balancer drops it idle).
    database_pool_recycle_seconds: int = 1800
    # The app role's URL on a streaming replica: read-only GraphQL operations are answered
    # there (db/replica.py). Unset: everything runs on the primary.
    database_replica_url: str | None = None

    host: str
    port: int
    # Processes of `chapters serve` (its --workers); unset: one per core (`chapters dev`: one).
    workers: int | None = None
    # A stopping server finishes the requests in flight for at most this long, then closes.
    shutdown_timeout_seconds: int = 30
    # An idle keep-alive connection is closed after this long (below the load balancer's own
    # idle timeout, so the balancer never reuses a connection the server is closing).
    keep_alive_seconds: int = 5
    # uvicorn's log line per request (`chapters serve --access-log`); the JSON request log
    # (chapters.request) says more and is always on.
    access_log: bool = False
    # Logs: one JSON object per line ("json"), or text for people ("console", `chapters dev`).
    log_format: str = "json"
    log_level: str = "info"
    # GET /metrics asks for this bearer token when it is set (Prometheus sends it).
    metrics_token: str | None = None
    graphiql: bool
    local_dir: Path

    jwt_issuer: str
    jwt_audience: str
    jwt_ttl_seconds: int
    jwt_private_key_file: Path
    max_token_bytes: int
    oidc_jwks_refresh_seconds: int
    oidc_http_timeout_seconds: int
    # Let identity providers live on loopback, private or link-local addresses (local
    # Keycloak, tests); off, the server never fetches from such an address (no SSRF).
    oidc_allow_private_networks: bool = False

    # Failed /oauth/token attempts allowed per client id and per source address in a window.
    token_failures_per_client: int = 10
    token_failures_per_address: int = 10
    token_failure_window_seconds: int = 60
    # Shared state of several replicas (the rate limits, the callers' latest writes when a read
    # replica is configured); unset: each process keeps its own.
    redis_url: str | None = None

    graphql_max_depth: int
    graphql_max_aliases: int
    graphql_max_tokens: int
    # Field selections of one document once its fragments are expanded (see api/limits.py).
    graphql_max_fields: int = 2000
    # Most cost of one operation: page sizes multiplied down the tree (see api/limits.py).
    graphql_max_cost: int = 10_000
    page_size_max: int = field(default=100)

    # "production" switches GraphiQL and introspection off (each can be set explicitly).
    env: str = "development"
    graphql_introspection: bool = True
    # Every request: at most this many bytes of body, answered within this many seconds.
    max_body_bytes: int = 1024 * 1024
    request_timeout_seconds: int = 10
    # Answer covered queries with one SQL statement building the JSON (chapters.compiled).
    compiled_reads: bool = True

    # Where people reach the service: the links in mail and calendar feeds start with it.
    public_url: str = "http://127.0.0.1:8000"

    # `chapters worker`: jobs run at once, the heartbeat, and how long a silent worker may stay
    # silent before its running jobs are handed back to the queue.
    worker_concurrency: int = 4
    worker_heartbeat_seconds: int = 10
    worker_stalled_seconds: int = 30

    # Outgoing mail (SMTP). `make run` starts a local catcher on 127.0.0.1:1025 that writes
    # every message to outbox_dir; `chapters outbox` lists them.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_security: str = "none"  # none | starttls | tls
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: int = 10
    mail_from: str = "Chapters <no-reply@chapters.localhost>"
    outbox_dir: Path = Path(".local/outbox")

    # Webhooks: deliveries time out after this long; an endpoint is disabled after this many
    # failed deliveries in a row; private, loopback and link-local targets are refused
    # unless allowed (tests, a receiver on the same host).
    webhook_timeout_seconds: int = 10
    webhook_failures_to_disable: int = 15
    webhook_allow_private_networks: bool = False
    # Keys that seal secrets kept at rest (chapters.secretbox): the first seals, all open.
    # Empty: a key derived from the signing key seals (it always opens too).
    secret_keys: tuple[str, ...] = ()
    # The signing key source itself (a private JWK or a JWK Set, as JSON), injected as a
    # secret; unset: the file at ``jwt_private_key_file``.
    jwt_private_key: str | None = None

    # Registrations: at most this many per source address per hour, and per activity per
    # minute (a bot filling an activity); public sign-ups per address.
    registrations_per_address_per_hour: int = 20
    registrations_per_activity_per_minute: int = 60

    # Traces (OpenTelemetry, chapters.observability.traces): off unless an OTLP endpoint is
    # set; the service's name on its spans, and which traces are kept.
    otlp_traces_endpoint: str | None = None
    otel_service_name: str = "chapters"
    otel_traces_sampler: str = "parentbased_always_on"
    otel_traces_sampler_ratio: float = 1.0

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None


def load_settings() -> Settings:
    local_dir = Path(_env_str("CHAPTERS_LOCAL_DIR", str(PROJECT_ROOT / ".local")))
    host = _env_str("CHAPTERS_HOST", "127.0.0.1")
    port = _env_int("CHAPTERS_PORT", 8000, minimum=1)
    env = _env_choice("CHAPTERS_ENV", "development", ("development", "production"))
    production = env == "production"
    return Settings(
        database_url=_env_optional("DATABASE_URL"),
        database_app_url=_env_optional("DATABASE_APP_URL"),
        database_owner_url=_env_optional("DATABASE_OWNER_URL"),
        app_role=_env_str("DATABASE_APP_ROLE", "chapters_app"),
        app_role_password=_env_optional("DATABASE_APP_PASSWORD"),
        owner_role=_env_str("DATABASE_OWNER_ROLE", "chapters_owner"),
        owner_role_password=_env_optional("DATABASE_OWNER_PASSWORD"),
        database_bootstrap=_env_bool("DATABASE_BOOTSTRAP", True),
        database_pool_size=_env_int("DATABASE_POOL_SIZE", 10, minimum=1),
        database_pool_timeout=_env_int("DATABASE_POOL_TIMEOUT", 5, minimum=1),
        database_statement_timeout_ms=_env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000),
        database_pool_recycle_seconds=_env_int("DATABASE_POOL_RECYCLE_SECONDS", 1800, minimum=1),
        database_replica_url=_env_optional("DATABASE_REPLICA_URL"),
        host=host,
        port=port,
        workers=_env_optional_int("CHAPTERS_WORKERS", minimum=1),
        shutdown_timeout_seconds=_env_int("CHAPTERS_SHUTDOWN_TIMEOUT_SECONDS", 30, minimum=1),
        keep_alive_seconds=_env_int("CHAPTERS_KEEP_ALIVE_SECONDS", 5, minimum=1),
        access_log=_env_bool("CHAPTERS_ACCESS_LOG", False),
        log_format=_env_choice("CHAPTERS_LOG_FORMAT", "json", ("json", "console")),
        log_level=_env_choice("CHAPTERS_LOG_LEVEL", "info", ("debug", "info", "warning", "error")),
        metrics_token=_env_optional("CHAPTERS_METRICS_TOKEN"),
        graphiql=_env_bool("CHAPTERS_GRAPHIQL", not production),
        local_dir=local_dir,
        # The same wherever the service listens: a token printed for one port works on another.
        jwt_issuer=_env_str("CHAPTERS_JWT_ISSUER", "chapters"),
        jwt_audience=_env_str("CHAPTERS_JWT_AUDIENCE", "chapters"),
        jwt_ttl_seconds=_env_int("CHAPTERS_JWT_TTL_SECONDS", 3600, minimum=60),
        jwt_private_key_file=Path(
            _env_str("CHAPTERS_JWT_PRIVATE_KEY_FILE", str(local_dir / "signing-key.json"))
        ),
        max_token_bytes=_env_int("CHAPTERS_MAX_TOKEN_BYTES", 8192, minimum=512),
        oidc_jwks_refresh_seconds=_env_int("CHAPTERS_OIDC_JWKS_REFRESH_SECONDS", 60, minimum=1),
        oidc_http_timeout_seconds=_env_int("CHAPTERS_OIDC_HTTP_TIMEOUT_SECONDS", 5, minimum=1),
        oidc_allow_private_networks=_env_bool("CHAPTERS_OIDC_ALLOW_PRIVATE_NETWORKS", False),
        token_failures_per_client=_env_int("CHAPTERS_TOKEN_FAILURES_PER_CLIENT", 10, minimum=1),
        token_failures_per_address=_env_int("CHAPTERS_TOKEN_FAILURES_PER_ADDRESS", 10, minimum=1),
        token_failure_window_seconds=_env_int(
            "CHAPTERS_TOKEN_FAILURE_WINDOW_SECONDS", 60, minimum=1
        ),
        redis_url=_env_optional("REDIS_URL"),
        graphql_max_depth=_env_int("CHAPTERS_GRAPHQL_MAX_DEPTH", 10, minimum=2),
        graphql_max_aliases=_env_int("CHAPTERS_GRAPHQL_MAX_ALIASES", 200, minimum=1),
        graphql_max_tokens=_env_int("CHAPTERS_GRAPHQL_MAX_TOKENS", 2000, minimum=100),
        graphql_max_fields=_env_int("CHAPTERS_GRAPHQL_MAX_FIELDS", 2000, minimum=100),
        graphql_max_cost=_env_int("CHAPTERS_GRAPHQL_MAX_COST", 10_000, minimum=100),
        env=env,
        graphql_introspection=_env_bool("CHAPTERS_GRAPHQL_INTROSPECTION", not production),
        max_body_bytes=_env_int("CHAPTERS_MAX_BODY_BYTES", 1024 * 1024, minimum=4096),
        request_timeout_seconds=_env_int("CHAPTERS_REQUEST_TIMEOUT_SECONDS", 10, minimum=1),
        compiled_reads=_env_bool("CHAPTERS_COMPILED_READS", True),
        public_url=_env_str("CHAPTERS_PUBLIC_URL", f"http://{host}:{port}").rstrip("/"),
        worker_concurrency=_env_int("CHAPTERS_WORKER_CONCURRENCY", 4, minimum=1),
        worker_heartbeat_seconds=_env_int("CHAPTERS_WORKER_HEARTBEAT_SECONDS", 10, minimum=1),
        worker_stalled_seconds=_env_int("CHAPTERS_WORKER_STALLED_SECONDS", 30, minimum=2),
        smtp_host=_env_str("SMTP_HOST", "127.0.0.1"),
        smtp_port=_env_int("SMTP_PORT", 1025, minimum=1),
        smtp_security=_env_choice("SMTP_SECURITY", "none", ("none", "starttls", "tls")),
        smtp_username=_env_optional("SMTP_USERNAME"),
        smtp_password=_env_optional("SMTP_PASSWORD"),
        smtp_timeout_seconds=_env_int("SMTP_TIMEOUT_SECONDS", 10, minimum=1),
        mail_from=_env_str("MAIL_FROM", "Chapters <no-reply@chapters.localhost>"),
        outbox_dir=Path(_env_str("CHAPTERS_OUTBOX_DIR", str(local_dir / "outbox"))),
        webhook_timeout_seconds=_env_int("CHAPTERS_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1),
        webhook_failures_to_disable=_env_int("CHAPTERS_WEBHOOK_FAILURES_TO_DISABLE", 15, minimum=1),
        webhook_allow_private_networks=_env_bool("CHAPTERS_WEBHOOK_ALLOW_PRIVATE_NETWORKS", False),
        secret_keys=_env_secret_keys("CHAPTERS_SECRET_KEYS"),
        jwt_private_key=_env_optional("CHAPTERS_JWT_PRIVATE_KEY"),
        registrations_per_address_per_hour=_env_int(
            "CHAPTERS_REGISTRATIONS_PER_ADDRESS_PER_HOUR", 20, minimum=1
        ),
        registrations_per_activity_per_minute=_env_int(
            "CHAPTERS_REGISTRATIONS_PER_ACTIVITY_PER_MINUTE", 60, minimum=1
        ),
        otlp_traces_endpoint=_otlp_traces_endpoint(),
        otel_service_name=_env_str("OTEL_SERVICE_NAME", "chapters"),
        otel_traces_sampler=_env_choice(
            "OTEL_TRACES_SAMPLER", "parentbased_always_on", TRACE_SAMPLERS
        ),
        otel_traces_sampler_ratio=_env_ratio("OTEL_TRACES_SAMPLER_ARG", 1.0),
    )


@cache
def get_settings() -> Settings:
    return load_settings()

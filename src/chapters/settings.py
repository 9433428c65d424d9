"""Every setting the service reads, from environment variables, in one typed object.

The README lists each variable with its default; keep the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""


def _env_str(name: str, default: str | None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}")


def _env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {number}")
    return number


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

    host: str
    port: int
    graphiql: bool
    local_dir: Path

    jwt_issuer: str
    jwt_audience: str
    jwt_ttl_seconds: int
    jwt_private_key_file: Path
    max_token_bytes: int
    oidc_jwks_refresh_seconds: int
    oidc_http_timeout_seconds: int

    graphql_max_depth: int
    graphql_max_aliases: int
    graphql_max_tokens: int
    page_size_max: int = field(default=100)

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None


def load_settings() -> Settings:
    local_dir = Path(_env_str("CHAPTERS_LOCAL_DIR", str(PROJECT_ROOT / ".local")))
    host = _env_str("CHAPTERS_HOST", "127.0.0.1")
    port = _env_int("CHAPTERS_PORT", 8000, minimum=1)
    return Settings(
        database_url=_env_str("DATABASE_URL", None),
        database_app_url=_env_str("DATABASE_APP_URL", None),
        database_owner_url=_env_str("DATABASE_OWNER_URL", None),
        app_role=_env_str("DATABASE_APP_ROLE", "chapters_app"),
        app_role_password=_env_str("DATABASE_APP_PASSWORD", None),
        owner_role=_env_str("DATABASE_OWNER_ROLE", "chapters_owner"),
        owner_role_password=_env_str("DATABASE_OWNER_PASSWORD", None),
        database_bootstrap=_env_bool("DATABASE_BOOTSTRAP", True),
        database_pool_size=_env_int("DATABASE_POOL_SIZE", 10, minimum=1),
        database_pool_timeout=_env_int("DATABASE_POOL_TIMEOUT", 5, minimum=1),
        database_statement_timeout_ms=_env_int("DATABASE_STATEMENT_TIMEOUT_MS", 5000),
        host=host,
        port=port,
        graphiql=_env_bool("CHAPTERS_GRAPHIQL", True),
        local_dir=local_dir,
        jwt_issuer=_env_str("CHAPTERS_JWT_ISSUER", f"http://{host}:{port}"),
        jwt_audience=_env_str("CHAPTERS_JWT_AUDIENCE", "chapters"),
        jwt_ttl_seconds=_env_int("CHAPTERS_JWT_TTL_SECONDS", 3600, minimum=60),
        jwt_private_key_file=Path(
            _env_str("CHAPTERS_JWT_PRIVATE_KEY_FILE", str(local_dir / "signing-key.json"))
        ),
        max_token_bytes=_env_int("CHAPTERS_MAX_TOKEN_BYTES", 8192, minimum=512),
        oidc_jwks_refresh_seconds=_env_int("CHAPTERS_OIDC_JWKS_REFRESH_SECONDS", 60, minimum=1),
        oidc_http_timeout_seconds=_env_int("CHAPTERS_OIDC_HTTP_TIMEOUT_SECONDS", 5, minimum=1),
        graphql_max_depth=_env_int("CHAPTERS_GRAPHQL_MAX_DEPTH", 10, minimum=2),
        graphql_max_aliases=_env_int("CHAPTERS_GRAPHQL_MAX_ALIASES", 15, minimum=1),
        graphql_max_tokens=_env_int("CHAPTERS_GRAPHQL_MAX_TOKENS", 2000, minimum=100),
    )


@cache
def get_settings() -> Settings:
    return load_settings()

"""Alembic: its configuration, applying migrations, and the head and applied revisions."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.settings import PROJECT_ROOT, Settings


def _config() -> Any:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def alembic_config(owner_url: str, settings: Settings) -> Any:
    config = _config()
    config.attributes["url"] = owner_url
    config.attributes["app_role"] = settings.app_role
    # A process whose logging is configured (chapters.observability.logs) keeps it: alembic.ini's
    # would replace its handlers.
    config.attributes["skip_logging"] = any(
        handler.get_name() == "chapters" for handler in logging.getLogger().handlers
    )
    return config


def migrate(owner_url: str, settings: Settings, revision: str = "head") -> None:
    """Apply migrations as the owner role. Runs its own event loop: call from sync code."""
    from alembic import command

    command.upgrade(alembic_config(owner_url, settings), revision)


def head_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(_config()).get_heads())


async def current_revisions(engine: AsyncEngine) -> set[str]:
    """The applied migration revisions; empty when none was ever applied."""
    async with engine.connect() as conn:
        if await conn.scalar(text("SELECT to_regclass('alembic_version')")) is None:
            return set()
        rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
        return {row[0] for row in rows}

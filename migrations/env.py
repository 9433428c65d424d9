"""Alembic environment: async, run as the database owner role."""

import asyncio
import logging.config
import os

from alembic import context
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

from chapters import models
from chapters.db.admin import resolve_urls
from chapters.settings import get_settings

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = models.Base.metadata


def _owner_url() -> str:
    url = config.attributes.get("url")
    if url is None:
        url = resolve_urls(get_settings()).owner
    return url


def _include_object(obj, name, type_, reflected, compare_to):
    # alembic_version is Alembic's own bookkeeping; procrastinate_* is the job queue's schema,
    # applied from procrastinate's own SQL (revision 7a1c3e5b9d20), not from models.
    if type_ == "table":
        return name != "alembic_version" and not name.startswith("procrastinate_")
    table = getattr(getattr(obj, "table", None), "name", "")
    return not (reflected and table.startswith("procrastinate_"))


def _configure(connection=None, url=None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        include_object=_include_object,
        compare_type=True,
        transaction_per_migration=True,
    )


def run_migrations_offline() -> None:
    _configure(url=_owner_url())
    with context.begin_transaction():
        context.run_migrations()


# A migration waiting for a lock queues every query behind it: it gives up after
# lock_timeout instead (retry the deploy), and a statement running past statement_timeout
# (an index build on a table far bigger than planned) stops rather than hold its locks.
TIMEOUTS = {
    "lock_timeout": os.environ.get("CHAPTERS_MIGRATION_LOCK_TIMEOUT", "5s"),
    "statement_timeout": os.environ.get("CHAPTERS_MIGRATION_STATEMENT_TIMEOUT", "30min"),
}


def _run_sync(connection) -> None:
    for name, value in TIMEOUTS.items():
        connection.execute(text(f"SELECT set_config('{name}', :value, false)"), {"value": value})
    connection.commit()
    statements = config.attributes.get("statements")
    if statements is not None:  # the migration linter reads what each migration runs
        event.listen(
            connection,
            "before_cursor_execute",
            lambda _conn, _cursor, statement, *_: statements.append(statement),
        )
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_async_engine(_owner_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())

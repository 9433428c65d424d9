"""Run a command against a freshly migrated scratch database, then drop it.

    python -m bench.scratch_db -- alembic check

Uses TEST_DATABASE_URL (a superuser URL) or the embedded PostgreSQL. The command sees the
scratch database as DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

from sqlalchemy import make_url

from chapters import db
from chapters.settings import load_settings


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    settings = load_settings()
    server = os.environ.get("TEST_DATABASE_URL") or db.start_embedded_postgres(
        settings.local_dir / "pgdata"
    )
    name = f"chapters_scratch_{uuid.uuid4().hex[:8]}"
    admin = make_url(server).set(database=name).render_as_string(hide_password=False)
    urls = db.resolve_urls(settings, admin_url=admin)
    print(f"==> scratch database {name}", file=sys.stderr)
    asyncio.run(db.bootstrap_database(urls, settings))
    try:
        db.migrate(urls.owner, settings)
        env = {**os.environ, "DATABASE_URL": urls.admin}
        return subprocess.run(command, env=env, check=False).returncode
    finally:
        asyncio.run(db.drop_database(urls.admin))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Mint one bearer token per tenant (the tenant's ops person, person2@tN.example in load.sql)
with the code path of `chapters token`, and write the per-request inputs of the load tools.

    .venv/bin/python -m bench.peer.tokens [--db chapters_perf] [--ttl 43200] [--out FILE]

`chapters token --tenant S --email E` calls chapters.cli._token_for(owner engine, ...); calling
it once per tenant in one process gives the same tokens as the command (same signing key file
in CHAPTERS_BENCH_DIR/local, issuer, audience, claims) without starting it 100 times.

Output (default CHAPTERS_BENCH_DIR/inputs.tsv), one line per chapter: tenant_slug,
tenant_uuid, chapter_slug, chapter_uuid, chapter_global_id (the Chapters API's `id` of the
chapter), bearer token.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from bench.peer import config

OPS_EMAIL = "person2@{tenant}.example"  # tenant_role 'ops' in load.sql


async def mint(ttl: int) -> list[str]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from chapters import cli
    from chapters.db.admin import resolve_urls
    from chapters.global_ids import global_id
    from chapters.settings import get_settings

    settings = get_settings()
    urls = resolve_urls(settings)
    admin = create_async_engine(urls.admin, poolclass=NullPool)  # superuser: every tenant's rows
    async with admin.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT t.slug, t.id, c.slug, c.id FROM chapters c "
                    "JOIN tenants t ON t.id = c.tenant_id ORDER BY t.slug, c.slug"
                )
            )
        ).all()
    await admin.dispose()
    if not rows:
        raise SystemExit("no chapters in the database: load it first (bench/peer/run.sh)")
    owner = create_async_engine(urls.owner, poolclass=NullPool)
    tokens: dict[str, str] = {}
    try:
        for slug in sorted({r[0] for r in rows}):
            email = OPS_EMAIL.format(tenant="t" + str(int(slug[1:])))
            tokens[slug] = await cli._token_for(owner, settings, slug, email, ttl)
    finally:
        await owner.dispose()
    print(f"minted {len(tokens)} tokens (one per tenant) for {len(rows)} chapters", flush=True)
    return [
        f"{tslug}\t{tid}\t{cslug}\t{cid}\t{global_id('Chapter', cid)}\t{tokens[tslug]}\n"
        for tslug, tid, cslug, cid in rows
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=config.DB)
    ap.add_argument("--ttl", type=int, default=12 * 3600)
    ap.add_argument("--out", default=str(config.INPUTS))
    a = ap.parse_args()
    env = config.clean_env(
        DATABASE_URL=config.admin_url(a.db),
        DATABASE_BOOTSTRAP="false",
        CHAPTERS_LOCAL_DIR=str(config.LOCAL_DIR),
        CHAPTERS_JWT_ISSUER=config.ISSUER,
    )
    os.environ.clear()
    os.environ.update(env)
    lines = asyncio.run(mint(a.ttl))
    Path(a.out).write_text("".join(lines))
    print(f"wrote {a.out}", flush=True)


if __name__ == "__main__":
    main()

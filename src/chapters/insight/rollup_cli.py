"""``chapters insight-refresh``: bring the insight rollup up to date now, for one tenant or
all (what the worker does hourly), e.g. after a large import."""

from __future__ import annotations

import click


@click.command("insight-refresh")
@click.option("--tenant", "tenant_slug", help="Tenant slug (default: every tenant).")
@click.option("--rebuild", is_flag=True, help="Recompute everyone, not only who changed.")
def insight_refresh_command(tenant_slug: str | None, rebuild: bool) -> None:
    """Recompute the insight rollup of the people whose evidence changed since (or of
    everyone with --rebuild), tenant by tenant, each in its own committed transaction."""
    from chapters.cli import _resolve_urls, _settings, _with_owner_engine

    async def run(engine) -> None:  # type: ignore[no-untyped-def]
        from sqlalchemy import text

        from chapters.db.session import open_tenant_session, tenant_sessionmaker
        from chapters.insight import rollup
        from chapters.insight.service import basis_of

        async with engine.connect() as conn:
            query = "SELECT id, slug FROM tenants"
            if tenant_slug is not None:
                query += " WHERE slug = :slug"
            tenants = (
                await conn.execute(text(query + " ORDER BY slug"), {"slug": tenant_slug})
            ).all()
        if not tenants:
            raise click.ClickException(f"no tenant {tenant_slug!r}")
        sessionmaker = tenant_sessionmaker(engine)
        for number, (tenant_id, slug) in enumerate(tenants, start=1):
            async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
                rules = (await basis_of(session, tenant_id)).rules
                done = await rollup.refresh(session, tenant_id, rules, rebuild=rebuild)
            what = "rebuilt" if done.rebuilt else f"{done.people:,} people refreshed"
            click.echo(
                f"[{number}/{len(tenants)}] {slug}: {what}, {done.rows:,} rows "
                f"in {done.seconds:.1f} s"
            )

    _with_owner_engine(_resolve_urls(_settings()), run)

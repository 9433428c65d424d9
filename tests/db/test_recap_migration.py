"""The migration that separates reach from attendance and keeps recaps as versions moves the
data already there, in every tenant: articles' and podcasts' numbers become their reach
(reads, listens), headcounts stay attendance (so does a live stream's: the people who joined it
live), and each published recap becomes its version 1 with the links it added."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from chapters.db.admin import scratch_database
from chapters.db.migrations import alembic_config
from chapters.tenants.admin import ensure_tenant

BEFORE = "fdc4eb678692"
RECAP_AT = datetime(2026, 7, 10, tzinfo=UTC)
# kind, actual attendance, summary (None: no recap)
ACTIVITIES = {
    "article": ("article", 3400, "Read 3,400 times"),
    "podcast": ("podcast", 1850, "1,850 plays"),
    "meetup": ("offline_meetup", 86, "86 people came"),
    "stream": ("live_stream", 730, "730 joined live"),
    "draft": ("offline_meetup", None, None),
}


async def _seed(owner_url: str) -> list[uuid.UUID]:
    engine = create_async_engine(owner_url, poolclass=NullPool)
    tenants = []
    try:
        for slug in ("recap-a", "recap-b"):
            tenant_id, _ = await ensure_tenant(engine, slug=slug, name=slug)
            tenants.append(tenant_id)
            async with engine.begin() as conn:
                await conn.execute(
                    text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
                )
                chapter = uuid.uuid4()
                await conn.execute(
                    text(
                        "INSERT INTO chapters (tenant_id, id, name, slug, timezone, status)"
                        " VALUES (:t, :id, 'Shanghai', 'shanghai', 'Asia/Shanghai', 'active')"
                    ),
                    {"t": tenant_id, "id": chapter},
                )
                for key, (kind, attendance, summary) in ACTIVITIES.items():
                    activity = uuid.uuid4()
                    await conn.execute(
                        text(
                            "INSERT INTO activities (tenant_id, id, chapter_id, kind, status,"
                            " title, starts_at, timezone, actual_attendance, recap_summary,"
                            " recap_published_at) VALUES (:t, :id, :c, :kind, 'accepted', :key,"
                            " :starts, 'Asia/Shanghai', :attendance, :summary, :published)"
                        ),
                        {
                            "t": tenant_id,
                            "id": activity,
                            "c": chapter,
                            "kind": kind,
                            "key": key,
                            "starts": RECAP_AT - timedelta(days=3),
                            "attendance": attendance,
                            "summary": summary,
                            "published": RECAP_AT if summary else None,
                        },
                    )
                    # One link announced before, one added by the recap.
                    for link_kind, url, created in (
                        ("registration", f"https://r.example/{key}", RECAP_AT - timedelta(days=9)),
                        ("photos", f"https://p.example/{key}", RECAP_AT),
                    ):
                        await conn.execute(
                            text(
                                "INSERT INTO activity_links (tenant_id, id, activity_id, kind,"
                                " url, created_at) VALUES (:t, :id, :a, :kind, :url, :created)"
                            ),
                            {
                                "t": tenant_id,
                                "id": uuid.uuid4(),
                                "a": activity,
                                "kind": link_kind,
                                "url": url,
                                "created": created,
                            },
                        )
    finally:
        await engine.dispose()
    return tenants


async def _state(owner_url: str, tenant_id: uuid.UUID) -> dict[str, tuple]:
    engine = create_async_engine(owner_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
            )
            rows = await conn.execute(
                text(
                    "SELECT a.title, a.actual_attendance, a.reach, a.reach_unit,"
                    " (SELECT array_agg(l.kind ORDER BY l.kind) FROM activity_links l"
                    "   WHERE l.activity_id = a.id),"
                    " (SELECT array_agg(jsonb_build_array(v.number, v.summary, v.attendance,"
                    "   v.reach, v.reach_unit, v.links)) FROM activity_recap_versions v"
                    "   WHERE v.activity_id = a.id)"
                    " FROM activities a"
                )
            )
            return {row[0]: tuple(row[1:]) for row in rows}
    finally:
        await engine.dispose()


def test_existing_figures_and_recaps_move_in_every_tenant(urls, settings) -> None:
    with scratch_database(urls.admin, settings, "chapters_recaps", migrated=False) as scratch:
        config = alembic_config(scratch.owner, settings)
        command.upgrade(config, BEFORE)
        tenants = asyncio.run(_seed(scratch.owner))
        command.upgrade(config, "head")

        def version(number, summary, attendance, reach, unit, key):
            links = [{"kind": "photos", "url": f"https://p.example/{key}", "title": None}]
            return [[number, summary, attendance, reach, unit, links]]

        for tenant_id in tenants:
            assert asyncio.run(_state(scratch.owner, tenant_id)) == {
                "article": (
                    None,
                    3400,
                    "reads",
                    ["registration"],
                    version(1, "Read 3,400 times", None, 3400, "reads", "article"),
                ),
                "podcast": (
                    None,
                    1850,
                    "listens",
                    ["registration"],
                    version(1, "1,850 plays", None, 1850, "listens", "podcast"),
                ),
                "meetup": (
                    86,
                    None,
                    None,
                    ["registration"],
                    version(1, "86 people came", 86, None, None, "meetup"),
                ),
                "stream": (  # people who joined live: attendance, which streams keep
                    730,
                    None,
                    None,
                    ["registration"],
                    version(1, "730 joined live", 730, None, None, "stream"),
                ),
                "draft": (None, None, None, ["photos", "registration"], None),
            }
        command.downgrade(config, BEFORE)
        state = asyncio.run(_legacy_state(scratch.owner, tenants[0]))
        assert state["article"] == (3400, ["photos", "registration"])
        assert state["meetup"] == (86, ["photos", "registration"])


async def _legacy_state(owner_url: str, tenant_id: uuid.UUID) -> dict[str, tuple]:
    """After a downgrade: the figure back in actual_attendance, the recap's links back."""
    engine = create_async_engine(owner_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
            )
            rows = await conn.execute(
                text(
                    "SELECT a.title, a.actual_attendance, (SELECT array_agg(l.kind ORDER BY"
                    " l.kind) FROM activity_links l WHERE l.activity_id = a.id) FROM activities a"
                )
            )
            return {row[0]: tuple(row[1:]) for row in rows}
    finally:
        await engine.dispose()

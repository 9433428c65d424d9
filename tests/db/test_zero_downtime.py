"""Expand, then contract: the newest migration can be applied while the version before it
serves. A populated database at head-1 takes traffic from the app (reads and writes of the
domains it already had: the queries the previous version sends) while head is applied; every
request is answered without an error, and the migration does not wait on them for long."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from chapters.api.ids import global_id
from chapters.app import create_app
from chapters.db.admin import unmigrated_scratch_database
from chapters.db.migrations import current_revisions, migrate
from chapters.models import TenantRole
from tests.support import TenantFactory, gql, make_activity, make_chapter, serving

OPERATIONS = Path(__file__).parents[2] / "graphql" / "operations"
ADMIN = "admin@x.example"
LEAD = "lead@x.example"


def _head_and_previous() -> tuple[str, str]:
    script = ScriptDirectory(str(Path(__file__).parents[2] / "migrations"))
    head = script.get_revision(script.get_current_head())
    assert head is not None and isinstance(head.down_revision, str)
    return head.revision, head.down_revision


def _operation(path: str) -> str:
    return (OPERATIONS / path).read_text()


async def test_the_previous_version_keeps_working_while_head_is_applied(
    settings, urls, keys
) -> None:
    head, previous = _head_and_previous()
    async with unmigrated_scratch_database(urls.admin, settings, "chapters_deploy") as scratch:
        await asyncio.to_thread(migrate, scratch.owner, settings, previous)
        owner_engine = create_async_engine(scratch.owner, poolclass=NullPool)
        try:
            people = {ADMIN: TenantRole.ADMIN, LEAD: None, "member@x.example": None}
            tenant = await TenantFactory(owner_engine, keys, settings).create(people=people)
            chapter = await make_chapter(
                owner_engine,
                tenant,
                "shanghai",
                staff=ADMIN,
                lead=LEAD,
                members=("member@x.example",),
            )
            for week in range(12):
                start = datetime.now(UTC).replace(microsecond=0) + timedelta(weeks=week - 6)
                await make_activity(
                    owner_engine,
                    tenant,
                    chapter.id,
                    staff=ADMIN,
                    title=f"Meetup {week}",
                    starts_at=start,
                )
        finally:
            await owner_engine.dispose()

        app = create_app(settings, app_url=scratch.app, keys=keys)
        async with serving(app) as client:
            gid = global_id("Chapter", chapter.id)
            requests = [
                (
                    _operation("activities/Activities.graphql"),
                    {"filter": {"chapterId": gid}},
                    ADMIN,
                ),
                (_operation("chapters/ChapterRoster.graphql"), {"slug": "shanghai"}, LEAD),
                (_operation("chapters/ChapterDirectory.graphql"), {}, LEAD),
            ]
            create = _operation("activities/ActivityCreate.graphql")
            answers: list[dict] = []
            during = 0
            migrating = asyncio.get_running_loop().run_in_executor(
                None, migrate, scratch.owner, settings, "head"
            )
            started = time.monotonic()

            async def traffic(caller: int) -> None:
                nonlocal during
                rounds = 0
                while not migrating.done() or rounds < 2:
                    rounds += 1
                    in_flight = not migrating.done()
                    for query, variables, who in requests:
                        token = tenant.token(who)
                        answers.append(
                            await gql(client, tenant.slug, query, variables, token=token)
                        )
                    live = {
                        "chapterId": gid,
                        "kind": "ONLINE_MEETUP",
                        "title": f"Live {caller}.{rounds}",
                        "startsAt": "2030-03-14T19:00:00+08:00",
                        "endsAt": "2030-03-14T21:00:00+08:00",
                    }
                    made = await gql(
                        client, tenant.slug, create, {"input": live}, token=tenant.token(LEAD)
                    )
                    answers.append(made)
                    assert made["data"]["activityCreate"]["errors"] == [], made
                    during += in_flight and not migrating.done()

            await asyncio.gather(*(traffic(caller) for caller in range(3)))
            await migrating
            took = time.monotonic() - started
        assert [answer for answer in answers if answer.get("errors")] == []
        assert during >= 1, "no request was answered while the migration was applied"
        assert took < 60
        engine = create_async_engine(scratch.owner, poolclass=NullPool)
        try:
            assert await current_revisions(engine) == {head}
        finally:
            await engine.dispose()

"""Benchmark: the CPU one request costs in this process, compiled read path on and off.

    python -m bench.compiled_reads --requests 500

Runs the bench scenarios (Q1 chapter dashboard, Q2 ops feed, Q3 chapter by id) as the demo
tenant's admin on a scratch database (TEST_DATABASE_URL or the embedded PostgreSQL, dropped
afterwards), in process through httpx's ASGI transport, sequentially; ``time.process_time``
counts this process's CPU only (PostgreSQL's is not in it). Prints, per scenario and path,
CPU per request, the wall-clock p50 and the statements one request sends.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import logging
import statistics
import sys
import time
from typing import Any

import httpx
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from chapters import compiled
from chapters.app import create_app
from chapters.auth.keys import SigningKeys, generate_signing_key
from chapters.auth.tokens import issue_access_token
from chapters.db.admin import DatabaseUrls, scratch_database, scratch_server_url
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo import seed_demo
from chapters.people.service import find_person_by_email
from chapters.settings import load_settings

Q1 = """query ChapterDashboard($slug: String!, $chapterId: ID!) {
  chapter(slug: $slug) { id name members(first: 20) { edges { node { role person { displayName } } } } }
  activities(filter: {chapterId: $chapterId}, first: 20) {
    edges { node { id title kind status startsAt venue organisations { role name } } }
  }
}"""
Q2 = """query OpsFeed($status: ActivityStatus!) {
  activities(filter: {status: [$status]}, first: 50) {
    edges { node { id title kind status startsAt chapter { name } } }
  }
}"""
Q3 = """query ChapterById($id: ID!) {
  node(id: $id) { id ... on Chapter { name slug city createdAt } }
}"""
BIGGEST_CHAPTER = "{ chapters(first: 40) { edges { node { id slug members(first: 100) { edges { node { role } } } } } } }"


async def _run(urls: DatabaseUrls, requests: int, profile: str | None) -> None:
    settings = load_settings()
    key = generate_signing_key()
    keys = SigningKeys(key, KeySet([ECKey.import_key(key.as_dict(private=False))]))
    owner = create_async_engine(urls.owner, poolclass=NullPool)
    tenant_ids = await seed_demo(owner, echo=lambda *_: None)
    async with open_tenant_session(tenant_sessionmaker(owner), tenant_ids["demo"]) as session:
        admin = await find_person_by_email(session, "admin@demo.example")
    await owner.dispose()
    assert admin is not None
    token = issue_access_token(keys, settings, tenant_id=tenant_ids["demo"], subject=str(admin.id))
    app = create_app(settings, app_url=urls.app, keys=keys)
    headers = {"Authorization": f"Bearer {token}"}
    async with app.lifespan():
        runtime = app.state.runtime
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:

            async def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
                response = await http.post(
                    "/t/demo/graphql",
                    json={"query": query, "variables": variables},
                    headers=headers,
                )
                body: dict[str, Any] = response.json()
                assert response.status_code == 200 and "errors" not in body, body
                return body

            edges = (await post(BIGGEST_CHAPTER, {}))["data"]["chapters"]["edges"]
            chapter = max(edges, key=lambda e: len(e["node"]["members"]["edges"]))["node"]
            scenarios = {
                "Q1 dashboard": (Q1, {"slug": chapter["slug"], "chapterId": chapter["id"]}),
                "Q2 ops feed": (Q2, {"status": "ACCEPTED"}),
                "Q3 chapter": (Q3, {"id": chapter["id"]}),
            }
            on = dataclasses.replace(runtime.settings, compiled_reads=True)
            off = dataclasses.replace(runtime.settings, compiled_reads=False)
            for name, (query, variables) in scenarios.items():
                answers = {}
                for label, chosen in (("resolvers", off), ("compiled", on), ("built", on)):
                    runtime.settings = chosen
                    # "built": the statement is built for every request (as for a request
                    # not asked before), not taken from the cache of built statements.
                    forgetting = label == "built"
                    answers[label] = await post(query, variables)
                    statements = _statements(runtime.engine.sync_engine)
                    with statements:
                        await post(query, variables)
                    for _ in range(50):  # warm-up
                        await post(query, variables)
                    walls = []
                    cpu = time.process_time()
                    for _ in range(requests):
                        if forgetting:
                            compiled.forget()
                        started = time.perf_counter()
                        await post(query, variables)
                        walls.append(time.perf_counter() - started)
                    cpu = time.process_time() - cpu
                    if profile and profile == f"{name.split()[0]} {label}":
                        await _profile(functools.partial(post, query, variables), requests)
                    print(
                        f"{name:14} {label:9}: {cpu / requests * 1000:6.2f} ms CPU/request, "
                        f"wall p50 {statistics.median(walls) * 1000:6.2f} ms, "
                        f"{len(statements.seen)} SQL statements"
                    )
                assert answers["resolvers"] == answers["compiled"], name


async def _profile(call: Any, requests: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        await call()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


class _statements:
    def __init__(self, engine: Any) -> None:
        self.engine, self.seen = engine, []

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seen.append(statement)

    def __enter__(self) -> _statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def main() -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", help='e.g. "Q1 compiled": print a profile of that loop')
    args = parser.parse_args()
    settings = load_settings()
    with scratch_database(scratch_server_url(settings), settings, "chapters_bench") as urls:
        print(f"==> bench database {make_url(urls.admin).database}", file=sys.stderr)
        asyncio.run(_run(urls, args.requests, args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())

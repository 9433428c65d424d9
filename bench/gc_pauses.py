"""Benchmark: garbage-collector pauses under load, with Python's default settings and with the
policy `chapters serve` applies in every worker (``chapters.app.apply_gc_policy``).

    python -m bench.gc_pauses [--requests 600] [--concurrency 1] [--threshold 50000,20,10]

The same in-process load as `make bench` (``bench/graphql_requests.py``: the demo tenant, its
three queries in turn), first with the default collector, then with the policy. A
``gc.callbacks`` hook records every collection's pause; prints, for each, the collections and
pauses per generation, the share of the run spent collecting, and the request latencies.
``--threshold`` replaces the policy's thresholds (to compare others).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import statistics
import sys
import time
from typing import Any

import httpx
from sqlalchemy import make_url

from bench.graphql_requests import QUERIES, demo_app
from chapters.app import apply_gc_policy
from chapters.db.admin import DatabaseUrls, scratch_database, scratch_server_url
from chapters.settings import load_settings

DEFAULT_THRESHOLDS = (700, 10, 10)


class PauseRecorder:
    """Every collection's generation and duration, from ``gc.callbacks``."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    def __enter__(self) -> PauseRecorder:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self)


async def _load(
    http: httpx.AsyncClient, token: str, requests: int, concurrency: int
) -> tuple[list[float], float]:
    """``requests`` requests, the queries in turn, ``concurrency`` at a time: their latencies
    and the wall time."""
    headers = {"Authorization": f"Bearer {token}"}
    queries = list(QUERIES.values())
    semaphore = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(index: int) -> None:
        async with semaphore:
            started = time.perf_counter()
            response = await http.post(
                "/t/demo/graphql", json={"query": queries[index % len(queries)]}, headers=headers
            )
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200 and "errors" not in response.json()

    started = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(requests)))
    return latencies, time.perf_counter() - started


def _report(
    name: str, pauses: list[tuple[int, float]], latencies: list[float], wall: float
) -> None:
    print(f"{name}: {len(latencies)} requests in {wall:.1f} s")
    for generation in (0, 1, 2):
        ms = [seconds * 1000 for gen, seconds in pauses if gen == generation]
        if ms:
            print(
                f"  gen{generation}: {len(ms)} collections (one per "
                f"{len(latencies) / len(ms):.1f} requests), median {statistics.median(ms):.2f} ms, "
                f"max {max(ms):.1f} ms, total {sum(ms):.0f} ms"
            )
        else:
            print(f"  gen{generation}: no collection")
    total = sum(seconds for _, seconds in pauses)
    q = statistics.quantiles(latencies, n=100)
    print(
        f"  collecting: {total * 1000:.0f} ms, {100 * total / wall:.1f} % of the run; "
        f"latency p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms"
    )


async def _run(
    urls: DatabaseUrls, requests: int, concurrency: int, thresholds: tuple[int, ...] | None
) -> None:
    async with demo_app(urls) as (http, _app, token):
        await _load(http, token, 150, 1)  # warm-up: caches, prepared statements, pool
        for name in ("default", "policy"):
            gc.unfreeze()
            gc.set_threshold(*DEFAULT_THRESHOLDS)
            gc.collect()
            if name == "policy":
                apply_gc_policy()
                if thresholds:
                    gc.set_threshold(*thresholds)
                name = f"policy (freeze, thresholds {gc.get_threshold()})"
            else:
                name = f"default (thresholds {gc.get_threshold()})"
            with PauseRecorder() as recorder:
                latencies, wall = await _load(http, token, requests, concurrency)
            _report(name, recorder.pauses, latencies, wall)


def main() -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--threshold", help="gen0,gen1,gen2 instead of the policy's")
    args = parser.parse_args()
    thresholds = tuple(int(n) for n in args.threshold.split(",")) if args.threshold else None
    settings = load_settings()
    with scratch_database(scratch_server_url(settings), settings, "chapters_bench") as urls:
        print(f"==> bench database {make_url(urls.admin).database}", file=sys.stderr)
        asyncio.run(_run(urls, args.requests, args.concurrency, thresholds))
    return 0


if __name__ == "__main__":
    sys.exit(main())

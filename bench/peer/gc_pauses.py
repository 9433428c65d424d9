"""`chapters serve --workers 1` (chapters_perf, port 8100) with a record of every garbage-collector
pause: a gc.callbacks hook, nothing else changes. Explains Chapters' p99 at -c1.

    .venv/bin/python -m bench.peer.gc_pauses OUT.json      # then load it, e.g.:
    wrk -t1 -c1 -d15s -s bench/peer/wrk/requests.lua http://127.0.0.1:8100 -- \\
        bench/peer/queries/q1_dashboard.chapters.graphql chapters q1 CHAPTERS_BENCH_DIR/inputs.tsv

Needs what run.sh prepares (BENCH_KEEP_PG=1 leaves the cluster running). Writes
[[generation, seconds, collected], ...] to OUT.json every 2 s and at exit, and prints the count,
median and maximum pause of each generation when it stops (Ctrl-C).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import statistics
import sys
import threading
import time
from typing import Any

from bench.peer import compare

OUT = sys.argv[1] if len(sys.argv) > 1 else "gc-pauses.json"
pauses: list[tuple[int, float, int]] = []
started: dict[str, float] = {}


def on_gc(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        started["t"] = time.perf_counter()
    else:
        pauses.append((info["generation"], time.perf_counter() - started["t"], info["collected"]))


def dump() -> None:
    with open(OUT, "w") as f:
        json.dump(pauses, f)


def report() -> None:
    dump()
    for gen in (0, 1, 2):
        ms = [p[1] * 1000 for p in pauses if p[0] == gen]
        if ms:
            print(
                f"gen{gen}: {len(ms)} collections, median {statistics.median(ms):.2f} ms, "
                f"max {max(ms):.2f} ms, total {sum(ms) / 1000:.2f} s",
                file=sys.stderr,
            )


def every_2s() -> None:
    while True:
        time.sleep(2)
        dump()


def main() -> None:
    env = compare.chapters_env(compare.config.DB, 8100)
    os.environ.clear()
    os.environ.update(env)
    gc.callbacks.append(on_gc)
    atexit.register(report)
    threading.Thread(target=every_2s, daemon=True).start()
    from chapters.cli import main as chapters

    sys.argv = ["chapters", "serve"]
    if compare.serve_has_workers_option():
        sys.argv += ["--workers", "1"]  # one process: the one this hook records
    chapters()


if __name__ == "__main__":
    main()

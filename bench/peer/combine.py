"""Pool the runs of several passes of the comparison and print medians.

usage: .venv/bin/python -m bench.peer.combine RESULTS/runs-A.json RESULTS/runs-B.json [...]

Per scenario (server.query, and raw.query for the SQL floor): median over all clean runs of all
files (all runs if fewer than 3 are clean), plus each file's own median, so pass-to-pass drift
stays visible.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any


def scenarios(d: dict[str, Any]) -> dict[str, Any]:
    return {**d.get("scenarios", {}), **{f"raw.{k}": v for k, v in d.get("raw", {}).items()}}


def main(files: list[str]) -> None:
    data = [scenarios(json.loads(Path(f).read_text())) for f in files]
    names: list[str] = []
    for d in data:
        names += [n for n in d if n not in names]
    print(f"pooled medians over {len(files)} passes ({', '.join(files)})\n")
    print(
        "| scenario | req/s | p50 ms | p99 ms | runs pooled | "
        + " | ".join(f"pass {i + 1} req/s" for i in range(len(files)))
        + " |"
    )
    print("|---|---:|---:|---:|---:|" + "---:|" * len(files))
    for n in names:
        runs = [r for d in data for r in d.get(n, {}).get("runs", [])]
        clean = [r for r in runs if not r.get("noisy")]
        use = clean if len(clean) >= 3 else runs

        def med(key: str, use: list[dict[str, Any]] = use) -> float:
            return statistics.median(r[key] for r in use)

        per = [d[n]["median"]["rps"] if n in d else float("nan") for d in data]
        print(
            f"| {n} | {med('rps'):.0f} | {med('p50_ms'):.1f} | {med('p99_ms'):.1f} | {len(use)} | "
            + " | ".join(f"{x:.0f}" for x in per)
            + " |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])

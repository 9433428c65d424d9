"""Where the Chapters server spends its CPU: py-spy samples the production process (`chapters
serve`, 1 process, chapters_perf) while wrk drives one query (random chapters, ops tokens) at
-cBENCH_CONNECTIONS; the samples are grouped by layer (analyze_pyspy.py). Also measures the
server's CPU per request without the profiler attached.

    .venv/bin/python -m bench.peer.profile_server [--kind q1] [--seconds 15] [--py-spy PATH]

Needs what run.sh prepares (PostgreSQL up, chapters_perf loaded, inputs minted); run.sh runs it
for Q1 and Q3 with BENCH_PROFILE=1. Holds the lock of measure.py while it loads the machine.
Writes CHAPTERS_BENCH_DIR/results/pyspy-<kind>.txt (collapsed stacks, py-spy raw format) and
pyspy-<kind>.md (the breakdown).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time

from bench.peer import analyze_pyspy, compare, measure


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", default="q1", choices=["q1", "q2", "q3"])
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy")
    a = ap.parse_args()
    compare.RES.mkdir(parents=True, exist_ok=True)
    raw_out = compare.RES / f"pyspy-{a.kind}.txt"
    p = compare.start("chapters")
    lines = []
    try:
        with measure.heavy_lock():
            w = compare.wrk("chapters", a.kind, 5, check=True)
            if w["bad"] or not w["checked"]:
                raise SystemExit(f"bad responses during warm-up: {w}")
            table0 = measure.proc_table()
            t0 = time.monotonic()
            w0 = compare.wrk("chapters", a.kind, a.seconds)
            ticks = measure.proc_table()[p.pid][1] - table0[p.pid][1]
            cores = ticks / measure.HZ / (time.monotonic() - t0)
            lines.append(
                f"without profiler: {w0['rps']} req/s, p50 {w0['p50_ms']} ms; server process "
                f"{cores:.2f} cores = {cores / w0['rps'] * 1000:.2f} ms of CPU per request"
            )
            measure.log(f"{a.kind}: {lines[-1]}; now with py-spy attached")
            s = subprocess.Popen(
                [
                    *(a.py_spy, "record", "--pid", str(p.pid), "--duration", str(a.seconds)),
                    *("--rate", "250", "--nonblocking", "--format", "raw", "-o", str(raw_out)),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            time.sleep(0.5)
            w1 = compare.wrk("chapters", a.kind, a.seconds)
            s.wait(timeout=a.seconds + 30)
            lines.append(f"with py-spy attached (--nonblocking, 250 Hz): {w1['rps']} req/s")
    finally:
        measure.stop_server(p, "chapters")
    if not raw_out.exists():
        raise SystemExit(f"py-spy wrote no samples (ptrace not permitted?): {raw_out}")
    report = analyze_pyspy.report(
        raw_out, title=f"Chapters `chapters serve`, {a.kind} at -c{compare.CONNS}, py-spy samples"
    )
    text = "\n".join([*("- " + x for x in lines), "", report])
    (compare.RES / f"pyspy-{a.kind}.md").write_text(text + "\n")
    print(text, flush=True)


if __name__ == "__main__":
    main()

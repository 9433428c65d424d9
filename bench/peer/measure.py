"""CPU accounting, quiet waits and the shared lock around every measured run.

A run's CPU is split by process tree (``groups``: name -> root pid; a process belongs to the
group of its nearest ancestor that is a root) and compared with the whole machine's busy time
from /proc/stat: what no group accounts for is *foreign* load (other jobs on a shared box).
The process table is sampled every 0.5 s during a run, so processes that start and exit within
it (PostgreSQL backends of a client's pool) still count for their group.
Before a run: up to ``BENCH_QUIET_WAIT`` s for the foreign load to drop below
``BENCH_FOREIGN_LIMIT`` cores; a run with more foreign load than that is marked noisy and run
again (up to ``BENCH_MAX_RETRIES`` times). Medians use the clean runs when there are >= 3.

Every measured run holds an exclusive flock(2) on ``BENCH_LOCK`` (default /tmp/heavy.lock,
what ``flock /tmp/heavy.lock <command>`` takes), so heavy jobs that take the same lock do not
overlap with it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench.peer import config

HZ = os.sysconf("SC_CLK_TCK")
QUIET_WAIT = config.env_float("BENCH_QUIET_WAIT", 60)
FOREIGN_LIMIT = config.env_float("BENCH_FOREIGN_LIMIT", 0.15)
MAX_RETRIES = config.env_int("BENCH_MAX_RETRIES", 2)
LOCK = os.environ.get("BENCH_LOCK") or "/tmp/heavy.lock"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@contextlib.contextmanager
def heavy_lock() -> Iterator[None]:
    with open(LOCK, "a") as f:
        t0 = time.monotonic()
        fcntl.flock(f, fcntl.LOCK_EX)
        waited = time.monotonic() - t0
        if waited > 1:
            log(f"   waited {waited:.0f} s for {LOCK}")
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, utime + stime) of every process, its own times only. Children's times
    (cutime) are left out: when a long-lived PostgreSQL backend exits, its whole lifetime would
    land in the postmaster's figure of whichever run it ends in."""
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        rest = s[s.rindex(")") + 2 :].split()
        procs[int(d)] = (int(rest[1]), int(rest[11]) + int(rest[12]))
    return procs


def tree(table: dict[int, tuple[int, int]], root: int) -> list[int]:
    """``root`` and its descendants."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(pid)
        todo += children.get(pid, [])
    return sorted(out)


def machine_busy() -> int:
    """Busy ticks of all CPUs since boot (user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return user + nice + system + irq + softirq + steal


def _own_children_ticks() -> float:
    t = os.times()
    return (t.children_user + t.children_system) * HZ


def _snapshot() -> tuple[float, int, dict[int, tuple[int, int]], float]:
    return time.monotonic(), machine_busy(), proc_table(), _own_children_ticks()


def _group_of(table: dict[int, tuple[int, int]], roots: dict[int, str], pid: int) -> str | None:
    seen = 0
    while pid and seen < 64:
        if pid in roots:
            return roots[pid]
        pid = table.get(pid, (0, 0))[0]
        seen += 1
    return None


class _Sampler(threading.Thread):
    """The last times seen of every process, sampled every ``interval`` s until stopped."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.seen: dict[int, tuple[int, int]] = {}
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.seen.update(proc_table())

    def finish(self) -> dict[int, tuple[int, int]]:
        self._done.set()
        self.join()
        return self.seen


def cpu_between(
    s0: tuple, s1: tuple, groups: dict[str, int], seen: dict[int, tuple[int, int]] | None = None
) -> dict[str, float]:
    """Cores used by each group and by foreign processes between two snapshots (``seen``: the
    last times of processes that exited in between). A group rooted at this process gets the
    time of the children it waited for (wrk, the SQL client) from os.times()."""
    (t0, busy0, table0, own0), (t1, busy1, table1, own1) = s0, s1
    merged = {**(seen or {}), **table1}
    me = os.getpid()
    roots = {pid: name for name, pid in groups.items()}
    ticks = dict.fromkeys(groups, 0.0)
    for pid, (_, tt) in merged.items():
        name = _group_of(merged, roots, pid)
        if name is None or (pid not in table1 and groups[name] == me):
            continue  # exited children of this process: in its children's times below
        ticks[name] += tt - table0.get(pid, (0, 0))[1]
    for name, pid in groups.items():
        if pid == me:
            ticks[name] += own1 - own0
    elapsed = max(t1 - t0, 1e-6)
    cores = {name: round(t / HZ / elapsed, 2) for name, t in ticks.items()}
    cores["foreign"] = round(max(0.0, (busy1 - busy0 - sum(ticks.values())) / HZ / elapsed), 2)
    return cores


def wait_quiet(groups: dict[str, int]) -> float | None:
    """Wait up to QUIET_WAIT s for foreign load below FOREIGN_LIMIT; the last foreign load seen."""
    if QUIET_WAIT <= 0:
        return None
    deadline = time.monotonic() + QUIET_WAIT
    while True:
        s0 = _snapshot()
        time.sleep(2)
        foreign = cpu_between(s0, _snapshot(), groups)["foreign"]
        if foreign <= FOREIGN_LIMIT:
            return foreign
        if time.monotonic() >= deadline:
            log(
                f"   foreign load still {foreign:.2f} cores after {QUIET_WAIT:.0f} s: measuring anyway"
            )
            return foreign
        time.sleep(1)


def measured(fn: Callable[[], dict[str, Any]], groups: dict[str, int]) -> list[dict[str, Any]]:
    """Run ``fn`` (which returns a result with rps, p50_ms, p99_ms) under the lock, after a quiet
    wait, with its CPU split by group; again while the foreign load was above the limit."""
    runs = []
    for attempt in range(MAX_RETRIES + 1):
        with heavy_lock():
            wait_quiet(groups)
            s0 = _snapshot()
            sampler = _Sampler()
            sampler.start()
            try:
                res = fn()
            finally:
                seen = sampler.finish()
            res["cpu_cores"] = cpu_between(s0, _snapshot(), groups, seen)
        res["noisy"] = res["cpu_cores"]["foreign"] > FOREIGN_LIMIT
        runs.append(res)
        if not res["noisy"]:
            break
        if attempt < MAX_RETRIES:
            log(f"   foreign load {res['cpu_cores']['foreign']} cores > {FOREIGN_LIMIT}: again")
    return runs


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    clean = [r for r in runs if not r.get("noisy")]
    use = clean if len(clean) >= 3 else runs
    out: dict[str, Any] = {
        k: statistics.median(r[k] for r in use) for k in ("rps", "p50_ms", "p99_ms")
    }
    out["rps_all"] = [r["rps"] for r in runs]
    out["runs_used"] = len(use)
    out["noisy_runs"] = len(runs) - len(clean)
    names = {k for r in use for k in r.get("cpu_cores", {})}
    out["cpu_cores"] = {
        k: round(statistics.median(r["cpu_cores"].get(k, 0) for r in use), 2) for k in sorted(names)
    }
    return out


def postmaster_pid() -> int | None:
    try:
        pid = int((config.PGDATA / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    return pid if os.path.exists(f"/proc/{pid}") else None


def stop_server(p: subprocess.Popen, name: str, timeout: float = 20) -> None:
    """SIGTERM to the server's process group (it was started in a session of its own), then
    SIGKILL if it is still there after ``timeout`` s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    with contextlib.suppress(subprocess.TimeoutExpired):
        p.wait(timeout=timeout)
    while _group_alive(p.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if p.poll() is None or _group_alive(p.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    log(f"{name} stopped")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True

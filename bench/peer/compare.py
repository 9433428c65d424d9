"""Chapters vs PostGraphile 5 on the Chapters schema (database chapters_perf), RLS binding both.

Run by bench/peer/run.sh (`make bench-peer`) once the throwaway PostgreSQL is up, the
databases are loaded and the inputs minted. Servers (started here, all up during the rounds,
each connecting as the app role chapters_app, so the same row-level-security policies bind them):

  postgraphile      postgraphile/serve.sh: 1 Node process, pool 16, tenant from X-Tenant-Id, :5679
  postgraphile_jwt  the same, but verifying the Chapters bearer token (ES256 signature, iss, aud,
                    exp, nbf) and taking the tenant from its claim instead of a header, :5680
  chapters          `chapters serve --workers 1`, the production command in 1 process, GraphiQL
                    off, :8100
  chapters_workers  `chapters serve --workers N`, N = BENCH_WORKERS (default: one per core),
                    :8101 (for a `chapters serve` without the option: `uvicorn --factory
                    chapters.app:create_app --workers N`)

Steps: verify.py (Chapters, PostGraphile and the hand-written SQL give the same rows; PostGraphile
without a tenant sees nothing) -- a mismatch stops the run with exit status 1; a warm-up per
server x query with every body checked (non-200 / "errors" / no "data" stops the run); ROUNDS
rounds of DURATION s per query, servers interleaved inside each round (wrk -t1 -cCONNECTIONS);
RSS of each server's process tree; SQL statements per request (count_statements.py); the raw
SQL floor (raw_sql.py, no server running); the data-size run: Chapters on chapters_perf vs
chapters_small (tenant t001 only), Q1/Q2 for t001's chapters at -c1 and -cCONNECTIONS.

Options (environment, see bench/README.md): BENCH_ROUNDS (3) BENCH_DURATION (15)
BENCH_WARMUP (5) BENCH_CONNECTIONS (32) BENCH_SERVERS
(postgraphile,postgraphile_jwt,chapters,chapters_workers) BENCH_QUERIES (q1,q2,q3) BENCH_RAW (1)
BENCH_SIZE (1) BENCH_STATEMENTS (1) BENCH_WORKERS (cores) BENCH_README (1) BENCH_TAG
BENCH_QUIET_WAIT (60) BENCH_FOREIGN_LIMIT (0.15) BENCH_MAX_RETRIES (2) BENCH_LOCK.

Writes CHAPTERS_BENCH_DIR/results/: runs-<stamp>.json, latest.json, summary.md (all figures),
the server logs; and the table of the results into bench/README.md between its markers.
"""

from __future__ import annotations

import functools
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.peer import config, measure
from bench.peer.measure import log

RES = config.RESULTS
INPUTS = config.INPUTS
ROUNDS = config.env_int("BENCH_ROUNDS", 3)
DURATION = config.env_int("BENCH_DURATION", 15)
WARMUP = config.env_int("BENCH_WARMUP", 5)
CONNS = config.env_int("BENCH_CONNECTIONS", 32)
WORKERS = config.env_int("BENCH_WORKERS", os.cpu_count() or 2)
ALL_SERVERS = ["postgraphile", "postgraphile_jwt", "chapters", "chapters_workers"]
SERVER_NAMES = config.env_list("BENCH_SERVERS", ",".join(ALL_SERVERS))
KINDS = config.env_list("BENCH_QUERIES", "q1,q2,q3")
DO_RAW = config.env_flag("BENCH_RAW", True)
DO_SIZE = config.env_flag("BENCH_SIZE", True)
DO_STMTS = config.env_flag("BENCH_STATEMENTS", True)
WRITE_README = config.env_flag("BENCH_README", True)
TAG = os.environ.get("BENCH_TAG", "")
STATEMENT_REQUESTS = 200
SMALL_TENANT = "t001"
BEGIN, END = "<!-- bench-peer:begin -->", "<!-- bench-peer:end -->"


def chapters_env(db: str, port: int) -> dict[str, str]:
    return config.clean_env(
        DATABASE_URL=config.admin_url(db),  # the service derives the app role's URL from it
        DATABASE_BOOTSTRAP="false",
        CHAPTERS_GRAPHIQL="false",
        CHAPTERS_LOCAL_DIR=str(config.LOCAL_DIR),
        CHAPTERS_JWT_ISSUER=config.ISSUER,  # the tokens' iss, for every instance
        CHAPTERS_HOST="127.0.0.1",
        CHAPTERS_PORT=str(port),
    )


def peer_env(port: int, **extra: str) -> dict[str, str]:
    return config.clean_env(
        PEER_DATABASE_URL=config.APP_DSN, PEER_PORT=str(port), POOL_SIZE="16", **extra
    )


@functools.cache
def serve_has_workers_option() -> bool:
    out = subprocess.run(
        [config.CHAPTERS, "serve", "--help"], capture_output=True, text=True, cwd=config.REPO
    )
    return "--workers" in out.stdout


def chapters_cmd(workers: int, port: int) -> list[str]:
    """`chapters serve` in ``workers`` processes; for a `chapters serve` without the option
    (one process), uvicorn's own workers over the app factory."""
    if serve_has_workers_option():
        return [config.CHAPTERS, "serve", "--workers", str(workers)]
    if workers == 1:
        return [config.CHAPTERS, "serve"]
    return [
        str(config.VENV_BIN / "uvicorn"),
        "--factory",
        "chapters.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--proxy-headers",
        "--log-level",
        "info",
    ]


SERVERS: dict[str, dict[str, Any]] = {
    "postgraphile": {
        "cmd": lambda: [str(config.PEER_DIR / "serve.sh")],
        "port": 5679,
        "wrk": "pg",
        "env": lambda: peer_env(5679),
        "label": "PostGraphile, 1 process (tenant from a header)",
    },
    "postgraphile_jwt": {
        "cmd": lambda: [str(config.PEER_DIR / "serve.sh")],
        "port": 5680,
        "wrk": "pgjwt",
        "env": lambda: peer_env(
            5680,
            PEER_AUTH="jwt",
            PEER_JWK_FILE=str(config.LOCAL_DIR / "signing-key.json"),
            PEER_JWT_ISSUER=config.ISSUER,
        ),
        "label": "PostGraphile verifying the bearer token, 1 process",
    },
    "chapters": {
        "cmd": lambda: chapters_cmd(1, 8100),
        "port": 8100,
        "wrk": "chapters",
        "env": lambda: chapters_env(config.DB, 8100),
        "label": "Chapters, 1 process (`chapters serve`)",
    },
    "chapters_workers": {
        "cmd": lambda: chapters_cmd(WORKERS, 8101),
        "port": 8101,
        "wrk": "chapters",
        "env": lambda: chapters_env(config.DB, 8101),
        "label": f"Chapters, {WORKERS} worker processes",
    },
    "chapters_small": {
        "cmd": lambda: chapters_cmd(1, 8102),
        "port": 8102,
        "wrk": "chapters",
        "env": lambda: chapters_env(config.DB_SMALL, 8102),
        "label": "Chapters, 1 process, on chapters_small",
    },
}


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def first_token() -> str:
    return INPUTS.read_text().split("\n", 1)[0].split("\t")[5]


def start(name: str) -> subprocess.Popen:
    s = SERVERS[name]
    if port_in_use(s["port"]):
        raise SystemExit(f"{name}: port {s['port']} is already in use (another server?); stop it")
    cmd = s["cmd"]()
    log(f"starting {name}: {' '.join(Path(c).name if c.startswith('/') else c for c in cmd)}")
    out = open(RES / f"{name}.log", "w")  # noqa: SIM115 (the server writes it until it stops)
    p = subprocess.Popen(
        cmd,
        cwd=config.PEER_DIR if s["wrk"] != "chapters" else config.REPO,
        env=s["env"](),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{s['port']}"
    for _ in range(240):
        if p.poll() is not None:
            raise SystemExit(f"{name} exited early, see {RES / (name + '.log')}")
        try:
            if s["wrk"] == "chapters":
                req = urllib.request.Request(base + "/readyz")
            else:
                headers = {"content-type": "application/json"}
                if s["wrk"] == "pgjwt":  # it refuses requests without a valid bearer token
                    headers["authorization"] = "Bearer " + first_token()
                req = urllib.request.Request(
                    base + "/graphql", data=b'{"query":"{ __typename }"}', headers=headers
                )
            with urllib.request.urlopen(req, timeout=2) as r:
                if r.status == 200:
                    log(f"{name} up (pid {p.pid})")
                    return p
        except Exception:
            time.sleep(0.5)
    measure.stop_server(p, name)
    raise SystemExit(f"{name} did not come up, see {RES / (name + '.log')}")


def rss_of(root: int) -> dict[str, Any]:
    """VmRSS and VmHWM (peak) summed over the process tree, in MiB, plus per process."""
    procs = []
    for pid in measure.tree(measure.proc_table(), root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
        except OSError:
            continue
        kb = {k: int(v.split()[0]) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.*)$", status, re.M)}
        if "bash" in cmd.split(" ")[0]:
            continue
        procs.append(
            {
                "pid": pid,
                "cmd": cmd,
                "rss_mib": round(kb.get("VmRSS", 0) / 1024, 1),
                "hwm_mib": round(kb.get("VmHWM", 0) / 1024, 1),
            }
        )
    return {
        "rss_mib": round(sum(p["rss_mib"] for p in procs), 1),
        "hwm_mib": round(sum(p["hwm_mib"] for p in procs), 1),
        "processes": procs,
    }


def wrk(
    name: str,
    kind: str,
    seconds: int,
    conns: int = CONNS,
    check: bool = False,
    only: str = "-",
) -> dict[str, Any]:
    s = SERVERS[name]
    suffix = "chapters" if s["wrk"] == "chapters" else "postgraphile"
    qfile = config.QUERIES / f"{config.FILES[kind]}.{suffix}.graphql"
    cmd = [
        "wrk",
        "-t1",
        f"-c{conns}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(config.WRK_SCRIPT),
        f"http://127.0.0.1:{s['port']}",
        "--",
        str(qfile),
        s["wrk"],
        kind,
        str(INPUTS),
        "-",
        "check" if check else "-",
        only,
    ]
    out = subprocess.run(cmd, cwd=config.HERE, capture_output=True, text=True)
    m = re.search(r"^WRKJSON (.*)$", out.stdout, re.M)
    if not m:
        raise SystemExit(f"wrk failed: {out.stdout}\n{out.stderr}")
    res: dict[str, Any] = json.loads(m.group(1))
    if out.stderr.strip():
        res["stderr"] = out.stderr.strip()[:500]
    return res


def python_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [config.PYTHON, "-m", f"bench.peer.{module}", *args],
        cwd=config.REPO,
        env=config.clean_env(),
        capture_output=True,
        text=True,
    )


def raw(kind: str, seconds: int) -> dict[str, Any]:
    out = python_module(
        "raw_sql",
        *("--query", kind, "--concurrency", str(CONNS), "--pool", "16"),
        *("--duration", str(seconds), "--warmup", "3", "--inputs", str(INPUTS)),
    )
    m = re.search(r"^RAWJSON (.*)$", out.stdout, re.M)
    if not m:
        raise SystemExit(f"raw_sql failed: {out.stdout}\n{out.stderr}")
    return dict(json.loads(m.group(1)))


def psql_value(db: str, query: str) -> str:
    out = subprocess.run([*config.PSQL, "-d", db, "-Atc", query], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else ""


def db_sessions() -> int:
    """Connections ever opened to the measured databases (pg_stat_database.sessions)."""
    value = psql_value(
        "postgres", "select sum(sessions) from pg_stat_database where datname like 'chapters_%'"
    )
    return int(value) if value.isdigit() else -1


def measured(fn: Any, groups: dict[str, int]) -> list[dict[str, Any]]:
    s0 = db_sessions()
    runs = measure.measured(fn, groups)
    runs[-1]["new_db_connections"] = db_sessions() - s0
    return runs


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def estimate_minutes() -> float:
    main = len(SERVER_NAMES) * len(KINDS) * (WARMUP + ROUNDS * DURATION)
    raw_s = len(KINDS) * ROUNDS * (DURATION + 4) if DO_RAW else 0
    stmts = 2 * len(KINDS) * 30 if DO_STMTS else 0
    size = (6 * WARMUP + 10 * ROUNDS * DURATION) if DO_SIZE else 0
    return (main + raw_s + stmts + size) / 60


def main() -> int:
    unknown = [n for n in SERVER_NAMES if n not in ALL_SERVERS] + [
        k for k in KINDS if k not in config.FILES
    ]
    if unknown:
        raise SystemExit(f"unknown server or query: {', '.join(unknown)}")
    RES.mkdir(parents=True, exist_ok=True)
    if not INPUTS.exists():
        raise SystemExit(f"{INPUTS} missing: run bench/peer/run.sh (make bench-peer)")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    pm = measure.postmaster_pid()
    if not pm:
        raise SystemExit("the benchmark's PostgreSQL is not running (bench/peer/pg.sh start)")
    out: dict[str, Any] = {
        "stamp": stamp,
        "settings": {
            "rounds": ROUNDS,
            "duration_s": DURATION,
            "connections": CONNS,
            "wrk_threads": 1,
            "warmup_s": WARMUP,
            "workers": WORKERS,
            "foreign_limit_cores": measure.FOREIGN_LIMIT,
            "servers": SERVER_NAMES,
            "kinds": KINDS,
        },
        "data": data_size(),
        "versions": versions(),
        "loadavg_start": loadavg(),
        "scenarios": {},
        "rss": {},
        "statements": {},
        "raw": {},
        "size": {},
    }
    log(f"loadavg at start: {out['loadavg_start']}; about {estimate_minutes():.0f} min to go")
    procs: dict[str, subprocess.Popen] = {}
    try:
        for name in SERVER_NAMES:
            procs[name] = start(name)
        if "postgraphile" in procs and "chapters" in procs:
            log("verifying: the same answers from Chapters, PostGraphile and the hand-written SQL")
            v = python_module(
                "verify",
                *("--inputs", str(INPUTS), "--chapters", "http://127.0.0.1:8100"),
                *("--peer", "http://127.0.0.1:5679/graphql"),
            )
            log(v.stdout.strip() or v.stderr.strip())
            out["verify"] = v.stdout.strip().splitlines()[-1] if v.stdout.strip() else ""
            if v.returncode:
                raise SystemExit(f"verification failed:\n{v.stdout}\n{v.stderr}")
        else:
            log("verification skipped: it needs both postgraphile and chapters in BENCH_SERVERS")
        roots = {f"idle_{n}": p.pid for n, p in procs.items()}
        with measure.heavy_lock():
            for kind in KINDS:
                for name in SERVER_NAMES:
                    w = wrk(name, kind, WARMUP, check=True)
                    log(
                        f"{name}.{kind}: warm-up {w['rps']} req/s, checked {w['checked']} "
                        f"bodies, bad {w['bad']}"
                    )
                    if w["bad"] or w["checked"] == 0 or w["errors"]["status"]:
                        raise SystemExit(
                            f"{name}.{kind}: bad responses during warm-up: {w.get('stderr')}"
                        )
                    out["scenarios"][f"{name}.{kind}"] = {
                        "server": name,
                        "kind": kind,
                        "warmup": w,
                        "runs": [],
                    }
        for rnd in range(ROUNDS):
            log(f"round {rnd + 1}/{ROUNDS}, loadavg {loadavg()}")
            for kind in KINDS:
                for name in SERVER_NAMES:
                    p = procs[name]
                    groups = {
                        **{k: v for k, v in roots.items() if v != p.pid},
                        "server": p.pid,
                        "postgres": pm,
                        "load_tool": os.getpid(),
                    }
                    runs = measured(lambda n=name, k=kind: wrk(n, k, DURATION), groups)
                    out["scenarios"][f"{name}.{kind}"]["runs"] += runs
                    r = runs[-1]
                    log(
                        f"{name}.{kind} round {rnd + 1}: {r['rps']} req/s, p50 {r['p50_ms']} ms, "
                        f"p99 {r['p99_ms']} ms, errors {r['errors']}, cores {r['cpu_cores']}"
                    )
        for name, p in procs.items():
            out["rss"][name] = rss_of(p.pid)
            log(
                f"{name}: RSS {out['rss'][name]['rss_mib']} MiB "
                f"(peak {out['rss'][name]['hwm_mib']} MiB) over "
                f"{len(out['rss'][name]['processes'])} process(es)"
            )
        if DO_STMTS:
            count_statements(out, procs)
    finally:
        for name, p in procs.items():
            measure.stop_server(p, name)
    if DO_RAW:
        for kind in KINDS:
            out["raw"][kind] = {"runs": []}
        for rnd in range(ROUNDS):
            for kind in KINDS:
                runs = measured(
                    lambda k=kind: raw(k, DURATION), {"postgres": pm, "sql_client": os.getpid()}
                )
                out["raw"][kind]["runs"] += runs
                r = runs[-1]
                log(
                    f"raw.{kind} round {rnd + 1}: {r['rps']} req/s, p50 {r['p50_ms']} ms, "
                    f"p99 {r['p99_ms']} ms, cores {r['cpu_cores']}"
                )
    if DO_SIZE:
        size_experiment(out, pm)
    for group in (out["scenarios"], out["raw"], out["size"]):
        for s in group.values():
            s["median"] = measure.summarize(s["runs"])
    sfx = f"-{TAG}" if TAG else ""
    for path in (RES / f"runs-{stamp}.json", RES / f"latest{sfx}.json"):
        path.write_text(json.dumps(out, indent=1))
    (RES / f"summary{sfx}.md").write_text(summary(out))
    table = readme_table(out)
    print("\n" + table + "\n", flush=True)
    log(f"all figures: {RES / f'summary{sfx}.md'}")
    if WRITE_README:
        write_readme(table)
    return 0


def count_statements(out: dict[str, Any], procs: dict[str, subprocess.Popen]) -> None:
    for name in ("chapters", "postgraphile"):
        if name not in procs:
            continue
        for kind in KINDS:
            log(f"counting the statements of {name}.{kind} ({STATEMENT_REQUESTS} requests)")
            o = python_module(
                "count_statements",
                *("--server", SERVERS[name]["wrk"], "--kind", kind),
                *("--n", str(STATEMENT_REQUESTS), "--inputs", str(INPUTS)),
                *("--url", f"http://127.0.0.1:{SERVERS[name]['port']}"),
            )
            m = re.search(r"^STMTJSON (.*)$", o.stdout, re.M)
            if not m:
                raise SystemExit(f"count_statements failed: {o.stdout}\n{o.stderr}")
            st = json.loads(m.group(1))
            out["statements"][f"{name}.{kind}"] = st
            log(
                f"{name}.{kind}: {st['statements_per_request_steady']} statements/request in "
                f"steady state ({st['statements_per_request']} counted, "
                f"{st['tenant_slug_lookups_per_request']} slug lookups), "
                f"{st['transactions_per_request']} transactions/request, "
                f"db exec {st['db_exec_ms_per_request']} ms, "
                f"sequential {st['sequential_ms_per_request']} ms/request"
            )


def size_experiment(out: dict[str, Any], pm: int) -> None:
    """Chapters (1 process) on the big database vs chapters_small, same tenant (t001, identical
    rows and ids in both), Q1 and Q2; -c1 gives unloaded latency."""
    small = psql_value(config.DB_SMALL, "select count(*) from activities")
    if not small.isdigit() or int(small) == 0:
        log(f"{config.DB_SMALL} missing or empty: data-size run skipped")
        return
    out["size_db_activities"] = {
        config.DB: out["data"].get("activities"),
        config.DB_SMALL: int(small),
    }
    procs = {}
    try:
        for name in ("chapters", "chapters_small"):
            procs[name] = start(name)
        configs = [
            ("big_all", "chapters", "-"),
            ("big_t001", "chapters", SMALL_TENANT),
            ("small_t001", "chapters_small", SMALL_TENANT),
        ]
        with measure.heavy_lock():
            for kind in ("q1", "q2"):
                for label, name, only in configs:
                    w = wrk(name, kind, WARMUP, conns=4, check=True, only=only)
                    if w["bad"] or w["checked"] == 0:
                        raise SystemExit(
                            f"size {label}.{kind}: bad responses during warm-up: {w.get('stderr')}"
                        )
        for rnd in range(ROUNDS):
            log(f"data-size round {rnd + 1}/{ROUNDS}")
            for kind in ("q1", "q2"):
                for conns in (1, CONNS):
                    for label, name, only in configs:
                        if conns != 1 and label == "big_all":
                            continue  # the saturated all-tenant figure is the main table's
                        key = f"{label}.{kind}.c{conns}"
                        p = procs[name]
                        groups = {
                            "server": p.pid,
                            "postgres": pm,
                            "load_tool": os.getpid(),
                            **{f"idle_{n}": q.pid for n, q in procs.items() if q is not p},
                        }
                        runs = measured(
                            lambda n=name, k=kind, c=conns, o=only: wrk(
                                n, k, DURATION, conns=c, only=o
                            ),
                            groups,
                        )
                        out["size"].setdefault(key, {"runs": []})["runs"] += runs
                        r = runs[-1]
                        log(
                            f"size {key} round {rnd + 1}: {r['rps']} req/s, "
                            f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms"
                        )
    finally:
        for name, p in procs.items():
            measure.stop_server(p, name)


def data_size() -> dict[str, Any]:
    counts = psql_value(
        config.DB,
        "select (select count(*) from tenants) || ' ' || (select count(*) from activities)",
    ).split()
    if len(counts) != 2:
        return {}
    return {"tenants": int(counts[0]), "activities": int(counts[1])}


def versions() -> dict[str, Any]:
    def sh(c: str, cwd: Path = config.HERE) -> str:
        return subprocess.run(c, shell=True, cwd=cwd, capture_output=True, text=True).stdout.strip()

    node = config.PEER_DIR / "node_modules" / "node" / "bin" / "node"
    dirty = sh("git status --porcelain --untracked-files=no", config.REPO)
    packages = sh(
        f"{config.PYTHON} -m pip freeze 2>/dev/null | grep -iE '^(litestar|strawberry-graphql|"
        "graphql-core|uvicorn|uvloop|httptools|asyncpg|sqlalchemy)=='"
    )
    return {
        "cpus": os.cpu_count(),
        "postgres": psql_value(config.DB, "show server_version"),
        "node": sh(f"{node} --version"),
        "postgraphile": sh(
            f"{node} -p \"require('./node_modules/postgraphile/package.json').version\"",
            config.PEER_DIR,
        ),
        "chapters_commit": sh("git rev-parse --short HEAD", config.REPO)
        + (" + local changes" if dirty else ""),
        "python": sh(f"{config.PYTHON} -V"),
        "packages": packages.split("\n"),
        "wrk": sh("wrk -v 2>&1 | head -1"),
    }


def fmt_count(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


def fmt_ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "-"


def summary(out: dict[str, Any]) -> str:
    sc, st, rss = out["scenarios"], out["statements"], out["rss"]
    lines = [
        f"# Chapters vs PostGraphile on the Chapters schema — {out['stamp']}",
        "",
        f"Data: {out['data'].get('tenants')} tenants, {out['data'].get('activities')} activities. "
        f"wrk -t1 -c{CONNS} -d{DURATION}s, {ROUNDS} rounds interleaved across servers; median of "
        "clean runs (>= 3, else all). RLS on for every server (role chapters_app). "
        "Statements/request: pg_stat_statements (track=top, BEGIN/COMMIT/ROLLBACK included), "
        "sequential requests, steady "
        "state (Chapters' 60-s tenant-slug cache warm); 'db ms' = their execution time in "
        "PostgreSQL; 'seq ms' = unloaded latency of one request at a time (Python client). "
        "RSS after the runs (process tree).",
        "",
        "| query | server | req/s | p50 ms | p99 ms | req/s of every run | CPU cores (server / "
        "postgres / foreign) | statements/req | db ms/req | seq ms/req | RSS MiB (peak) |",
        "|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        for name in SERVER_NAMES:
            s = sc.get(f"{name}.{kind}")
            if not s:
                continue
            m = s["median"]
            c = m.get("cpu_cores", {})
            stm = st.get(f"{name}.{kind}", {})
            r = rss.get(name, {})
            lines.append(
                f"| {kind} | {name} | {m['rps']:.0f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | "
                f"{', '.join(f'{x:.0f}' for x in m['rps_all'])} | {c.get('server', 0)} / "
                f"{c.get('postgres', 0)} / {c.get('foreign', 0)} | "
                f"{stm.get('statements_per_request_steady', '-')} | "
                f"{stm.get('db_exec_ms_per_request', '-')} | "
                f"{stm.get('sequential_ms_per_request', '-')} | "
                f"{r.get('rss_mib', '-')} ({r.get('hwm_mib', '-')}) |"
            )
    if out["raw"]:
        lines += [
            "",
            "Raw-SQL floor (raw_sql.py: asyncpg pool 16, "
            f"{CONNS} workers, BEGIN + set_config + 1 statement + COMMIT, as chapters_app):",
            "",
            "| query | req/s | p50 ms | p99 ms | req/s of every run |",
            "|---|---:|---:|---:|---|",
        ]
        for kind, s in out["raw"].items():
            m = s["median"]
            lines.append(
                f"| {kind} | {m['rps']:.0f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | "
                f"{', '.join(f'{x:.0f}' for x in m['rps_all'])} |"
            )
    lines += [
        "",
        "Ratios (req/s):",
        "",
        "| query | chapters/pg | chapters_workers/pg | chapters/raw | pg/raw |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in KINDS:

        def g(n: str, kind: str = kind) -> float | None:
            return sc.get(f"{n}.{kind}", {}).get("median", {}).get("rps")

        rw = out["raw"].get(kind, {}).get("median", {}).get("rps")
        lines.append(
            f"| {kind} | {fmt_ratio(g('chapters'), g('postgraphile'))} | "
            f"{fmt_ratio(g('chapters_workers'), g('postgraphile'))} | "
            f"{fmt_ratio(g('chapters'), rw)} | {fmt_ratio(g('postgraphile'), rw)} |"
        )
    if out["size"]:
        acts = out.get("size_db_activities", {})
        lines += [
            "",
            f"Data size (Chapters, 1 process): {config.DB} ({acts.get(config.DB)} activities) vs "
            f"{config.DB_SMALL} ({acts.get(config.DB_SMALL)} activities, tenant "
            f"{SMALL_TENANT} only; identical rows for {SMALL_TENANT}). big_all = random chapters "
            f"of all tenants; *_{SMALL_TENANT} = {SMALL_TENANT}'s chapters only.",
            "",
            "| query | conns | config | req/s | p50 ms | p99 ms | p50 ratio vs small |",
            "|---|---:|---|---:|---:|---:|---:|",
        ]
        for kind in ("q1", "q2"):
            for conns in (1, CONNS):
                base = (
                    out["size"]
                    .get(f"small_t001.{kind}.c{conns}", {})
                    .get("median", {})
                    .get("p50_ms")
                )
                for label in ("big_all", "big_t001", "small_t001"):
                    s = out["size"].get(f"{label}.{kind}.c{conns}")
                    if not s:
                        continue
                    m = s["median"]
                    lines.append(
                        f"| {kind} | {conns} | {label} | {m['rps']:.0f} | {m['p50_ms']:.2f} | "
                        f"{m['p99_ms']:.2f} | {fmt_ratio(m['p50_ms'], base)} |"
                    )
    lines += ["", "RSS after the runs:", ""]
    for name, r in rss.items():
        lines.append(
            f"- {name}: {r['rss_mib']} MiB (peak {r['hwm_mib']} MiB): "
            + "; ".join(f"{p['rss_mib']} MiB `{p['cmd'][:70]}`" for p in r["processes"])
        )
    if out.get("verify"):
        lines += ["", out["verify"]]
    lines += ["", "versions: " + json.dumps(out["versions"]), ""]
    return "\n".join(lines)


def readme_table(out: dict[str, Any]) -> str:
    """The table of bench/README.md: req/s, p50 and statements per request for Q1-Q3."""
    sc, st, v = out["scenarios"], out["statements"], out["versions"]
    kinds = [k for k in ("q1", "q2", "q3") if k in KINDS]
    data = out["data"]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d', time.strptime(out['stamp'], '%Y%m%d-%H%M%S'))} "
        f"by `make bench-peer` at commit {v.get('chapters_commit')} on {v.get('cpus')} cores "
        f"(PostgreSQL {v.get('postgres')}, PostGraphile {v.get('postgraphile')}): "
        f"{data.get('tenants')} tenants, {data.get('activities'):,} activities; "
        f"wrk -t1 -c{CONNS}, {ROUNDS} round(s) of {DURATION} s per query and server, medians. "
        "Statements per request: counted by PostgreSQL (pg_stat_statements, BEGIN and COMMIT "
        "included) on the 1-process servers; the other rows send the same statements.",
        "",
        "| server | "
        + " | ".join(f"{k.upper()} req/s | {k.upper()} p50 ms | {k.upper()} stmts" for k in kinds)
        + " |",
        "|---|" + "---:|---:|---:|" * len(kinds),
    ]
    counted = {"postgraphile_jwt": "postgraphile", "chapters_workers": "chapters"}
    for name in SERVER_NAMES:
        cells = []
        for kind in kinds:
            m = sc.get(f"{name}.{kind}", {}).get("median")
            stm = st.get(f"{counted.get(name, name)}.{kind}", {})
            cells += [
                f"{m['rps']:.0f}" if m else "-",
                f"{m['p50_ms']:.1f}" if m else "-",
                fmt_count(stm.get("statements_per_request_steady")),
            ]
        lines.append(f"| {SERVERS[name]['label']} | " + " | ".join(cells) + " |")
    if out["raw"]:
        cells = []
        for kind in kinds:
            m = out["raw"].get(kind, {}).get("median")
            cells += [f"{m['rps']:.0f}" if m else "-", f"{m['p50_ms']:.1f}" if m else "-", "4"]
        lines.append(
            "| raw SQL floor (asyncpg: BEGIN, set_config, one hand-written statement, COMMIT) | "
            + " | ".join(cells)
            + " |"
        )
    if out.get("verify"):
        lines += ["", f"Checked before measuring: {out['verify']}"]
    return "\n".join(lines)


def write_readme(table: str) -> None:
    text = config.README.read_text()
    if BEGIN not in text or END not in text:
        log(f"no {BEGIN} ... {END} markers in {config.README}: the table above was not written")
        return
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    config.README.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")
    log(f"table written to {config.README.relative_to(config.REPO)}")


if __name__ == "__main__":
    sys.exit(main())

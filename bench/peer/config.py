"""Paths, ports, names and options shared by the comparison's scripts (see bench/README.md).

Everything the comparison writes goes under ``CHAPTERS_BENCH_DIR`` (default
``bench/peer/.work/``, git-ignored): the throwaway PostgreSQL cluster, the signing key and
tokens, the results and the server logs. The Chapters measured is the checkout these files
live in, run from its own ``.venv`` (``make install``).
"""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WORK = Path(os.environ.get("CHAPTERS_BENCH_DIR") or HERE / ".work").resolve()
RESULTS = WORK / "results"
INPUTS = WORK / "inputs.tsv"  # one line per chapter: see tokens.py
LOCAL_DIR = WORK / "local"  # CHAPTERS_LOCAL_DIR of every Chapters server: the signing key
PGDATA = WORK / "pg"
QUERIES = HERE / "queries"
WRK_SCRIPT = HERE / "wrk" / "requests.lua"
PEER_DIR = HERE / "postgraphile"
README = REPO / "bench" / "README.md"

VENV_BIN = REPO / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python")
CHAPTERS = str(VENV_BIN / "chapters")

# The throwaway cluster listens on its own port: the machine's server (5432) is never touched.
PG_PORT = 55432
DB = "chapters_perf"
DB_SMALL = "chapters_small"  # tenant t001 only, for the data-size run
APP_ROLE = "chapters_app"  # NOSUPERUSER NOBYPASSRLS: row-level security binds every server
APP_DSN = f"postgres://{APP_ROLE}@127.0.0.1:{PG_PORT}/{DB}"
PSQL = ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-X"]

ISSUER = "http://127.0.0.1:8100"  # the tokens' `iss`, given to every Chapters instance
FILES = {"q1": "q1_dashboard", "q2": "q2_feed", "q3": "q3_chapter"}
STATUSES = ["accepted", "cancelled", "submitted", "draft", "changes_requested"]


def admin_url(db: str) -> str:
    return f"postgresql://postgres@127.0.0.1:{PG_PORT}/{db}"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if not value else value not in ("0", "false", "no")


def env_list(name: str, default: str) -> list[str]:
    return [s.strip() for s in (os.environ.get(name) or default).split(",") if s.strip()]


# Variables of the caller's shell that would point a server elsewhere: never passed on.
_LEAKY = ("DATABASE_", "CHAPTERS_", "PEER_", "REDIS_URL", "PG")


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without variables that would redirect a server, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY)}
    env["CHAPTERS_BENCH_DIR"] = str(WORK)
    env.update(extra)
    return env

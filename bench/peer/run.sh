#!/usr/bin/env bash
# `make bench-peer`: Chapters (this checkout, from its .venv) vs PostGraphile 5 on the same
# database, schema and data, row-level security binding both. Options: bench/README.md.
#   1. tools: wrk (apt-get when missing), PostGraphile (npm ci in bench/peer/postgraphile),
#      py-spy with BENCH_PROFILE=1 (pip, into CHAPTERS_BENCH_DIR/tools)
#   2. a throwaway PostgreSQL on 127.0.0.1:55432 (pg.sh), stopped at the end unless BENCH_KEEP_PG=1
#   3. databases created and migrated by `chapters migrate`, filled by load.sql (skipped when
#      already loaded at the requested size; BENCH_FORCE_LOAD=1 reloads)
#   4. one token per tenant (tokens.py), then the measurement (compare.py), then the profiles
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${CHAPTERS_BENCH_DIR:-$HERE/.work}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
export CHAPTERS_BENCH_DIR="$WORK"
RESULTS="$WORK/results"
LOCK="${BENCH_LOCK:-/tmp/heavy.lock}"
TENANTS="${BENCH_TENANTS:-100}"
PY="$REPO/.venv/bin/python"
PSQL=(psql -h 127.0.0.1 -p 55432 -U postgres -X -q)
mkdir -p "$RESULTS" "$WORK/local"
cd "$REPO"

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'bench-peer: %s\n' "$*" >&2; exit 1; }
# Variables of the caller's shell that would point psql or a server elsewhere.
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE DATABASE_URL DATABASE_APP_URL \
  DATABASE_OWNER_URL PEER_DATABASE_URL

[ -x "$PY" ] && [ -x "$REPO/.venv/bin/chapters" ] || die "no .venv: run 'make install' first"
[[ "$TENANTS" =~ ^[0-9]+$ ]] && [ "$TENANTS" -ge 2 ] \
  || die "BENCH_TENANTS must be a number >= 2 (the cross-tenant check needs two tenants)"
command -v psql >/dev/null || die "psql not found: install the PostgreSQL client"
command -v flock >/dev/null || die "flock not found (util-linux)"

# ---- 1. tools
step "tools"
if ! command -v wrk >/dev/null; then
  echo "installing wrk (apt-get)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null \
    || die "could not install wrk: install it (https://github.com/wg/wrk) and run again"
fi
echo "wrk: $(wrk -v 2>&1 | head -1)"
PEER="$HERE/postgraphile"
if [ ! -x "$PEER/node_modules/node/bin/node" ] || [ ! -d "$PEER/node_modules/postgraphile" ] \
  || [ "$PEER/package-lock.json" -nt "$PEER/node_modules/.package-lock.json" ]; then
  command -v npm >/dev/null || die "npm not found: install Node.js (any version; the lock file brings Node 22)"
  echo "installing PostGraphile (npm ci in bench/peer/postgraphile)"
  (cd "$PEER" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "PostGraphile $("$PEER/node_modules/node/bin/node" -p "require('$PEER/node_modules/postgraphile/package.json').version"), Node $("$PEER/node_modules/node/bin/node" --version)"
SPY=""
if [ "${BENCH_PROFILE:-0}" = 1 ]; then
  SPY="$(command -v py-spy || true)"
  if [ -z "$SPY" ]; then
    [ -x "$WORK/tools/bin/py-spy" ] || {
      echo "installing py-spy (pip, into $WORK/tools)"
      python3 -m venv "$WORK/tools" && "$WORK/tools/bin/pip" install -q py-spy
    } || echo "py-spy could not be installed: the profiles will be skipped"
    [ -x "$WORK/tools/bin/py-spy" ] && SPY="$WORK/tools/bin/py-spy"
  fi
fi

# ---- 2. the throwaway PostgreSQL (pg_stat_statements preloaded, tracking off except while counting)
step "PostgreSQL on 127.0.0.1:55432"
"$HERE/pg.sh" start
[ "${BENCH_KEEP_PG:-0}" = 1 ] || trap '"$HERE/pg.sh" stop' EXIT
if ! "${PSQL[@]}" -d postgres -Atc "show shared_preload_libraries" | grep -q pg_stat_statements; then
  "${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
  "$HERE/pg.sh" stop && "$HERE/pg.sh" start
fi
"${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET pg_stat_statements.track = 'none'" \
  -c "SELECT pg_reload_conf()" >/dev/null
# in the postgres database only: the measured databases keep exactly what the migrations create
"${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" \
  -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"

# ---- 3. databases: created and migrated by the project's CLI, then filled by load.sql
with_progress() {  # label, log file, command...: runs it, printing a line every 30 s
  local label=$1 logfile=$2; shift 2
  local t0=$SECONDS next=30
  "$@" >"$logfile" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( SECONDS - t0 >= next )); then
      echo "   $label: $((SECONDS - t0)) s, $(grep -c '^Time:' "$logfile" || true) statements done"
      next=$((next + 30))
    fi
  done
  wait "$pid" || { tail -20 "$logfile" >&2; die "$label failed, see $logfile"; }
}
load_db() {  # database, tenants
  local db=$1 tenants=$2 want=$(($2 * 20 * 500)) n
  n=$("${PSQL[@]}" -d "$db" -Atc "select count(*) from activities" 2>/dev/null || echo 0)
  if [ "${BENCH_FORCE_LOAD:-0}" != 1 ] && [ "$n" = "$want" ]; then
    echo "$db: loaded ($n activities); migrating to this checkout's head (chapters migrate)"
    DATABASE_URL="postgresql://postgres@127.0.0.1:55432/$db" "$REPO/.venv/bin/chapters" migrate \
      >"$RESULTS/migrate-$db.log" 2>&1 || { tail -20 "$RESULTS/migrate-$db.log" >&2; die "migrate $db failed"; }
    return
  fi
  echo "$db: creating and migrating (chapters migrate)"
  "${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  DATABASE_URL="postgresql://postgres@127.0.0.1:55432/$db" "$REPO/.venv/bin/chapters" migrate \
    >"$RESULTS/migrate-$db.log" 2>&1 || { tail -20 "$RESULTS/migrate-$db.log" >&2; die "migrate $db failed"; }
  echo "$db: loading $tenants tenant(s), $want activities (about $((tenants * 52 / 100 + 5)) s on 2 idle cores; waits for $LOCK)"
  local t0=$SECONDS
  with_progress "load $db" "$RESULTS/load-$db.log" flock "$LOCK" \
    "${PSQL[@]}" -d "$db" -v ON_ERROR_STOP=1 -v n_tenants="$tenants" -f "$HERE/load.sql"
  echo "$db: loaded in $((SECONDS - t0)) s (data, foreign-key check, VACUUM ANALYZE)"
}
step "databases"
load_db chapters_perf "$TENANTS"
if [ "${BENCH_SIZE:-1}" = 1 ]; then load_db chapters_small 1; fi

# ---- 4. tokens and inputs, the measurement, the profiles
step "tokens"
"$PY" -m bench.peer.tokens --ttl 43200
step "measurement"
"$PY" -m bench.peer.compare
if [ "${BENCH_PROFILE:-0}" = 1 ]; then
  if [ -n "$SPY" ]; then
    for kind in q1 q3; do
      step "profile $kind (py-spy)"
      "$PY" -m bench.peer.profile_server --kind "$kind" --seconds "${BENCH_DURATION:-15}" --py-spy "$SPY"
    done
  else
    echo "BENCH_PROFILE=1 but no py-spy: profiles skipped"
  fi
fi
echo "results: $RESULTS"

#!/usr/bin/env bash
# The benchmark's throwaway PostgreSQL cluster: bench/peer/pg.sh start|stop|status
#   data     : $CHAPTERS_BENCH_DIR/pg (default bench/peer/.work/pg), created with initdb on first start
#   listens  : 127.0.0.1:55432 only (never the machine's server on 5432), trust auth, superuser postgres
# PostgreSQL refuses to run as root: run as root, the server runs as the user "postgres" (created
# with useradd if missing), which must be able to reach CHAPTERS_BENCH_DIR.
# Tuned for a benchmark and NOT safe for real data (fsync=off, full_page_writes=off): disposable.
# PGBIN names the directory of initdb/pg_ctl when they are not on PATH.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="${CHAPTERS_BENCH_DIR:-$HERE/.work}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
PGDATA="$WORK/pg"
PGSOCK="$WORK/sock"
PGPORT=55432

find_pgbin() {
  if [ -n "${PGBIN:-}" ]; then echo "$PGBIN"; return; fi
  if command -v pg_ctl >/dev/null; then dirname "$(command -v pg_ctl)"; return; fi
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/pg_ctl" ]; then pg_config --bindir; return; fi
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && { echo "$d"; return; }; done
  echo "pg_ctl not found: install PostgreSQL (e.g. apt-get install postgresql) or set PGBIN" >&2
  exit 1
}
PGBIN="$(find_pgbin)"

as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

running() { [ -f "$PGDATA/postmaster.pid" ] && as_pg "'$PGBIN/pg_ctl' -D '$PGDATA' status" >/dev/null 2>&1; }

start() {
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  mkdir -p "$PGDATA" "$PGSOCK"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PGDATA" "$PGSOCK"
    chmod 700 "$PGDATA"
    if ! su postgres -s /bin/sh -c "test -w '$PGDATA'"; then
      echo "the user postgres cannot reach $PGDATA: set CHAPTERS_BENCH_DIR to a directory it can" >&2
      exit 1
    fi
  fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    echo "initdb $PGDATA ($("$PGBIN/pg_ctl" --version))"
    as_pg "'$PGBIN/initdb' -D '$PGDATA' -U postgres -A trust -E UTF8 --locale=C.UTF-8" >"$WORK/initdb.log" 2>&1 \
      || { cat "$WORK/initdb.log" >&2; exit 1; }
    as_pg "cat >>'$PGDATA/postgresql.conf'" <<CONF

# ---- benchmark settings (throwaway cluster, bench/peer/pg.sh) ----
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PGSOCK'
max_connections = 200
shared_buffers = 4GB
effective_cache_size = 12GB
work_mem = 16MB
maintenance_work_mem = 1GB
fsync = off
full_page_writes = off
synchronous_commit = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 8GB
checkpoint_timeout = 30min
jit = off
random_page_cost = 1.1
log_min_duration_statement = -1
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = 'none'
CONF
    as_pg "cat >'$PGDATA/pg_hba.conf'" <<HBA
local all all trust
host  all all 127.0.0.1/32 trust
HBA
  fi
  if running; then
    echo "postgres already running on 127.0.0.1:$PGPORT (pid $(head -1 "$PGDATA/postmaster.pid"))"
  else
    as_pg "'$PGBIN/pg_ctl' -D '$PGDATA' -l '$PGDATA/server.log' -w -t 60 start" >/dev/null \
      || { tail -20 "$PGDATA/server.log" >&2; exit 1; }
    echo "postgres started on 127.0.0.1:$PGPORT (pid $(head -1 "$PGDATA/postmaster.pid"), data $PGDATA)"
  fi
}

stop() {
  if running; then
    as_pg "'$PGBIN/pg_ctl' -D '$PGDATA' -m fast -w stop" >/dev/null
    echo "postgres on 127.0.0.1:$PGPORT stopped"
  else
    echo "postgres not running"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (data $PGDATA)"; else echo "not running"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac

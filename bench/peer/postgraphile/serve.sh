#!/usr/bin/env bash
# PostGraphile 5 on the Chapters schema (graphile.config.mjs), in the foreground; `exec` so the
# pid the caller sees is node's. The connection comes from PEER_DATABASE_URL only (default: the
# app role chapters_app on the benchmark's cluster), never from DATABASE_URL: a superuser there
# would bypass row-level security. Installed by `npm ci` in this folder (bench/peer/run.sh).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE"
export GRAPHILE_ENV=production NODE_ENV=production
exec "$HERE/node_modules/node/bin/node" "$HERE/node_modules/postgraphile/dist/cli-run.js" -C "$HERE/graphile.config.mjs"

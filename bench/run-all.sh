#!/usr/bin/env bash
# Runs every benchmark on embedded defaults and on the local PostgreSQL, printing their figures.
# Usage: npm run build && bash bench/run-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${FRAMEWISE_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
fresh_db() { psql "$PG/postgres" -qc "drop database if exists fw_bench with (force)" -c "create database fw_bench" >/dev/null; echo "$PG/fw_bench"; }
echo "== cold start (PGlite)"; node --import tsx bench/cold-start.ts
echo "== task creation (PGlite)"; N=${N:-10000} node --import tsx bench/task-create.ts
echo "== task creation (PostgreSQL)"; DATABASE_URL=$(fresh_db) N=${N:-10000} node --import tsx bench/task-create.ts
echo "== cached frame latency (PGlite)"; node --import tsx bench/frame-latency.ts
echo "== cached frame latency (PostgreSQL)"; DATABASE_URL=$(fresh_db) node --import tsx bench/frame-latency.ts
echo "== annotations (PGlite)"; node --import tsx bench/annotations.ts
echo "== annotations (PostgreSQL)"; DATABASE_URL=$(fresh_db) node --import tsx bench/annotations.ts
echo "== interpolation"; node --import tsx bench/interpolation.ts
echo "== web workspace in Chromium (PGlite)"; VIEWPORTS=1366x768,1920x1080 node --import tsx bench/workspace.ts
psql "$PG/postgres" -qc "drop database if exists fw_bench with (force)" >/dev/null

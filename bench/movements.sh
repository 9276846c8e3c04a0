#!/usr/bin/env bash
# Benchmark (not a test): movements recorded per second by the release `iam serve`, with 16
# concurrent clients (wrk -t2 -c16) spread over 1,000 products, on PostgreSQL and on SQLite.
#   bench/movements.sh [postgres|sqlite|both]     (default both)
# Builds the release binary into /tmp/iam-bench-build (bench/lib.sh) unless IAM_BUILD_DIR names an
# existing build (bench/run measures the same scenario in its report); starts a
# throwaway PostgreSQL through scripts/with-services.sh; per backend: migrate, seed 1 tenant with
# 1,000 products, serve, three 20 s wrk runs; prints the median requests/s and p99 latency; stops
# everything it started. Env: BENCH_DURATION (default 20s), BENCH_RUNS (3).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WHICH=${1:-both}
DURATION=${BENCH_DURATION:-20s}
RUNS=${BENCH_RUNS:-3}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
export BENCH_LUA_DIR=$ROOT/bench
if [[ -z ${IAM_TEST_PG_URL:-} ]]; then
  if [[ -z ${IAM_BUILD_DIR:-} ]]; then
    bench_release_build /tmp/iam-bench-build iam
    export IAM_BUILD_DIR=/tmp/iam-bench-build
  fi
  exec "$ROOT/scripts/with-services.sh" "$0" "$@"
fi
IAM=${IAM_BUILD_DIR:-/tmp/iam-bench-build}/iam
[[ -x $IAM ]] || bench_die "no $IAM: build first"
bench_need wrk curl jq

WORK=$(mktemp -d /tmp/iam-bench.XXXXXX)
SERVER=""
cleanup() {
  SERVER=${SERVER:-$BENCH_SERVER}
  if [[ -n $SERVER ]]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

BENCH_SECRET=bench-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
BENCH_WORK=$WORK

# Runs SQL $2 on database URL $1, unaligned output.
sql() {
  if [[ $1 == sqlite:* ]]; then sqlite3 "${1#sqlite:}" "$2"; else psql -qAt "$1" -c "$2"; fi
}

bench_backend() {
  local name=$1 url=$2
  echo "== $name"
  "$IAM" --database-url "$url" --log-level warn migrate >/dev/null
  "$IAM" --database-url "$url" --log-level warn seed --tenants 1 --products 1000 --movements 1000 >/dev/null
  local emp
  emp=$(sql "$url" "SELECT \"empresaId\" FROM \"Usuario\" WHERE \"email\" = 'admin@demo.iam'")
  sql "$url" "SELECT \"id\" FROM \"Producto\" WHERE \"empresaId\" = $emp AND \"estado\" = 'ACTIVO' ORDER BY \"id\" LIMIT 1000" >"$WORK/ids"
  bench_start_server "$name" "$url"
  SERVER=$BENCH_SERVER
  PORT=$BENCH_PORT
  export BENCH_IDS=$WORK/ids BENCH_TOKEN
  bench_login_all "$PORT" 1 "$WORK/token"
  BENCH_TOKEN=$(cat "$WORK/token")
  local rates=() p99s=()
  for run in $(seq "$RUNS"); do
    wrk -t2 -c16 -d"$DURATION" --latency -s "$ROOT/bench/movements.lua" "http://127.0.0.1:$PORT" >"$WORK/wrk.txt"
    local rate p99 bad accepted
    rate=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
    bad=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.txt")
    # Non-2xx are 409 STOCK_INSUFICIENTE (a SALIDA on a product at zero): answered, not recorded.
    accepted=$(awk -v bad="${bad:-0}" '/ requests in / {sub(/s,$/, "", $4); printf "%.0f", ($1 - bad) / $4}' "$WORK/wrk.txt")
    echo "  run $run: ${rate} req/s (${accepted} movements recorded/s), p99 ${p99}, non-2xx ${bad:-0}"
    rates+=("$rate")
    p99s+=("$p99")
  done
  bench_stop_server
  SERVER=""
  local median_rate median_p99
  median_rate=$(printf '%s\n' "${rates[@]}" | sort -g | sed -n "$(((RUNS + 1) / 2))p")
  median_p99=$(printf '%s\n' "${p99s[@]}" | sed -E 's/us$/ 0.001/; s/ms$/ 1/; s/s$/ 1000/' | awk '{printf "%.3f\n", $1 * $2}' | sort -g | sed -n "$(((RUNS + 1) / 2))p")
  local stock_ok
  stock_ok=$(sql "$url" "SELECT COUNT(*) FROM \"Producto\" p WHERE p.\"empresaId\" = $emp AND p.\"stock\" <> (SELECT COALESCE(SUM(CASE WHEN m.\"tipo\" = 'ENTRADA' THEN m.\"cantidad\" ELSE -m.\"cantidad\" END), 0) FROM \"MovimientoInventario\" m WHERE m.\"productoId\" = p.\"id\" AND m.\"estado\" = 'ACTIVO')")
  echo "  $name median: $median_rate requests/s, p99 ${median_p99} ms (products whose stock differs from their ledger: $stock_ok)"
}

if [[ $WHICH == postgres || $WHICH == both ]]; then bench_backend postgres "$IAM_TEST_PG_URL"; fi
if [[ $WHICH == sqlite || $WHICH == both ]]; then bench_backend sqlite "sqlite:$WORK/bench.db"; fi

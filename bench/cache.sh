#!/usr/bin/env bash
# Benchmark (not a test): throughput of cached KPIs (GET /dashboard-cqrs/kpis) through Redis only
# (L2), through L1+L2, and with Redis stopped, as ratios to the same binary's GET /health, in one
# run on one machine (issue 5, "Benchmark in bench/").
#   bench/cache.sh
# Builds the iam target (RelWithDebInfo) into /tmp/iam-bench-build unless IAM_BUILD_DIR names an
# existing build (never the repository's build/); starts a throwaway PostgreSQL and Redis through
# scripts/with-services.sh; creates a fresh database, migrates, seeds BENCH_TENANTS tenants, logs
# in once per tenant (POST /auth/login, the tenant's ADMIN) and keeps the 1 token per tenant.
# Scenarios, each on a freshly started `iam serve --log-level warn` (IO_THREADS default: one per
# core), each BENCH_RUNS x `wrk -t2 -c64 -d$BENCH_DURATION --latency -s bench/cache.lua`, the
# tenant of each request drawn Zipf-like (s = 1) over the tokens:
#   ceiling            GET /health (same wrk script, same headers), measured first and again last:
#                      the ceiling every ratio divides by is the median of both passes' runs, so a
#                      machine that drifts during the run moves the ceiling with the scenarios
#                      (each pass is reported too)
#   L2 only            REDIS_URL, CACHE_L1_MAX_BYTES=0
#   L1+L2              REDIS_URL, defaults (CACHE_L1_MAX_AGE_MS 250 on PostgreSQL)
#   L1+L2, age 0       REDIS_URL, CACHE_L1_MAX_AGE_MS=0 (L1 entries live for the category TTL)
#   Redis stopped      warm with Redis up, then `redis-cli shutdown nosave`; default age and age 0
# The KPI scenarios are warmed first (one request per tenant, X-Cache counted). Reported per
# scenario: median req/s and p99 of the runs, ratio to the ceiling's median, the KPI hit rate from
# /auth/admin/cache-stats deltas over the runs (with the L1/L2 split), PostgreSQL transactions/s of
# the bench database (pg_stat_database xact_commit + xact_rollback, read BENCH_PGSTAT_WAIT s after
# the load so every backend has flushed its counters), cache factory runs/s (`computations` delta),
# and the server's CPU (cores). Then the issue's targets, met or not. Stops everything it started.
# Env: BENCH_DURATION (10s), BENCH_RUNS (3), BENCH_TENANTS (1000), BENCH_PRODUCTS (20),
#      BENCH_MOVEMENTS (200), BENCH_DAYS (60), BENCH_CONNECTIONS (64), BENCH_PGSTAT_WAIT (11),
#      BENCH_LOGIN_PARALLEL (4), BENCH_PERF=1 (profile the server during one extra, unreported
#      L1+L2 run with `perf record` and print its top symbols; BENCH_PERF=l2: the L2-only run),
#      BENCH_SERVE_VARS ("NAME=VALUE ..." given to every server, the ceiling's included; e.g.
#      "IO_CONTEXT_PER_THREAD=true").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${BENCH_DURATION:-10s}
RUNS=${BENCH_RUNS:-3}
TENANTS=${BENCH_TENANTS:-1000}
PRODUCTS=${BENCH_PRODUCTS:-20}
MOVEMENTS=${BENCH_MOVEMENTS:-200}
DAYS=${BENCH_DAYS:-60}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
PGSTAT_WAIT=${BENCH_PGSTAT_WAIT:-11}
LOGIN_PARALLEL=${BENCH_LOGIN_PARALLEL:-4}
DEFAULT_BUILD_DIR=/tmp/iam-bench-build

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
export BENCH_LUA_DIR=$ROOT/bench

if [[ -z ${IAM_TEST_PG_URL:-} || -z ${IAM_TEST_REDIS_URL:-} ]]; then
  if [[ -z ${IAM_BUILD_DIR:-} ]]; then
    bench_release_build "$DEFAULT_BUILD_DIR" iam
    export IAM_BUILD_DIR=$DEFAULT_BUILD_DIR
  fi
  exec "$ROOT/scripts/with-services.sh" bash "$0" "$@"
fi
IAM=${IAM_BUILD_DIR:-$DEFAULT_BUILD_DIR}/iam
[[ -x $IAM ]] || { echo "no $IAM: build first (or unset IAM_BUILD_DIR)" >&2; exit 1; }
bench_need wrk curl jq psql redis-cli redis-server xargs
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$(dirname "$IAM")/CMakeCache.txt" 2>/dev/null || true)
SANITIZE=$(sed -n 's/^IAM_SANITIZE:[A-Z]*=//p' "$(dirname "$IAM")/CMakeCache.txt" 2>/dev/null || true)
if [[ $BUILD_TYPE != Release && $BUILD_TYPE != RelWithDebInfo ]] || [[ $SANITIZE == ON ]]; then
  echo "warning: $IAM is a '${BUILD_TYPE:-unknown}' build (IAM_SANITIZE=${SANITIZE:-?}): not a release build" >&2
fi
REDIS_PORT=${IAM_TEST_REDIS_URL##*:}
REDIS_PORT=${REDIS_PORT%%/*}
[[ $REDIS_PORT =~ ^[0-9]+$ ]] || { echo "cannot parse the port of IAM_TEST_REDIS_URL=$IAM_TEST_REDIS_URL" >&2; exit 1; }

WORK=$(mktemp -d /tmp/iam-bench-cache.XXXXXX)
SERVER=""
PGDB=""
MY_REDIS="" # a redis-server this script restarted (after stopping with-services' one)
cleanup() {
  SERVER=${SERVER:-$BENCH_SERVER} # a server that never answered /health
  if [[ -n $SERVER ]]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [[ -n $MY_REDIS ]]; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill -TERM "$MY_REDIS" 2>/dev/null || true
    wait "$MY_REDIS" 2>/dev/null || true
  fi
  if [[ -n $PGDB ]]; then psql -qAt "$IAM_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export PGOPTIONS="-c client_min_messages=warning"
SECRET=bench-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
BENCH_WORK=$WORK
BENCH_SECRET=$SECRET
PORT=""
T_START=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- helpers -----------------------------------------------------------------------------------
die() { bench_die "$@"; }
median() { bench_median; }
minmax() { bench_minmax; }
seconds_of() { bench_seconds "$1"; }

# start_server NAME [-s VAR=VALUE ...]: `iam serve` on a free port (bench/lib.sh); waits for /health.
start_server() {
  local name=$1
  shift
  local extra=() var
  for var in ${BENCH_SERVE_VARS:-}; do extra+=(-s "$var"); done
  bench_start_server "$name" "$DB_URL" "${extra[@]}" "$@"
  SERVER=$BENCH_SERVER
  PORT=$BENCH_PORT
}

stop_server() {
  BENCH_SERVER=$SERVER
  bench_stop_server
  SERVER=""
}

# Busy CPU seconds of the whole machine (all cores), from /proc/stat.
machine_busy() { awk '$1 == "cpu" {printf "%.2f\n", ($2 + $3 + $4 + $7 + $8) / '"$(getconf CLK_TCK)"'}' /proc/stat; }

# Process CPU seconds (user + system) of $1.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); split($0, f, " "); printf "%.2f\n", (f[12] + f[13]) / hz}' "/proc/$1/stat"
}

pg_tx() {
  psql -qAt "$IAM_TEST_PG_URL" -c "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database WHERE datname = '$PGDB'"
}

cache_stats() { # -> JSON on stdout
  curl -sf --max-time 5 -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$PORT/auth/admin/cache-stats" \
    || die "GET /auth/admin/cache-stats failed (port $PORT)"
}

redis_up() { [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

stop_redis() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  if [[ -n $MY_REDIS ]]; then wait "$MY_REDIS" 2>/dev/null || true; MY_REDIS=""; fi
  for _ in $(seq 50); do redis_up || return 0; sleep 0.1; done
  die "redis on port $REDIS_PORT did not stop"
}

start_redis() { # a fresh, empty redis-server on the same port, our own child
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$WORK" --logfile "$WORK/redis.log" </dev/null >/dev/null 2>&1 &
  MY_REDIS=$!
  for _ in $(seq 100); do redis_up && return 0; sleep 0.1; done
  die "could not restart redis on port $REDIS_PORT"
}

# One request per tenant on the kpis route; prints "count status x-cache tier" lines; fails on a
# status other than 200.
warm() {
  local name=$1
  xargs -P 8 -I{} curl -s -o /dev/null --max-time 30 -w '%{http_code} %header{x-cache} %header{x-cache-tier}\n' \
    -H 'Authorization: Bearer {}' "http://127.0.0.1:$PORT/dashboard-cqrs/kpis" <"$TOKENS" >"$WORK/warm-$name"
  local summary
  summary=$(awk '{k = $1 " " ($2 == "" ? "-" : $2) " " ($3 == "" ? "-" : $3); c[k]++} END {for (k in c) printf "%s×%d ", k, c[k]}' "$WORK/warm-$name")
  echo "  warm-up ($TENANTS requests, status x-cache tier): $summary"
  echo "$name $summary" >>"$WORK/warmups"
  if awk '$1 != 200 {bad = 1} END {exit !bad}' "$WORK/warm-$name"; then
    tail -n 20 "$WORK/serve-$name.log" >&2 || true
    die "warm-up of $name: a request did not answer 200 (see above)"
  fi
}

# measure NAME LABEL PATH: BENCH_RUNS wrk runs against the running server, with the counters
# around them; appends one line to $WORK/results.
measure() {
  local name=$1 label=$2 path=$3
  sleep "$PGSTAT_WAIT" # every backend flushes its pending pg_stat counters within 10 s of idling
  local tx0 cpu0
  tx0=$(pg_tx)
  cache_stats >"$WORK/stats0-$name.json"
  cpu0=$(cpu_seconds "$SERVER")
  local busy0 load0
  busy0=$(machine_busy)
  load0=$(cut -d' ' -f1 /proc/loadavg)
  : >"$WORK/runs-$name"
  local run line
  for run in $(seq "$RUNS"); do
    BENCH_TOKENS=$TOKENS BENCH_PATH=$path wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/bench/cache.lua" \
      "http://127.0.0.1:$PORT" >"$WORK/wrk-$name-$run.txt" 2>&1 || { cat "$WORK/wrk-$name-$run.txt" >&2; die "wrk failed"; }
    line=$(grep '^BENCH ' "$WORK/wrk-$name-$run.txt" || true)
    [[ -n $line ]] || { cat "$WORK/wrk-$name-$run.txt" >&2; die "no BENCH line from wrk"; }
    echo "${line#BENCH }" >>"$WORK/runs-$name"
    echo "  run $run: ${line#BENCH }"
    kill -0 "$SERVER" 2>/dev/null || { tail -n 30 "$WORK/serve-$name.log" >&2; die "server ($name) died during the load"; }
  done
  local cpu1
  cpu1=$(cpu_seconds "$SERVER")
  local busy1
  busy1=$(machine_busy)
  cache_stats >"$WORK/stats1-$name.json"
  sleep "$PGSTAT_WAIT"
  local tx1
  tx1=$(pg_tx)
  # Aggregate.
  local f=$WORK/runs-$name
  val() { sed -E "s/.*\\b$1=([^ ]+).*/\\1/" "$f"; }
  local rps p99 rps_mm dur_s non2xx errors
  rps=$(val rps | median)
  rps_mm=$(val rps | minmax)
  p99=$(val p99_ms | median)
  dur_s=$(val duration_us | awk '{s += $1} END {printf "%.3f", s / 1e6}')
  non2xx=$(val non2xx | awk '{s += $1} END {print s + 0}')
  errors=$(val errors | awk '{s += $1} END {print s + 0}')
  local s0=$WORK/stats0-$name.json s1=$WORK/stats1-$name.json
  d() { echo $(($(jq -r "$1" "$s1") - $(jq -r "$1" "$s0"))); }
  local hits misses l1 l2 shared kmiss comps
  hits=$(d .cacheHits)
  misses=$(d .cacheMisses)
  l1=$(d .categories.kpis.hitsL1)
  l2=$(d .categories.kpis.hitsL2)
  shared=$(d .categories.kpis.sharedComputations)
  kmiss=$(d .categories.kpis.misses)
  comps=$(d .computations)
  local stale=$(($(d .categories.kpis.stale) + 0)) bypass=$(($(d .categories.kpis.bypasses) + 0))
  local redis_state
  redis_state="connected=$(jq -r .redis.connected "$s1") breaker=$(jq -r .redis.breaker "$s1") errors=$(d .redis.errors) timeouts=$(d .redis.timeouts) rejected=$(d .redis.rejectedByBreaker) commands=$(d .redis.commands)"
  echo "  cache: hits +$hits misses +$misses (kpis: L1 +$l1 L2 +$l2 shared +$shared miss +$kmiss stale +$stale bypass +$bypass), computations +$comps; redis $redis_state"
  local txps compps cpu
  txps=$(awk -v a="$tx0" -v b="$tx1" -v s="$dur_s" 'BEGIN {printf "%.0f", (b - a) / s}')
  compps=$(awk -v c="$comps" -v s="$dur_s" 'BEGIN {printf "%.0f", c / s}')
  cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$dur_s" 'BEGIN {printf "%.2f", (b - a) / s}')
  local busy
  busy=$(awk -v a="$busy0" -v b="$busy1" -v s="$dur_s" 'BEGIN {printf "%.2f", (b - a) / s}')
  echo "  median $rps req/s (min–max $rps_mm), p99 $p99 ms; DB $txps tx/s, $compps factory runs/s; server CPU $cpu cores;" \
    "machine busy $busy of $(nproc) cores (everything, other users included); load average at start $load0"
  echo "$name $load0 $busy" >>"$WORK/machine"
  # name|label|rps|rps_min|rps_max|p99|hits|misses|l1|l2|shared|kmiss|txps|compps|cpu|non2xx|errors|redis
  echo "$name|$label|$rps|${rps_mm% *}|${rps_mm#* }|$p99|$hits|$misses|$l1|$l2|$shared|$kmiss|$txps|$compps|$cpu|$non2xx|$errors|$redis_state" \
    >>"$WORK/results"
}

# Optional: profile the server during one extra (unreported) run.
profile() {
  command -v perf >/dev/null || { echo "  (perf not found: no profile)"; return 0; }
  echo "  perf: profiling the server during one extra run (not in the table)"
  BENCH_TOKENS=$TOKENS BENCH_PATH=/dashboard-cqrs/kpis wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$ROOT/bench/cache.lua" \
    "http://127.0.0.1:$PORT" >"$WORK/wrk-perf.txt" 2>&1 &
  local wrk_pid=$!
  sleep 1
  perf record -q -F 999 -g -p "$SERVER" -o "$WORK/perf.data" -- sleep $(($(seconds_of "$DURATION") - 2)) >/dev/null 2>&1 || true
  wait "$wrk_pid" || true
  echo "  perf, server process, self time by object:"
  perf report -i "$WORK/perf.data" --stdio --no-children --sort dso -g none --percent-limit 1 2>/dev/null \
    | grep -E '^ +[0-9]' | head -n 12 | sed 's/ *- *- *$//; s/^/    /' || true
  echo "  perf, server process, top symbols (self time):"
  perf report -i "$WORK/perf.data" --stdio --no-children --sort dso,symbol -g none --percent-limit 0.8 2>/dev/null \
    | grep -E '^ +[0-9]' | head -n 30 | sed 's/ *- *- *$//; s/^/    /' || true
}

# ---- setup -------------------------------------------------------------------------------------
echo "== machine: $(nproc) cores (server, PostgreSQL, Redis and wrk share them), load average before: $LOAD_BEFORE"
[[ -n ${BENCH_SERVE_VARS:-} ]] && echo "== every server also gets: $BENCH_SERVE_VARS"
echo "== binary: $IAM (${BUILD_TYPE:-?}, built $(date -r "$IAM" '+%F %T')); source tree at" \
  "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') + $(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l) uncommitted paths"
PGDB=iam_bench_cache_$$
psql -qAt "$IAM_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null
psql -qAt "$IAM_TEST_PG_URL" -c "CREATE DATABASE $PGDB" >/dev/null
DB_URL=${IAM_TEST_PG_URL%/*}/$PGDB
"$IAM" --database-url "$DB_URL" --log-level warn migrate >/dev/null
t0=$(date +%s.%N)
"$IAM" --database-url "$DB_URL" --log-level warn seed --tenants "$TENANTS" --products "$PRODUCTS" \
  --movements "$MOVEMENTS" --days "$DAYS" >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; die "seed failed"; }
SEED_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
echo "== seeded $TENANTS tenants × $PRODUCTS products × $MOVEMENTS movements over $DAYS days in $SEED_S s"
psql -qAt "$DB_URL" -c "VACUUM ANALYZE" >/dev/null

# Tokens: one login per tenant (its ADMIN), line k = tenant k (= Zipf rank k).
TOKENS=$WORK/tokens
start_server ceiling -s REDIS_URL="$IAM_TEST_REDIS_URL"
t0=$(date +%s.%N)
BENCH_LOGIN_PARALLEL=$LOGIN_PARALLEL bench_login_all "$PORT" "$TENANTS" "$TOKENS"
LOGIN_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
ADMIN_TOKEN=$(head -n 1 "$TOKENS")
echo "== $TENANTS logins in $LOGIN_S s (-P $LOGIN_PARALLEL)"
: >"$WORK/results"
: >"$WORK/warmups"
: >"$WORK/machine"

# ---- scenarios ---------------------------------------------------------------------------------
echo "== ceiling: GET /health"
measure ceiling "ceiling: \`GET /health\`" /health
stop_server

echo "== L2 only (CACHE_L1_MAX_BYTES=0)"
start_server l2 -s REDIS_URL="$IAM_TEST_REDIS_URL" -s CACHE_L1_MAX_BYTES=0
warm l2
measure l2 "L2 only (\`CACHE_L1_MAX_BYTES=0\`)" /dashboard-cqrs/kpis
if [[ ${BENCH_PERF:-0} == l2 ]]; then profile; fi
stop_server

echo "== L1+L2 (defaults: CACHE_L1_MAX_AGE_MS=250)"
start_server l1 -s REDIS_URL="$IAM_TEST_REDIS_URL"
warm l1
measure l1 "L1+L2 (defaults, L1 max age 250 ms)" /dashboard-cqrs/kpis
if [[ ${BENCH_PERF:-0} == 1 ]]; then profile; fi
stop_server

echo "== L1+L2 (CACHE_L1_MAX_AGE_MS=0)"
start_server l1age0 -s REDIS_URL="$IAM_TEST_REDIS_URL" -s CACHE_L1_MAX_AGE_MS=0
warm l1age0
measure l1age0 "L1+L2, \`CACHE_L1_MAX_AGE_MS=0\`" /dashboard-cqrs/kpis
stop_server

echo "== Redis stopped (defaults: CACHE_L1_MAX_AGE_MS=250)"
start_server down -s REDIS_URL="$IAM_TEST_REDIS_URL"
warm down
stop_redis
measure down "Redis stopped (defaults, L1 max age 250 ms)" /dashboard-cqrs/kpis
stop_server

echo "== Redis stopped (CACHE_L1_MAX_AGE_MS=0)"
start_redis
start_server downage0 -s REDIS_URL="$IAM_TEST_REDIS_URL" -s CACHE_L1_MAX_AGE_MS=0
warm downage0
stop_redis
measure downage0 "Redis stopped, \`CACHE_L1_MAX_AGE_MS=0\`" /dashboard-cqrs/kpis
stop_server

echo "== ceiling again: GET /health"
start_redis
start_server ceiling2 -s REDIS_URL="$IAM_TEST_REDIS_URL"
measure ceiling2 "ceiling again (last): \`GET /health\`" /health
stop_server

for f in "$WORK"/serve-*.log; do
  if [[ -s $f ]]; then
    echo "== server log $(basename "$f") ($(wc -l <"$f") lines; first 5):"
    head -n 5 "$f" | sed 's/^/  /'
  fi
done

# ---- report ------------------------------------------------------------------------------------
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
# The median of an even number of runs: the mean of the middle two.
CEIL=$(cat "$WORK/runs-ceiling" "$WORK/runs-ceiling2" | sed -E 's/.*\brps=([^ ]+).*/\1/' | sort -g |
  awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
echo
echo "Cached KPIs: \`wrk -t2 -c$CONNECTIONS -d$DURATION\`, $RUNS runs per scenario (median; req/s min–max), $TENANTS tenants"
echo "(Zipf s=1), $(nproc) cores shared by server (IO_THREADS default), PostgreSQL, Redis and wrk;"
echo "load average before/after: $LOAD_BEFORE / $LOAD_AFTER; total $(($(date +%s) - T_START)) s;"
echo "ceiling = median of the first and last passes' $((2 * RUNS)) runs: $(printf '%.0f' "$CEIL") req/s"
echo
echo "| scenario | req/s median (min–max) | p99 median | ratio to ceiling | KPI hit rate (L1 / L2 / shared) | DB tx/s | factory runs/s | server CPU (cores) | non-2xx / socket errors |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -F'|' -v ceil="$CEIL" '
  function fmt(x,   s, r) { s = sprintf("%d", x + 0.5); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } return s r }
  {
    ratio = sprintf("%.2f", $3 / ceil)
    tot = $9 + $10 + $11 + $12
    hit = ($1 ~ /^ceiling/) ? "–" : (tot > 0 ? sprintf("%.1f %% (%d / %d / %d)", 100 * ($9 + $10 + $11) / tot, $9, $10, $11) : "no KPI requests counted")
    printf "| %s | %s (%s–%s) | %.2f ms | %s | %s | %s | %s | %s | %d / %d |\n", $2, fmt($3), fmt($4), fmt($5), $6, ratio, hit, fmt($13), fmt($14), $15, $16, $17
  }' "$WORK/results"
echo
echo "Redis at the end of each scenario: "
awk -F'|' '$1 !~ /^ceiling/ {printf "  %s: %s\n", $1, $18}' "$WORK/results"
echo "Machine during each scenario's runs (1-min load average at start, busy cores of $(nproc) incl. other users):"
awk '{printf "  %s: load %s, busy %s\n", $1, $2, $3}' "$WORK/machine"
echo "Warm-ups (status x-cache tier × count):"
sed 's/^/  /' "$WORK/warmups"
echo

# Targets of issue 5.
r() { awk -F'|' -v n="$1" -v c="$2" '$1 == n {print $c}' "$WORK/results"; }
check() { # label value op threshold unit
  local ok
  ok=$(awk -v v="$2" -v t="$4" -v op="$3" 'BEGIN {print ((op == ">=" && v >= t) || (op == "<" && v < t)) ? "met" : "NOT met"}')
  printf '| %s | %s %s | %s %s | %s |\n' "$1" "$2" "$5" "$3" "$4" "$ok"
}
ratio() { awk -v a="$(r "$1" 3)" -v c="$CEIL" 'BEGIN {printf "%.2f", a / c}'; }
echo "| target (issue 5) | measured | required | |"
echo "|---|---|---|---|"
check "L2 hits: req/s / ceiling" "$(ratio l2)" ">=" 0.50 ""
check "L1+L2 hits (defaults): req/s / ceiling" "$(ratio l1)" ">=" 0.85 ""
check "L1+L2 hits (age 0): req/s / ceiling" "$(ratio l1age0)" ">=" 0.85 ""
check "p99, L2 only" "$(r l2 6)" "<" 5 ms
check "p99, L1+L2 (defaults)" "$(r l1 6)" "<" 5 ms
check "p99, L1+L2 (age 0)" "$(r l1age0 6)" "<" 5 ms
check "Redis stopped (defaults): req/s / ceiling" "$(ratio down)" ">=" 0.30 ""
check "Redis stopped (age 0): req/s / ceiling" "$(ratio downage0)" ">=" 0.30 ""
echo
echo "DB load with Redis stopped: $(r down 13) tx/s, $(r down 14) factory runs/s (defaults);" \
  "$(r downage0 13) tx/s, $(r downage0 14) factory runs/s (age 0)."

#!/usr/bin/env bash
# Benchmark (not a test): several IAM instances behind nginx (deploy/nginx/iam.conf, docs/deploy.md),
# on loopback, in one run on one machine (issue 8).
#   bench/multi.sh
# Builds the iam target (RelWithDebInfo) into /tmp/iam-bench-build unless IAM_BUILD_DIR names an
# existing build; starts a throwaway PostgreSQL and Redis through scripts/with-services.sh (unless
# IAM_TEST_PG_URL is already set). The instances use REDIS_CLUSTER_NODES when it is set, else
# REDIS_URL when set, else with-services' Redis. Creates a fresh database, migrates once, seeds
# BENCH_TENANTS + 2 x BENCH_COLD_RUNS tenants, starts two `iam serve` (a, b; same JWT secret, database
# and Redis) and logs in once per tenant.
# Throughput, each scenario BENCH_RUNS x `wrk -t2 -c64 -d$BENCH_DURATION --latency -s bench/cache.lua`
# (cached KPIs, GET /dashboard-cqrs/kpis, the tenant of each request drawn Zipf-like over the first
# BENCH_TENANTS tokens, as bench/cache.sh), after one KPI read per tenant on every instance:
#   direct       wrk -> instance a
#   nginx -> 1   wrk -> nginx (deploy/nginx/iam.conf, upstream = a only): nginx's own cost
#   nginx -> 2   wrk -> nginx (upstream = a, b)
# Reported: median req/s (min-max) and median p99 of the runs, req/s relative to `direct`.
# Cold start, BENCH_COLD_RUNS times each, on a tenant nobody has read yet (one per run):
#   1 instance   BENCH_BURST (1000) concurrent GETs of its KPIs, all to instance a
#   2 instances  the same through nginx -> a, b
# (bench/cold_burst.py: every connection opened first, then every request sent at once).
# Reported per burst: answers by status and X-Cache; database work for that one key: the cache's
# factory runs (`computations` of GET /auth/admin/cache-stats, summed over the instances), the
# statements the instances' pools ran (iam_db_statements_total), and the bench database's
# transactions (pg_stat_database xact_commit + xact_rollback, read BENCH_PGSTAT_WAIT s after the
# burst), beside the transactions of an idle window of the same length (the change listeners'
# heartbeats are transactions too). Then the median over the runs.
# Env: BENCH_DURATION (10s), BENCH_RUNS (3), BENCH_TENANTS (100), BENCH_PRODUCTS (50),
#      BENCH_MOVEMENTS (500), BENCH_CONNECTIONS (64), BENCH_COLD_RUNS (3), BENCH_BURST (1000),
#      BENCH_PGSTAT_WAIT (11), BENCH_NGINX_WORKERS (auto), BENCH_KEEP_WORK=1 (keep the scratch dir).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${BENCH_DURATION:-10s}
RUNS=${BENCH_RUNS:-3}
TENANTS=${BENCH_TENANTS:-100}
PRODUCTS=${BENCH_PRODUCTS:-50}
MOVEMENTS=${BENCH_MOVEMENTS:-500}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
COLD_RUNS=${BENCH_COLD_RUNS:-3}
BURST=${BENCH_BURST:-1000}
PGSTAT_WAIT=${BENCH_PGSTAT_WAIT:-11}
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-auto}
DEFAULT_BUILD_DIR=/tmp/iam-bench-build
case ${1:-} in -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
export BENCH_LUA_DIR=$ROOT/bench

if [[ -z ${IAM_TEST_PG_URL:-} ]]; then
  if [[ -z ${IAM_BUILD_DIR:-} ]]; then
    bench_release_build "$DEFAULT_BUILD_DIR" iam
    export IAM_BUILD_DIR=$DEFAULT_BUILD_DIR
  fi
  exec "$ROOT/scripts/with-services.sh" bash "$0" "$@"
fi
IAM=${IAM_BUILD_DIR:-$DEFAULT_BUILD_DIR}/iam
[[ -x $IAM ]] || bench_die "no $IAM: build first (or unset IAM_BUILD_DIR)"
bench_need wrk curl jq psql nginx python3 xargs
if [[ -n ${REDIS_CLUSTER_NODES:-} ]]; then
  REDIS_SETTING=(-s "REDIS_CLUSTER_NODES=$REDIS_CLUSTER_NODES")
  REDIS_DESC="REDIS_CLUSTER_NODES=$REDIS_CLUSTER_NODES"
else
  REDIS_SETTING=(-s "REDIS_URL=${REDIS_URL:-${IAM_TEST_REDIS_URL:?no Redis: set REDIS_URL or REDIS_CLUSTER_NODES}}")
  REDIS_DESC="REDIS_URL=${REDIS_URL:-$IAM_TEST_REDIS_URL}"
fi

WORK=$(mktemp -d /tmp/iam-bench-multi.XXXXXX)
chmod 755 "$WORK" # nginx workers run as nobody under root
SERVER_A="" SERVER_B="" NGINX_PID="" PGDB=""
cleanup() {
  local p
  for p in $NGINX_PID $SERVER_A $SERVER_B ${BENCH_SERVER:-}; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $NGINX_PID $SERVER_A $SERVER_B ${BENCH_SERVER:-}; do wait "$p" 2>/dev/null || true; done
  if [[ -n $PGDB ]]; then psql -qAt "$IAM_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; fi
  if [[ ${BENCH_KEEP_WORK:-0} == 1 ]]; then echo "bench/multi.sh: scratch files kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export PGOPTIONS="-c client_min_messages=warning"
BENCH_WORK=$WORK
BENCH_SECRET=bench-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$(date +%s)

# ---- database, instances, tokens ---------------------------------------------------------------
PGDB=iam_bench_multi_$$
psql -qAt "$IAM_TEST_PG_URL" -c "CREATE DATABASE $PGDB" >/dev/null
DB_URL=${IAM_TEST_PG_URL%/*}/$PGDB
"$IAM" --database-url "$DB_URL" --log-level warn migrate >/dev/null # once, before any instance
ALL_TENANTS=$((TENANTS + 2 * COLD_RUNS))
echo "== seeding $ALL_TENANTS tenants x $PRODUCTS products x $MOVEMENTS movements"
"$IAM" --database-url "$DB_URL" --log-level warn seed --tenants "$ALL_TENANTS" --products "$PRODUCTS" \
  --movements "$MOVEMENTS" --days 60 >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; bench_die "seed failed"; }
psql -qAt "$DB_URL" -c "VACUUM ANALYZE" >/dev/null

bench_start_server a "$DB_URL" "${REDIS_SETTING[@]}"
SERVER_A=$BENCH_SERVER PORT_A=$BENCH_PORT BENCH_SERVER=""
bench_start_server b "$DB_URL" "${REDIS_SETTING[@]}"
SERVER_B=$BENCH_SERVER PORT_B=$BENCH_PORT BENCH_SERVER=""
echo "== instances a :$PORT_A, b :$PORT_B ($REDIS_DESC); logging in $ALL_TENANTS tenants"
bench_login_all "$PORT_A" "$ALL_TENANTS" "$WORK/all-tokens"
head -n "$TENANTS" "$WORK/all-tokens" >"$WORK/tokens"
ADMIN_TOKEN=$(head -n 1 "$WORK/tokens")

# start_nginx PORT...: nginx (deploy/nginx/iam.conf rendered with these upstreams) on a free port.
start_nginx() {
  stop_nginx
  local d=$WORK/nginx u=()
  rm -rf "$d"
  mkdir -p "$d"
  chmod 755 "$d"
  for p in "$@"; do u+=(--upstream "127.0.0.1:$p"); done
  NGINX_PORT=$(bench_free_port)
  python3 "$ROOT/deploy/nginx/render_conf.py" --conf "$ROOT/deploy/nginx/iam.conf" "${u[@]}" \
    --listen "127.0.0.1:$NGINX_PORT" --access-log "$d/iam.access.log" >"$d/iam.conf"
  # No access log during the measured runs: it would be wrk's bottleneck on this disk, not nginx's.
  sed -i 's|^\(\s*access_log\s\).*iam_upstream;|\1off;|' "$d/iam.conf"
  {
    [[ $(id -u) -eq 0 ]] && echo "user nobody nogroup;"
    echo "worker_processes $NGINX_WORKERS;"
    echo "daemon off; pid $d/nginx.pid; error_log $d/error.log warn;"
    echo "worker_rlimit_nofile 16384;"
    echo "events { worker_connections 8192; }"
    echo "http {"
    for k in client_body proxy fastcgi uwsgi scgi; do echo "  ${k}_temp_path $d/${k}_temp;"; done
    echo "  access_log off;"
    echo "  include $d/iam.conf;"
    echo "}"
  } >"$d/nginx.conf"
  nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" >"$d/stdout.log" 2>&1 &
  NGINX_PID=$!
  for _ in $(seq 100); do
    curl -sf --max-time 1 "http://127.0.0.1:$NGINX_PORT/health" >/dev/null 2>&1 && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$d/error.log" "$d/stdout.log" >&2 || true
  bench_die "nginx did not start"
}
stop_nginx() {
  [[ -n $NGINX_PID ]] || return 0
  kill -QUIT "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}

# One KPI read per tenant on PORT; fails unless all answer 200.
warm() {
  xargs -P 8 -I{} curl -s -o /dev/null --max-time 60 -w '%{http_code}\n' -H 'Authorization: Bearer {}' \
    "http://127.0.0.1:$1/dashboard-cqrs/kpis" <"$WORK/tokens" >"$WORK/warm"
  [[ $(grep -cv '^200$' "$WORK/warm") -eq 0 ]] || bench_die "warm-up on :$1: $(sort "$WORK/warm" | uniq -c | tr '\n' ' ')"
}

# measure NAME LABEL PORT: RUNS wrk runs (after a short unmeasured one) against PORT.
measure() {
  local name=$1 label=$2 port=$3 run line
  BENCH_TOKENS=$WORK/tokens BENCH_PATH=/dashboard-cqrs/kpis wrk -t2 -c"$CONNECTIONS" -d2s -s "$ROOT/bench/cache.lua" \
    "http://127.0.0.1:$port" >/dev/null 2>&1 || true
  : >"$WORK/runs-$name"
  local load0
  load0=$(cut -d' ' -f1 /proc/loadavg)
  for run in $(seq "$RUNS"); do
    BENCH_TOKENS=$WORK/tokens BENCH_PATH=/dashboard-cqrs/kpis wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency \
      -s "$ROOT/bench/cache.lua" "http://127.0.0.1:$port" >"$WORK/wrk-$name-$run.txt" 2>&1 ||
      { cat "$WORK/wrk-$name-$run.txt" >&2; bench_die "wrk failed ($name)"; }
    line=$(grep '^BENCH ' "$WORK/wrk-$name-$run.txt" || true)
    [[ -n $line ]] || { cat "$WORK/wrk-$name-$run.txt" >&2; bench_die "no BENCH line from wrk ($name)"; }
    echo "${line#BENCH }" >>"$WORK/runs-$name"
    echo "  run $run: ${line#BENCH }"
  done
  local f=$WORK/runs-$name
  val() { sed -E "s/.*\\b$1=([^ ]+).*/\\1/" "$f"; }
  echo "$name|$label|$(val rps | bench_median)|$(val rps | bench_minmax | tr ' ' '|')|$(val p99_ms | bench_median)|$(val non2xx | awk '{s += $1} END {print s + 0}')|$(val errors | awk '{s += $1} END {print s + 0}')|$load0" \
    >>"$WORK/results"
}

# ---- throughput ---------------------------------------------------------------------------------
: >"$WORK/results"
echo "== warm-up: one KPI read per tenant on a and on b"
warm "$PORT_A"
warm "$PORT_B"
echo "== direct: wrk -> instance a"
measure direct "1 instance, direct" "$PORT_A"
echo "== nginx -> 1 instance (a)"
start_nginx "$PORT_A"
measure nginx1 "nginx -> 1 instance" "$NGINX_PORT"
echo "== nginx -> 2 instances (a, b)"
start_nginx "$PORT_A" "$PORT_B"
measure nginx2 "nginx -> 2 instances" "$NGINX_PORT"

# ---- cold start ---------------------------------------------------------------------------------
pg_tx() { psql -qAt "$IAM_TEST_PG_URL" -c "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database WHERE datname = '$PGDB'"; }
computations() { # sum over a and b of cache-stats `computations`
  local p s=0 c
  for p in "$PORT_A" "$PORT_B"; do
    c=$(curl -sf --max-time 10 -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$p/auth/admin/cache-stats" | jq -r '.computations // .data.computations // empty')
    [[ $c =~ ^[0-9]+$ ]] || bench_die "no computations in cache-stats of :$p"
    s=$((s + c))
  done
  echo "$s"
}
statements() { # sum over a and b of iam_db_statements_total
  local p s=0
  for p in "$PORT_A" "$PORT_B"; do
    BENCH_PORT=$p bench_metrics "$WORK/m"
    s=$((s + $(bench_metric "$WORK/m" iam_db_statements_total)))
  done
  echo "$s"
}
: >"$WORK/cold"
cold() { # NAME LABEL TOKEN_LINE PORT...
  local name=$1 label=$2 line=$3
  shift 3
  local token ports=() p
  token=$(sed -n "${line}p" "$WORK/all-tokens")
  for p in "$@"; do ports+=(--port "$p"); done
  # The idle window first: transactions nobody asked for (heartbeats of the change listeners).
  sleep "$PGSTAT_WAIT"
  local i0 i1 t0 t1 c0 c1 s0 s1 burst t_start
  i0=$(pg_tx)
  t_start=$(date +%s.%N)
  sleep "$((PGSTAT_WAIT + 1))"
  i1=$(pg_tx)
  local idle_s
  idle_s=$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  t0=$(pg_tx)
  c0=$(computations)
  s0=$(statements)
  t_start=$(date +%s.%N)
  burst=$(python3 "$ROOT/bench/cold_burst.py" "${ports[@]}" --path /dashboard-cqrs/kpis --token "$token" --n "$BURST")
  c1=$(computations)
  s1=$(statements)
  sleep "$PGSTAT_WAIT"
  t1=$(pg_tx)
  local win_s
  win_s=$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  echo "  $label (tenant $line): ${burst#BURST } computations=$((c1 - c0)) statements=$((s1 - s0)) pg_xact=$((t1 - t0)) in ${win_s}s (idle: $((i1 - i0)) in ${idle_s}s)"
  echo "$name|$label|$((c1 - c0))|$((s1 - s0))|$((t1 - t0))|$win_s|$((i1 - i0))|$idle_s|${burst#BURST }" >>"$WORK/cold"
}
echo "== cold start: $BURST concurrent KPI reads of a tenant nobody has read ($COLD_RUNS runs each)"
for r in $(seq $((2 * COLD_RUNS))); do
  # Alternating, each on its own fresh tenant.
  if ((r % 2 == 1)); then
    cold one "1 instance, direct" "$((TENANTS + r))" "$PORT_A"
  else
    cold two "2 instances via nginx" "$((TENANTS + r))" "$NGINX_PORT"
  fi
done

# ---- report -------------------------------------------------------------------------------------
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
DIRECT=$(awk -F'|' '$1 == "direct" {print $3}' "$WORK/results")
echo
echo "Cached KPIs: \`wrk -t2 -c$CONNECTIONS -d$DURATION\`, $RUNS runs per scenario (median; min–max), $TENANTS tenants (Zipf s=1),"
echo "instances with IO_THREADS default, nginx worker_processes $NGINX_WORKERS; $(nproc) cores shared by everything;"
echo "load average before/after: $LOAD_BEFORE / $LOAD_AFTER; total $(($(date +%s) - T_START)) s"
echo
echo "| scenario | req/s median (min–max) | relative to 1 instance direct | p99 median | non-2xx / socket errors | 1-min load at start |"
echo "|---|---|---|---|---|---|"
awk -F'|' -v d="$DIRECT" '{printf "| %s | %.0f (%.0f–%.0f) | %.2f | %.2f ms | %d / %d | %s |\n", $2, $3, $4, $5, $3 / d, $6, $7, $8, $9}' "$WORK/results"
echo
echo "Cold start: $BURST concurrent GET /dashboard-cqrs/kpis of one tenant nobody has read (bench/cold_burst.py)"
echo
echo "| scenario | run | answers | factory runs (computations, all instances) | DB statements (pools) | pg xact in window (idle window) |"
echo "|---|---|---|---|---|---|"
awk -F'|' '{n[$1]++; printf "| %s | %d | %s | %d | %d | %d in %s s (%d in %s s) |\n", $2, n[$1], $9, $3, $4, $5, $6, $7, $8}' "$WORK/cold"
echo
for k in one two; do
  awk -F'|' -v k="$k" '$1 == k {print $3}' "$WORK/cold" | bench_median | xargs -I{} echo "median factory runs per key, $k: {}"
  awk -F'|' -v k="$k" '$1 == k {print $4}' "$WORK/cold" | bench_median | xargs -I{} echo "median DB statements per burst, $k: {}"
done
echo "(one = 1 instance direct, two = 2 instances via nginx; numbers from a shared, loaded machine are noisy)"

#!/usr/bin/env bash
# Benchmark (not a test): cold KPI computation latency (forceRefresh=true) of the release
# `iam serve` for one tenant of 10,000 products at several ledger sizes, on PostgreSQL and SQLite.
#   bench/kpis.sh [postgres|sqlite|both]     (default both)
# Builds the release binary into /tmp/iam-bench-build (bench/lib.sh) unless IAM_BUILD_DIR names an
# existing build; starts a throwaway PostgreSQL through scripts/with-services.sh. bench/run measures
# the same (PostgreSQL only) in its report; this script adds SQLite and more requests per size. Per backend and size: a fresh database
# (PostgreSQL: a new database in the throwaway cluster, dropped afterwards; SQLite: a new file),
# migrate, seed 1 tenant with 10,000 products and N movements over 180 days, serve on 127.0.0.1,
# log in as the demo admin, then per route BENCH_WARMUP warm-up requests and BENCH_REQUESTS
# sequential timed requests (curl time_total). Prints median (min–max) per route × size × backend
# and the ratio of the largest size's median to the smallest size's median per route; stops
# everything it started.
# Env: BENCH_SIZES (default "10000 100000 1000000"), BENCH_REQUESTS (30), BENCH_WARMUP (3),
#      BENCH_PRODUCTS (10000), BENCH_DAYS (180).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WHICH=${1:-both}
case $WHICH in postgres | sqlite | both) ;; *) echo "usage: $0 [postgres|sqlite|both]" >&2; exit 2 ;; esac
SIZES=${BENCH_SIZES:-10000 100000 1000000}
REQUESTS=${BENCH_REQUESTS:-30}
WARMUP=${BENCH_WARMUP:-3}
PRODUCTS=${BENCH_PRODUCTS:-10000}
DAYS=${BENCH_DAYS:-180}

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
if [[ -z ${IAM_BUILD_DIR:-} ]]; then
  bench_release_build /tmp/iam-bench-build iam
  export IAM_BUILD_DIR=/tmp/iam-bench-build
fi
if [[ $WHICH != sqlite && -z ${IAM_TEST_PG_URL:-} ]]; then
  exec "$ROOT/scripts/with-services.sh" "$0" "$@"
fi
IAM=$IAM_BUILD_DIR/iam
[[ -x $IAM ]] || bench_die "no $IAM: build first"
bench_need curl jq

ROUTES=(kpis financial-kpis "movement-kpis?days=30" predictive-kpis)

WORK=$(mktemp -d /tmp/iam-bench.XXXXXX)
SERVER=""
PGDB=""
cleanup() {
  SERVER=${SERVER:-$BENCH_SERVER}
  if [[ -n $SERVER ]]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [[ -n $PGDB ]]; then psql -qAt "$IAM_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export PGOPTIONS="-c client_min_messages=warning" # no NOTICE from DROP DATABASE IF EXISTS
BENCH_SECRET=bench-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
BENCH_WORK=$WORK

# Median, min and max (ms, 1 decimal) of the seconds on stdin.
stats() {
  sort -g | awk '{v[NR] = $1 * 1000} END {printf "%.1f %.1f %.1f\n", v[int((NR + 1) / 2)], v[1], v[NR]}'
}

bench_size() {
  local name=$1 size=$2 url
  if [[ $name == postgres ]]; then
    PGDB=iam_bench_kpis_$size
    psql -qAt "$IAM_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null
    psql -qAt "$IAM_TEST_PG_URL" -c "CREATE DATABASE $PGDB" >/dev/null
    url=${IAM_TEST_PG_URL%/*}/$PGDB
  else
    rm -f "$WORK"/bench.db*
    url=sqlite:$WORK/bench.db
  fi
  "$IAM" --database-url "$url" --log-level warn migrate >/dev/null
  local t0 t1
  t0=$(date +%s.%N)
  "$IAM" --database-url "$url" --log-level warn seed --tenants 1 --products "$PRODUCTS" \
    --movements "$size" --days "$DAYS" >/dev/null
  t1=$(date +%s.%N)
  printf '%s %s %.1f\n' "$name" "$size" "$(echo "$t1 - $t0" | bc)" >>"$WORK/seed"
  echo "  $name $size movements: seeded in $(echo "$t1 - $t0" | bc | xargs printf '%.1f') s"
  if [[ $name == postgres ]]; then psql -qAt "$url" -c "VACUUM ANALYZE" >/dev/null; fi
  bench_start_server "$name-$size" "$url"
  SERVER=$BENCH_SERVER
  PORT=$BENCH_PORT
  local token
  bench_login_all "$PORT" 1 "$WORK/token"
  token=$(cat "$WORK/token")
  local route target sep code i
  for route in "${ROUTES[@]}"; do
    [[ $route == *\?* ]] && sep='&' || sep='?'
    target="http://127.0.0.1:$PORT/dashboard-cqrs/$route${sep}forceRefresh=true"
    : >"$WORK/times"
    for i in $(seq $((WARMUP + REQUESTS))); do
      read -r code t < <(curl -s --max-time 60 -o /dev/null -w '%{http_code} %{time_total}\n' \
        -H "Authorization: Bearer $token" "$target")
      [[ $code == 200 ]] || { echo "GET $target -> $code" >&2; exit 1; }
      ((i > WARMUP)) && echo "$t" >>"$WORK/times"
      # The first predictive-kpis request after seeding computes every product's demand analysis
      # (what the first request of each UTC day does): reported on its own.
      if [[ $route == predictive-kpis && $i == 1 ]]; then
        printf '%s %s %.1f\n' "$name" "$size" "$(echo "$t * 1000" | bc)" >>"$WORK/first"
      fi
    done
    read -r med lo hi < <(stats <"$WORK/times")
    echo "$name $size ${route%%\?*} $med $lo $hi" >>"$WORK/results"
    printf '    %-16s median %8.1f ms  (%.1f–%.1f)\n' "${route%%\?*}" "$med" "$lo" "$hi"
  done
  # predictive-kpis right after a sale: each timed read follows one POST /movimientos (SALIDA of 1
  # unit of a random product), so it recomputes that product's analysis.
  target="http://127.0.0.1:$PORT/dashboard-cqrs/predictive-kpis?forceRefresh=true"
  : >"$WORK/times"
  for i in $(seq "$REQUESTS"); do
    code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' "http://127.0.0.1:$PORT/movimientos" \
      -d "{\"tipo\":\"SALIDA\",\"cantidad\":1,\"productoId\":$((1 + RANDOM % PRODUCTS))}")
    [[ $code == 201 || $code == 409 || $code == 422 ]] || { echo "POST /movimientos -> $code" >&2; exit 1; }
    read -r code t < <(curl -s --max-time 60 -o /dev/null -w '%{http_code} %{time_total}\n' \
      -H "Authorization: Bearer $token" "$target")
    [[ $code == 200 ]] || { echo "GET $target -> $code" >&2; exit 1; }
    echo "$t" >>"$WORK/times"
  done
  read -r med lo hi < <(stats <"$WORK/times")
  echo "$name $size predictive-after-sale $med $lo $hi" >>"$WORK/results"
  printf '    %-16s median %8.1f ms  (%.1f–%.1f)\n' "after a sale" "$med" "$lo" "$hi"
  bench_stop_server
  SERVER=""
  if [[ $name == postgres ]]; then
    psql -qAt "$IAM_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null
    PGDB=""
  else
    rm -f "$WORK"/bench.db*
  fi
}

: >"$WORK/results"
: >"$WORK/seed"
: >"$WORK/first"
BACKENDS=()
[[ $WHICH == postgres || $WHICH == both ]] && BACKENDS+=(postgres)
[[ $WHICH == sqlite || $WHICH == both ]] && BACKENDS+=(sqlite)
for b in "${BACKENDS[@]}"; do
  echo "== $b"
  for s in $SIZES; do bench_size "$b" "$s"; done
done

read -r -a SZ <<<"$SIZES"
FIRST=${SZ[0]}
LAST=${SZ[${#SZ[@]} - 1]}
echo
echo "Cold KPI latency, ms: median (min–max) of $REQUESTS sequential requests after $WARMUP warm-ups;"
echo "1 tenant, $PRODUCTS products, $DAYS days of history"
echo
header="| backend | route |"
rule="|---|---|"
for s in "${SZ[@]}"; do header+=" $s movements |"; rule+="---|"; done
header+=" ratio $LAST/$FIRST |"
rule+="---|"
echo "$header"
echo "$rule"
for b in "${BACKENDS[@]}"; do
  for route in "${ROUTES[@]}" predictive-after-sale; do
    r=${route%%\?*}
    line="| $b | \`$route\` |"
    for s in "${SZ[@]}"; do
      line+=$(awk -v b="$b" -v s="$s" -v r="$r" '$1 == b && $2 == s && $3 == r {printf " %s (%s–%s) |", $4, $5, $6}' "$WORK/results")
    done
    line+=$(awk -v b="$b" -v f="$FIRST" -v l="$LAST" -v r="$r" \
      '$1 == b && $3 == r && $2 == f {a = $4} $1 == b && $3 == r && $2 == l {z = $4} END {if (a > 0) printf " %.2f× |", z / a; else printf " – |"}' "$WORK/results")
    echo "$line"
  done
done
echo
echo "First predictive-kpis request after seeding (every demand analysis computed), ms:"
awk '{printf "  %s %s movements: %s ms\n", $1, $2, $3}' "$WORK/first"
echo
echo "Seed time (s):"
awk '{printf "  %s %s movements: %s s\n", $1, $2, $3}' "$WORK/seed"

# shellcheck shell=bash
# Shared pieces of the benchmark scripts (bench/run, bench/cache.sh, bench/kpis.sh,
# bench/movements.sh); sourced, never run. Promises:
#   bench_release_build DIR [TARGET...]  configure DIR as a RelWithDebInfo build (micro-benchmarks on,
#                                        tests off) and build the targets (default: iam)
#   bench_need TOOL...                   fail with a clear message when a tool is missing
#   bench_free_port                      a free loopback port (12000-19999)
#   bench_start_server NAME DB_URL [ARGS...] / bench_stop_server
#                                        `iam serve` on 127.0.0.1:$BENCH_PORT, pid in $BENCH_SERVER,
#                                        log in $BENCH_WORK/serve-NAME.log; waits for /health
#   bench_login_all FIRST_PORT N OUT     one POST /auth/login per seeded tenant's ADMIN (tenant k on line k)
#   bench_metrics FILE                   GET /metrics of the running server into FILE
#   bench_metric FILE NAME [FILTER]      sum of the samples of NAME whose labels contain FILTER
#   bench_rss_kb PID / bench_hwm_kb PID  VmRSS / VmHWM (peak) of a process, in kB
#   bench_median / bench_minmax          of the numbers on stdin (one per line)
#   bench_seconds 10s|1m|N               a wrk duration in seconds
# Callers set IAM (the binary), BENCH_WORK (a scratch directory) and BENCH_SECRET (JWT secret).

bench_die() {
  echo "${0##*/}: $*" >&2
  exit 1
}

bench_need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || bench_die "$tool not found (run scripts/install-deps.sh)"
  done
}

bench_release_build() {
  local dir=$1 root
  shift
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  local targets=("$@")
  [[ ${#targets[@]} -gt 0 ]] || targets=(iam)
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIAM_SANITIZE=OFF \
    -DIAM_BUILD_TESTS=OFF -DIAM_BUILD_BENCH=ON --log-level=WARNING >/dev/null
  nice -n 10 cmake --build "$dir" -j"${JOBS:-2}" --target "${targets[@]}"
}

bench_median() { sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]}'; }
bench_minmax() { sort -g | awk 'NR == 1 {a = $1} {z = $1} END {if (NR) printf "%s %s\n", a, z}'; }

bench_seconds() {
  case $1 in *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac
}

# Below Linux's ephemeral range (32768+, where wrk's and curl's client ports are) and apart from
# scripts/with-services.sh's 20000-31999.
bench_free_port() {
  local p
  for _ in $(seq 50); do
    p=$((12000 + RANDOM % 8000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  bench_die "no free port"
}

BENCH_SERVER=""
BENCH_PORT=""

bench_start_server() {
  local name=$1 url=$2
  shift 2
  for _ in 1 2 3; do # another process may take the port between the check and the bind
    BENCH_PORT=$(bench_free_port)
    "$IAM" --database-url "$url" --host 127.0.0.1 --port "$BENCH_PORT" --log-level warn \
      -s JWT_SECRET="$BENCH_SECRET" "$@" serve >"$BENCH_WORK/serve-$name.log" 2>&1 &
    BENCH_SERVER=$!
    for _ in $(seq 150); do
      if ! kill -0 "$BENCH_SERVER" 2>/dev/null; then
        wait "$BENCH_SERVER" 2>/dev/null || true
        BENCH_SERVER=""
        grep -q "cannot listen" "$BENCH_WORK/serve-$name.log" && continue 2
        cat "$BENCH_WORK/serve-$name.log" >&2
        bench_die "server ($name) exited at start-up"
      fi
      curl -sf --max-time 1 "http://127.0.0.1:$BENCH_PORT/health" >/dev/null 2>&1 && return 0
      sleep 0.1
    done
    cat "$BENCH_WORK/serve-$name.log" >&2
    bench_die "server ($name) did not answer /health within 15 s"
  done
  cat "$BENCH_WORK/serve-$name.log" >&2
  bench_die "server ($name) could not listen (3 attempts)"
}

bench_stop_server() {
  [[ -n $BENCH_SERVER ]] || return 0
  kill -TERM "$BENCH_SERVER" 2>/dev/null || true
  wait "$BENCH_SERVER" 2>/dev/null || true
  BENCH_SERVER=""
}

# The seeded ADMIN of tenant k is admin@demo.iam (k = 1) or admin@tenantK.demo.iam.
bench_login_one() { # k email port -> "k token"
  local tok
  tok=$(curl -s --max-time 30 "http://127.0.0.1:$3/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"demo12345\"}" | jq -r '.token // empty' 2>/dev/null || true)
  echo "$1 ${tok:-FAILED}"
}

bench_login_all() { # port tenants out-file (one token per line, tenant k on line k)
  local port=$1 n=$2 out=$3 k
  export -f bench_login_one
  for ((k = 1; k <= n; k++)); do
    if ((k == 1)); then echo "1 admin@demo.iam $port"; else echo "$k admin@tenant$k.demo.iam $port"; fi
  done | xargs -P "${BENCH_LOGIN_PARALLEL:-4}" -n 3 bash -c 'bench_login_one "$@"' _ | sort -n >"$out.logins"
  local failed
  failed=$(awk '$2 == "FAILED"' "$out.logins" | wc -l)
  ((failed == 0)) || { head -n 3 "$out.logins" >&2; bench_die "$failed of $n logins failed"; }
  awk '{print $2}' "$out.logins" >"$out"
  [[ $(wc -l <"$out") -eq $n ]] || bench_die "expected $n tokens, got $(wc -l <"$out")"
}

bench_metrics() {
  curl -sf --max-time 10 "http://127.0.0.1:$BENCH_PORT/metrics" >"$1" || bench_die "GET /metrics failed"
}

bench_metric() { # file name [label filter]
  awk -v n="$2" -v f="${3:-}" '
    /^#/ {next}
    {name = $1; sub(/\{.*/, "", name)}
    name == n && index($1, f) {s += $NF}
    END {printf "%.0f\n", s}' "$1"
}

bench_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
bench_hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

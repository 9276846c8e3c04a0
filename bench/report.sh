#!/usr/bin/env bash
# Writes bench/run's Markdown report on stdout and its PNG charts into $OUT, from the files bench/run
# left in $W (rows, results, micro.tsv, timeline, outage-phases, cold-index, datasets) and the
# key=value facts on stdin. Called by bench/run only. Every figure printed is one of those files'
# measurements, aggregated as the median of the runs with min–max.
set -euo pipefail
: "${W:?}" "${RUNS:?}" "${OUT:?}" "${BASE:?}"
declare -A F
while IFS='=' read -r k v; do F[$k]=$v; done

# ---- aggregation ---------------------------------------------------------------------------------
# vals SCENARIO FIELD: the field's value in each measured run of the scenario, one per line.
vals() {
  awk -F'|' -v n="$1" -v f="$2" '$1 == n {
      m = split($2, kv, " ")
      for (i = 1; i <= m; i++) { split(kv[i], p, "="); if (p[1] == f) print p[2] }
    }' "$W/results"
}
# agg SCENARIO FIELD [SCALE]: "median min max" of the field (times SCALE), empty when absent.
agg() {
  vals "$1" "$2" | awk -v k="${3:-1}" '{print $1 * k}' | sort -g |
    awk '{v[NR] = $1} END {if (NR) printf "%s %s %s\n", v[int((NR + 1) / 2)], v[1], v[NR]}'
}
sum() { vals "$1" "$2" | awk '{s += $1} END {printf "%d\n", s}'; }
# fmt VALUE DECIMALS: thousands separators for big numbers.
fmt() {
  awk -v x="$1" -v d="$2" 'BEGIN {
    s = sprintf("%." d "f", x); i = index(s, "."); ip = i ? substr(s, 1, i - 1) : s; fp = i ? substr(s, i) : ""
    neg = (substr(ip, 1, 1) == "-"); if (neg) ip = substr(ip, 2)
    r = ""; while (length(ip) > 3) { r = "," substr(ip, length(ip) - 2) r; ip = substr(ip, 1, length(ip) - 3) }
    printf "%s%s%s%s", neg ? "-" : "", ip, r, fp }'
}
# mm SCENARIO FIELD DECIMALS [SCALE]: "median (min–max)".
mm() {
  local a
  a=$(agg "$1" "$2" "${4:-1}")
  [[ -n $a ]] || { printf '–'; return; }
  read -r med lo hi <<<"$a"
  printf '%s (%s–%s)' "$(fmt "$med" "$3")" "$(fmt "$lo" "$3")" "$(fmt "$hi" "$3")"
}
med() { agg "$1" "$2" | awk '{print $1}'; }
CEIL=$(med ceiling rps)
ratio() {
  local r
  r=$(med "$1" rps)
  [[ -n $CEIL && -n $r ]] && awk -v a="$r" -v c="$CEIL" 'BEGIN {printf "%.2f", a / c}' || printf '–'
}
# Cache hit rate of each run, in %.
hit_rates() {
  awk -F'|' -v n="$1" '$1 == n {
      t = 0; h = 0; m = split($2, kv, " ")
      for (i = 1; i <= m; i++) { split(kv[i], p, "="); if (p[1] == "cache_total") t = p[2]; if (p[1] == "cache_hits") h = p[2] }
      if (t > 0) printf "%.1f\n", 100 * h / t
    }' "$W/results" | sort -g | awk '{v[NR] = $1} END {if (NR) printf "%s (%s–%s) %%", v[int((NR + 1) / 2)], v[1], v[NR]; else printf "–"}'
}
errors() { echo $(($(sum "$1" non2xx) + $(sum "$1" errors))); }
rss() { # "RSS at the end of the last run (peak)" in MiB
  local r h
  r=$(vals "$1" rss_kb | tail -n1)
  h=$(vals "$1" hwm_kb | sort -g | tail -n1)
  [[ -n $r ]] && awk -v r="$r" -v h="$h" 'BEGIN {printf "%.0f (%.0f)", r / 1024, h / 1024}' || printf '–'
}
has() { grep -q "^$1|" "$W/results"; }
label() { awk -F'|' -v n="$1" '$1 == n {print $3; exit}' "$W/rows"; }

table_header() {
  echo "| scenario | requests/s | × ceiling | p50 ms | p99 ms | errors | DB statements/s | cache hit rate | server RSS MiB (peak) |"
  echo "|---|---|---|---|---|---|---|---|---|"
}
table_row() { # scenario [no-ratio]
  has "$1" || return 0
  local r
  r=$(ratio "$1")
  [[ -z ${2:-} ]] || r="–"
  local d=0
  [[ $(med "$1" rps | awk '{print ($1 < 100)}') == 0 ]] || d=1
  echo "| $(label "$1") | $(mm "$1" rps "$d") | $r | $(mm "$1" p50_ms 2) | $(mm "$1" p99_ms 2) |" \
    "$(fmt "$(errors "$1")" 0) | $(mm "$1" dbq 0) | $(hit_rates "$1") | $(rss "$1") |"
}

# ---- machine -------------------------------------------------------------------------------------
CPU=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
PGBIN=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1)
PGV=$("$PGBIN/postgres" --version 2>/dev/null | awk '{print $3}' || true)
REDISV=$(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/' || true)
WRKV=$(wrk -v 2>&1 | awk 'NR == 1 {print $2}' || true) # wrk -v exits 1
GXX=$(g++ --version 2>/dev/null | awk 'NR == 1' || true)
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$(dirname "${F[iam]}")/CMakeCache.txt" 2>/dev/null || true)

# ---- charts --------------------------------------------------------------------------------------
CHART_LAT=$BASE-latency.png
CHART_OUT=$BASE-outage.png
CHART_COLD=$BASE-cold.png
charts=()
if [[ ${HAVE_GNUPLOT:-0} == 1 ]]; then
  # Latency percentiles: median over the runs of each percentile, per scenario.
  : >"$W/lat.dat"
  i=0
  for n in ceiling l1l2 l2 l1 mixed writes-postgres writes-sqlite; do
    has "$n" || continue
    i=$((i + 1))
    {
      echo "\"$(label "$n" | sed 's/`//g; s/"//g')\""
      for p in p50_ms p75_ms p90_ms p99_ms p999_ms; do echo "${p%_ms} $(med "$n" "$p")"; done
      echo
      echo
    } >>"$W/lat.dat"
  done
  if ((i > 0)); then
    gnuplot <<EOF
set terminal pngcairo size 1000,600 font ",10" noenhanced
set output "$OUT/$CHART_LAT"
set title "Latency percentiles per scenario (median of $RUNS runs, wrk)"
set ylabel "latency (ms, log scale)"
set logscale y
set grid ytics
set key below
set xtics ("p50" 0, "p75" 1, "p90" 2, "p99" 3, "p99.9" 4)
plot for [b=0:$((i - 1))] "$W/lat.dat" index b using 0:2 with linespoints lw 2 title columnheader(1)
EOF
    charts+=("$CHART_LAT")
  fi
  # Outage: answers per second over time, each run; non-2xx per second; the outage window.
  if [[ -s $W/timeline ]]; then
    read -r _ down up < <(head -n1 "$W/outage-phases")
    : >"$W/out.dat"
    for r in $(seq "$RUNS"); do
      awk -v r="$r" '$1 == r {print $2, $3, $4}' "$W/timeline" >>"$W/out.dat"
      printf '\n\n' >>"$W/out.dat"
    done
    gnuplot <<EOF
set terminal pngcairo size 1000,480 font ",10" noenhanced
set output "$OUT/$CHART_OUT"
set title "KPI reads through a Redis outage: answers per second ($RUNS runs)"
set xlabel "seconds since the start of the run"
set ylabel "answers per second"
set grid
set key outside right top
set object 1 rect from $down, graph 0 to $up, graph 1 fc rgb "#f4cccc" fs solid 0.5 noborder behind
set label 1 "Redis down" at $down, graph 0.95 offset 1,0
plot for [r=0:$((RUNS - 1))] "$W/out.dat" index r using 1:2 with lines lw 2 title sprintf("run %d answers/s", r + 1), \
     for [r=0:$((RUNS - 1))] "$W/out.dat" index r using 1:3 with lines dt 2 title sprintf("run %d non-2xx/s", r + 1)
EOF
    charts+=("$CHART_OUT")
  fi
  # Cold KPIs: p50 against history size, per route, with min–max of the runs.
  if [[ -s $W/cold-index ]]; then
    : >"$W/cold.dat"
    j=0
    for route in kpis financial-kpis movement-kpis predictive-kpis; do
      grep -q " $route " "$W/cold-index" || continue
      j=$((j + 1))
      echo "\"$route\"" >>"$W/cold.dat"
      while read -r n rt size; do
        [[ $rt == "$route" ]] || continue
        echo "$size $(agg "$n" p50_ms)" >>"$W/cold.dat"
      done <"$W/cold-index"
      printf '\n\n' >>"$W/cold.dat"
    done
    gnuplot <<EOF
set terminal pngcairo size 1000,520 font ",10" noenhanced
set output "$OUT/$CHART_COLD"
set title "Cold KPI computation (forceRefresh) against history size: p50, min–max of $RUNS runs"
set xlabel "movements in the tenant's history (log scale)"
set ylabel "p50 latency (ms, log scale)"
set logscale xy
set offsets graph 0.05, graph 0.05, 0, 0
set format x "%.0f"
set grid
set key outside right top
plot for [b=0:$((j - 1))] "$W/cold.dat" index b using 1:2:3:4 with yerrorlines lw 2 title columnheader(1)
EOF
    charts+=("$CHART_COLD")
  fi
fi

# ---- report --------------------------------------------------------------------------------------
dirty_note=""
[[ ${F[dirty]} == 0 ]] || dirty_note=" + ${F[dirty]} uncommitted changes"
cat <<EOF
# Benchmark report ${F[start]}, commit ${F[commit]}

\`${F[cmdline]}\` (size \`${F[size]}\`), commit \`${F[commit]}\`$dirty_note: the whole command took
**$(awk -v s="${F[total_s]}" 'BEGIN {printf "%d min %02d s", s / 60, s % 60}')** including the build (${F[build_s]} s).
Each figure is the **median of $RUNS runs (min–max)**; "× ceiling" is requests/s divided by the
\`GET /health\` requests/s measured in the same invocation.

## Machine

| | |
|---|---|
| CPU | $CPU, **$(nproc) cores** (\`nproc\`), shared by the server, PostgreSQL, Redis and wrk |
| memory | $MEM |
| load average (1, 5, 15 min) | at start ${F[load_start]}; at end ${F[load_end]} (other users' work included) |
| \`uptime\` at start | \`$(sed 's/^ *//' <<<"${F[uptime_start]}")\` |
| kernel | $(uname -sr) |
| priority | every process of the run at niceness ${F[niceness]} (\`nice\`) |
| build | \`${F[iam]}\`, CMAKE_BUILD_TYPE=${BUILD_TYPE:-?}, $GXX |
| services | PostgreSQL $PGV (fsync off, throwaway cluster), Redis $REDISV (no persistence), both on loopback |
| load generator | wrk $WRKV, 2 threads, ${F[connections]} connections (writes: 16; cold: 1), ${F[duration]} per run (cold: ${F[cold_duration]}) after a ${F[warm_duration]} unmeasured warm-up |

## Headline

<!-- headline:start -->
| scenario | requests/s | × ceiling | p50 ms | p99 ms | errors |
|---|---|---|---|---|---|
EOF
for n in ceiling l1l2 l2 l1 mixed outage writes-postgres writes-sqlite; do
  has "$n" || continue
  echo "| $(label "$n") | $(mm "$n" rps 0) | $(ratio "$n") | $(mm "$n" p50_ms 2) | $(mm "$n" p99_ms 2) | $(fmt "$(errors "$n")" 0) |"
done
if [[ -s $W/cold-index ]]; then
  largest=$(awk '{print $3}' "$W/cold-index" | sort -g | tail -n1)
  for route in kpis predictive-kpis; do
    n="cold-$route-$largest"
    has "$n" || continue
    echo "| cold \`$route\` at $(fmt "$largest" 0) movements (1 connection) | $(mm "$n" rps 1) | – | $(mm "$n" p50_ms 1) | $(mm "$n" p99_ms 1) | $(fmt "$(errors "$n")" 0) |"
  done
fi
refusals=""
if has mixed; then
  refusals+=" mixed: $(fmt "$(sum mixed writes_409)" 0) of its $(fmt "$(sum mixed non2xx)" 0) non-2xx were 409 (seen by mixed.lua);"
fi
for n in writes-postgres writes-sqlite; do
  has "$n" || continue
  refusals+=" $(label "$n" | sed 's/movement writes alone, //'): $(fmt "$(sum "$n" non2xx)" 0) non-2xx, $(fmt "$(($(sum "$n" requests) - $(sum "$n" recorded)))" 0) requests that recorded no movement;"
done
cat <<EOF

Median of $RUNS runs (min–max), $(nproc) cores, load average ${F[load_start]} at start; report of ${F[start]}, commit ${F[commit]}.
"errors" = non-2xx answers + socket errors, summed over the runs.${refusals:+ Those of the write loads are refusals of a SALIDA at zero stock (409, nothing recorded):${refusals%;}.}
<!-- headline:end -->

## Data sets (\`iam seed\`)

| data set | tenants | products each | movements each | days | seed time |
|---|---|---|---|---|---|
$(cat "$W/datasets")

EOF

if has ceiling || has l1l2; then
  cat <<EOF
## Cached KPI reads (\`GET /dashboard-cqrs/kpis\`)

${F[tenants]} tenants, one token each (their ADMIN), the tenant of every request drawn Zipf-like
(P(rank k) ∝ 1/k) by \`bench/cache.lua\`; every cache scenario starts a fresh server and reads each
tenant's KPIs once before the warm-up run. L1 + L2 and L2 only run with the default
\`CACHE_L1_MAX_AGE_MS\` (250 ms on PostgreSQL), so L1 entries and remembered token checks are
re-validated four times a second per tenant (docs/caching.md).

EOF
  table_header
  for n in ceiling l1l2 l2 l1; do table_row "$n"; done
  echo
fi

if has mixed; then
  w=$(sum mixed writes)
  cat <<EOF
## Mixed: 95 % reads, 5 % movement writes, read-your-writes

\`bench/mixed.lua\`: 95 % \`GET /dashboard-cqrs/kpis\`, 5 % \`POST /movimientos\` (ENTRADA/SALIDA of 1)
on one of the first 50 products of the same Zipf-drawn tenant; once a write is acknowledged the
thread's next request reads that tenant's KPIs (every write invalidates the tenant's cached
entries, so that read is computed afresh or shared with another reader's computation). Server:
L1 + L2, defaults.

EOF
  table_header
  table_row mixed
  echo
  echo "Over the $RUNS runs: $(fmt "$w" 0) writes sent, $(fmt "$(sum mixed writes_201)" 0) recorded (201), $(fmt "$(sum mixed writes_409)" 0) refused with 409 (a SALIDA at zero stock; counted in errors), $(fmt "$(sum mixed reads_after_write)" 0) reads right after an acknowledged write. wrk's response() callback (needed to see the writes' answers) makes the load generator itself slower than in the pure-read scenarios."
  echo
fi

if has outage; then
  # Answers per second in each phase of each run, then median (min–max) over the runs.
  phase_stats() { # phase -> "median (min–max)" of per-run mean answers/s
    awk -v ph="$1" '
      {r = $1; t = $2; ok = $3; d = $5; u = $6
       p = (t < d) ? "before" : (t < u ? "down" : "after")
       # skip the partial first and last seconds and the second of each switch
       if (t <= 0 || t == d || t == u) next
       if (p == ph) {s[r] += ok; c[r]++}}
      END {for (r in s) if (c[r] > 0) printf "%.0f\n", s[r] / c[r]}' "$W/timeline" | sort -g |
      awk '{v[NR] = $1} END {if (NR) printf "%d %d %d\n", v[int((NR + 1) / 2)], v[1], v[NR]}' | {
        read -r a b c || { printf '–'; return; }
        printf '%s (%s–%s)' "$(fmt "$a" 0)" "$(fmt "$b" 0)" "$(fmt "$c" 0)"
      }
  }
  phase_errors() {
    awk -v ph="$1" '{t = $2; d = $5; u = $6; p = (t < d) ? "before" : (t < u ? "down" : "after"); if (p == ph) e += $4}
      END {printf "%d", e}' "$W/timeline"
  }
  read -r _ down up < <(head -n1 "$W/outage-phases")
  cat <<EOF
## Redis outage in the middle of a read run

Each run reads KPIs (as above, L1 + L2, defaults) for $(awk -v d="${F[duration]}" 'BEGIN {sub(/s$/, "", d); print d * 3}') s; Redis is shut down
(\`SHUTDOWN NOSAVE\`) at ${down} s and a new, empty Redis starts on the same port at ${up} s. wrk
counts answers per second of wall-clock time (\`os.time()\` in its response() callback, which also
slows wrk a little).

EOF
  table_header
  table_row outage
  echo
  echo "| phase | answers/s, mean per second (median of runs, min–max) | non-2xx (all runs) |"
  echo "|---|---|---|"
  echo "| Redis up | $(phase_stats before) | $(phase_errors before) |"
  echo "| Redis down | $(phase_stats down) | $(phase_errors down) |"
  echo "| Redis back (empty) | $(phase_stats after) | $(phase_errors after) |"
  echo
  echo "Socket errors (connect, read, write, timeout) over the $RUNS runs: $(sum outage errors); non-2xx: $(sum outage non2xx)."
  echo
  if [[ " ${charts[*]} " == *" $CHART_OUT "* ]]; then echo "![answers per second through a Redis outage]($CHART_OUT)"; echo; fi
fi

if [[ -s $W/cold-index ]]; then
  sizes=$(awk '{print $3}' "$W/cold-index" | sort -gu)
  first=$(head -n1 <<<"$sizes")
  last=$(tail -n1 <<<"$sizes")
  cat <<EOF
## Cold KPI computation against history size

One tenant with the products of the data set, \`forceRefresh=true\` on every request (computed
from the database each time, then stored), one connection (\`wrk -t1 -c1\`, ${F[cold_duration]} per run, after two
requests of warm-up), PostgreSQL. p50 ms, median of $RUNS runs (min–max):

EOF
  header="| route |"
  rule="|---|"
  for s in $sizes; do header+=" $(fmt "$s" 0) movements |"; rule+="---|"; done
  echo "$header p50 ratio $(fmt "$last" 0) / $(fmt "$first" 0) |"
  echo "$rule---|"
  for route in kpis financial-kpis movement-kpis predictive-kpis; do
    grep -q " $route " "$W/cold-index" || continue
    line="| \`$route\` |"
    for s in $sizes; do line+=" $(mm "cold-$route-$s" p50_ms 1) |"; done
    a=$(med "cold-$route-$first" p50_ms)
    z=$(med "cold-$route-$last" p50_ms)
    line+=" $(awk -v a="$a" -v z="$z" 'BEGIN {if (a > 0) printf "%.1f×", z / a; else printf "–"}') |"
    echo "$line"
  done
  echo
  echo "All cold measurements (one row per route and size):"
  echo
  table_header
  while read -r n _ _; do table_row "$n" no-ratio; done <"$W/cold-index"
  echo
  if [[ " ${charts[*]} " == *" $CHART_COLD "* ]]; then echo "![cold KPI latency against history size]($CHART_COLD)"; echo; fi
fi

if has writes-postgres || has writes-sqlite; then
  cat <<EOF
## Movement writes alone

\`bench/movements.lua\`: \`POST /movimientos\` on a random one of 1,000 products of one tenant,
alternating ENTRADA and SALIDA of 1, 16 connections. Non-2xx answers are 409 (a SALIDA on a
product at zero stock: answered, not recorded); "recorded/s" counts the rows the runs added to
\`MovimientoInventario\`.

EOF
  table_header
  for n in writes-postgres writes-sqlite; do table_row "$n"; done
  echo
  echo "| backend | movements recorded/s |"
  echo "|---|---|"
  for n in writes-postgres writes-sqlite; do
    has "$n" || continue
    per_run=$(awk -F'|' -v n="$n" '$1 == n {
        m = split($2, kv, " "); rec = 0; d = 0
        for (i = 1; i <= m; i++) { split(kv[i], p, "="); if (p[1] == "recorded") rec = p[2]; if (p[1] == "duration_us") d = p[2] }
        if (d > 0) printf "%.0f\n", rec / (d / 1e6) }' "$W/results" | sort -g |
      awk '{v[NR] = $1} END {if (NR) printf "%d %d %d", v[int((NR + 1) / 2)], v[1], v[NR]}')
    read -r a b c <<<"$per_run"
    echo "| $(label "$n" | sed 's/movement writes alone, //') | $(fmt "$a" 0) ($(fmt "$b" 0)–$(fmt "$c" 0)) |"
  done
  echo
fi

if [[ " ${charts[*]} " == *" $CHART_LAT "* ]]; then
  echo "## Latency percentiles"
  echo
  echo "![latency percentiles per scenario]($CHART_LAT)"
  echo
fi

if [[ -s $W/micro.tsv ]]; then
  cat <<EOF
## Micro-benchmarks (Google Benchmark, \`bench/micro\`)

Time per iteration, median of $RUNS repetitions (min–max): wall-clock time, and the CPU time of
the benchmark's thread (on a shared machine the wall time includes waiting for a core). One
iteration of the 10,000 × 180 benchmarks processes all 10,000 series. (Debian's libbenchmark
prints "Library was built as DEBUG": that is the library's own build, not this code's.)

| benchmark | wall time per iteration | CPU time per iteration | throughput (median, CPU time) |
|---|---|---|---|
EOF
  cut -f1 "$W/micro.tsv" | awk '!seen[$0]++' | while read -r b; do
    awk -F'\t' -v b="$b" '$1 == b' "$W/micro.tsv" | awk -F'\t' '
      {t[NR] = $2; c[NR] = $3; u = $4; it[NR] = $5; by[NR] = $6; name = $1
       if (u == "ns" && $2 >= 1e4) {t[NR] = $2 / 1e3; c[NR] = $3 / 1e3; u = "µs"}}
      function sortv(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } }
      END {
        n = NR; m = int((n + 1) / 2)
        sortv(t, n); sortv(c, n); sortv(it, n); sortv(by, n)
        thr = (by[m] > 0) ? sprintf("%.0f MB/s", by[m] / 1e6) : ((it[m] > 0) ? sprintf("%.2f M items/s", it[m] / 1e6) : "")
        printf "| `%s` | %.4g %s (%.4g–%.4g) | %.4g %s (%.4g–%.4g) | %s |\n", name, t[m], u, t[1], t[n], c[m], u, c[1], c[n], thr
      }'
  done
  echo
fi

cat <<EOF
## How the figures are taken

* requests/s, p50, p99, errors: wrk's own summary of each run (\`bench/cache.lua\`, \`mixed.lua\`,
  \`movements.lua\` print them from wrk's latency histogram); errors = non-2xx answers + socket
  errors (connect, read, write, timeout), summed over the runs.
* DB statements/s: the server's \`iam_db_statements_total\` (every statement its pool executed,
  transaction control included) over the run, from \`GET /metrics\` before and after.
* cache hit rate: \`iam_cache_requests_total\` over the run, (hit_l1 + hit_l2 + shared) / all
  outcomes; \`forceRefresh\` requests are \`bypass\`, so cold runs show 0 %.
* server RSS: \`VmRSS\` of the \`iam serve\` process after the scenario's last run, and in
  parentheses its peak \`VmHWM\` (a server that answered a login peaks at ≥ 64 MiB: Argon2id's
  memory for the password check, freed afterwards).
* The machine is shared: compare figures with the load average above, and two reports by their
  min–max spread.
EOF

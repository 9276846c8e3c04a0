#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of fuzz/ (clang 16 from Debian 12, ASan + UBSan; see
# docs/testing.md). Each target starts from its seed corpus fuzz/corpus/<target>/ (read only) and
# the working corpus of earlier runs in $FUZZ_BUILD_DIR/corpus/<target>/; a crash is saved in
# $FUZZ_BUILD_DIR/artifacts/<target>/ and makes the script fail. Prints, per target, libFuzzer's
# executions, coverage (cov: edges, ft: features) and corpus size.
#   scripts/fuzz.sh                      short run: FUZZ_SECONDS (default 45) per target
#   scripts/fuzz.sh --long               long run: 600 s per target unless FUZZ_SECONDS is set
#   scripts/fuzz.sh [--long] jwt ...     only the named targets (http_request resp_reader url_config jwt)
#   scripts/fuzz.sh --merge-seeds        minimise the working corpora into fuzz/corpus/ (to commit)
# Environment: FUZZ_SECONDS, FUZZ_BUILD_DIR (default build-fuzz), FUZZ_CXX (default clang++-16),
# JOBS (build parallelism, default 2). Runs everything under `nice -n 10`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ALL_TARGETS=(http_request resp_reader url_config jwt)
long=0 merge=0 targets=()
for arg in "$@"; do
  case "$arg" in
    --long) long=1 ;;
    --merge-seeds) merge=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) targets+=("$arg") ;;
  esac
done
[[ ${#targets[@]} -eq 0 ]] && targets=("${ALL_TARGETS[@]}")
seconds=${FUZZ_SECONDS:-$([[ $long -eq 1 ]] && echo 600 || echo 45)}
build=${FUZZ_BUILD_DIR:-build-fuzz}
cxx=${FUZZ_CXX:-clang++-16}

# Per target: largest input, and the longest one input may take (an http_request input may hold
# dozens of pipelined logins, each hashing a password).
declare -A MAX_LEN=([http_request]=8192 [resp_reader]=4096 [url_config]=2048 [jwt]=2048)
declare -A TIMEOUT=([http_request]=180 [resp_reader]=30 [url_config]=30 [jwt]=30)
# libFuzzer checks for leaks after every input whose mallocs outnumber its frees; the http target's
# caches grow on every input, so it would scan the whole heap each time (two thirds of its CPU).
# There, leaks are checked once, at exit (and by the g++ ASan replay test).
declare -A EXTRA=([http_request]=-detect_leaks=0 [resp_reader]= [url_config]= [jwt]=)

echo "fuzz: configuring $build with $cxx (IAM_FUZZ=ON)"
cmake -S . -B "$build" -G Ninja --log-level=WARNING -DCMAKE_CXX_COMPILER="$cxx" -DIAM_FUZZ=ON \
  -DIAM_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" >/dev/null
echo "fuzz: building ${targets[*]}"
nice -n 10 cmake --build "$build" -j"${JOBS:-2}" --target "${targets[@]/#/fuzz_}"

if [[ $merge -eq 1 ]]; then
  for t in "${targets[@]}"; do
    [[ -d "$build/corpus/$t" ]] || continue
    echo "fuzz: merging $build/corpus/$t into fuzz/corpus/$t"
    nice -n 10 "$build/fuzz/fuzz_$t" -merge=1 -max_len="${MAX_LEN[$t]}" "fuzz/corpus/$t" "$build/corpus/$t" 2>&1 | tail -1
  done
  exit 0
fi

# Readable stack traces when an llvm-symbolizer is around (any version reads clang 16's DWARF).
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
  for s in llvm-symbolizer-16 llvm-symbolizer /usr/lib/llvm-*/bin/llvm-symbolizer; do
    if command -v "$s" >/dev/null 2>&1; then export ASAN_SYMBOLIZER_PATH=$(command -v "$s"); break; fi
  done
fi

status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
  dict=()
  [[ -f "fuzz/$t.dict" ]] && dict=(-dict="fuzz/$t.dict")
  log="$build/fuzz-$t.log"
  echo "fuzz: $t for ${seconds}s (log: $log)"
  set +e
  # Leaks are checked after every input (http_request: at exit, see EXTRA above).
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  nice -n 10 "$build/fuzz/fuzz_$t" "$build/corpus/$t" "fuzz/corpus/$t" "${dict[@]}" ${EXTRA[$t]} \
    -max_total_time="$seconds" -max_len="${MAX_LEN[$t]}" -timeout="${TIMEOUT[$t]}" -rss_limit_mb=4096 \
    -artifact_prefix="$build/artifacts/$t/" -print_final_stats=1 -print_pcs=0 >"$log" 2>&1
  rc=$?
  set -e
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  if [[ $rc -ne 0 ]]; then
    status=1
    echo "fuzz: $t FAILED (exit $rc); last lines of $log:"
    tail -40 "$log"
    echo "fuzz: reproduce with $build/fuzz/fuzz_$t $build/artifacts/$t/<file>; once fixed, copy the input to"
    echo "      fuzz/regressions/$t/ so that ctest (fuzz_replay_$t) keeps checking it"
    summary+=("$t: FAILED after ${runs:-?} executions ($last)")
  else
    summary+=("$t: ${runs:-?} executions in ${seconds}s; final: $last")
  fi
done
echo "fuzz: summary"
printf '  %s\n' "${summary[@]}"
exit $status

#!/usr/bin/env bash
# The test command (`make test`): installs the Debian packages, builds the `debug` preset
# (ASan + UBSan, build-debug/), runs every test suite with ctest against a throwaway PostgreSQL
# and Redis (see scripts/with-services.sh), then the short fuzzing run (scripts/fuzz.sh: each
# libFuzzer target for FUZZ_SECONDS, default 45, in build-fuzz/). Fails when either fails.
#   scripts/test.sh [CTEST_ARGS...]     e.g. scripts/test.sh -R Config (ctest arguments skip fuzzing)
#   FUZZ_SECONDS=0 scripts/test.sh      no fuzzing
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "test: installing dependencies (scripts/install-deps.sh)"
bash scripts/install-deps.sh
echo "test: configuring (cmake --preset debug)"
cmake --preset debug --log-level=WARNING
echo "test: building (cmake --build --preset debug)"
cmake --build --preset debug -j"${JOBS:-2}"
echo "test: running tests (ctest --preset debug -j${JOBS:-2}${*:+ $*})"
status=0
# Two at a time: most tests wait on servers and sockets, not the CPU; the fault suite and the
# browser test run alone (RUN_SERIAL in tests/CMakeLists.txt).
bash scripts/with-services.sh ctest --preset debug -j"${JOBS:-2}" "$@" || status=$?
if [[ $# -eq 0 && ${FUZZ_SECONDS:-45} != 0 ]]; then
  echo "test: short fuzzing run (scripts/fuzz.sh, ${FUZZ_SECONDS:-45} s per target)"
  bash scripts/fuzz.sh || status=1
fi
exit $status

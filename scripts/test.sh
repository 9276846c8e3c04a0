#!/usr/bin/env bash
# The test command (`make test`): installs the Debian packages, builds the `debug` preset
# (ASan + UBSan, build-debug/), then runs every test suite with ctest against a throwaway PostgreSQL
# and Redis (see scripts/with-services.sh). Exits with ctest's status.
#   scripts/test.sh [CTEST_ARGS...]     e.g. scripts/test.sh -R Config
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "test: installing dependencies (scripts/install-deps.sh)"
bash scripts/install-deps.sh
echo "test: configuring (cmake --preset debug)"
cmake --preset debug --log-level=WARNING
echo "test: building (cmake --build --preset debug)"
cmake --build --preset debug -j"${JOBS:-2}"
echo "test: running tests (ctest --preset debug${*:+ $*})"
exec bash scripts/with-services.sh ctest --preset debug "$@"

#!/usr/bin/env bash
# The run command (`make run`): installs the Debian packages, builds the `release` preset
# (build/iam), migrates the database (DATABASE_URL, by default sqlite:./data/iam.db), seeds the demo
# tenant if the database is empty (printing the demo login), then serves (on :3001 by default).
#   scripts/run.sh [SERVE_ARGS...]      arguments are passed to `iam serve`
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "run: installing dependencies (scripts/install-deps.sh)"
bash scripts/install-deps.sh
echo "run: configuring (cmake --preset release)"
cmake --preset release --log-level=WARNING
echo "run: building (cmake --build --preset release)"
cmake --build --preset release -j"${JOBS:-2}"
mkdir -p data
echo "run: migrating (build/iam migrate)"
build/iam migrate
echo "run: seeding the demo tenant if the database is empty (build/iam seed --if-empty)"
build/iam seed --if-empty
echo "run: serving (build/iam serve)"
exec build/iam serve "$@"

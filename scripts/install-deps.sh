#!/usr/bin/env bash
# Installs every Debian package IAM needs to build, run, test and benchmark. The one list of packages.
# Idempotent: does nothing (and needs no network) when all are already installed.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libhiredis-dev libpq-dev libsqlite3-dev libspdlog-dev libfmt-dev libcli11-dev
  libsodium-dev libssl-dev libcrypt-dev
  libjemalloc-dev # the iam binary's allocator (CMake IAM_JEMALLOC; not in sanitizer or fuzz builds)
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server postgresql postgresql-client sqlite3 curl wrk procps jq
  redis-tools # redis-cli: the Redis Cluster tests form their cluster with `redis-cli --cluster create`
  gnuplot-nox # bench/run draws its charts (PNG) with it
  openssl # the TLS tests make a CA and a server certificate with its CLI
  python3 # tests/deploy/nginx_test.py, deploy/nginx/render_conf.py, bench/cold_burst.py (not in a minimal image)
  # several instances behind a reverse proxy (deploy/nginx/iam.conf, tests/deploy/, bench/multi.sh).
  # On Debian 12 `nginx` is the smallest build (nginx-light is only nginx + the echo module); its
  # upstream module has keepalive, max_fails/fail_timeout and proxy_next_upstream.
  nginx
  # fuzzing (scripts/fuzz.sh): clang 16 and its libFuzzer/ASan/UBSan runtimes (docs/security.md
  # says why 16, not Debian's default 14)
  clang-16 libclang-rt-16-dev
  chromium fonts-dejavu-core # the dashboard page's end-to-end test (tests/e2e/) and its screenshots
)
# Node.js and npm for that test (playwright-core from the npm registry; no browser download): Debian's
# packages only where the machine has no `node`/`npm` of its own (a NodeSource nodejs ships npm, and
# Debian's npm package would conflict with it). playwright-core is pinned to a version that runs on
# Debian 12's Node.js 18.
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# policy-rc.d keeps the packaged services (postgresql, redis) from starting system-wide: tests start
# their own on loopback in temporary directories.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"

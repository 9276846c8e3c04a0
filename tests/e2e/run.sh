#!/usr/bin/env bash
# CTest entry of the end-to-end test of the dashboard page (dashboard.e2e.mjs): checks for Debian's
# Chromium and Node.js, installs playwright-core from package-lock.json when node_modules is missing
# or stale (`npm ci`, never a browser download), then runs the test against the built binary.
#   run.sh IAM_BINARY OUTPUT_DIR
# Exit 77 (CTest's skip) only when Chromium or Node.js is not installed on this machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
iam="${1:?usage: run.sh IAM_BINARY OUTPUT_DIR}"
out="${2:?usage: run.sh IAM_BINARY OUTPUT_DIR}"
# IAM_E2E_SCREENSHOTS overrides OUTPUT_DIR; a relative one is taken from the repository's root.
if [[ -n "${IAM_E2E_SCREENSHOTS:-}" ]]; then
  out="$IAM_E2E_SCREENSHOTS"
  [[ "$out" == /* ]] || out="$here/../../$out"
fi

if [[ ! -x /usr/bin/chromium ]]; then
  echo "SKIP: /usr/bin/chromium is not installed (scripts/install-deps.sh installs Debian's chromium)"
  exit 77
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: Node.js/npm are not installed (scripts/install-deps.sh installs them)"
  exit 77
fi

cd "$here"
# npm ci only when the installed tree is not the locked one (it deletes node_modules first).
if ! cmp -s package-lock.json node_modules/.iam-installed-lock 2>/dev/null; then
  echo "e2e: npm ci (playwright-core, pinned in package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.iam-installed-lock
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec node dashboard.e2e.mjs --iam "$iam" --out "$out"

#!/usr/bin/env bash
# Replaces the block between "<!-- bench:latest:start -->" and "<!-- bench:latest:end -->" in a
# README with a link to REPORT and REPORT's headline table (between its "<!-- headline:start -->"
# and "<!-- headline:end -->" lines). Used by `bench/run --readme`.
#   bench/readme_headline.sh REPORT README
set -euo pipefail
report=$1 readme=$2
grep -q '^<!-- bench:latest:start -->$' "$readme" || { echo "no bench:latest block in $readme" >&2; exit 1; }
rel=$(realpath --relative-to="$(dirname "$readme")" "$report")
block=$(mktemp)
trap 'rm -f "$block"' EXIT
{
  echo "Latest report: [$rel]($rel)"
  echo
  sed -n '/^<!-- headline:start -->$/,/^<!-- headline:end -->$/p' "$report" | sed '1d;$d'
} >"$block"
awk -v f="$block" '
  /^<!-- bench:latest:start -->$/ {print; while ((getline l < f) > 0) print l; skip = 1; next}
  /^<!-- bench:latest:end -->$/ {skip = 0}
  !skip {print}' "$readme" >"$readme.tmp"
mv "$readme.tmp" "$readme"

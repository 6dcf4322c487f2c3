#!/usr/bin/env bash
# npm test: install what is missing (scripts/bootstrap.sh), start (or reuse) local Redis + FerretDB,
# type-check, then run every mocha suite against them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
eval "$(bash scripts/services.sh start | sed 's/^/export /')"
# TYPECHECK=0: the caller type-checks the same tree elsewhere (CI's test:cluster, before npm test).
[ "${TYPECHECK:-1}" = 0 ] || npx tsc -p tsconfig.json --noEmit
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
npx mocha "$@" 2>&1 | tee "$out" || status=$?
# mocha says "N passing" / "N failing"; CI also reads the plain "N passed, N failed" form.
passed=$(sed -n 's/^ *\([0-9][0-9]*\) passing.*/\1/p' "$out" | tail -n 1)
failed=$(sed -n 's/^ *\([0-9][0-9]*\) failing.*/\1/p' "$out" | tail -n 1)
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"

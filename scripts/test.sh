#!/usr/bin/env bash
# npm test: start (or reuse) local Redis + FerretDB, then run every mocha suite against them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(bash scripts/services.sh start | sed 's/^/export /')"
npx tsc -p tsconfig.json --noEmit
exec npx mocha "$@"

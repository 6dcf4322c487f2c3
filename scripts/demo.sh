#!/usr/bin/env bash
# npm run demo: the whole product on its embedded defaults — local Redis + FerretDB,
# seeded demo data, then the CTI server (and, with the call path, the simulated PBX).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(bash scripts/services.sh start | sed 's/^/export /')"
npx tsx scripts/seed.ts
export DEMO=true
exec npx tsx main.ts

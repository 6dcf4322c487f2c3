#!/usr/bin/env bash
# npm run demo: the whole product on its embedded defaults — local Redis + FerretDB, seeded demo
# data, generated prompts, the simulated PBX (ARI + AMI) with generated calls, the CTI and its consoles.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(bash scripts/services.sh start | sed 's/^/export /')"
npx tsx scripts/gen-prompts.ts --out var/sounds --quiet
npx tsx scripts/seed.ts
exec npx tsx scripts/demo.ts

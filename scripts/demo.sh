#!/usr/bin/env bash
# npm run demo: the whole product on its embedded defaults — install what is missing
# (scripts/bootstrap.sh: packages, npm modules, FerretDB launcher, prompts), then local Redis +
# FerretDB, seeded demo data, the simulated PBX (ARI + AMI) with generated calls, the CTI and its consoles.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
eval "$(bash scripts/services.sh start | sed 's/^/export /')"
npx tsx scripts/seed.ts
exec npx tsx scripts/demo.ts

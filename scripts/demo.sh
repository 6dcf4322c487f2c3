#!/usr/bin/env bash
# npm run demo: the whole product on its embedded defaults — install what is missing
# (scripts/bootstrap.sh: packages, npm modules, FerretDB launcher, prompts), then local Redis +
# FerretDB, seeded demo data, the simulated PBX (ARI + AMI) with generated calls, the CTI and its consoles.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
# A random token key of this installation (var/ is never committed), kept across restarts so log-ins
# survive them: the public development key would let anyone sign an admin token for the demo.
if [ -z "${JWT_SECRET:-}" ]; then
  mkdir -p var
  if [ ! -s var/jwt-secret ]; then
    (umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(32).toString('hex'))" > var/jwt-secret)
  fi
  JWT_SECRET="$(cat var/jwt-secret)"
  export JWT_SECRET
fi
eval "$(bash scripts/services.sh start | sed 's/^/export /')"
npx tsx scripts/seed.ts
exec npx tsx scripts/demo.ts

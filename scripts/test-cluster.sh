#!/usr/bin/env bash
# npm run test:cluster: the ACD, record outbox, timed rule and console tests (and the Lua key check)
# against a local 3-master Redis Cluster, which `scripts/services.sh cluster-start` starts on demand
# (or reuses); REDIS_CLUSTER_NODES set → that cluster instead. Redis Cluster refuses a script or
# transaction whose keys lie in two slots (CROSSSLOT), so this run checks every key's hash tag.
# Extra arguments go to mocha (e.g. --grep).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
eval "$(bash scripts/services.sh cluster-start | sed 's/^/export /')"
exec bash scripts/test.sh --no-config --require tsx/cjs --extension ts --timeout 60000 --exit \
  test/integration/redis-cluster.test.ts test/unit/lua-keys.test.ts test/integration/acd-store.test.ts \
  test/integration/record-outbox.test.ts test/integration/timed-rule.test.ts 'test/ws/*.test.ts' "$@"

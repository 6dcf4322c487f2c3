#!/usr/bin/env bash
# Local Redis and FerretDB for development, tests, CI and the demo.
#   scripts/services.sh start|stop|status|env|build|needs-build|cluster-start|cluster-stop
# Idempotent: start leaves running services alone; stop only stops what it started (the cluster too).
# REDIS_URL / MONGO_URL set → that service is external (production-style) and is not started here.
# cluster-start (on demand, never by start): a 3-master Redis Cluster on 127.0.0.1 ports
# HOTLINE_CLUSTER_PORT..+2 (default 6391-6393; cluster bus on port+10000), data in var/redis-cluster/;
# prints REDIS_CLUSTER_NODES=… . REDIS_CLUSTER_NODES set → an external cluster, not started here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="${HOTLINE_VAR_DIR:-$ROOT/var}"
REDIS_PORT="${HOTLINE_REDIS_PORT:-6380}"
FERRET_PORT="${HOTLINE_FERRET_PORT:-27018}"
# Below the ephemeral range (32768+), so a test's free port never takes one; bus ports 16391-16393.
CLUSTER_PORT="${HOTLINE_CLUSTER_PORT:-6391}"
CLUSTER_PORTS=("$CLUSTER_PORT" "$((CLUSTER_PORT + 1))" "$((CLUSTER_PORT + 2))")
FERRET_VERSION="v1.24.2"
RUN="$VAR/run"
LOGS="$VAR/log"

log() { printf '[services] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # name port pidfile
  local i
  for i in $(seq 1 150); do
    if port_open "$2"; then return 0; fi
    if [ -n "${3:-}" ] && [ -f "$3" ] && ! kill -0 "$(cat "$3")" 2>/dev/null; then
      log "$1 exited during start-up; last log lines:"; tail -n 20 "$LOGS/$1.log" >&2 || true; return 1
    fi
    sleep 0.1
  done
  log "$1 did not answer on 127.0.0.1:$2 within 15 s"; return 1
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

LAUNCHER="$VAR/bin/ferretdb"
LAUNCHER_SRC="$ROOT/tools/ferretdb"

# A working ferretdb on PATH (a release build) wins. The `go install .../cmd/ferretdb@v1.24.2`
# binary panics at start (no version.txt in the Go module), so by default we build
# tools/ferretdb: FerretDB v1.24.2's embeddable package behind the same flags.
release_ferretdb() { command -v ferretdb >/dev/null 2>&1 && ferretdb --version >/dev/null 2>&1; }

launcher_stale() { [ ! -x "$LAUNCHER" ] || [ "$LAUNCHER_SRC/main.go" -nt "$LAUNCHER" ] || [ "$LAUNCHER_SRC/go.mod" -nt "$LAUNCHER" ]; }

build_launcher() {
  if ! launcher_stale; then return; fi
  command -v go >/dev/null 2>&1 || { log "FerretDB missing and no Go toolchain to build it (go.dev/dl)"; exit 1; }
  log "building FerretDB $FERRET_VERSION launcher (tools/ferretdb) with go install"
  mkdir -p "$VAR/bin"
  (cd "$LAUNCHER_SRC" && GOBIN="$VAR/bin" go install .) >&2
}

ferretdb_bin() {
  if [ -n "${FERRETDB_BIN:-}" ]; then echo "$FERRETDB_BIN"; return; fi
  if release_ferretdb; then command -v ferretdb; return; fi
  build_launcher
  echo "$LAUNCHER"
}

start_redis() {
  if [ -n "${REDIS_URL:-}" ]; then log "REDIS_URL given: using external Redis"; return; fi
  if alive "$RUN/redis.pid" && port_open "$REDIS_PORT"; then log "redis already running"; return; fi
  if port_open "$REDIS_PORT"; then log "port $REDIS_PORT is taken by another process"; exit 1; fi
  command -v redis-server >/dev/null 2>&1 || { log "redis-server missing: apt-get install redis-server"; exit 1; }
  mkdir -p "$VAR/redis" "$RUN" "$LOGS"
  # appendonly: BullMQ's timed jobs must survive a restart of Redis itself too.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$VAR/redis" --appendonly yes \
    --save '' --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$LOGS/redis.log" >/dev/null
  wait_port redis "$REDIS_PORT" "$RUN/redis.pid"
}

start_ferretdb() {
  if [ -n "${MONGO_URL:-}" ]; then log "MONGO_URL given: using external MongoDB"; return; fi
  if alive "$RUN/ferretdb.pid" && port_open "$FERRET_PORT"; then log "ferretdb already running"; return; fi
  if port_open "$FERRET_PORT"; then log "port $FERRET_PORT is taken by another process"; exit 1; fi
  local bin; bin="$(ferretdb_bin)"
  mkdir -p "$VAR/ferretdb" "$VAR/ferretdb-state" "$RUN" "$LOGS"
  # Test databases are throw-away; one left half-dropped by a killed run would stop FerretDB starting.
  rm -f "$VAR/ferretdb"/hotline_test_*.sqlite "$VAR/ferretdb"/hotline_test_*.sqlite-*
  # --debug-addr=- : its debug server would take 127.0.0.1:8088, Asterisk's ARI port.
  # --telemetry=disable : telemetry would call an outside host.
  # Kept alive by a restart loop in its own session (stop kills the whole group): FerretDB's SQLite
  # backend has been seen to die with SIGBUS when a database is dropped under concurrent reads;
  # clients (mongoose) reconnect by themselves.
  setsid nohup bash -c '
    while :; do
      "$0" --handler=sqlite --sqlite-url="file:$1/" --listen-addr="127.0.0.1:$2" --state-dir="$3" \
        --telemetry=disable --debug-addr=- --log-level=error
      echo "[services] ferretdb exited with $?; restarting in 1 s" >&2
      sleep 1
    done' "$bin" "$VAR/ferretdb" "$FERRET_PORT" "$VAR/ferretdb-state" >>"$LOGS/ferretdb.log" 2>&1 < /dev/null &
  echo $! >"$RUN/ferretdb.pid"
  wait_port ferretdb "$FERRET_PORT" "$RUN/ferretdb.pid"
}

stop_one() { # name
  local pidf="$RUN/$1.pid"
  if alive "$pidf"; then
    # The process group too: FerretDB runs under a restart loop (its pid leads the group).
    kill -- "-$(cat "$pidf")" 2>/dev/null || kill "$(cat "$pidf")"
    for _ in $(seq 1 100); do alive "$pidf" || break; sleep 0.1; done
    log "$1 stopped"
  fi
  rm -f "$pidf"
}

cluster_nodes() { local p out=""; for p in "${CLUSTER_PORTS[@]}"; do out="${out:+$out,}127.0.0.1:$p"; done; echo "$out"; }

# Healthy: every node ours and running, and each one sees all 16384 slots served (cluster_state:ok).
cluster_ok() {
  local p info
  for p in "${CLUSTER_PORTS[@]}"; do
    alive "$RUN/redis-cluster-$p.pid" || return 1
    info="$(redis-cli -p "$p" cluster info 2>/dev/null)" || return 1
    grep -q '^cluster_state:ok' <<<"$info" || return 1
    grep -q '^cluster_known_nodes:3' <<<"$info" || return 1
  done
}

wait_cluster_ok() { # seconds
  local i
  for i in $(seq 1 $(($1 * 10))); do cluster_ok && return 0; sleep 0.1; done
  return 1
}

start_cluster_node() { # port
  local p="$1" dir="$VAR/redis-cluster/$1"
  if alive "$RUN/redis-cluster-$p.pid" && port_open "$p"; then return; fi
  if port_open "$p" || port_open "$((p + 10000))"; then log "port $p or $((p + 10000)) is taken by another process (HOTLINE_CLUSTER_PORT picks others)"; exit 1; fi
  mkdir -p "$dir" "$RUN" "$LOGS"
  # appendonly as for the single Redis: BullMQ's timed jobs survive a restart. nodes.conf in the
  # node's own directory keeps its identity, so a restarted node rejoins the same cluster.
  redis-server --bind 127.0.0.1 --port "$p" --dir "$dir" --appendonly yes --save '' \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
    --daemonize yes --pidfile "$RUN/redis-cluster-$p.pid" --logfile "$LOGS/redis-cluster-$p.log" >/dev/null
  wait_port "redis-cluster-$p" "$p" "$RUN/redis-cluster-$p.pid"
}

stop_cluster() { local p; for p in "${CLUSTER_PORTS[@]}"; do stop_one "redis-cluster-$p"; done; }

start_cluster() {
  if [ -n "${REDIS_CLUSTER_NODES:-}" ]; then log "REDIS_CLUSTER_NODES given: using external Redis Cluster"; return; fi
  if cluster_ok; then log "redis cluster already running"; return; fi
  command -v redis-server >/dev/null 2>&1 || { log "redis-server missing: apt-get install redis-server"; exit 1; }
  local p
  for p in "${CLUSTER_PORTS[@]}"; do start_cluster_node "$p"; done
  # Nodes that were a cluster before (a reboot, a killed node) find each other from nodes.conf.
  if [ -f "$VAR/redis-cluster/created" ] && wait_cluster_ok 10; then log "redis cluster restarted"; return; fi
  if [ -f "$VAR/redis-cluster/created" ]; then
    # Throw-away test data: a cluster that does not heal is made again rather than repaired by hand.
    log "redis cluster did not recover; creating it afresh"
    stop_cluster
    rm -rf "$VAR/redis-cluster"
    for p in "${CLUSTER_PORTS[@]}"; do start_cluster_node "$p"; done
  fi
  local addrs=(); for p in "${CLUSTER_PORTS[@]}"; do addrs+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$LOGS/redis-cluster-create.log" 2>&1 ||
    { log "redis-cli --cluster create failed:"; tail -n 20 "$LOGS/redis-cluster-create.log" >&2; exit 1; }
  touch "$VAR/redis-cluster/created"
  wait_cluster_ok 30 || { log "redis cluster not ok within 30 s:"; redis-cli -p "$CLUSTER_PORT" cluster info >&2 || true; exit 1; }
  log "redis cluster started on $(cluster_nodes)"
}

print_env() {
  echo "REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}"
  echo "MONGO_URL=${MONGO_URL:-mongodb://127.0.0.1:$FERRET_PORT/hotline}"
}

case "${1:-start}" in
  start)
    start_redis
    start_ferretdb
    print_env
    ;;
  stop) stop_one ferretdb; stop_one redis; stop_cluster ;;
  status)
    for s in redis ferretdb; do if alive "$RUN/$s.pid"; then echo "$s running"; else echo "$s stopped"; fi; done
    if cluster_ok; then echo "redis cluster running ($(cluster_nodes))"; else echo "redis cluster stopped"; fi ;;
  env) print_env ;;
  cluster-start)
    start_cluster
    echo "REDIS_CLUSTER_NODES=${REDIS_CLUSTER_NODES:-$(cluster_nodes)}"
    ;;
  cluster-stop) stop_cluster ;;
  # build: the FerretDB launcher if it is missing or older than its source; needs-build: exit 0 if it is.
  build) if [ -z "${FERRETDB_BIN:-}" ] && ! release_ferretdb; then build_launcher; fi ;;
  needs-build) if [ -z "${FERRETDB_BIN:-}" ] && ! release_ferretdb && launcher_stale; then exit 0; else exit 1; fi ;;
  *) echo "usage: $0 start|stop|status|env|build|needs-build|cluster-start|cluster-stop" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Local Redis and FerretDB for development, tests, CI and the demo.
#   scripts/services.sh start|stop|status|env|build|needs-build
# Idempotent: start leaves running services alone; stop only stops what it started.
# REDIS_URL / MONGO_URL set → that service is external (production-style) and is not started here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="${HOTLINE_VAR_DIR:-$ROOT/var}"
REDIS_PORT="${HOTLINE_REDIS_PORT:-6380}"
FERRET_PORT="${HOTLINE_FERRET_PORT:-27018}"
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
  stop) stop_one ferretdb; stop_one redis ;;
  status)
    for s in redis ferretdb; do if alive "$RUN/$s.pid"; then echo "$s running"; else echo "$s stopped"; fi; done ;;
  env) print_env ;;
  # build: the FerretDB launcher if it is missing or older than its source; needs-build: exit 0 if it is.
  build) if [ -z "${FERRETDB_BIN:-}" ] && ! release_ferretdb; then build_launcher; fi ;;
  needs-build) if [ -z "${FERRETDB_BIN:-}" ] && ! release_ferretdb && launcher_stale; then exit 0; else exit 1; fi ;;
  *) echo "usage: $0 start|stop|status|env|build|needs-build" >&2; exit 2 ;;
esac

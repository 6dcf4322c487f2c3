#!/usr/bin/env bash
# Local Redis and FerretDB for development, tests, CI and the demo.
#   scripts/services.sh start|stop|status|env|backend|build|needs-build|cluster-start|cluster-stop
# HOTLINE_DB_BACKEND=sqlite|pg picks FerretDB's backend (default pg): `pg` also runs a private
# PostgreSQL cluster in var/pg (Debian's postgresql, unix socket in var/pg-run only, no TCP).
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
DB_BACKEND="${HOTLINE_DB_BACKEND:-pg}"
case "$DB_BACKEND" in sqlite | pg) ;; *) printf '[services] HOTLINE_DB_BACKEND must be sqlite or pg, not "%s"\n' "$DB_BACKEND" >&2; exit 2 ;; esac
# The port names the socket file (.s.PGSQL.<port>) only: nothing listens on TCP, so two clusters
# (dev services, a bench) never collide even on the same number.
PG_PORT="${HOTLINE_PG_PORT:-5433}"
PG_DATA="$VAR/pg"
PG_SOCK="$VAR/pg-run"
PG_USER="ferretdb" # the cluster's superuser (initdb -U) and FerretDB's role
PG_DB="ferretdb"   # one PostgreSQL database; FerretDB keeps each MongoDB database as a schema in it
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

# ---- PostgreSQL (HOTLINE_DB_BACKEND=pg) ----

# Debian's server binaries are not on PATH; the newest installed major wins (HOTLINE_PG_BIN overrides).
pg_bindir() {
  if [ -n "${HOTLINE_PG_BIN:-}" ]; then echo "$HOTLINE_PG_BIN"; return; fi
  local d; d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$d" ] && [ -x "$d/initdb" ] || { log "PostgreSQL server missing: apt-get install postgresql (or run scripts/bootstrap.sh as root)"; exit 1; }
  echo "$d"
}

# PostgreSQL refuses to run as root. As root (this machine, often CI) it runs as Debian's `postgres`
# user, which owns var/pg and var/pg-run; otherwise as whoever runs this script.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_own() { if [ "$(id -u)" = 0 ]; then chown postgres: "$@"; fi; }

# The socket too: after a reboot a stale postmaster.pid may name a live, unrelated process.
pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && [ -S "$PG_SOCK/.s.PGSQL.$PG_PORT" ] && kill -0 "$(head -n 1 "$PG_DATA/postmaster.pid")" 2>/dev/null; }

# FerretDB parses the URL with net/url: the socket directory goes in `host`, percent-encoded.
urlencode() { local LC_ALL=C s="$1" out="" c i; for ((i = 0; i < ${#s}; i++)); do c="${s:i:1}"; case "$c" in [A-Za-z0-9/._~-]) out+="$c" ;; *) out+="$(printf '%%%02X' "'$c")" ;; esac; done; echo "$out"; }
pg_url() { echo "postgres://$PG_USER@/$PG_DB?host=$(urlencode "$PG_SOCK")&port=$PG_PORT"; }

# Indexes FerretDB's queries can use (see the file): without them every lookup scans its table.
# At every start, also of a cluster already running, so an older cluster gets them too.
install_gin_indexes() {
  "$(pg_bindir)/psql" -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -XqAt -v ON_ERROR_STOP=1 \
    -f "$ROOT/scripts/pg/ferretdb-gin-indexes.sql" >/dev/null
}

start_postgres() {
  if pg_running; then log "postgresql already running"; install_gin_indexes; return; fi
  local bin; bin="$(pg_bindir)"
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then log "no 'postgres' user to run PostgreSQL as (apt-get install postgresql creates it)"; exit 1; fi
  # A unix socket path is at most 107 bytes; a deep HOTLINE_VAR_DIR would fail with a vaguer error.
  local sock="$PG_SOCK/.s.PGSQL.$PG_PORT"
  if [ "${#sock}" -gt 107 ]; then log "socket path $sock is too long for a unix socket: use a shorter HOTLINE_VAR_DIR"; exit 1; fi
  mkdir -p "$RUN" "$LOGS" "$PG_SOCK"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    # Once. -N: no fsync of the fresh files (a crash during initdb is fixed by running it again);
    # C locale: byte-order strings, as MongoDB compares them, and one FerretDB accepts.
    # Trust on the socket only, TCP refused: the socket's directory is 0700, so only the server's
    # own user (and root) can reach it at all.
    rm -rf "$PG_DATA"; mkdir -p "$PG_DATA"; pg_own "$PG_DATA"
    as_pg test -w "$PG_DATA" || { log "the postgres user cannot reach $PG_DATA: every directory above it must be searchable (chmod o+x)"; exit 1; }
    log "creating the PostgreSQL cluster in $PG_DATA"
    as_pg "$bin/initdb" -D "$PG_DATA" -U "$PG_USER" --auth-local=trust --auth-host=reject \
      --encoding=UTF8 --locale=C -N >"$LOGS/postgresql-initdb.log" 2>&1 ||
      { log "initdb failed:"; tail -n 20 "$LOGS/postgresql-initdb.log" >&2; exit 1; }
    echo "include_if_exists = 'hotline.conf'" >>"$PG_DATA/postgresql.conf"
  fi
  local made; made="$(cat "$PG_DATA/PG_VERSION")"
  if [ "$made" != "$("$bin/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')" ]; then
    log "$PG_DATA was made by PostgreSQL $made, not $bin: remove it (dev/test data) or set HOTLINE_PG_BIN"; exit 1
  fi
  # Rewritten on every start, so this script stays the one place these settings live.
  # synchronous_commit=off: a commit returns before its WAL reaches the disk. A crash of the machine
  # loses at most the last ~0.6 s of writes but never corrupts the cluster, and that is the right
  # trade for a dev/test/demo database (tests make their data; the demo reseeds). fsync stays on so
  # the cluster survives a power cut, whereas fsync=off could corrupt it and make someone re-initdb;
  # with commits not waiting, fsync costs only background writes (checkpoints, the WAL writer).
  cat >"$PG_DATA/hotline.conf" <<CONF
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
synchronous_commit = off
fsync = on
max_connections = 120
CONF
  pg_own "$PG_DATA/hotline.conf" "$PG_SOCK"
  chmod 700 "$PG_SOCK"
  touch "$LOGS/postgresql.log"; pg_own "$LOGS/postgresql.log"
  as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$LOGS/postgresql.log" -w -t 30 -s start ||
    { log "postgresql did not start; last log lines:"; tail -n 20 "$LOGS/postgresql.log" >&2; exit 1; }
  if ! "$bin/psql" -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -d postgres -XtAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
    "$bin/createdb" -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
  fi
  install_gin_indexes
}

stop_postgres() {
  if pg_running; then
    # fast: roll back open transactions and stop now (the default, smart, waits for clients).
    as_pg "$(pg_bindir)/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 -s stop || true
    log "postgresql stopped"
  fi
}

# Test databases (schemas to FerretDB's pg backend) left by a killed run: dropped before FerretDB starts.
drop_pg_test_schemas() {
  "$(pg_bindir)/psql" -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -XqAt -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ DECLARE s text; BEGIN
  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE 'hotline\_test\_%' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
END $$;
SQL
}

start_ferretdb() {
  if [ -n "${MONGO_URL:-}" ]; then log "MONGO_URL given: using external MongoDB"; return; fi
  if alive "$RUN/ferretdb.pid" && port_open "$FERRET_PORT"; then
    local running; running="$(cat "$RUN/ferretdb.backend" 2>/dev/null || echo sqlite)"
    if [ "$running" != "$DB_BACKEND" ]; then
      log "ferretdb is running on the $running backend, not $DB_BACKEND: run \`scripts/services.sh stop\` first"; exit 1
    fi
    log "ferretdb already running ($running)"
    if [ "$running" = pg ]; then install_gin_indexes; fi
    return
  fi
  if port_open "$FERRET_PORT"; then log "port $FERRET_PORT is taken by another process"; exit 1; fi
  local bin; bin="$(ferretdb_bin)"
  mkdir -p "$VAR/ferretdb" "$VAR/ferretdb-state" "$RUN" "$LOGS"
  local backend_args=()
  if [ "$DB_BACKEND" = pg ]; then
    start_postgres
    drop_pg_test_schemas
    # The launcher and a release ferretdb both name this handler `postgresql`.
    backend_args=(--handler=postgresql "--postgresql-url=$(pg_url)")
  else
    # Test databases are throw-away; one left half-dropped by a killed run would stop FerretDB starting.
    rm -f "$VAR/ferretdb"/hotline_test_*.sqlite "$VAR/ferretdb"/hotline_test_*.sqlite-*
    backend_args=(--handler=sqlite "--sqlite-url=file:$VAR/ferretdb/")
  fi
  # --debug-addr=- : its debug server would take 127.0.0.1:8088, Asterisk's ARI port.
  # --telemetry=disable : telemetry would call an outside host.
  # Kept alive by a restart loop in its own session (stop kills the whole group): FerretDB's SQLite
  # backend has been seen to die with SIGBUS when a database is dropped under concurrent reads;
  # clients (mongoose) reconnect by themselves.
  setsid nohup bash -c '
    while :; do
      "$0" "$1" "$2" --listen-addr="127.0.0.1:$3" --state-dir="$4" \
        --telemetry=disable --debug-addr=- --log-level=error
      echo "[services] ferretdb exited with $?; restarting in 1 s" >&2
      sleep 1
    done' "$bin" "${backend_args[@]}" "$FERRET_PORT" "$VAR/ferretdb-state" >>"$LOGS/ferretdb.log" 2>&1 < /dev/null &
  echo $! >"$RUN/ferretdb.pid"
  echo "$DB_BACKEND" >"$RUN/ferretdb.backend"
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
  # Exported by test.sh and demo.sh: tests that start a FerretDB of their own use the same backend.
  echo "HOTLINE_DB_BACKEND=$DB_BACKEND"
}

case "${1:-start}" in
  start)
    start_redis
    start_ferretdb
    print_env
    ;;
  # PostgreSQL whatever HOTLINE_DB_BACKEND says now: it may have been started with pg before.
  stop) stop_one ferretdb; rm -f "$RUN/ferretdb.backend"; stop_postgres; stop_one redis; stop_cluster ;;
  status)
    if alive "$RUN/redis.pid"; then echo "redis running"; else echo "redis stopped"; fi
    if alive "$RUN/ferretdb.pid"; then echo "ferretdb running ($(cat "$RUN/ferretdb.backend" 2>/dev/null || echo sqlite))"; else echo "ferretdb stopped"; fi
    if pg_running; then echo "postgresql running ($PG_SOCK, port $PG_PORT)"; else echo "postgresql stopped"; fi
    if cluster_ok; then echo "redis cluster running ($(cluster_nodes))"; else echo "redis cluster stopped"; fi ;;
  env) print_env ;;
  # backend: the FerretDB backend start would use (HOTLINE_DB_BACKEND or the default); bootstrap.sh asks.
  backend) echo "$DB_BACKEND" ;;
  cluster-start)
    start_cluster
    echo "REDIS_CLUSTER_NODES=${REDIS_CLUSTER_NODES:-$(cluster_nodes)}"
    ;;
  cluster-stop) stop_cluster ;;
  # build: the FerretDB launcher if it is missing or older than its source; needs-build: exit 0 if it is.
  build) if [ -z "${FERRETDB_BIN:-}" ] && ! release_ferretdb; then build_launcher; fi ;;
  needs-build) if [ -z "${FERRETDB_BIN:-}" ] && ! release_ferretdb && launcher_stale; then exit 0; else exit 1; fi ;;
  *) echo "usage: $0 start|stop|status|env|backend|build|needs-build|cluster-start|cluster-stop" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The one set-up step: `npm run demo`, `npm test` and `.ci/run` all start here, so a newcomer's
# machine and CI's take the same path. Installs only what is missing, and is quick (well under
# 2 s) when nothing is. Safe to run any number of times.
#   scripts/bootstrap.sh           install what is missing (Debian packages only as root)
#   scripts/bootstrap.sh --check   say what is missing and exit 1 if anything is; change nothing
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VAR="${HOTLINE_VAR_DIR:-$ROOT/var}"
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1

say() { printf '[bootstrap] %s\n' "$*" >&2; }
missing=()

# ---- toolchains: named, never installed behind the reader's back ----
if ! command -v node >/dev/null 2>&1; then
  say "Node.js 20 or newer is missing: install it from nodejs.org or your distribution (Debian: apt-get install nodejs npm)"; exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  say "Node.js $(node --version) is too old: hotline-cti needs Node 20 or newer (nodejs.org)"; exit 1
fi
if ! command -v go >/dev/null 2>&1 && [ -z "${FERRETDB_BIN:-}" ] && [ -z "${MONGO_URL:-}" ]; then
  say "Go is missing (it builds the FerretDB launcher once): install Go 1.24 or newer from go.dev/dl, or set MONGO_URL to a MongoDB"; exit 1
fi

# ---- Debian packages ----
# redis-server: live state and BullMQ; sox + espeak-ng: the prompts; chromium: the console tests;
# fonts-wqy-microhei: Chinese glyphs in Chromium screenshots.
PACKAGES=(redis-server sox espeak-ng chromium fonts-wqy-microhei)
# postgresql: only when FerretDB runs on its PostgreSQL backend (HOTLINE_DB_BACKEND=pg, or pg made the
# default in services.sh, which says which). Not always: it is ~60 MB, and on a machine with systemd
# its install starts a system-wide cluster on 5432 that this project never uses (ours is in var/pg).
db_backend="$(bash scripts/services.sh backend)" # exits here on a bad HOTLINE_DB_BACKEND
if [ -z "${MONGO_URL:-}" ] && [ "$db_backend" = pg ]; then PACKAGES+=(postgresql); fi
need_apt=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$p")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$CHECK" = 1 ]; then
    missing+=("Debian packages: ${need_apt[*]}")
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "apt-get install ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    say "missing Debian packages; run:"
    echo "sudo apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
fi

# ---- npm packages: when node_modules is missing or older than the lock file ----
# npm writes node_modules/.package-lock.json on every install: its age is the install's age.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if [ "$CHECK" = 1 ]; then
    missing+=("npm ci (node_modules missing or older than package-lock.json)")
  else
    say "npm ci"
    npm ci --no-audit --no-fund
  fi
fi

# ---- the FerretDB launcher, built once ----
if [ -z "${MONGO_URL:-}" ] && [ -z "${FERRETDB_BIN:-}" ]; then
  if bash scripts/services.sh needs-build >/dev/null 2>&1; then
    if [ "$CHECK" = 1 ]; then missing+=("FerretDB launcher (tools/ferretdb → $VAR/bin/ferretdb)"); else bash scripts/services.sh build; fi
  fi
fi

# ---- the prompts, generated once (and again when their catalogue or overrides change) ----
manifest="$VAR/sounds/hotline/manifest.json"
if [ ! -f "$manifest" ] || [ -n "$(find cti/prompts scripts/gen-prompts.ts prompts/overrides -newer "$manifest" -print -quit 2>/dev/null)" ]; then
  if [ "$CHECK" = 1 ]; then
    missing+=("prompts ($VAR/sounds)")
  elif [ -x node_modules/.bin/tsx ]; then
    say "generating prompts into $VAR/sounds"
    node_modules/.bin/tsx scripts/gen-prompts.ts --out "$VAR/sounds" --quiet
  fi
fi

if [ "$CHECK" = 1 ]; then
  if [ "${#missing[@]}" -gt 0 ]; then
    for m in "${missing[@]}"; do say "missing: $m"; done
    exit 1
  fi
  say "everything is in place"
fi
exit 0

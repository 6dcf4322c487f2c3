#!/usr/bin/env bash
# Installs the hotline's Asterisk configuration (asterisk-conf/) and prompts into an existing
# Asterisk 22, then reloads it. Safe to run again: unchanged files are left alone, changed ones
# are backed up first. See asterisk-conf/README.md.
set -euo pipefail
# bash 5.2 would expand `&` in a ${var//pat/rep} replacement; passwords may contain it.
shopt -u patsub_replacement 2>/dev/null || true

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/asterisk-conf"
CONF_FILES=(http.conf ari.conf manager.conf pjsip.conf extensions.conf musiconhold.conf queues.conf)

ASTERISK_ETC="${ASTERISK_ETC:-/etc/asterisk}"
ASTERISK_SOUNDS="${ASTERISK_SOUNDS:-/var/lib/asterisk/sounds}"
ASTERISK_MOH="${ASTERISK_MOH:-}"
ASTERISK_BIN="${ASTERISK_BIN:-asterisk}"
PROMPTS_OUT="${PROMPTS_OUT:-$ROOT/var/sounds}"

usage() {
  cat <<EOF
usage: scripts/install-asterisk-conf.sh [--dry-run] [--skip-prompts]

Installs ${CONF_FILES[*]}
from asterisk-conf/ into \$ASTERISK_ETC, generates the prompts and copies them into
\$ASTERISK_SOUNDS/hotline, makes sure the 'hotline' hold-music folder has a file, and runs
\`asterisk -rx 'core reload'\` when Asterisk is running.

  --dry-run       print what would be done; change nothing
  --skip-prompts  don't run the prompt generator; copy what is already in \$PROMPTS_OUT

Secrets (required; each replaces CHANGE_ME_<NAME> in the files):
  ARI_PASSWORD, AMI_SECRET                 the CTI's ARI and AMI logins (same values as the CTI's env)
  TRUNK_HOST, TRUNK_USERNAME, TRUNK_PASSWORD   the carrier account
  AGENT_1001_PASSWORD .. AGENT_1010_PASSWORD   agent phones (AGENT_PASSWORD: one for all)
Paths:
  ASTERISK_ETC=$ASTERISK_ETC
  ASTERISK_SOUNDS=$ASTERISK_SOUNDS
  ASTERISK_MOH=${ASTERISK_MOH:-<Asterisk data dir>/moh}
  ASTERISK_BIN=$ASTERISK_BIN
  PROMPTS_OUT=$PROMPTS_OUT
Run as root with the environment kept, e.g.  sudo -E scripts/install-asterisk-conf.sh
EOF
}

DRY_RUN=0
SKIP_PROMPTS=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=1 ;;
    --skip-prompts) SKIP_PROMPTS=1 ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'install-asterisk-conf: unknown argument %s\n\n' "$arg" >&2; usage >&2; exit 2 ;;
  esac
done

say() { printf '%s\n' "$*"; }
warn() { printf 'install-asterisk-conf: warning: %s\n' "$*" >&2; }
die() { printf 'install-asterisk-conf: %s\n' "$*" >&2; exit 1; }
# Describes a change, and makes it unless this is a dry run.
act() {
  local what="$1"
  shift
  if ((DRY_RUN)); then
    say "[dry-run] would $what"
  else
    say "$what"
    "$@"
  fi
}

asterisk_running() {
  command -v "$ASTERISK_BIN" >/dev/null 2>&1 && "$ASTERISK_BIN" -rx 'core show version' >/dev/null 2>&1
}

# ---- preflight ---------------------------------------------------------------------------
for f in "${CONF_FILES[@]}"; do
  [[ -f "$SRC/$f" ]] || die "missing $SRC/$f"
done
[[ -d "$ASTERISK_ETC" ]] || die "ASTERISK_ETC=$ASTERISK_ETC does not exist: install Asterisk first, or point ASTERISK_ETC at its configuration folder"
if ((!DRY_RUN)) && [[ ! -w "$ASTERISK_ETC" ]]; then
  die "cannot write to $ASTERISK_ETC: run as root, keeping the environment (sudo -E $0)"
fi
((DRY_RUN)) && say "dry run: nothing will be changed"

# ---- render: replace CHANGE_ME_<NAME> with $NAME ------------------------------------------
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

problems=()
declare -A seen_problem=()
problem() {
  [[ -n "${seen_problem[$1]:-}" ]] && return 0
  seen_problem[$1]=1
  problems+=("$1")
}

declare -A seen_warning=()
problem_warned() {
  [[ -n "${seen_warning[$1]:-}" ]] && return 0
  seen_warning[$1]=1
  warn "$1"
}

# Value for CHANGE_ME_<name>; agents fall back to one shared AGENT_PASSWORD.
secret_for() {
  local name="$1" value="${!1-}"
  if [[ -z "$value" && "$name" =~ ^AGENT_[0-9]+_PASSWORD$ ]]; then value="${AGENT_PASSWORD-}"; fi
  printf '%s' "$value"
}

check_secret() {
  local name="$1" value="$2"
  if [[ -z "$value" ]]; then
    if [[ "$name" =~ ^AGENT_[0-9]+_PASSWORD$ ]]; then
      problem "$name is not set (nor AGENT_PASSWORD)"
    else
      problem "$name is not set"
    fi
  elif [[ "${value^^}" == *CHANGE_ME* || "${value^^}" == CHANGEME* ]]; then
    problem "$name is still a CHANGE_ME placeholder: choose a real value"
  elif [[ "$value" == *";"* ]]; then
    problem "$name contains ';', which starts a comment in Asterisk configuration files"
  elif [[ "$value" == *"\\"* || "$value" == *$'\n'* || "$value" == *$'\r'* ]]; then
    problem "$name contains a backslash or a line break"
  elif [[ "$value" != "${value#[[:space:]]}" || "$value" != "${value%[[:space:]]}" ]]; then
    problem "$name starts or ends with white space, which Asterisk strips"
  elif [[ "$name" == *PASSWORD || "$name" == *SECRET ]] && ((${#value} < 12)); then
    problem_warned "$name is shorter than 12 characters"
  fi
}

for f in "${CONF_FILES[@]}"; do
  out="$STAGE/$f"
  : >"$out"
  while IFS= read -r line || [[ -n "$line" ]]; do
    # Comments keep their placeholders: a secret has no business in an explanation.
    if [[ ! "$line" =~ ^[[:space:]]*\; ]]; then
      while [[ "$line" =~ CHANGE_ME_([A-Z0-9_]+) ]]; do
        token="${BASH_REMATCH[0]}"
        name="${BASH_REMATCH[1]}"
        value="$(secret_for "$name")"
        check_secret "$name" "$value"
        # Never substitute a placeholder-looking value: the loop would not end.
        [[ -n "$value" && "${value^^}" != *CHANGE_ME* ]] || value="__MISSING_${name}__"
        line="${line//"$token"/"$value"}"
      done
    fi
    printf '%s\n' "$line" >>"$out"
  done <"$SRC/$f"
done

if ((${#problems[@]} > 0)); then
  {
    printf 'install-asterisk-conf: refusing to install, fix these first:\n'
    printf '  - %s\n' "${problems[@]}"
    printf 'Set them in the environment (sudo -E keeps it); see asterisk-conf/README.md.\n'
  } >&2
  exit 1
fi

# ---- configuration files -------------------------------------------------------------------
stamp="$(date +%Y%m%d-%H%M%S)"
changed_files=()

install_new() {
  install -m 0640 "$1" "$2"
  # Asterisk usually runs as user asterisk and must read files holding secrets.
  if getent group asterisk >/dev/null 2>&1; then chgrp asterisk "$2" 2>/dev/null || true; fi
}

replace_existing() {
  local staged="$1" target="$2" backup="$3" tmp="$2.hotline-new.$$"
  cp -p "$target" "$backup"
  cp "$staged" "$tmp"
  # Keep whatever owner and mode the site gave the file.
  chmod --reference="$target" "$tmp"
  chown --reference="$target" "$tmp" 2>/dev/null || true
  # ... except that passwords are never world-readable.
  chmod o-rwx "$tmp"
  mv -f "$tmp" "$target"
}

for f in "${CONF_FILES[@]}"; do
  target="$ASTERISK_ETC/$f"
  if [[ -f "$target" ]] && cmp -s "$STAGE/$f" "$target"; then
    say "unchanged $target"
  elif [[ -f "$target" ]]; then
    backup="$target.hotline-bak-$stamp"
    [[ -e "$backup" ]] && backup="$backup-$$"
    act "replace $target (previous version kept as $backup)" replace_existing "$STAGE/$f" "$target" "$backup"
    changed_files+=("$f")
  else
    act "install $target (new)" install_new "$STAGE/$f" "$target"
    changed_files+=("$f")
  fi
done

# ---- prompts ------------------------------------------------------------------------------
TSX="$ROOT/node_modules/.bin/tsx"
if ((SKIP_PROMPTS)); then
  say "skipping the prompt generator (--skip-prompts): using $PROMPTS_OUT/hotline as it is"
elif ((DRY_RUN)); then
  say "[dry-run] would run: $TSX scripts/gen-prompts.ts --quiet --out $PROMPTS_OUT"
else
  [[ -x "$TSX" ]] || die "$TSX not found: run \`npm ci\` in $ROOT first"
  say "generating prompts into $PROMPTS_OUT"
  (cd "$ROOT" && "$TSX" scripts/gen-prompts.ts --quiet --out "$PROMPTS_OUT") || die "prompt generation failed (see above)"
fi

sounds_src="$PROMPTS_OUT/hotline"
sounds_dst="$ASTERISK_SOUNDS/hotline"
if [[ ! -d "$sounds_src" ]]; then
  if ((DRY_RUN)); then
    say "[dry-run] would copy the generated prompts to $sounds_dst"
  else
    die "no prompts in $sounds_src: run without --skip-prompts, or npx tsx scripts/gen-prompts.ts --out $PROMPTS_OUT"
  fi
else
  [[ -d "$ASTERISK_SOUNDS" ]] || ((DRY_RUN)) || die "ASTERISK_SOUNDS=$ASTERISK_SOUNDS does not exist: point it at Asterisk's sounds folder"
  copied=0 same=0 removed=0
  while IFS= read -r -d '' file; do
    rel="${file#"$sounds_src"/}"
    if [[ -f "$sounds_dst/$rel" ]] && cmp -s "$file" "$sounds_dst/$rel"; then
      same=$((same + 1))
    else
      copied=$((copied + 1))
      ((DRY_RUN)) || install -D -m 0644 "$file" "$sounds_dst/$rel"
    fi
  done < <(find "$sounds_src" -type f \( -name '*.wav' -o -name 'manifest.json' \) ! -name '.*' -print0)
  # hotline/ is ours alone: what the generator no longer makes goes.
  if [[ -d "$sounds_dst" ]]; then
    while IFS= read -r -d '' file; do
      rel="${file#"$sounds_dst"/}"
      if [[ ! -f "$sounds_src/$rel" ]]; then
        removed=$((removed + 1))
        ((DRY_RUN)) || rm -f "$file"
      fi
    done < <(find "$sounds_dst" -type f -print0)
  fi
  prefix=""
  ((DRY_RUN)) && prefix="[dry-run] would sync: "
  say "${prefix}prompts $sounds_src -> $sounds_dst: $copied copied, $same unchanged, $removed removed"
fi

# ---- notice speech folder -----------------------------------------------------------------
# The CTI speaks each work order's category and address into $ASTERISK_SOUNDS/hotline-notices
# (NOTICE_SOUNDS_DIR) and plays it as sound:hotline-notices/<name> on the notice call. Asterisk
# reads it; the CTI's user (NOTICE_SOUNDS_OWNER, default: the user running this script) writes it.
notices_dst="$ASTERISK_SOUNDS/hotline-notices"
if [[ -d "$notices_dst" ]]; then
  say "notice speech folder $notices_dst exists"
else
  act "create the notice speech folder $notices_dst (mode 2775, group asterisk)" install -d -m 2775 "$notices_dst"
  if ((!DRY_RUN)) && getent group asterisk >/dev/null 2>&1; then chgrp asterisk "$notices_dst" || warn "could not give $notices_dst to group asterisk"; fi
fi
if [[ -n "${NOTICE_SOUNDS_OWNER:-}" ]]; then act "give $notices_dst to $NOTICE_SOUNDS_OWNER" chown "$NOTICE_SOUNDS_OWNER" "$notices_dst"; fi

# ---- hold music ---------------------------------------------------------------------------
if [[ -z "$ASTERISK_MOH" ]]; then
  data_dir=""
  if asterisk_running; then
    data_dir="$("$ASTERISK_BIN" -rx 'core show settings' 2>/dev/null | sed -n 's/^ *Data directory: *//p' | head -n1)"
  fi
  ASTERISK_MOH="${data_dir:-/var/lib/asterisk}/moh"
fi
moh_dir="$ASTERISK_MOH/hotline"
if [[ -d "$moh_dir" ]] && [[ -n "$(find "$moh_dir" -maxdepth 1 -type f ! -name '.*' -print -quit)" ]]; then
  say "hold music: $moh_dir already has files"
elif ! command -v sox >/dev/null 2>&1; then
  warn "sox not found: put hold music into $moh_dir yourself (class 'hotline' falls back to 'default' meanwhile)"
else
  # A soft tone every 4 s, only so that the class exists until licensed music is supplied.
  make_tone() {
    mkdir -p "$moh_dir"
    sox -n -r 8000 -c 1 -b 16 -e signed-integer "$moh_dir/placeholder-tone.wav" \
      synth 0.5 sine 660 fade q 0.05 0.5 0.3 gain -14 pad 0 3.5
  }
  act "create a placeholder hold tone in $moh_dir (replace it with hold music)" make_tone
fi

# ---- reload -------------------------------------------------------------------------------
if asterisk_running; then
  act "reload Asterisk: $ASTERISK_BIN -rx 'core reload'" "$ASTERISK_BIN" -rx 'core reload'
  # The dialplan fallback (no CTI answering) needs app_queue; without it those callers are hung up.
  if ! "$ASTERISK_BIN" -rx 'core show application Queue' 2>/dev/null | grep -q 'Queue'; then
    warn "app_queue is not loaded: module load app_queue.so (the fallback queue of extensions.conf [from-pstn-fallback] needs it)"
  fi
  if ! "$ASTERISK_BIN" -rx 'core show application StasisBroadcast' 2>/dev/null | grep -q 'StasisBroadcast'; then
    warn "StasisBroadcast is not available: load it (module load res_stasis_broadcast.so, module load app_stasis_broadcast.so) or use the Stasis(hotline) line in extensions.conf with ARI_MODE=single"
  fi
  for f in "${changed_files[@]}"; do
    if [[ "$f" == pjsip.conf ]]; then
      say "note: transport changes in pjsip.conf take effect only after an Asterisk restart"
    fi
  done
else
  say "Asterisk is not running (or $ASTERISK_BIN is not installed): reload skipped; start Asterisk, or run $ASTERISK_BIN -rx 'core reload' once it is"
fi

say "done. Verify with: $ASTERISK_BIN -rx 'ari show apps'; $ASTERISK_BIN -rx 'pjsip show registrations'; $ASTERISK_BIN -rx 'manager show user cti'"

# shellcheck shell=bash
# Shared helpers for scripts/install-deps.sh, scripts/test.sh and scripts/demo.sh.
# Source it (`source scripts/lib.sh`); it defines functions and a few settings, runs nothing.

# The repository root, whatever directory the caller started in.
PROMO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The PostgreSQL major version promo targets, and its pg_config (PGXS picks the server from it).
PROMO_PG_VERSION=15
PROMO_PG_CONFIG=/usr/lib/postgresql/$PROMO_PG_VERSION/bin/pg_config
# One UTF-8 locale for every tool and for the throwaway clusters (initdb takes it from here), so
# output and sort order do not depend on the machine. C.UTF-8 ships with Debian's libc.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# When the outermost script started (inherited by the scripts it runs inside a cluster).
export PROMO_START_TIME=${PROMO_START_TIME:-$(date +%s)}

# Prints a visible section header with the time since the script started, so a long log can be
# skimmed and slow steps stand out.
section() {
  local elapsed=$(($(date +%s) - PROMO_START_TIME))
  printf '\n==== %s ==== [%dm%02ds]\n' "$*" $((elapsed / 60)) $((elapsed % 60))
}

# Prints a message to stderr, prefixed so it stands out in CI logs.
warn() {
  printf 'WARNING: %s\n' "$*" >&2
}

# Runs a command with its output going to a log file; prints the log's tail when it fails, so
# a failing build explains itself without flooding the happy path. Usage: quietly LOG CMD...
quietly() {
  local log=$1 rc
  shift
  if "$@" >"$log" 2>&1; then
    return 0
  else
    rc=$?
  fi
  echo "command failed (exit $rc): $*" >&2
  echo "last 60 lines of $log:" >&2
  tail -n 60 "$log" >&2
  return "$rc"
}

# Builds the extension with PGXS and installs it into the PostgreSQL 15 tree (so the server,
# which runs as the postgres user, can load it). Output goes to LOG.
build_and_install_extension() {
  local log=$1
  if [ ! -f "$PROMO_ROOT/Makefile" ]; then
    echo "no Makefile in $PROMO_ROOT: the extension cannot be built" >&2
    return 1
  fi
  quietly "$log" make -C "$PROMO_ROOT" -j2 PG_CONFIG="$PROMO_PG_CONFIG" &&
    quietly "$log.install" make -C "$PROMO_ROOT" install PG_CONFIG="$PROMO_PG_CONFIG"
}

# Runs a command inside a throwaway PostgreSQL 15 cluster (pg_virtualenv -t: data and config in
# a temporary directory owned by postgres, server run as postgres, PG* variables exported,
# cluster dropped when the command ends). -t keeps it apart from any cluster under
# /etc/postgresql, including a concurrent pg_virtualenv run. Usage: in_throwaway_cluster CMD...
in_throwaway_cluster() {
  pg_virtualenv -t -v "$PROMO_PG_VERSION" "$@"
}

# Prints the log file of the cluster the PG* variables point at (inside in_throwaway_cluster).
print_server_log() {
  local lines=${1:-200} logfile
  logfile=$(pg_lsclusters -h 2>/dev/null | awk -v port="${PGPORT:-}" '$3 == port { print $7 }' | head -1)
  if [ -n "$logfile" ] && [ -r "$logfile" ]; then
    echo "---- server log ($logfile), last $lines lines ----"
    tail -n "$lines" "$logfile"
  else
    echo "---- server log not found (PGPORT=${PGPORT:-unset}) ----"
  fi
}

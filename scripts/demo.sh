#!/usr/bin/env bash
# The promo demo, from a fresh Debian 12 machine (as root) to the story on screen:
# installs the dependencies, builds and installs the extension, starts a throwaway PostgreSQL 15
# cluster, runs examples/demo.sql in it with psql, and drops the cluster again. Nothing is left
# running. Build output goes to build/logs/ and is shown only when a step fails.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOG_DIR=$PROMO_ROOT/build/logs
DEMO_SQL=$PROMO_ROOT/examples/demo.sql

# The part that runs inside the cluster: psql stops at the first error so a broken step is
# not hidden by the ones after it; the server log is shown when that happens.
in_cluster() {
  cd "$PROMO_ROOT"
  if psql -X -q -v ON_ERROR_STOP=1 -P pager=off -f "$DEMO_SQL"; then
    return 0
  fi
  echo "the demo stopped at an error (see above)" >&2
  print_server_log 80 >&2
  return 1
}

main() {
  mkdir -p "$LOG_DIR"
  if [ ! -f "$DEMO_SQL" ]; then
    echo "examples/demo.sql does not exist yet" >&2
    exit 1
  fi
  section "installing dependencies"
  bash "$PROMO_ROOT/scripts/install-deps.sh" >"$LOG_DIR/install-deps.log" 2>&1 || {
    tail -n 60 "$LOG_DIR/install-deps.log" >&2
    exit 1
  }
  echo "ok"
  section "building and installing the extension"
  build_and_install_extension "$LOG_DIR/extension-build.log"
  echo "ok: $("$PROMO_PG_CONFIG" --pkglibdir)/promo.so"
  section "running examples/demo.sql in a throwaway PostgreSQL $PROMO_PG_VERSION cluster"
  in_throwaway_cluster bash "$PROMO_ROOT/scripts/demo.sh" --in-cluster
  section "done: the cluster is gone, nothing is left running"
}

if [ "${1:-}" = --in-cluster ]; then
  in_cluster
else
  main "$@"
fi

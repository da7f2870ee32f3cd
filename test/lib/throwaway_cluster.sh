# Sourced by the test scripts that need a PostgreSQL 15 cluster of their own (ops, crash, cron).
#
#   here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
#   source "$here/../lib/throwaway_cluster.sh"
#   run_inside_throwaway_cluster "${BASH_SOURCE[0]}" [pg_virtualenv options ...]
#   ... the test, now inside the cluster (PG* variables set) ...
#
# Outside a cluster, run_inside_throwaway_cluster re-runs the script inside a throwaway one
# (pg_virtualenv -t: a temporary directory, so it never collides with another cluster), prints
# PASS or FAIL (exit N) as the last line and exits with the script's status. pg_virtualenv
# fails to start a cluster when another one holds its port in the shared socket directory at
# that moment: then (the test itself never started) it is tried again, up to five times. Inside
# the cluster the call returns at once.
run_inside_throwaway_cluster() {
  local script=$1
  shift
  if [ "${THROWAWAY_INSIDE:-}" = 1 ]; then
    if [ -n "${THROWAWAY_STARTED_MARKER:-}" ]; then : >"$THROWAWAY_STARTED_MARKER"; fi
    return 0
  fi
  local marker rc=1 attempt
  marker=$(mktemp)
  rm -f "$marker"
  for attempt in 1 2 3 4 5; do
    THROWAWAY_INSIDE=1 THROWAWAY_STARTED_MARKER=$marker \
      pg_virtualenv -t -v 15 "$@" bash "$script"
    rc=$?
    [ "$rc" = 0 ] || [ -e "$marker" ] && break
    echo "the throwaway cluster did not start (attempt $attempt); trying again"
    sleep $((attempt * 3))
  done
  rm -f "$marker"
  if [ "$rc" = 0 ]; then echo PASS; else echo "FAIL (exit $rc)"; fi
  exit "$rc"
}

# What the tests share once inside the cluster: `fail MESSAGE` (prints FAIL: MESSAGE, exits 1),
# and with make_work_dir a temporary directory $work readable by the server (for COPY files),
# removed on exit.
fail() {
  echo "FAIL: $*"
  exit 1
}

make_work_dir() {
  work=$(mktemp -d)
  chmod 755 "$work"
  trap 'rm -rf "$work"' EXIT
}

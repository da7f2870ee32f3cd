#!/usr/bin/env bash
# CPU time per promo.evaluate_cart call, measured on the server backend with `perf stat -e
# task-clock`: the time the backend actually ran, which other work on a busy machine does not
# inflate the way it inflates wall-clock figures (it still shares caches). Use it to compare
# two builds on a shared machine; bench/run.sh gives the client-side tps.
#
#   make install && pg_virtualenv -v 15 bash bench/cpu_per_call.sh
#
# Needs `perf` and the right to attach to the backend (same host; root, or the server's user
# with kernel.perf_event_paranoid <= 2). Loads bench/setup.sql when the bench schema is missing,
# then for each size installs that many plan promotions and runs `rounds` passes over the 100
# carts in one statement, minus the same passes that only detoast the carts (jsonb_typeof).
#
# Settings (environment):
#   BENCH_SIZES    promotion counts (default "0 10 100 1000 10000")
#   BENCH_EXPLAIN  "false", "true" or "false true" (default "false")
#   BENCH_KEEP=1   keep the bench schema and promotions afterwards (default: removed)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
sizes=${BENCH_SIZES:-"0 10 100 1000 10000"}
explains=${BENCH_EXPLAIN:-false}
psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sql_value() { "${psql_cmd[@]}" -At -c "$1"; }

command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 1; }
"${psql_cmd[@]}" -c "CREATE EXTENSION IF NOT EXISTS promo"
if [ "$(sql_value "SELECT to_regnamespace('bench') IS NOT NULL")" != t ]; then
  echo "loading bench/setup.sql ..."
  "${psql_cmd[@]}" -f "$here/setup.sql" >/dev/null
fi

# One session whose backend perf watches; statements are fed through a coprocess.
coproc SESSION { "${psql_cmd[@]}" -At 2>&1; }
ask() {
  echo "$1" >&"${SESSION[1]}"
  local answer
  read -r -t 3600 -u "${SESSION[0]}" answer
  echo "$answer"
}
# CPU milliseconds the backend spends on statement $1.
cpu_ms() {
  perf stat -x, -e task-clock -p "$pid" -o "$work/stat" 2>/dev/null &
  local perf_pid=$!
  sleep 0.3
  ask "$1" >/dev/null
  sleep 0.1
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
  awk -F, '/task-clock/ { print $1 }' "$work/stat"
}

pid=$(ask "SELECT pg_backend_pid();")
echo "| promotions | explain | CPU µs per call | passes |"
echo "|---:|---|---:|---:|"
for size in $sizes; do
  sql_value "SELECT bench.uninstall()" >/dev/null
  sql_value "SELECT bench.install(0, $size)" >/dev/null
  "${psql_cmd[@]}" -c "VACUUM ANALYZE promo.promotions, promo.tiers"
  for explain in $explains; do
    rounds=$(( size <= 1000 ? 30 : 5 ))
    [ "$explain" = true ] && rounds=$(( size <= 100 ? 10 : 1 ))
    # Warm-up: loads and compiles the promotions in this session.
    ask "SELECT count(promo.evaluate_cart('c' || id, cart, now(), explain => $explain)) FROM bench.carts;" >/dev/null
    evaluate=$(cpu_ms "SELECT count(promo.evaluate_cart('c' || id, cart, now(), explain => $explain)) FROM bench.carts, generate_series(1, $rounds);")
    detoast=$(cpu_ms "SELECT count(jsonb_typeof(cart)) FROM bench.carts, generate_series(1, $rounds);")
    awk -v s="$size" -v e="$explain" -v a="$evaluate" -v b="$detoast" -v r="$rounds" \
      'BEGIN { printf "| %d | %s | %.1f | %d |\n", s, e, (a - b) * 1000 / (100 * r), r }'
  done
done
echo '\q' >&"${SESSION[1]}"

if [ "${BENCH_KEEP:-0}" != 1 ]; then
  sql_value "SELECT bench.uninstall()" >/dev/null
  "${psql_cmd[@]}" -c "DROP SCHEMA bench CASCADE" 2>/dev/null
fi

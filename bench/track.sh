#!/usr/bin/env bash
# promo track benchmark: what does promo.track cost over a plain INSERT into promo.events, and
# what does promo.qualifications (no cart) cost at 1,000 promotions?
#
#   make install && pg_virtualenv -t -v 15 bash bench/track.sh
#
# In a database of its own (promo_track_bench, created afresh and dropped at the end) on the
# server the PG* variables point at: 5 segments, 10,000 customers, 100,000 events
# (bench/track_setup.sql), promotions added by bench/track_promotions.sql. pgbench -M prepared,
# 1 client, BENCH_TIME seconds per script, in one run:
#   1. with 20 promotions: INSERT INTO promo.events (bench/track_insert.sql) and promo.track of
#      the same event (bench/track_track.sql): the same maintenance triggers fire in both;
#   2. with 1,000 promotions: SELECT 1 (bench/select1.sql), promo.qualifications without a cart
#      (bench/track_qualifications.sql), and promo.track again.
# PROMO_LIBRARY=/path/promo_copy.so makes the benchmark database's promo functions load that
# file instead of $libdir/promo (to measure one build on a machine where others install theirs).
# Prints average latencies in ms. A measurement, not a test: it fails only when a statement
# fails.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bench_time=${BENCH_TIME:-10}
db=promo_track_bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
psql_db=(psql -X -q -v ON_ERROR_STOP=1 -d "$db")

# Runs pgbench on one script and prints the average latency in ms.
latency() {
  local script=$1 log="$work/pgbench.log"
  if ! pgbench -n -M prepared -c 1 -j 1 -T "$bench_time" -f "$here/$script" "$db" >"$log" 2>&1; then
    echo "pgbench failed on $script:" >&2
    cat "$log" >&2
    exit 1
  fi
  awk '/^latency average = / { print $4; exit }' "$log"
}

setup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  "${psql_db[@]}" -c "CREATE EXTENSION promo"
  if [[ -n ${PROMO_LIBRARY:-} ]]; then
    "${psql_db[@]}" -c "UPDATE pg_catalog.pg_proc SET probin = '$PROMO_LIBRARY'
                         WHERE probin = '\$libdir/promo'"
  fi
  "${psql_db[@]}" -f "$here/track_setup.sql" >/dev/null
}

# Adds promotions p<from>..p<to>.
promotions() {
  "${psql_db[@]}" -v from="$1" -v to="$2" -f "$here/track_promotions.sql" >/dev/null
}

setup
promotions 1 20
insert_ms=$(latency track_insert.sql)
track_ms=$(latency track_track.sql)
echo "20 promotions:    INSERT INTO promo.events ${insert_ms} ms, promo.track ${track_ms} ms"

promotions 21 1000
select1_ms=$(latency select1.sql)
qualifications_ms=$(latency track_qualifications.sql)
track_1000_ms=$(latency track_track.sql)
echo "1000 promotions:  SELECT 1 ${select1_ms} ms, promo.qualifications (no cart)" \
  "${qualifications_ms} ms, promo.track ${track_1000_ms} ms"
echo "available per qualifications call (customer t000001):" \
  "$("${psql_db[@]}" -At -c "SELECT jsonb_array_length(promo.qualifications('t000001'))")"

psql -X -q -d postgres -c "DROP DATABASE $db"

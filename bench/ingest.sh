#!/usr/bin/env bash
# promo ingest benchmark: what does segment maintenance cost when events arrive?
#
#   make install && pg_virtualenv -v 15 bash bench/ingest.sh
#
# In a database of its own (promo_ingest_bench, created afresh and dropped at the end unless
# BENCH_KEEP=1) on the server the PG* environment variables point at, with the promo extension
# installed there: 20 segments over 5 event types and customer fields, 100,000 customers
# (bench/ingest_setup.sql). Then, in one run:
#   1. bulk: COPY the same 1,000,000 events (a file, in time order) into
#        bench_ingest.events  the same table without triggers (LIKE promo.events INCLUDING ALL)
#        promo.events         with promo's statement-level maintenance triggers
#      and time each COPY, BENCH_COPY_ROUNDS times (default 3), the order alternating between
#      rounds; each COPY starts on an emptied table (TRUNCATE, VACUUM ANALYZE) after a
#      CHECKPOINT and a `sync`, so neither pays for the other's writes still being flushed (the
#      median ratio is reported);
#   2. single row: pgbench -M prepared, 1 client, one INSERT of one event per transaction, into
#      each table (bench/ingest_insert_plain.sql, bench/ingest_insert_promo.sql), in turn,
#      BENCH_ROUNDS times (the median of the rounds is reported).
# It prints the ratios (targets: bulk <= 1.5x, single row <= 2x), the membership it produced,
# and checks promo.verify_segments() on a sample of customers when BENCH_VERIFY=1.
#
# Settings (environment): BENCH_TIME seconds per pgbench run (default 10), BENCH_ROUNDS
# (default 3), BENCH_KEEP=1 keeps the database. It is a measurement, not a test: it fails only
# when a statement fails.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bench_time=${BENCH_TIME:-10}
rounds=${BENCH_ROUNDS:-3}
copy_rounds=${BENCH_COPY_ROUNDS:-3}
db=promo_ingest_bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
psql_db=(psql -X -q -v ON_ERROR_STOP=1 -d "$db")

# Milliseconds since the epoch.
now_ms() { date +%s%3N; }

# Runs a statement in the benchmark database and prints its single value.
value() { "${psql_db[@]}" -At -c "$1"; }

# Empties TABLE, COPYs the event file into it and prints the elapsed milliseconds (client round
# trip included, the same for both tables). The dirty pages of earlier work are written out
# first: the CHECKPOINT hands them to the kernel (with fsync off, as under pg_virtualenv, it
# stops there) and `sync` writes them, so the kernel's writeback does not run during this COPY.
timed_copy() {
  local table=$1 start end
  "${psql_db[@]}" -c "SET client_min_messages = warning" -c "TRUNCATE $table" \
    -c "VACUUM ANALYZE $table" -c "VACUUM ANALYZE promo.customer_membership" >/dev/null
  "${psql_db[@]}" -c "CHECKPOINT" >/dev/null
  sync
  start=$(now_ms)
  "${psql_db[@]}" -c "COPY $table (customer_id, type, occurred_at, properties) FROM STDIN" \
    <"$work/events.tsv"
  end=$(now_ms)
  echo $((end - start))
}

# Runs pgbench on one insert script and prints the average latency in ms.
pgbench_latency() {
  local script=$1 log="$work/pgbench.log"
  if ! pgbench -n -M prepared -c 1 -j 1 -T "$bench_time" -f "$here/$script" "$db" >"$log" 2>&1; then
    echo "pgbench failed on $script:" >&2
    cat "$log" >&2
    exit 1
  fi
  awk '/^latency average = / { print $4; exit }' "$log"
}

# The median of its arguments (numbers).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" \
  -c "CREATE DATABASE $db"
"${psql_db[@]}" -c "CREATE EXTENSION promo"
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo "setting up: 20 segments, 100,000 customers, 1,000,000 events (bench/ingest_setup.sql) ..."
start=$(now_ms)
"${psql_db[@]}" -f "$here/ingest_setup.sql" >/dev/null
echo "  set-up took $(($(now_ms) - start)) ms"
"${psql_db[@]}" -c "COPY (SELECT customer_id, type, occurred_at, properties
                             FROM bench_ingest.stream ORDER BY occurred_at, customer_id)
                    TO STDOUT" >"$work/events.tsv"
"${psql_db[@]}" -c "DROP TABLE bench_ingest.stream" -c "VACUUM ANALYZE"
echo "  event file: $(wc -l <"$work/events.tsv") rows, $(du -h "$work/events.tsv" | cut -f1)"

echo "bulk: COPY of 1,000,000 events ..."
# Autovacuum off on the tables the COPYs write, for the timed part only: otherwise the vacuum and
# analyze the first COPY triggers run during the second one and count against it (measured: the
# ratio moved by about 0.1 with the order of the two COPYs). Back on for the single-row part.
autovacuum_tables="bench_ingest.events promo.events promo.customer_membership"
set_autovacuum() {
  local table
  for table in $autovacuum_tables; do
    "${psql_db[@]}" -c "ALTER TABLE $table SET (autovacuum_enabled = $1)"
  done
}
set_autovacuum off
plain_copies=()
promo_copies=()
copy_ratios=()
for round in $(seq 1 "$copy_rounds"); do
  if [ $((round % 2)) = 1 ]; then
    plain_copies+=("$(timed_copy bench_ingest.events)")
    promo_copies+=("$(timed_copy promo.events)")
  else
    promo_copies+=("$(timed_copy promo.events)")
    plain_copies+=("$(timed_copy bench_ingest.events)")
  fi
  copy_ratios+=("$(awk -v p="${plain_copies[-1]}" -v q="${promo_copies[-1]}" 'BEGIN { printf "%.3f", q / p }')")
  echo "  round $round: without triggers ${plain_copies[-1]} ms, promo.events ${promo_copies[-1]} ms," \
    "ratio ${copy_ratios[-1]}x"
done
plain_ms=$(median "${plain_copies[@]}")
promo_ms=$(median "${promo_copies[@]}")
copy_ratio=$(median "${copy_ratios[@]}")
members=$(value "SELECT count(*) FROM promo.segment_membership")
customers_in=$(value "SELECT count(DISTINCT customer_id) FROM promo.segment_membership")
set_autovacuum on
"${psql_db[@]}" -c "VACUUM ANALYZE"

echo "single row: pgbench -M prepared, 1 client, ${bench_time}s per run, $rounds rounds ..."
plain_lat=()
promo_lat=()
for round in $(seq 1 "$rounds"); do
  plain_lat+=("$(pgbench_latency ingest_insert_plain.sql)")
  promo_lat+=("$(pgbench_latency ingest_insert_promo.sql)")
  echo "  round $round: without triggers ${plain_lat[-1]} ms, promo.events ${promo_lat[-1]} ms"
done
plain_median=$(median "${plain_lat[@]}")
promo_median=$(median "${promo_lat[@]}")

verify="not run (BENCH_VERIFY=1)"
if [ "${BENCH_VERIFY:-0}" = 1 ]; then
  echo "verify_segments() over every customer ..."
  verify="$(value "SELECT count(*) FROM promo.verify_segments()") differences"
fi

server_version=$(value "SHOW server_version")
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
echo
echo "## Event ingest: $(date -u '+%Y-%m-%d %H:%M UTC'), PostgreSQL $server_version," \
  "$(nproc) cores ($cpu)"
echo "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| measurement | without triggers | promo.events | ratio | target |"
echo "|---|---:|---:|---:|---:|"
awk -v p="$plain_ms" -v q="$promo_ms" -v r="$copy_ratio" -v n="$copy_rounds" 'BEGIN {
  printf "| COPY 1,000,000 events, 100,000 customers, 20 segments (median of %d rounds) | %d ms | %d ms | %.2fx | <= 1.5x |\n",
    n, p, q, r }'
awk -v p="$plain_median" -v q="$promo_median" 'BEGIN {
  printf "| single-row INSERT, pgbench -M prepared, 1 client (median latency) | %.3f ms | %.3f ms | %.2fx | <= 2x |\n",
    p, q, q / p }'
echo
echo "Membership after the COPY: $members rows for $customers_in customers. verify_segments(): $verify."

if [ "${BENCH_KEEP:-0}" != 1 ]; then
  psql -X -q -d postgres -c "DROP DATABASE $db"
fi

#!/usr/bin/env bash
# promo ingest benchmark, bulk COPY, measured as backend CPU time instead of wall time:
#
#   make install && pg_virtualenv -v 15 bash bench/ingest_copy_cpu.sh
#
# The COPY of bench/ingest.sh (1,000,000 events, 100,000 customers, 20 segments,
# bench/ingest_setup.sql), BENCH_ROUNDS times into the table without triggers and into
# promo.events, the order alternating between rounds; both tables are emptied (TRUNCATE) and
# vacuumed before each COPY. The CPU time (user + system) of the backend running the COPY comes
# from /proc/<pid>/stat (so the server must run on this host): unlike wall time it hardly moves
# when other work shares the cores. Prints each round and the median ratio. Database
# promo_ingest_copy_cpu, dropped at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rounds=${BENCH_ROUNDS:-3}
db=promo_ingest_copy_cpu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
psql_db=(psql -X -q -v ON_ERROR_STOP=1 -d "$db")

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
"${psql_db[@]}" -c "CREATE EXTENSION promo"
"${psql_db[@]}" -f "$here/ingest_setup.sql" >/dev/null
"${psql_db[@]}" -c "COPY (SELECT customer_id, type, occurred_at, properties
                             FROM bench_ingest.stream ORDER BY occurred_at, customer_id)
                    TO STDOUT" >"$work/events.tsv"
"${psql_db[@]}" -c "DROP TABLE bench_ingest.stream"
ticks_per_second=$(getconf CLK_TCK)
[ "$ticks_per_second" = 100 ] || { echo "CLK_TCK is $ticks_per_second, not 100" >&2; exit 1; }

# One session per COPY: TRUNCATE and VACUUM ANALYZE the target, then the COPY between two
# readings of the backend's CPU ticks. Prints the CPU milliseconds.
copy_cpu_ms() {
  local table=$1
  "${psql_db[@]}" -c "SET client_min_messages = warning" -c "TRUNCATE $table" -c "VACUUM ANALYZE $table" \
    -c "VACUUM ANALYZE promo.customer_membership" >/dev/null
  "${psql_db[@]}" -At <<SQL | tail -1
CREATE FUNCTION pg_temp.cpu_ticks() RETURNS bigint LANGUAGE sql AS \$\$
  SELECT (f[14]::bigint + f[15]::bigint)
    FROM regexp_split_to_array(split_part(pg_read_file('/proc/' || pg_backend_pid() || '/stat'),
                                          ') ', 2), ' ') AS s(g),
         LATERAL (SELECT ARRAY['', ''] || g AS f) x \$\$;
CHECKPOINT;
SELECT pg_temp.cpu_ticks() AS t0 \gset
\copy $table (customer_id, type, occurred_at, properties) FROM '$work/events.tsv'
SELECT (pg_temp.cpu_ticks() - :t0) * 10;
SQL
}

plain=()
promo=()
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then
    plain+=("$(copy_cpu_ms bench_ingest.events)")
    promo+=("$(copy_cpu_ms promo.events)")
  else
    promo+=("$(copy_cpu_ms promo.events)")
    plain+=("$(copy_cpu_ms bench_ingest.events)")
  fi
  awk -v r="$round" -v p="${plain[-1]}" -v q="${promo[-1]}" 'BEGIN {
    printf "  round %d: without triggers %d ms CPU, promo.events %d ms CPU, ratio %.2fx\n",
      r, p, q, q / p }'
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
awk -v p="$(median "${plain[@]}")" -v q="$(median "${promo[@]}")" -v r="$rounds" 'BEGIN {
  printf "median: without triggers %d ms CPU, promo.events %d ms CPU, ratio %.2fx (%d rounds)\n",
    p, q, q / p, r }'
if [ "${BENCH_VERIFY:-0}" = 1 ]; then
  "${psql_db[@]}" -At -c "SELECT 'verify_segments(): ' || count(*) || ' differences'
                            FROM promo.verify_segments()"
fi
if [ "${BENCH_KEEP:-0}" != 1 ]; then
  psql -X -q -d postgres -c "DROP DATABASE $db"
fi

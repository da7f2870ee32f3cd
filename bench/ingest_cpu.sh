#!/usr/bin/env bash
# promo ingest benchmark, single row, measured as backend CPU time instead of wall time:
#
#   make install && pg_virtualenv -v 15 bash bench/ingest_cpu.sh
#
# pgbench latencies (bench/ingest.sh) swing by 2-4x on a shared, loaded machine; the CPU time
# the server backend spends per statement hardly does. In a database of its own
# (promo_ingest_cpu, dropped at the end) with the 20 segments of bench/ingest_setup.sql, 10,000
# customers and 100,000 events, one session runs BENCH_INSERTS single-row INSERT statements
# (random customer, type and instant, as bench/ingest_insert_*.sql) in a PL/pgSQL loop, into
# the table without triggers and into promo.events, alternating, BENCH_ROUNDS times; the
# backend's user+system CPU time comes from /proc/<pid>/stat (so the server must run on this
# host). Prints µs of CPU per INSERT (median of the rounds) and the ratio.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
inserts=${BENCH_INSERTS:-20000}
rounds=${BENCH_ROUNDS:-3}
db=promo_ingest_cpu
psql_db=(psql -X -q -v ON_ERROR_STOP=1 -d "$db")

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
"${psql_db[@]}" -c "CREATE EXTENSION promo"
# The segment definitions of the main benchmark (its first statement).
awk '/^INSERT INTO promo.segments/ { on = 1 } on { print } on && /;$/ { exit }' \
  "$here/ingest_setup.sql" | "${psql_db[@]}" >/dev/null
"${psql_db[@]}" >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT setseed(0.31);
INSERT INTO promo.customers (customer_id, signed_up_at, attributes)
SELECT 'b' || lpad(i::text, 6, '0'),
       timestamptz '2026-01-01 00:00+00' + floor(random() * 334 * 86400) * interval '1 second',
       jsonb_build_object('country', (ARRAY['PL', 'DE', 'FR', 'US', 'GB'])[1 + i % 5],
                          'tier', (ARRAY['gold', 'silver', 'bronze'])[1 + i % 3])
  FROM generate_series(1, 10000) AS i;
CREATE SCHEMA bench_ingest;
CREATE TABLE bench_ingest.events (LIKE promo.events INCLUDING ALL);
SELECT setseed(0.73);
INSERT INTO promo.events (customer_id, type, occurred_at, properties)
SELECT 'b' || lpad((1 + floor(random() * 10000))::int::text, 6, '0'),
       (ARRAY['page_view', 'page_view', 'page_view', 'cart_abandoned', 'order_placed',
              'coupon_redeemed'])[1 + floor(random() * 6)::int],
       timestamptz '2026-11-01 00:00+00' + floor(random() * 30 * 86400) * interval '1 second',
       '{"n": 0}'
  FROM generate_series(1, 100000);
INSERT INTO bench_ingest.events OVERRIDING SYSTEM VALUE SELECT * FROM promo.events;
SELECT setval(pg_get_serial_sequence('bench_ingest.events', 'event_id'), 10000000);
VACUUM ANALYZE;
SQL

# One session: per round and table, the backend CPU ticks before and after the loop.
session=$(mktemp)
trap 'rm -f "$session"' EXIT
{
  cat <<'SQL'
CREATE FUNCTION pg_temp.cpu_ticks() RETURNS bigint LANGUAGE sql AS $$
  SELECT (f[14]::bigint + f[15]::bigint)
    FROM regexp_split_to_array(split_part(pg_read_file('/proc/' || pg_backend_pid() || '/stat'),
                                          ') ', 2), ' ') AS s(g),
         LATERAL (SELECT ARRAY['', ''] || g AS f) x $$;
CREATE FUNCTION pg_temp.insert_loop(target text, n int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM setseed(0.5);
  FOR i IN 1..n LOOP
    EXECUTE format('INSERT INTO %s (customer_id, type, occurred_at, properties)'
                   ' VALUES ($1, $2, $3, ''{"n": 0}'')', target)
      USING 'b' || lpad((1 + floor(random() * 10000))::int::text, 6, '0'),
            (ARRAY['page_view', 'cart_abandoned', 'order_placed', 'coupon_redeemed',
                   'referral_completed'])[1 + floor(random() * 5)::int],
            timestamptz '2026-11-01 00:00+00' + floor(random() * 2592000) * interval '1 second';
  END LOOP;
END $$;
SELECT pg_temp.insert_loop('promo.events', 500), pg_temp.insert_loop('bench_ingest.events', 500);
SQL
  for round in $(seq 1 "$rounds"); do
    for target in bench_ingest.events promo.events; do
      echo "SELECT pg_temp.cpu_ticks() AS t0 \\gset"
      echo "SELECT pg_temp.insert_loop('$target', $inserts);"
      echo "SELECT '$target', (pg_temp.cpu_ticks() - :t0) * 1e6 / 100 / $inserts;"
    done
  done
} >"$session"
ticks_per_second=$(getconf CLK_TCK)
[ "$ticks_per_second" = 100 ] || { echo "CLK_TCK is $ticks_per_second, not 100" >&2; exit 1; }
results=$("${psql_db[@]}" -At -F ' ' -f "$session" | grep -E '^(bench_ingest|promo)\.events ')
echo "$results" | awk '{ printf "  %-20s %6.1f us CPU per INSERT\n", $1, $2 }'
# The median of the values of one table.
median_of() {
  echo "$results" | awk -v t="$1" '$1 == t { print $2 }' | sort -g |
    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
plain=$(median_of bench_ingest.events)
promo=$(median_of promo.events)
awk -v p="$plain" -v q="$promo" -v n="$inserts" -v r="$rounds" 'BEGIN {
  printf "median: without triggers %.1f us, promo.events %.1f us, ratio %.2fx (%d inserts x %d rounds)\n",
    p, q, q / p, n, r }'
"${psql_db[@]}" -At -c "SELECT 'verify_segments(): ' || count(*) || ' differences' FROM promo.verify_segments()"
psql -X -q -d postgres -c "DROP DATABASE $db"

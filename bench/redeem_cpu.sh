#!/usr/bin/env bash
# In-server CPU time per promo.redeem call, without the client round trip and the commit: one
# session runs `statements` statements of `calls` redeem calls each (a new customer and order
# per call) and reads its own backend's CPU time (utime + stime of /proc/self/stat, through
# pg_read_file, so the server's superuser is needed). On a shared machine this moves far less
# than tps (±1 µs between runs where tps moved by 30%), so use it to compare two builds.
#
#   make install && PGHOST=... PGPORT=... bash bench/redeem_cpu.sh
#
# Settings (environment): BENCH_CASE once (default: the per_customer_limit promotion, a new
# customer each call) or hot (the total_limit promotion; every call of a statement updates the
# same slot rows in one transaction, so compare hot figures only with each other),
# BENCH_CALLS (2000 per statement: each call holds its customer lock until the statement's
# transaction ends, so keep it below the lock table's size), BENCH_STATEMENTS (10), BENCH_ROUNDS
# (3; one figure per round). Loads bench/redeem_setup.sql, refuses to run while other
# promotions are active, removes what it wrote and the bench promotions. Not at the same time as
# bench/redeem.sh (both use the bench promotions).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
case_name=${BENCH_CASE:-once}
calls=${BENCH_CALLS:-2000}
statements=${BENCH_STATEMENTS:-10}
rounds=${BENCH_ROUNDS:-3}
psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)
prefix="cpu-$$-"

"${psql_cmd[@]}" -c "CREATE EXTENSION IF NOT EXISTS promo"
"${psql_cmd[@]}" -f "$here/redeem_setup.sql"
others=$("${psql_cmd[@]}" -At -c "SELECT count(*) FROM promo.promotions
                                    WHERE active AND name NOT LIKE 'bench-redeem-%'")
if [ "$others" != 0 ]; then
  echo "$others other active promotion(s) in this database would be evaluated too: stopping" >&2
  exit 1
fi
"${psql_cmd[@]}" -c "UPDATE promo.promotions SET active = (name = 'bench-redeem-$case_name')
                      WHERE name LIKE 'bench-redeem-%'"

cpu_ticks="(pg_catalog.split_part(pg_catalog.pg_read_file('/proc/self/stat'), ' ', 14)::bigint
            + pg_catalog.split_part(pg_catalog.pg_read_file('/proc/self/stat'), ' ', 15)::bigint)"
ticks_per_second=$(getconf CLK_TCK)
echo "| case | calls | CPU µs per call |"
echo "|---|---:|---:|"
for ((round = 1; round <= rounds; round++)); do
  {
    echo "SELECT $cpu_ticks AS t0 \\gset"
    for ((i = 1; i <= statements; i++)); do
      echo "SELECT count(promo.redeem('$prefix$round-$i-' || g,
        '{\"currency\": \"USD\", \"items\": [{\"sku\": \"A\", \"quantity\": 2, \"unit_price\": 2500},
                                           {\"sku\": \"B\", \"quantity\": 1, \"unit_price\": 5000}]}',
        '$prefix$round-$i-' || g)) FROM generate_series(1, $calls) g \\g /dev/null"
    done
    echo "SELECT $cpu_ticks AS t1 \\gset"
    echo "SELECT format('| %s | %s | %s |', '$case_name', $calls * $statements,
                        round((:t1 - :t0) * 1e6 / $ticks_per_second / ($calls * $statements), 1))"
  } | "${psql_cmd[@]}" -At
done

# Clean up as bench/redeem.sh does: what the calls wrote, then the bench promotions.
"${psql_cmd[@]}" -c "
  DELETE FROM promo.redemptions WHERE order_id LIKE '$prefix%';
  DELETE FROM promo.orders WHERE order_id LIKE '$prefix%';
  DELETE FROM promo.customer_usage WHERE promotion LIKE 'bench-redeem-%';
  DELETE FROM promo.promotion_slots WHERE promotion LIKE 'bench-redeem-%';
  DELETE FROM promo.promotions WHERE name LIKE 'bench-redeem-%';
  DROP SCHEMA bench_redeem CASCADE;" 2>/dev/null

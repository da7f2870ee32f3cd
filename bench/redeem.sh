#!/usr/bin/env bash
# Redemption benchmark: how much promo.redeem costs over a plain transaction that records the
# same thing without any check, and what one hot total_limit does to it.
#
#   make install && pg_virtualenv -t -v 15 bash bench/redeem.sh
#   make install && pg_virtualenv -t -v 15 -o fsync=on bash bench/redeem.sh   # commits flushed
#
# For 1, 8 and 32 clients (pgbench -M prepared, same run, taking turns) it measures:
#   plain     bench/redeem_plain.sql: INSERT an order row and its redemption row (one statement)
#   distinct  bench/redeem_distinct.sql: promo.redeem for a new customer each call, one active
#             promotion with per_customer_limit 1 (granted every time)
#   hot       the same statement with only bench-redeem-hot active: every call takes a unit of
#             one promotion's total_limit (the split counter)
# and prints tps, µs per call and the ratios distinct / plain (target >= 0.5) and hot / plain;
# the report goes to bench/results/redeem.md. Assumes promo is installed on the server the PG*
# variables point at. Settings: BENCH_TIME (default 5 s per run), BENCH_REPEAT (default 2; the
# best is kept), BENCH_CLIENTS (default "1 8 32"), BENCH_OUT. Other active promotions in that
# database would be evaluated too: it refuses to run when there are any.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bench_time=${BENCH_TIME:-5}
repeat=${BENCH_REPEAT:-2}
clients=${BENCH_CLIENTS:-"1 8 32"}
out=${BENCH_OUT:-$here/results/redeem.md}
psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sql_value() { "${psql_cmd[@]}" -At -c "$1"; }

# Makes exactly one of the two bench promotions active (none: "").
activate() {
  "${psql_cmd[@]}" -c "UPDATE promo.promotions SET active = (name = '$1')
                        WHERE name LIKE 'bench-redeem-%' AND active <> (name = '$1')"
}

# Runs pgbench on one script and prints its tps; stops the run on failure.
run_pgbench() {
  local client_count=$1 script=$2 log="$work/pgbench.log" threads
  threads=$((client_count < 2 ? 1 : 2))
  if ! pgbench -n -M prepared -T "$bench_time" -c "$client_count" -j "$threads" \
      -f "$here/$script.sql" >"$log" 2>&1; then
    echo "pgbench failed on $script.sql with $client_count client(s):" >&2
    cat "$log" >&2
    exit 1
  fi
  awk '/^tps = / { print $3; exit }' "$log"
}

"${psql_cmd[@]}" -c "CREATE EXTENSION IF NOT EXISTS promo"
"${psql_cmd[@]}" -f "$here/redeem_setup.sql"
others=$(sql_value "SELECT count(*) FROM promo.promotions WHERE active AND name NOT LIKE 'bench-redeem-%'")
if [ "$others" != 0 ]; then
  echo "$others other active promotion(s) in this database would be evaluated too: stopping" >&2
  exit 1
fi
max_connections=$(sql_value "SHOW max_connections")
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
server_version=$(sql_value "SHOW server_version")
cores=$(nproc 2>/dev/null || echo '?')
durability=$(sql_value "SELECT format('fsync %s, synchronous_commit %s',
                          current_setting('fsync'), current_setting('synchronous_commit'))")
echo "redeem benchmark: clients [$clients], ${bench_time}s per run, best of $repeat" \
  "(max_connections $max_connections)"

# Warm-up, not recorded.
activate bench-redeem-once
run_pgbench 1 redeem_distinct >/dev/null
run_pgbench 1 redeem_plain >/dev/null

results="$work/results.tsv" # clients case tps
: >"$results"
for client_count in $clients; do
  declare -A best=()
  for ((round = 1; round <= repeat; round++)); do
    activate bench-redeem-once
    tps=$(run_pgbench "$client_count" redeem_plain)
    best[plain]=$(awk -v a="${best[plain]:-0}" -v b="$tps" 'BEGIN { print (b > a ? b : a) }')
    tps=$(run_pgbench "$client_count" redeem_distinct)
    best[distinct]=$(awk -v a="${best[distinct]:-0}" -v b="$tps" 'BEGIN { print (b > a ? b : a) }')
    activate bench-redeem-hot
    tps=$(run_pgbench "$client_count" redeem_distinct)
    best[hot]=$(awk -v a="${best[hot]:-0}" -v b="$tps" 'BEGIN { print (b > a ? b : a) }')
  done
  for case in plain distinct hot; do
    printf '%s\t%s\t%s\n' "$client_count" "$case" "${best[$case]}" >>"$results"
  done
  printf '  %2s clients: plain %8.0f  distinct %8.0f  hot %8.0f tps\n' "$client_count" \
    "${best[plain]}" "${best[distinct]}" "${best[hot]}"
  unset best
done
activate ""

# Sanity: what the runs recorded (every distinct call granted once; the hot promotion's
# slots add up to its live redemptions).
facts=$(sql_value "
  SELECT format('redemptions recorded: once %s, hot %s (slots used %s); plain rows %s',
    (SELECT count(*) FROM promo.redemptions WHERE promotion = 'bench-redeem-once'),
    (SELECT count(*) FROM promo.redemptions WHERE promotion = 'bench-redeem-hot'),
    (SELECT coalesce(sum(used), 0) FROM promo.promotion_slots WHERE promotion = 'bench-redeem-hot'),
    (SELECT count(*) FROM bench_redeem.redemptions))")
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

{
  echo "# promo redeem benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), PostgreSQL $server_version, $cores cores," \
    "pgbench -M prepared -n -T $bench_time (-j 2 from 2 clients on), best of $repeat, same host," \
    "$durability (pg_virtualenv sets fsync off; \`-o fsync=on\` for a durable run)."
  echo "Command: \`BENCH_TIME=$bench_time BENCH_REPEAT=$repeat BENCH_CLIENTS=\"$clients\"" \
    "bash bench/redeem.sh\`. Load average before: $load_before; after: $load_after."
  echo "$facts."
  echo
  echo "| clients | plain tps | redeem distinct tps | redeem hot tps | distinct ÷ plain" \
    "| hot ÷ plain | µs per call plain / distinct / hot |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ tps[$1 "/" $2] = $3; if (!($1 in seen)) { seen[$1] = 1; list[++n] = $1 } }
    END { for (i = 1; i <= n; i++) { c = list[i]
            p = tps[c "/plain"]; d = tps[c "/distinct"]; h = tps[c "/hot"]
            printf "| %d | %.0f | %.0f | %.0f | %.2f | %.2f | %.0f / %.0f / %.0f |\n",
              c, p, d, h, d / p, h / p, c * 1e6 / p, c * 1e6 / d, c * 1e6 / h } }' "$results"
} >"$work/report.md"
mkdir -p "$(dirname "$out")"
cp "$work/report.md" "$out"
echo
cat "$out"
echo "written to $out"

# Clean up: the bench promotions' redemptions, orders, counters, then the promotions.
"${psql_cmd[@]}" -c "
  DELETE FROM promo.redemptions WHERE promotion LIKE 'bench-redeem-%';
  DELETE FROM promo.orders WHERE order_id LIKE 'r-%';
  DELETE FROM promo.customer_usage WHERE promotion LIKE 'bench-redeem-%';
  DELETE FROM promo.promotion_slots WHERE promotion LIKE 'bench-redeem-%';
  DELETE FROM promo.promotions WHERE name LIKE 'bench-redeem-%';
  DROP SCHEMA bench_redeem CASCADE;"

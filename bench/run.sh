#!/usr/bin/env bash
# promo benchmark runner: how fast is promo.evaluate_cart with 10 .. 10,000 active promotions?
#
#   make install && pg_virtualenv -v 15 bash bench/run.sh
#
# Assumes the promo extension is installed on the server that the PG* environment variables
# (PGHOST, PGPORT, PGDATABASE, PGUSER, ...) point at; pg_virtualenv sets them for a throwaway
# cluster. It creates the extension if missing, builds the schema `bench` (catalogue, carts, a
# plan of promotions; see bench/setup.sql), then for each size installs that many promotions and
# runs pgbench on four statements:
#   select1.sql           SELECT 1: the round-trip floor
#   baseline.sql          fetch a random cart of the 100: same shape as the next two, no promo
#   evaluate_explain.sql  promo.evaluate_cart(..., explain => true)
#   evaluate_fast.sql     promo.evaluate_cart(..., explain => false)
# and writes a markdown table to bench/results/latest.md (and prints it).
#
# Settings (environment):
#   BENCH_TIME     seconds per pgbench run (default 3)
#   BENCH_REPEAT   runs per measurement, interleaved; the best tps is kept (default 3). With the
#                  defaults: 4 sizes x 2 client counts x 4 scripts x 3 = 96 runs of 3 s, about
#                  5.5 minutes with the set-up
#   BENCH_SIZES    promotion counts, ascending (default "10 100 1000 10000")
#   BENCH_CLIENTS  client counts (default "1 2"); pgbench uses as many threads
#   BENCH_OUT      result file (default bench/results/latest.md)
#   BENCH_KEEP=1   keep the bench schema and promotions afterwards (default: removed)
# It is a measurement, not a test: it fails only when a statement fails.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bench_time=${BENCH_TIME:-3}
repeat=${BENCH_REPEAT:-3}
sizes=${BENCH_SIZES:-"10 100 1000 10000"}
clients=${BENCH_CLIENTS:-"1 2"}
out=${BENCH_OUT:-$here/results/latest.md}
scripts="select1 baseline evaluate_explain evaluate_fast"
psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs one SQL statement and prints its single value.
sql_value() { "${psql_cmd[@]}" -At -c "$1"; }

# Runs pgbench on one script and prints its tps (without initial connection time). On failure
# prints pgbench's log and stops the run.
run_pgbench() {
  local client_count=$1 script=$2 log="$work/pgbench.log"
  if ! pgbench -n -M prepared -T "$bench_time" -c "$client_count" -j "$client_count" \
      -f "$here/$script.sql" >"$log" 2>&1; then
    echo "pgbench failed on $script.sql with $client_count client(s):" >&2
    cat "$log" >&2
    exit 1
  fi
  awk '/^tps = / { print $3; exit }' "$log"
}

runs=0
for _ in $sizes; do for _ in $clients; do for _ in $scripts; do runs=$((runs + repeat)); done; done; done
echo "promo benchmark: sizes [$sizes], clients [$clients], ${bench_time}s per run, best of" \
  "$repeat, $runs runs (~$((runs * (bench_time + 1) / 60 + 1)) min plus set-up)"

"${psql_cmd[@]}" -c "CREATE EXTENSION IF NOT EXISTS promo"
echo "generating catalogue, carts and the promotion plan (bench/setup.sql) ..."
"${psql_cmd[@]}" -f "$here/setup.sql" >/dev/null
sql_value "SELECT bench.uninstall()" >/dev/null
others=$(sql_value "SELECT count(*) FROM promo.promotions WHERE name NOT LIKE 'bench-%'")
if [ "$others" != 0 ]; then
  echo "note: $others other promotion(s) in this database are evaluated too" >&2
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
server_version=$(sql_value "SHOW server_version")
promo_version=$(sql_value "SELECT extversion FROM pg_extension WHERE extname = 'promo'")
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
cores=$(nproc 2>/dev/null || echo '?')

results="$work/results.tsv"  # size clients script tps
facts="$work/facts.tsv"      # one line per size: what the carts get
: >"$results"
: >"$facts"
# Warm-up (caches, the freshly written tables), not recorded.
run_pgbench 1 baseline >/dev/null

installed=0
for size in $sizes; do
  installed=$(sql_value "SELECT bench.install($installed, $size)")
  # Settle the new rows now: a later autovacuum or autoanalyze of the definition tables would
  # invalidate every session's compiled promotions in the middle of a measurement.
  "${psql_cmd[@]}" -c "VACUUM ANALYZE promo.promotions, promo.tiers"
  # A new session loads and compiles every promotion on its first call: time it once.
  first_call_ms=$("${psql_cmd[@]}" -At \
    -c '\timing on' \
    -c "SELECT length(promo.evaluate_cart('c1', cart, now(), explain => false)::text) FROM bench.carts WHERE id = 1" \
    -c "SELECT length(promo.evaluate_cart('c1', cart, now(), explain => false)::text) FROM bench.carts WHERE id = 1" |
    awk '/^Time: / { t[++n] = $2 } END { printf "%.1f\t%.2f", t[1], t[2] }')
  echo "== $installed promotions"
  # The same cost measured inside the server (bench.in_server_us), with about a second of work
  # per figure: fewer passes over the carts as the promotions grow.
  explain_rounds=$(( size <= 10 ? 20 : size <= 100 ? 5 : 1 ))
  fast_rounds=$(( size <= 1000 ? 50 : 10 ))
  in_server=$(sql_value "SELECT concat_ws(E'\t', bench.in_server_us(true, $explain_rounds),
                                                   bench.in_server_us(false, $fast_rounds))")
  # What the 100 carts get at this size, and a check that evaluation works before timing it.
  sql_value "
    SELECT concat_ws(E'\t', $installed,
             (SELECT count(*) FROM promo.tiers WHERE promotion LIKE 'bench-%'),
             round(avg(jsonb_array_length(r -> 'applied')), 1),
             round(avg(jsonb_array_length(r -> 'not_applied')), 1),
             round(avg(jsonb_array_length(r -> 'hints')), 1),
             round(avg(length(r::text))),
             round(avg(length(f::text))),
             round(100.0 * sum((r ->> 'discount')::bigint) / sum((r ->> 'subtotal')::bigint), 1),
             '$first_call_ms', '$in_server')
    FROM (SELECT promo.evaluate_cart('c' || id, cart, now(), explain => true) AS r,
                 promo.evaluate_cart('c' || id, cart, now(), explain => false) AS f
          FROM bench.carts) AS e" >>"$facts"
  # The four statements take turns, so a burst of outside load hits all of them alike; the
  # best of the repetitions is the figure least disturbed by it.
  for client_count in $clients; do
    declare -A best=()
    for ((round = 1; round <= repeat; round++)); do
      for script in $scripts; do
        tps=$(run_pgbench "$client_count" "$script")
        best[$script]=$(awk -v a="${best[$script]:-0}" -v b="$tps" 'BEGIN { print (b > a ? b : a) }')
      done
    done
    for script in $scripts; do
      printf '%s\t%s\t%s\t%s\n' "$installed" "$client_count" "$script" "${best[$script]}" >>"$results"
      printf '   %s client(s)  %-17s %10.0f tps\n' "$client_count" "$script" "${best[$script]}"
    done
    unset best
  done
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# The report. Per-call µs = clients * 1e6 / tps (each client waits for its own call); the
# evaluate_cart cost is that minus the baseline's, which fetches the same cart.
{
  echo "# promo benchmark results"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), PostgreSQL $server_version, promo $promo_version," \
    "$cores cores ($cpu), pgbench -M prepared -n -T $bench_time, best of $repeat, same host."
  echo "Command: \`BENCH_TIME=$bench_time BENCH_REPEAT=$repeat BENCH_SIZES=\"$sizes\"" \
    "BENCH_CLIENTS=\"$clients\" bash bench/run.sh\`, connecting to" \
    "${PGHOST:-the default socket}${PGPORT:+ port $PGPORT}."
  echo
  echo "Load average (1, 5, 15 min) before: $load_before; after: $load_after. Anything well" \
    "above 0 before the run means other work shared the cores."
  echo
  echo "Carts: 100 carts of 20 lines from a 10,000-SKU catalogue (bench/setup.sql)."
  echo
  echo "| promotions | tiers | applied per cart | not applied per cart | hints per cart" \
    "| result bytes (explain) | result bytes (fast) | discount % of subtotal" \
    "| first call in a new session, ms | second call, ms" \
    "| in-server µs per call (explain / fast) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |\n",
                 $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }' "$facts"
  echo
  echo "| promotions | clients | tps SELECT 1 | tps baseline | tps evaluate (explain / fast)" \
    "| SELECT 1 ÷ evaluate (explain / fast) | µs per call (explain / fast)" \
    "| evaluate_cart µs net of baseline (explain / fast) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '
    { tps[$1 "/" $2 "/" $3] = $4; if (!($1 in seen_size)) { seen_size[$1] = 1; size_list[++ns] = $1 }
      if (!($2 in seen_clients)) { seen_clients[$2] = 1; client_list[++nc] = $2 } }
    END {
      for (i = 1; i <= ns; i++) for (j = 1; j <= nc; j++) {
        s = size_list[i]; c = client_list[j]; k = s "/" c "/"
        one = tps[k "select1"]; base = tps[k "baseline"]; ex = tps[k "evaluate_explain"]; fa = tps[k "evaluate_fast"]
        us_ex = c * 1e6 / ex; us_fa = c * 1e6 / fa; us_base = c * 1e6 / base
        printf "| %d | %d | %.0f | %.0f | %.0f / %.0f | %.2f / %.2f | %.1f / %.1f | %.1f / %.1f |\n",
          s, c, one, base, ex, fa, one / ex, one / fa, us_ex, us_fa, us_ex - us_base, us_fa - us_base
        if (c == client_list[1]) { net_ex[s] = us_ex - us_base; net_fa[s] = us_fa - us_base }
      }
      big = size_list[ns]
      if ((100 in net_ex) && big != 100 && net_ex[100] > 0 && net_fa[100] > 0) {
        printf "\nCost of evaluate_cart (net of baseline, %d client) at %d promotions vs 100: " \
               "%.2fx with explanations, %.2fx without.\n",
          client_list[1], big, net_ex[big] / net_ex[100], net_fa[big] / net_fa[100]
      }
    }' "$results"
} >"$work/report.md"

mkdir -p "$(dirname "$out")"
cp "$work/report.md" "$out"
echo
cat "$out"
echo
echo "written to $out"

if [ "${BENCH_KEEP:-0}" != 1 ]; then
  sql_value "SELECT bench.uninstall()" >/dev/null
  "${psql_cmd[@]}" -c "DROP SCHEMA bench CASCADE" 2>/dev/null
fi

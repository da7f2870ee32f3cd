#!/usr/bin/env bash
# Crash test of promo.redeem: in its own throwaway PostgreSQL 15 cluster, a redeem load runs
# (pgbench, 8 clients: redeem for random customers against a once-per-customer promotion, a
# total_limit, a budget and single-use codes, plus some rollback_redemption calls); mid-load the
# postmaster and all its processes are killed with SIGKILL (as in a power loss), the cluster is
# restarted (crash recovery), and the invariants are checked on what survived:
#   no total_limit, per-customer limit, budget or code max_uses exceeded; the slot, usage, budget
#   and code counters equal the live (not rolled back) redemptions; every redemption belongs to
#   an order of the same customer, rolled back together; every live order's stored result lists
#   exactly its redemptions; the coupon_redeemed events are exactly those of live code
#   redemptions; promo.verify_segments() is empty.
# Then a short load runs on the recovered cluster and the invariants are checked again.
# Prints PASS or FAIL (with the violated invariants) as its last line; exits 0 on PASS.
#
#   make install && bash test/crash/redeem_crash.sh
#
# Needs the promo extension installed and pg_virtualenv (postgresql-common). Settings:
# CRASH_LOAD_SECONDS (default 6) how long the load runs before the kill.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pg_version=15

# Re-run inside a throwaway cluster (test/lib/throwaway_cluster.sh).
source "$here/../lib/throwaway_cluster.sh"
run_inside_throwaway_cluster "${BASH_SOURCE[0]}"

load_seconds=${CRASH_LOAD_SECONDS:-6}
make_work_dir
psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)

# The cluster pg_virtualenv made: name, data directory and the postmaster's pid.
cluster_line=$(pg_lsclusters -h | awk -v port="$PGPORT" '$3 == port')
cluster_name=$(awk '{ print $2 }' <<<"$cluster_line")
data_dir=$(awk '{ print $6 }' <<<"$cluster_line")
[ -n "$cluster_name" ] && [ -d "$data_dir" ] || fail "cannot find the cluster on port $PGPORT"
echo "cluster $pg_version/$cluster_name, data $data_dir, port $PGPORT"

"${psql_cmd[@]}" -f "$here/redeem_crash_setup.sql" || fail "set-up failed"

# Writes the pgbench scripts: mostly redeem, a few rollbacks of a random earlier order.
cat >"$work/redeem.sql" <<'SQL'
\set customer random(1, 3000)
\set code random(1, 400)
SELECT crash.redeem_one(:customer, :code);
SQL
cat >"$work/undo.sql" <<'SQL'
\set n random(1, 3000)
SELECT crash.undo_one(:n);
SQL

run_load() {
  pgbench -n -c 8 -j 2 -T "$1" -f "$work/redeem.sql@9" -f "$work/undo.sql@1" >"$2" 2>&1
}

echo "load: ${load_seconds}s of pgbench before the kill"
run_load $((load_seconds + 60)) "$work/load.log" &
load_pid=$!
sleep "$load_seconds"
orders_before=$("${psql_cmd[@]}" -At -c "SELECT count(*) FROM promo.orders")
postmaster=$(head -1 "$data_dir/postmaster.pid")
children=$(ps -o pid= --ppid "$postmaster" | tr '\n' ' ')
echo "orders committed so far: $orders_before; kill -9 postmaster $postmaster and its" \
  "$(wc -w <<<"$children") processes"
[ "${orders_before:-0}" -gt 0 ] || fail "the load committed nothing before the kill"
# shellcheck disable=SC2086 # one pid per word
kill -9 "$postmaster" $children
wait "$load_pid" 2>/dev/null
grep -E "^(transaction type|number of transactions|pgbench: error)" "$work/load.log" | head -5

# Restart: crash recovery. Retry while the old processes are still going away.
started=0
for _ in $(seq 1 30); do
  if pg_ctlcluster "$pg_version" "$cluster_name" start >"$work/start.log" 2>&1; then
    started=1
    break
  fi
  sleep 1
done
[ "$started" = 1 ] || { cat "$work/start.log"; fail "the cluster did not restart"; }
for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
logfile=$(pg_lsclusters -h | awk -v port="$PGPORT" '$3 == port { print $7 }')
grep -E "database system was interrupted|redo (starts|done)|ready to accept" "$logfile" |
  tail -4 | sed 's/^/  server: /'

check() {
  local problems
  problems=$("${psql_cmd[@]}" -At -f "$here/redeem_crash_check.sql") || fail "check query failed"
  "${psql_cmd[@]}" -At -c "SELECT format('orders %s (rolled back %s), live redemptions %s,' ||
      ' events %s', (SELECT count(*) FROM promo.orders),
      (SELECT count(*) FROM promo.orders WHERE rolled_back_at IS NOT NULL),
      (SELECT count(*) FROM promo.redemptions WHERE rolled_back_at IS NULL),
      (SELECT count(*) FROM promo.events))"
  if [ -n "$problems" ]; then
    echo "$problems" | head -40
    fail "invariants violated after $1"
  fi
  echo "invariants hold after $1"
}
check "crash recovery"

echo "load: 3s on the recovered cluster"
run_load 3 "$work/after.log" || { cat "$work/after.log"; fail "load after recovery failed"; }
check "more load"
echo "all invariants held"

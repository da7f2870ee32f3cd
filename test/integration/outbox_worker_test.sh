#!/usr/bin/env bash
# Runs examples/outbox_worker against a live server (the PG* environment, as the integration
# tests do): in a database of its own, two customers enter abandoned-2-days, run_due() queues
# two reminders, `outbox_worker --once` prints both (channel, recipient, template, code) and
# acks them; then a worker waiting on NOTIFY promo_outbox picks up a third message queued while
# it waits, and exits after its idle time. Exit 0 = pass, 77 = skipped (no server), else fail.
#
#   outbox_worker_test.sh path/to/outbox_worker
set -uo pipefail

worker=$1
psql_cmd=(psql -X -q -At -v ON_ERROR_STOP=1)
psql -X -At -c 'SELECT 1' >/dev/null 2>&1 || {
  echo "no server reachable through the PG* environment: skipped"
  exit 77
}
db=promo_outbox_worker_$$
work=$(mktemp -d)
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  exit 1
}

psql -X -q -d postgres -c "CREATE DATABASE $db" || fail "cannot create database $db"
export PGDATABASE=$db
"${psql_cmd[@]}" <<'SQL' || fail "setup failed"
CREATE EXTENSION promo;
INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-2-days', 'last(''cart_abandoned'') > last(''order_placed'')
                        and last(''cart_abandoned'') <= now() - ''2 days''');
INSERT INTO promo.promotions (name, currency, requires_code) VALUES ('come-back-10', 'USD', true);
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '$10 off', 'in_segment(''abandoned-2-days'')', '{"amount_off": 1000}');
INSERT INTO promo.reminders (segment, promotion, channel, template, entries_since)
  VALUES ('abandoned-2-days', 'come-back-10', 'email', '{"subject": "Your cart is waiting"}',
          now() - interval '7 days');
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES
  ('alice', 'cart_abandoned', now() - interval '3 days'),
  ('carol', 'cart_abandoned', now() - interval '4 days');
SELECT promo.run_due();
SQL

"$worker" --once >"$work/once.out" 2>&1 || fail "outbox_worker --once failed: $(cat "$work/once.out")"
cat "$work/once.out"
# The printed messages, with the codes issued to each customer.
codes=$("${psql_cmd[@]}" -c "SELECT string_agg(customer_id || '=' || code, ' ' ORDER BY customer_id)
                               FROM promo.codes")
expected="outbox 1: email to alice
  subject: Your cart is waiting
  code: $(sed -n 's/.*alice=\([^ ]*\).*/\1/p' <<<"$codes") (come-back-10)
outbox 2: email to carol
  subject: Your cart is waiting
  code: $(sed -n 's/.*carol=\([^ ]*\).*/\1/p' <<<"$codes") (come-back-10)
outbox_worker: sent 2 message(s), nothing left; exiting"
[ "$(cat "$work/once.out")" = "$expected" ] || fail "unexpected output, wanted:
$expected"
state=$("${psql_cmd[@]}" -c "SELECT string_agg(id || ':' || claim_count || ':' || (acked_at IS NOT NULL),
                                               ' ' ORDER BY id) FROM promo.outbox")
[ "$state" = "1:1:true 2:1:true" ] || fail "outbox after --once: $state"

# A waiting worker: woken by NOTIFY promo_outbox, then idle for 3 seconds, then exits.
"$worker" --idle-seconds 3 >"$work/wait.out" 2>&1 &
worker_pid=$!
sleep 1
"${psql_cmd[@]}" -c "INSERT INTO promo.events (customer_id, type, occurred_at)
                       VALUES ('dave', 'cart_abandoned', now() - interval '5 days');
                     SELECT promo.run_due();" >/dev/null || fail "second run_due failed"
waited=0
while kill -0 "$worker_pid" 2>/dev/null && [ "$waited" -lt 30 ]; do
  sleep 1
  waited=$((waited + 1))
done
if kill -0 "$worker_pid" 2>/dev/null; then
  kill "$worker_pid"
  fail "the waiting worker did not exit after its idle time"
fi
wait "$worker_pid" || fail "the waiting worker failed: $(cat "$work/wait.out")"
cat "$work/wait.out"
grep -q '^outbox 3: email to dave$' "$work/wait.out" || fail "the waiting worker did not send outbox 3"
tail -n 1 "$work/wait.out" | grep -q 'sent 1 message' || fail "the waiting worker sent more or less than 1"
state=$("${psql_cmd[@]}" -c "SELECT count(*) FROM promo.outbox WHERE acked_at IS NULL")
[ "$state" = 0 ] || fail "$state outbox rows not acked"
echo PASS

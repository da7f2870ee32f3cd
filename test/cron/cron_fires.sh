#!/usr/bin/env bash
# A real pg_cron schedule runs promo.run_due(): in its own throwaway PostgreSQL 15 cluster with
# pg_cron preloaded, a customer who abandoned a cart three days ago is in abandoned-2-days, a
# reminder on that segment exists, and promo.schedule_run_due() registers the job (every second
# with pg_cron 1.5+, every minute before: cron's smallest step). Nothing calls run_due() by
# hand: the test waits (bounded) until the job has queued the outbox message, then checks it
# (one message, one code assigned to the customer, in the payload), that scheduling again
# replaces the job instead of adding one, and that unschedule_run_due() removes it.
# Prints PASS or FAIL (with the reason) as its last line; exits 0 on PASS.
#
#   make install && bash test/cron/cron_fires.sh
#
# Needs the promo extension installed, postgresql-15-cron and pg_virtualenv (postgresql-common).
# CRON_WAIT_SECONDS (default 150) bounds the wait for the job.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# pg_cron must be installed; the test re-runs inside a throwaway cluster with it preloaded
# (test/lib/throwaway_cluster.sh). pg_cron runs jobs in background workers (no libpq
# connection, so no password is needed).
if [ "${THROWAWAY_INSIDE:-}" != 1 ]; then
  if [ ! -e "$(pg_config --sharedir 2>/dev/null)/extension/pg_cron.control" ] &&
    [ ! -e /usr/share/postgresql/15/extension/pg_cron.control ]; then
    echo "FAIL: pg_cron is not installed (Debian package postgresql-15-cron)"
    exit 1
  fi
fi
source "$here/../lib/throwaway_cluster.sh"
run_inside_throwaway_cluster "${BASH_SOURCE[0]}" -o shared_preload_libraries=pg_cron \
  -o cron.database_name=postgres -o cron.use_background_workers=on -o max_worker_processes=16

wait_seconds=${CRON_WAIT_SECONDS:-150}
psql_cmd=(psql -X -q -At -v ON_ERROR_STOP=1 -d postgres)

"${psql_cmd[@]}" <<'SQL' || fail "setup failed"
CREATE EXTENSION pg_cron;
CREATE EXTENSION promo;
INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-2-days', 'last(''cart_abandoned'') > last(''order_placed'')
                        and last(''cart_abandoned'') <= now() - ''2 days''');
INSERT INTO promo.promotions (name, currency, requires_code) VALUES ('come-back-10', 'USD', true);
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '$10 off', 'in_segment(''abandoned-2-days'')', '{"amount_off": 1000}');
-- Entries of the last week are reminded (the default, entries from the reminder's creation on,
-- would leave out this customer, who entered the segment a day ago).
INSERT INTO promo.reminders (segment, promotion, channel, template, entries_since)
  VALUES ('abandoned-2-days', 'come-back-10', 'email', '{"subject": "Your cart is waiting"}',
          now() - interval '7 days');
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('alice', 'cart_abandoned', now() - interval '3 days');
SQL

cron_version=$("${psql_cmd[@]}" -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")
every='1 minute'
if [ "$(printf '%s\n' 1.5 "$cron_version" | sort -V | head -n 1)" = 1.5 ]; then
  every='1 second'
fi
echo "pg_cron $cron_version: scheduling promo.run_due() every $every"
job=$("${psql_cmd[@]}" -c "SELECT promo.schedule_run_due('$every')") || fail "schedule_run_due failed"
again=$("${psql_cmd[@]}" -c "SELECT promo.schedule_run_due('$every')") || fail "second schedule failed"
[ "$job" = "$again" ] || fail "scheduling again made job $again besides job $job"
jobs=$("${psql_cmd[@]}" -c "SELECT count(*) FROM cron.job WHERE jobname = 'promo-run-due'")
[ "$jobs" = 1 ] || fail "expected one promo-run-due job, found $jobs"
"${psql_cmd[@]}" -c "SELECT jobid, schedule, command FROM cron.job"

start=$(date +%s)
messages=0
while [ $(($(date +%s) - start)) -lt "$wait_seconds" ]; do
  messages=$("${psql_cmd[@]}" -c "SELECT count(*) FROM promo.outbox")
  [ "$messages" != 0 ] && break
  sleep 2
done
echo "waited $(($(date +%s) - start))s; job runs:"
"${psql_cmd[@]}" -c "SELECT status, return_message FROM cron.job_run_details ORDER BY runid"
[ "$messages" != 0 ] || fail "no outbox message within ${wait_seconds}s"

# Let a later run (if any within a few seconds) prove it adds nothing, then check the message.
sleep 3
check=$("${psql_cmd[@]}" <<'SQL'
SELECT format('messages=%s codes=%s match=%s customer=%s channel=%s',
              (SELECT count(*) FROM promo.outbox),
              (SELECT count(*) FROM promo.codes WHERE customer_id = 'alice'),
              (SELECT bool_and(o.payload->>'code' = c.code) FROM promo.outbox o
                 JOIN promo.codes c ON c.customer_id = o.customer_id),
              (SELECT string_agg(customer_id, ',') FROM promo.outbox),
              (SELECT string_agg(channel, ',') FROM promo.outbox));
SQL
)
echo "$check"
[ "$check" = "messages=1 codes=1 match=t customer=alice channel=email" ] ||
  fail "unexpected outbox: $check"
failed_runs=$("${psql_cmd[@]}" -c "SELECT count(*) FROM cron.job_run_details WHERE status = 'failed'")
[ "$failed_runs" = 0 ] || fail "$failed_runs job runs failed"

removed=$("${psql_cmd[@]}" -c "SELECT promo.unschedule_run_due()")
[ "$removed" = t ] || fail "unschedule_run_due returned $removed"
removed=$("${psql_cmd[@]}" -c "SELECT promo.unschedule_run_due()")
[ "$removed" = f ] || fail "second unschedule_run_due returned $removed"
jobs=$("${psql_cmd[@]}" -c "SELECT count(*) FROM cron.job")
[ "$jobs" = 0 ] || fail "$jobs jobs left after unschedule_run_due"
exit 0

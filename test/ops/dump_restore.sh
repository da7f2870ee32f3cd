#!/usr/bin/env bash
# Backup and restore of a database using promo: in its own throwaway PostgreSQL 15 cluster,
# database promo_src gets a bit of everything promo keeps (test/ops/dump_restore_setup.sql:
# segments, customers, events, a tracked shop table, promotions with limits, budget and codes,
# redemptions, a rollback; plus whatever other tables later versions register), is dumped with
# `pg_dump -Fc` and restored with `pg_restore` into a new database promo_dst. Then, in promo_dst:
#   - every table of the promo schema is registered with pg_extension_config_dump (so none is
#     silently left out of backups), and every registered table holds exactly the rows of the
#     source (EXCEPT both ways, whole rows), as does the tracked shop table;
#   - the identity sequences continue where the source's stand (new rows get new ids);
#   - promo.verify_segments() is empty;
#   - promo.evaluate_cart gives identical results for every customer, cart and instant tried,
#     and promo.redeem behaves the same afterwards (limits and codes as used before the dump).
# Prints PASS or FAIL (with what differs) as its last line; exits 0 on PASS.
#
#   make install && bash test/ops/dump_restore.sh
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Re-run inside a throwaway cluster (test/lib/throwaway_cluster.sh).
source "$here/../lib/throwaway_cluster.sh"
run_inside_throwaway_cluster "${BASH_SOURCE[0]}"

make_work_dir
psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)

# Carts tried against both databases: evaluations at several instants, for members and guests.
evaluations_sql="
SELECT c.customer_id, a.at, k.n,
       promo.evaluate_cart(c.customer_id, k.cart, at => a.at) AS result
  FROM (VALUES ('alice'), ('bob'), ('carol'), ('dave'), ('erin'), (NULL)) c(customer_id)
 CROSS JOIN (VALUES (timestamptz '2026-11-21 12:00+00'), ('2026-11-23 12:00+00'),
                    ('2026-11-26 12:00+00'), ('2026-12-02 12:00+00')) a(at)
 CROSS JOIN (VALUES
   (1, '{\"currency\": \"USD\", \"items\": [{\"sku\": \"A\", \"quantity\": 2, \"unit_price\": 6000}]}'::jsonb),
   (2, '{\"currency\": \"USD\", \"codes\": [\"WELCOME\"], \"items\": [{\"sku\": \"B\", \"quantity\": 5, \"unit_price\": 4999}]}'),
   (3, '{\"currency\": \"USD\", \"codes\": [\"NOPE\"], \"items\": [{\"sku\": \"C\", \"quantity\": 1, \"unit_price\": 900}]}')) k(n, cart)"

createdb promo_src || fail "createdb promo_src"
"${psql_cmd[@]}" -d promo_src -f "$here/dump_restore_setup.sql" || fail "set-up failed"
problems=$("${psql_cmd[@]}" -d promo_src -At -c "SELECT count(*) FROM promo.verify_segments()")
[ "$problems" = 0 ] || fail "verify_segments() in the source reports $problems rows"

echo "pg_dump -Fc promo_src"
pg_dump -Fc -d promo_src -f "$work/promo_src.dump" || fail "pg_dump failed"
createdb promo_dst || fail "createdb promo_dst"
echo "pg_restore into promo_dst"
pg_restore --exit-on-error -d promo_dst "$work/promo_src.dump" || fail "pg_restore failed"

# Tables promo keeps rows in that are not registered for pg_dump would be lost by a backup.
# Deliberately left out: promo.run_due_state (one row, the latest run_due instant; a restored
# database announces time-based entries from the restore on).
unregistered=$("${psql_cmd[@]}" -d promo_dst -At -c "
  SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'promo' AND c.relkind IN ('r', 'p')
     AND c.relname NOT IN ('run_due_state')
     AND c.oid <> ALL (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'promo')")
[ -z "$unregistered" ] || fail "tables not registered with pg_extension_config_dump: $unregistered"

# Copies the source's rows of every registered table (and of shop.orders) into schema src of
# promo_dst, then compares whole rows both ways.
tables=$("${psql_cmd[@]}" -d promo_dst -At -c "
  SELECT c.oid::regclass::text FROM pg_class c
   WHERE c.oid = ANY (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'promo')
     AND c.relkind IN ('r', 'p')
  UNION ALL SELECT 'shop.orders' ORDER BY 1")
sequences=$("${psql_cmd[@]}" -d promo_src -At -c "
  SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'promo' AND c.relkind = 'S' ORDER BY 1")
"${psql_cmd[@]}" -d promo_dst -c "CREATE SCHEMA src" || fail "CREATE SCHEMA src"
differences=""
for table in $tables; do
  local_name=src.$(tr '.' '_' <<<"$table")
  "${psql_cmd[@]}" -d promo_dst -c "CREATE TABLE $local_name (LIKE $table)" ||
    fail "CREATE TABLE $local_name"
  "${psql_cmd[@]}" -d promo_src -c "COPY $table TO STDOUT" |
    "${psql_cmd[@]}" -d promo_dst -c "COPY $local_name FROM STDIN" || fail "copying $table"
  # A membership row's version counts its writes, which the restore replays differently.
  columns='*'
  [ "$table" = promo.customer_membership ] && columns='customer_id, segments, valid_from, valid_until'
  read -r rows missing extra < <("${psql_cmd[@]}" -d promo_dst -At -F ' ' -c "
    SELECT (SELECT count(*) FROM $local_name),
           (SELECT count(*) FROM (SELECT $columns FROM $local_name
                                  EXCEPT ALL SELECT $columns FROM $table) d),
           (SELECT count(*) FROM (SELECT $columns FROM $table
                                  EXCEPT ALL SELECT $columns FROM $local_name) d)")
  printf '  %-28s %4s rows in the source, %s missing after restore, %s extra\n' \
    "$table" "$rows" "$missing" "$extra"
  [ "$missing" = 0 ] && [ "$extra" = 0 ] || differences+=" $table"
done
[ -z "$differences" ] || fail "restored rows differ from the source in:$differences"

# Every table the scenario fills must have rows (an empty table proves nothing).
for table in promo.promotions promo.tiers promo.customers promo.events promo.segments \
  promo.segment_membership promo.tracked_tables promo.orders promo.redemptions \
  promo.customer_usage promo.promotion_slots promo.promotion_budget promo.codes; do
  n=$("${psql_cmd[@]}" -d promo_dst -At -c "SELECT count(*) FROM $table")
  [ "$n" -gt 0 ] || fail "$table is empty after restore; the scenario should fill it"
done
if [ "$("${psql_cmd[@]}" -d promo_dst -At -c "SELECT to_regclass('promo.outbox') IS NOT NULL")" = t ]; then
  for table in promo.reminders promo.reminder_deliveries promo.outbox; do
    n=$("${psql_cmd[@]}" -d promo_dst -At -c "SELECT count(*) FROM $table")
    [ "$n" -gt 0 ] || fail "$table is empty after restore; the scenario should fill it"
  done
fi

# Identity sequences continue where the source's stand.
for sequence in $sequences; do
  src_value=$("${psql_cmd[@]}" -d promo_src -At -c "SELECT last_value FROM $sequence")
  dst_value=$("${psql_cmd[@]}" -d promo_dst -At -c "SELECT last_value FROM $sequence")
  printf '  %-28s last_value %s in the source, %s after restore\n' "$sequence" "$src_value" \
    "$dst_value"
  [ "$src_value" = "$dst_value" ] || fail "$sequence restarts at $dst_value instead of $src_value"
done

if [ "$("${psql_cmd[@]}" -d promo_dst -At -c "SELECT to_regclass('promo.settings') IS NOT NULL")" = t ]; then
  src_zone=$("${psql_cmd[@]}" -d promo_src -At -c "SELECT timezone FROM promo.settings")
  dst_zone=$("${psql_cmd[@]}" -d promo_dst -At -c "SELECT timezone FROM promo.settings")
  echo "  time zone: $src_zone in the source, $dst_zone after restore"
  [ "$src_zone" = "$dst_zone" ] || fail "the time zone differs after restore"
fi

problems=$("${psql_cmd[@]}" -d promo_dst -At -c "
  SELECT count(*) FROM promo.verify_segments()")
[ "$problems" = 0 ] || {
  "${psql_cmd[@]}" -d promo_dst -c "SELECT * FROM promo.verify_segments() LIMIT 20"
  fail "verify_segments() after restore reports $problems rows"
}
echo "  verify_segments() is empty after restore"

# Evaluations: the same results in both databases.
"${psql_cmd[@]}" -d promo_dst -c "CREATE TABLE src.evaluations AS $evaluations_sql LIMIT 0" ||
  fail "evaluations table"
"${psql_cmd[@]}" -d promo_src -c "COPY ($evaluations_sql) TO STDOUT" |
  "${psql_cmd[@]}" -d promo_dst -c "COPY src.evaluations FROM STDIN" || fail "source evaluations"
read -r evaluated differing < <("${psql_cmd[@]}" -d promo_dst -At -F ' ' -c "
  WITH dst AS ($evaluations_sql)
  SELECT (SELECT count(*) FROM src.evaluations),
         (SELECT count(*) FROM (SELECT * FROM src.evaluations EXCEPT ALL SELECT * FROM dst) d)
       + (SELECT count(*) FROM (SELECT * FROM dst EXCEPT ALL SELECT * FROM src.evaluations) d)")
echo "  evaluate_cart: $evaluated evaluations, $differing differ"
[ "$evaluated" -gt 0 ] && [ "$differing" = 0 ] || fail "evaluate_cart differs after restore"

# After the restore the database keeps working from where it stood: alice's one use of
# come-back-10 is spent, new rows get new ids, redeem records a new order in both the same way.
after_sql="
SELECT promo.redeem('bob', '{\"currency\": \"USD\", \"codes\": [\"WELCOME\"],
  \"items\": [{\"sku\": \"A\", \"quantity\": 2, \"unit_price\": 6000}]}', 'order-3',
  '2026-11-26 12:00+00') ->> 'discount';
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('alice', 'cart_abandoned', '2026-11-27 10:00+00');
INSERT INTO promo.promotions (name, currency) VALUES ('later', 'USD');
SELECT (SELECT count(*) FROM promo.verify_segments()) AS problems,
       (SELECT max(event_id) FROM promo.events) AS last_event,
       (SELECT id FROM promo.promotions WHERE name = 'later') AS later_id,
       (SELECT uses FROM promo.codes WHERE code = 'WELCOME') AS welcome_uses,
       (SELECT sum(used) FROM promo.promotion_slots) AS slots_used,
       (SELECT string_agg(x->>'reason_code', ',') FROM jsonb_array_elements(
          promo.evaluate_cart('alice', '{\"currency\": \"USD\", \"items\": [{\"sku\": \"A\",
          \"quantity\": 1, \"unit_price\": 2000}]}', at => '2026-11-28 12:00+00')->'not_applied') x)
         AS alice_not_applied;"
src_after=$("${psql_cmd[@]}" -d promo_src -At -c "$after_sql" 2>&1) || fail "source after: $src_after"
dst_after=$("${psql_cmd[@]}" -d promo_dst -At -c "$after_sql" 2>&1) || fail "restored after: $dst_after"
echo "  after the restore, source:   $(tr '\n' ' ' <<<"$src_after")"
echo "  after the restore, restored: $(tr '\n' ' ' <<<"$dst_after")"
[ "$src_after" = "$dst_after" ] || fail "the restored database goes on differently from the source"
grep -q 'limit_reached' <<<"$dst_after" || fail "alice's spent use of come-back-10 was lost"
exit 0

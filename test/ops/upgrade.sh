#!/usr/bin/env bash
# Upgrades of the promo extension: `ALTER EXTENSION promo UPDATE` must take a database at any
# released version to the current one (promo.control's default_version) and leave it exactly as
# a fresh `CREATE EXTENSION promo` would.
#
# In its own throwaway PostgreSQL 15 cluster:
#   1. database fresh: CREATE EXTENSION promo; its snapshot (test/ops/extension_snapshot.sql:
#      members, columns, constraints, indexes, triggers, views, function definitions, grants,
#      comments, pg_dump registrations) is the reference.
#   2. At the current version ALTER EXTENSION promo UPDATE is a no-op: PostgreSQL answers
#      'version "X" of extension "promo" is already installed' and the snapshot is unchanged.
#   3. For every other version the installed scripts offer (pg_available_extension_versions):
#      a database created at that version, given some data, then ALTER EXTENSION promo UPDATE
#      must reach the current version with the reference snapshot, keep the data, and have
#      verify_segments() empty.
# While only 0.1 exists, step 3 finds nothing to upgrade from and says so.
#
# Adding a version (from the first release on, every change of the SQL surface):
#   - leave sql/promo--0.1.sql as released; write sql/promo--0.1--0.2.sql with the changes
#     (ALTER TABLE ..., CREATE OR REPLACE FUNCTION ..., new pg_extension_config_dump calls for
#     new tables) and a full sql/promo--0.2.sql for fresh installs (or none, letting
#     CREATE EXTENSION run 0.1 then the update script); add both to DATA in the Makefile;
#   - set default_version = '0.2' in promo.control;
#   - this script then checks 0.1 -> 0.2 against a fresh 0.2 without further edits. A C
#     function whose behaviour changes keeps its old symbol working until the scripts of every
#     version still supported stop naming it (one promo.so serves all installed versions).
#
#   make install && bash test/ops/upgrade.sh
# Prints PASS or FAIL (with the difference) as its last line; exits 0 on PASS.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Re-run inside a throwaway cluster (test/lib/throwaway_cluster.sh).
source "$here/../lib/throwaway_cluster.sh"
run_inside_throwaway_cluster "${BASH_SOURCE[0]}"

make_work_dir
psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)

# Writes the snapshot of database $1 to file $2.
snapshot() {
  "${psql_cmd[@]}" -d "$1" -At -f "$here/extension_snapshot.sql" >"$2" ||
    fail "snapshot of $1 failed"
}

# A little of everything, so an upgrade script that loses or breaks rows shows.
sample_data="
INSERT INTO promo.segments (name, definition)
  VALUES ('abandoned-cart', \$\$last('cart_abandoned') > last('order_placed')\$\$);
INSERT INTO promo.customers (customer_id, signed_up_at) VALUES ('alice', '2026-11-01 00:00+00');
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('alice', 'cart_abandoned', '2026-11-20 10:00+00');
-- Membership that changes (an interval replaced), a segment added and one deleted after the
-- history: the library maintains the storage of the version the database is at.
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('bob', 'cart_abandoned', '2026-11-18 10:00+00');
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('bob', 'order_placed', '2026-11-19 10:00+00');
INSERT INTO promo.segments (name, definition)
  VALUES ('buyers', \$\$count('order_placed') >= 1\$\$),
         ('temporary', \$\$count('cart_abandoned') >= 1\$\$);
DELETE FROM promo.segments WHERE name = 'temporary';
INSERT INTO promo.promotions (name, currency) VALUES ('come-back-10', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '\$10 off', \$\$in_segment('abandoned-cart')\$\$, '{\"amount_off\": 1000}');"
evaluation="SELECT promo.evaluate_cart('alice', '{\"currency\": \"USD\", \"items\": [{\"sku\": \"A\",
  \"quantity\": 1, \"unit_price\": 5000}]}', at => '2026-11-21 12:00+00')->>'discount'"

createdb fresh || fail "createdb fresh"
"${psql_cmd[@]}" -d fresh -c "CREATE EXTENSION promo" || fail "CREATE EXTENSION promo"
current=$("${psql_cmd[@]}" -d fresh -At -c "SELECT extversion FROM pg_extension WHERE extname = 'promo'")
default=$("${psql_cmd[@]}" -d fresh -At -c "SELECT default_version FROM pg_available_extensions WHERE name = 'promo'")
[ "$current" = "$default" ] || fail "CREATE EXTENSION installed $current, default_version is $default"
echo "current version: $current"
snapshot fresh "$work/reference.txt"
echo "reference snapshot: $(wc -l <"$work/reference.txt") facts"

# At the current version, UPDATE changes nothing.
"${psql_cmd[@]}" -d fresh -c "$sample_data" || fail "sample data"
notice=$("${psql_cmd[@]}" -d fresh -c "ALTER EXTENSION promo UPDATE" 2>&1) ||
  fail "ALTER EXTENSION promo UPDATE at $current: $notice"
echo "ALTER EXTENSION promo UPDATE at $current: $notice"
grep -q "version \"$current\" of extension \"promo\" is already installed" <<<"$notice" ||
  fail "expected the already-installed notice, got: $notice"
snapshot fresh "$work/after_noop.txt"
diff -u "$work/reference.txt" "$work/after_noop.txt" ||
  fail "ALTER EXTENSION promo UPDATE at $current changed the extension"
discount=$("${psql_cmd[@]}" -d fresh -At -c "$evaluation")
[ "$discount" = 1000 ] || fail "evaluation after the no-op update gives $discount, expected 1000"
echo "no-op at $current: snapshot unchanged, evaluation unchanged (discount $discount)"

# Every other installed version upgrades to the current one.
paths=$("${psql_cmd[@]}" -d fresh -At -F ' ' -c "
  SELECT source, path FROM pg_extension_update_paths('promo')
   WHERE target = '$current' AND source <> '$current' AND path IS NOT NULL ORDER BY source")
if [ -z "$paths" ]; then
  echo "no older version to upgrade from (installed versions:" \
    "$("${psql_cmd[@]}" -d fresh -At -c "SELECT string_agg(version, ', ' ORDER BY version)
       FROM pg_available_extension_versions WHERE name = 'promo'"))"
fi
unreachable=$("${psql_cmd[@]}" -d fresh -At -c "
  SELECT string_agg(source, ', ') FROM pg_extension_update_paths('promo')
   WHERE target = '$current' AND source <> '$current' AND path IS NULL")
[ -z "$unreachable" ] || fail "no update path to $current from: $unreachable"
while read -r source path; do
  [ -n "$source" ] || continue
  database="from_$(tr -c 'a-zA-Z0-9\n' '_' <<<"$source")"
  echo "upgrade $source -> $current (path $path) in database $database"
  createdb "$database" || fail "createdb $database"
  "${psql_cmd[@]}" -d "$database" -c "CREATE EXTENSION promo VERSION '$source'" ||
    fail "CREATE EXTENSION promo VERSION '$source'"
  "${psql_cmd[@]}" -d "$database" -c "$sample_data" || fail "sample data at $source"
  "${psql_cmd[@]}" -d "$database" -c "ALTER EXTENSION promo UPDATE" ||
    fail "ALTER EXTENSION promo UPDATE from $source"
  snapshot "$database" "$work/$database.txt"
  diff -u "$work/reference.txt" "$work/$database.txt" ||
    fail "$source updated to $current differs from a fresh $current"
  discount=$("${psql_cmd[@]}" -d "$database" -At -c "$evaluation")
  [ "$discount" = 1000 ] || fail "evaluation after the update from $source gives $discount"
  problems=$("${psql_cmd[@]}" -d "$database" -At -c "SELECT count(*) FROM promo.verify_segments()")
  [ "$problems" = 0 ] || fail "verify_segments() after the update from $source: $problems rows"
  # The stored intervals moved by the update equal those of the fresh database.
  membership="SELECT customer_id, segment, valid_from, valid_until FROM promo.segment_membership
               ORDER BY 1, 2, 3"
  diff <("${psql_cmd[@]}" -d fresh -At -c "$membership") \
    <("${psql_cmd[@]}" -d "$database" -At -c "$membership") ||
    fail "membership after the update from $source differs from the fresh database's"
  echo "membership after the update: $("${psql_cmd[@]}" -d "$database" -At -c \
    "SELECT count(*) FROM promo.segment_membership") intervals, as in the fresh database"
done <<<"$paths"
exit 0

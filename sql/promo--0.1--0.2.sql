-- promo 0.1 -> 0.2. A fresh CREATE EXTENSION promo runs promo--0.1.sql and then this script,
-- so a new install and an upgraded one are the same (test/ops/upgrade.sh checks it).
\echo Use "ALTER EXTENSION promo UPDATE TO '0.2'" to load this file. \quit

-- ---------------------------------------------------------------------------------------------
-- Segment membership storage
-- ---------------------------------------------------------------------------------------------

-- Segment membership is stored as one row per customer instead of one row per interval. A
-- write to a customer's history then reads one row and writes one row (usually a HOT update,
-- hence the fill factor), and a bulk load writes a row per customer instead of a row per
-- interval: in the ingest benchmark 100,000 rows instead of 1.6 million. The intervals keep
-- their public shape in the view promo.segment_membership, which every reader uses.
CREATE TABLE promo.customer_membership (
  customer_id text PRIMARY KEY,
  segments    text[] NOT NULL,
  valid_from  timestamptz[] NOT NULL,
  valid_until timestamptz[] NOT NULL,
  version     bigint NOT NULL DEFAULT 1
) WITH (fillfactor = 75);
-- No CHECK on the arrays: a constraint's expression is prepared again for every statement that
-- writes the table, which is most of the cost of a one-row upsert. The triggers write the three
-- arrays together, and the reader refuses a row whose arrays differ in length.
COMMENT ON TABLE promo.customer_membership IS
  'Storage of promo.segment_membership: one row per customer with at least one interval; '
  'entry i is the interval [valid_from[i], valid_until[i]) of segments[i], sorted by segment '
  'and valid_from. Written only by promo''s triggers; read it through the view.';
COMMENT ON COLUMN promo.customer_membership.customer_id IS 'The member.';
COMMENT ON COLUMN promo.customer_membership.segments IS 'promo.segments.name of each entry.';
COMMENT ON COLUMN promo.customer_membership.valid_from IS 'Start of each entry (inclusive).';
COMMENT ON COLUMN promo.customer_membership.valid_until IS 'End of each entry (exclusive).';
COMMENT ON COLUMN promo.customer_membership.version IS
  'Incremented by every write of the row. A write names the version it read, so two '
  'transactions can never overwrite each other''s changes (the second gets 40001).';

INSERT INTO promo.customer_membership (customer_id, segments, valid_from, valid_until)
SELECT m.customer_id,
       pg_catalog.array_agg(m.segment ORDER BY m.segment COLLATE "C", m.valid_from),
       pg_catalog.array_agg(m.valid_from ORDER BY m.segment COLLATE "C", m.valid_from),
       pg_catalog.array_agg(m.valid_until ORDER BY m.segment COLLATE "C", m.valid_from)
  FROM promo.segment_membership m
 GROUP BY m.customer_id;

-- The views over the old table, recreated over the new view below.
DROP VIEW promo.segment_members, promo.segment_sizes, promo.customer_segments;
-- Leaving the extension first also takes the table out of its pg_dump registrations.
ALTER EXTENSION promo DROP TABLE promo.segment_membership;
DROP TABLE promo.segment_membership;

CREATE VIEW promo.segment_membership AS
  SELECT c.customer_id, e.segment, e.valid_from, e.valid_until
    FROM promo.customer_membership c
         CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(c.segments),
                                       pg_catalog.unnest(c.valid_from),
                                       pg_catalog.unnest(c.valid_until))
           AS e (segment, valid_from, valid_until);
COMMENT ON VIEW promo.segment_membership IS
  'Materialized membership: the customer is in the segment on [valid_from, valid_until), '
  'exactly, at any instant, with no job running. Maintained only by promo''s triggers '
  '(stored in promo.customer_membership); promo.verify_segments() recomputes it from scratch.';
COMMENT ON COLUMN promo.segment_membership.customer_id IS 'The member.';
COMMENT ON COLUMN promo.segment_membership.segment IS 'promo.segments.name.';
COMMENT ON COLUMN promo.segment_membership.valid_from IS
  'First instant of membership (inclusive); -infinity = since always.';
COMMENT ON COLUMN promo.segment_membership.valid_until IS
  'End of membership (exclusive); infinity = until the history changes.';

CREATE VIEW promo.segment_members AS
  SELECT m.segment, m.customer_id, m.valid_from, m.valid_until
    FROM promo.segment_membership m
   WHERE m.valid_from <= pg_catalog.now() AND pg_catalog.now() < m.valid_until;
COMMENT ON VIEW promo.segment_members IS
  'Current members of every segment: membership intervals that contain now().';
COMMENT ON COLUMN promo.segment_members.segment IS 'Segment name.';
COMMENT ON COLUMN promo.segment_members.customer_id IS 'Member.';
COMMENT ON COLUMN promo.segment_members.valid_from IS 'Member since (-infinity: always).';
COMMENT ON COLUMN promo.segment_members.valid_until IS
  'Member until, exclusive (infinity: until the history changes).';

CREATE VIEW promo.segment_sizes AS
  SELECT s.name AS segment, count(m.customer_id) AS members
    FROM promo.segments s
    LEFT JOIN promo.segment_membership m
      ON m.segment = s.name AND m.valid_from <= pg_catalog.now()
     AND pg_catalog.now() < m.valid_until
   GROUP BY s.name;
COMMENT ON VIEW promo.segment_sizes IS 'Every segment with its number of members at now() (0 included).';
COMMENT ON COLUMN promo.segment_sizes.segment IS 'Segment name.';
COMMENT ON COLUMN promo.segment_sizes.members IS 'Members at now().';

CREATE VIEW promo.customer_segments AS
  SELECT m.customer_id, array_agg(m.segment ORDER BY m.segment) AS segments
    FROM promo.segment_membership m
   WHERE m.valid_from <= pg_catalog.now() AND pg_catalog.now() < m.valid_until
   GROUP BY m.customer_id;
COMMENT ON VIEW promo.customer_segments IS
  'Every customer who is in at least one segment at now(), with those segments (sorted).';
COMMENT ON COLUMN promo.customer_segments.customer_id IS 'Customer.';
COMMENT ON COLUMN promo.customer_segments.segments IS 'Segments the customer is in at now().';

GRANT SELECT ON promo.segment_members, promo.segment_sizes, promo.customer_segments
  TO promo_reader;
GRANT SELECT ON promo.customer_membership, promo.segment_membership, promo.segment_members,
                promo.segment_sizes, promo.customer_segments
  TO promo_admin;
-- evaluate_cart reads the stored membership with its caller's rights.
GRANT SELECT ON promo.customer_membership, promo.segment_membership TO promo_app;

-- Saved by pg_dump without rows, as the old table was: promo's triggers recompute it while
-- segments, customers and events are restored.
SELECT pg_catalog.pg_extension_config_dump('promo.customer_membership', 'WHERE false');

-- ---------------------------------------------------------------------------------------------
-- Backup: the time zone
-- ---------------------------------------------------------------------------------------------
-- promo.settings is saved by pg_dump when its zone is not UTC. Restoring the row is an INSERT,
-- which the guard trigger carries out as set_timezone(zone): the one row takes the zone and the
-- membership is rebuilt in it.
SELECT pg_catalog.pg_extension_config_dump('promo.settings', 'WHERE timezone <> ''UTC''');
COMMENT ON FUNCTION promo.guard_settings() IS
  'Trigger: promo.settings is changed only through promo.set_timezone(); an INSERT of a row '
  '(pg_restore of a dump) is carried out as set_timezone(the row''s zone).';

-- ---------------------------------------------------------------------------------------------
-- Tracking
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION promo.lock_customer_history(customer_id text) RETURNS void
  LANGUAGE C VOLATILE
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_lock_customer_history';
COMMENT ON FUNCTION promo.lock_customer_history(text) IS
  'Takes, to the end of the transaction, the locks promo''s segment maintenance takes for one '
  'customer (SHARE on promo.segments, then the customer''s lock bucket): until then no other '
  'transaction changes the customer''s membership. promo.track uses it around its two reads.';
REVOKE ALL ON FUNCTION promo.lock_customer_history(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION promo.lock_customer_history(text) TO promo_app, promo_admin;

-- track: the "before" membership is read under the customer's locks (0.1 read it without them,
-- so a concurrent writer for the same customer could skew entered/left).
CREATE OR REPLACE FUNCTION promo.track(customer_id text, type text, properties jsonb DEFAULT '{}',
                            occurred_at timestamptz DEFAULT pg_catalog.now())
  RETURNS jsonb
  LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  segments_before text[];
  segments_after text[];
  available jsonb;
BEGIN
  -- The customer's maintenance locks first, so that no other transaction changes this
  -- customer's membership between the two reads. (A null customer is refused by the insert,
  -- with promo.events' own message.)
  IF track.customer_id IS NOT NULL THEN
    PERFORM promo.lock_customer_history(track.customer_id);
  END IF;
  -- Membership at the event's time, read before and after the insert; the insert's own
  -- maintenance triggers compute the change (segments are not evaluated twice).
  SELECT COALESCE(pg_catalog.array_agg(DISTINCT m.segment ORDER BY m.segment), '{}')
    INTO segments_before
    FROM promo.segment_membership m
   WHERE m.customer_id = track.customer_id
     AND m.valid_from <= track.occurred_at AND track.occurred_at < m.valid_until;
  INSERT INTO promo.events (customer_id, type, properties, occurred_at)
  VALUES (track.customer_id, track.type, track.properties, track.occurred_at);
  SELECT COALESCE(pg_catalog.array_agg(DISTINCT m.segment ORDER BY m.segment), '{}')
    INTO segments_after
    FROM promo.segment_membership m
   WHERE m.customer_id = track.customer_id
     AND m.valid_from <= track.occurred_at AND track.occurred_at < m.valid_until;
  -- The best tier of each promotion the customer can now get, in qualifications' order.
  SELECT COALESCE(pg_catalog.jsonb_agg(
           pg_catalog.jsonb_build_object('promotion', q.item -> 'promotion',
                                         'tier', q.item -> 'tier',
                                         'discount', q.item -> 'discount',
                                         'needs', q.item -> 'needs')
           OPERATOR(pg_catalog.||)
           CASE WHEN q.item ? 'code'
                THEN pg_catalog.jsonb_build_object('code', q.item -> 'code')
                ELSE '{}'::jsonb END
           ORDER BY q.position), '[]')
    INTO available
    FROM pg_catalog.jsonb_array_elements(
           promo.qualifications(track.customer_id, NULL, track.occurred_at))
         WITH ORDINALITY AS q(item, position);
  RETURN pg_catalog.jsonb_build_object(
    'entered', pg_catalog.to_jsonb(ARRAY(SELECT s FROM pg_catalog.unnest(segments_after) s
                                          EXCEPT SELECT s FROM pg_catalog.unnest(segments_before) s
                                          ORDER BY 1)),
    'left', pg_catalog.to_jsonb(ARRAY(SELECT s FROM pg_catalog.unnest(segments_before) s
                                       EXCEPT SELECT s FROM pg_catalog.unnest(segments_after) s
                                       ORDER BY 1)),
    'available', available);
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Redemptions
-- ---------------------------------------------------------------------------------------------

-- promo.customer_usage keeps its promotions by name without a foreign key. The key's check
-- share-locked the promotion's row for every customer's first redemption of it, so concurrent
-- redemptions of one promotion by distinct customers piled up multixacts on that row. redeem
-- now takes promo.customer_usage in ROW EXCLUSIVE mode before reading the promotions; deleting
-- or renaming a promotion takes it in SHARE ROW EXCLUSIVE mode first and cascades to the usage
-- rows afterwards (src/pg/usage_cascade.cpp), as the key did.
ALTER TABLE promo.customer_usage DROP CONSTRAINT customer_usage_promotion_fkey;

CREATE FUNCTION promo.promotion_usage_guard() RETURNS trigger
  LANGUAGE C SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS 'MODULE_PATHNAME', 'promo_promotion_usage_guard';
COMMENT ON FUNCTION promo.promotion_usage_guard() IS
  'Trigger on promo.promotions: before a promotion is deleted or renamed, waits for the '
  'redemptions in flight (SHARE ROW EXCLUSIVE on promo.customer_usage); after, deletes or '
  'renames its promo.customer_usage rows (after TRUNCATE: all of them). SECURITY DEFINER: '
  'whoever may change promotions keeps the usage rows right without writing them directly.';
CREATE TRIGGER usage_guard_before BEFORE DELETE OR UPDATE OF name ON promo.promotions
  FOR EACH ROW EXECUTE FUNCTION promo.promotion_usage_guard();
CREATE TRIGGER usage_guard_after AFTER DELETE OR UPDATE OF name ON promo.promotions
  FOR EACH ROW EXECUTE FUNCTION promo.promotion_usage_guard();
CREATE TRIGGER usage_guard_truncate AFTER TRUNCATE ON promo.promotions
  FOR EACH STATEMENT EXECUTE FUNCTION promo.promotion_usage_guard();


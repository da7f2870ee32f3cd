-- The BI views at now(): promo.segment_members (current members), promo.segment_sizes (every
-- segment, 0 included), promo.customer_segments (current segments per customer); members due
-- later by time alone are stored but not shown; the role promo_reader can read the views and
-- nothing else. The data is placed relative to a base instant taken at the start, so the output
-- does not depend on when the test runs (times are shown as offsets from the base).
CREATE EXTENSION promo;
SET TimeZone = 'UTC';

CREATE TABLE base AS SELECT date_trunc('second', now()) AS at;
CREATE FUNCTION rel(t timestamptz) RETURNS text LANGUAGE sql AS $$
  SELECT CASE WHEN isfinite(t) THEN (t - (SELECT at FROM base))::text ELSE t::text END
$$;
\i sql/include/error_of.sql

INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-cart', 'last(''cart_abandoned'') > last(''order_placed'')'),
  ('abandoned-2-days', 'last(''cart_abandoned'') > last(''order_placed'')
                        and last(''cart_abandoned'') <= now() - ''2 days'''),
  ('polish', 'customer.country = ''PL'''),
  ('recent-signup', 'now() < signed_up_at + ''1 hour'''),
  ('referrers', 'count(''referral_completed'') >= 1');

-- v1 abandoned an hour ago: abandoned-cart now; abandoned-2-days from base + 47 hours (stored,
--    not shown yet).
-- v2 abandoned 3 days ago and ordered 12 hours ago: abandoned-cart [-3 days, -12 hours) and
--    abandoned-2-days [-1 day, -12 hours), both over.
-- v3 signed up a minute ago, from Poland: polish [-infinity, infinity), recent-signup
--    [-1 minute, +59 minutes).
-- v4 abandons tomorrow (an event dated in the future): abandoned-cart from +1 day and
--    abandoned-2-days from +3 days, neither shown yet.
INSERT INTO promo.events (customer_id, type, occurred_at)
SELECT c, t, (SELECT at FROM base) + o FROM (VALUES
  ('v1', 'cart_abandoned', interval '-1 hour'),
  ('v2', 'cart_abandoned', interval '-3 days'),
  ('v2', 'order_placed', interval '-12 hours'),
  ('v4', 'cart_abandoned', interval '1 day')) AS e(c, t, o);
INSERT INTO promo.customers (customer_id, signed_up_at, attributes)
  SELECT 'v3', at - interval '1 minute', '{"country": "PL"}' FROM base;

-- Everything stored, as offsets from the base.
SELECT customer_id, segment, rel(valid_from) AS valid_from, rel(valid_until) AS valid_until
  FROM promo.segment_membership ORDER BY customer_id, segment, valid_from;
-- What the views show now.
SELECT segment, customer_id, rel(valid_from) AS valid_from, rel(valid_until) AS valid_until
  FROM promo.segment_members ORDER BY segment, customer_id;
SELECT segment, members FROM promo.segment_sizes ORDER BY segment;
SELECT customer_id, segments FROM promo.customer_segments ORDER BY customer_id;
-- evaluate_cart at the instants where the stored intervals begin and end agrees with them.
INSERT INTO promo.promotions (name, currency) VALUES ('come-back-10', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '$10 off', 'in_segment(''abandoned-2-days'')', '{"amount_off": 1000}');
SELECT o, promo.evaluate_cart('v1',
         '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 10000}]}',
         at => (SELECT at FROM base) + o)->>'discount' AS discount
  FROM (VALUES (interval '47 hours' - interval '1 microsecond'), (interval '47 hours')) v(o);
SELECT * FROM promo.verify_segments();

-- Every view is commented.
SELECT c.relname, obj_description(c.oid, 'pg_class') IS NOT NULL AS commented
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'promo' AND c.relkind = 'v' ORDER BY c.relname;

-- promo_reader: the views, and nothing else.
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = 'promo_reader';
CREATE TABLE public.shop_orders (customer_id text, created_at timestamptz);
SET ROLE promo_reader;
SELECT segment, members FROM promo.segment_sizes ORDER BY segment;
SELECT count(*) AS current_members FROM promo.segment_members;
SELECT count(*) AS customers_with_segments FROM promo.customer_segments;
SELECT error_of('SELECT count(*) FROM promo.segment_membership');
SELECT error_of('SELECT count(*) FROM promo.events');
SELECT error_of('SELECT count(*) FROM promo.customers');
SELECT error_of('SELECT count(*) FROM promo.segments');
SELECT error_of('SELECT count(*) FROM promo.promotions');
SELECT error_of($$INSERT INTO promo.events (customer_id, type, occurred_at)
                  VALUES ('v1', 'order_placed', now())$$);
SELECT error_of($$INSERT INTO promo.segments (name, definition) VALUES ('all', 'true')$$);
SELECT error_of($$UPDATE promo.customers SET attributes = '{}'$$);
SELECT error_of($$SELECT promo.track_events('public.shop_orders',
                  customer_column => 'customer_id', type => 'order_placed',
                  time_column => 'created_at')$$);
RESET ROLE;
SELECT segment, members FROM promo.segment_sizes ORDER BY segment;

DROP TABLE public.shop_orders;
DROP FUNCTION rel(timestamptz);
DROP TABLE base;
DROP FUNCTION error_of(text);
DROP EXTENSION promo;

-- promo ingest benchmark data (run by bench/ingest.sh in a database of its own): 20 segments
-- over 5 event types and customer fields, 100,000 customers, and 1,000,000 events written to
-- a file the runner COPYs twice. Deterministic (setseed), so every run measures the same work.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

-- 20 realistic segments: cart abandonment, orders, browsing, coupons, referrals, sign-up and
-- attributes, one reading two others.
INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-cart', 'last(''cart_abandoned'') > last(''order_placed'')'),
  ('abandoned-2-days', 'last(''cart_abandoned'') > last(''order_placed'')
                        and last(''cart_abandoned'') <= now() - ''2 days'''),
  ('abandoned-this-week', 'count(''cart_abandoned'', since => start_of_week()) >= 1'),
  ('ordered-once', 'count(''order_placed'') >= 1'),
  ('repeat-buyer', 'count(''order_placed'') >= 3'),
  ('ordered-this-month', 'count(''order_placed'', since => start_of_month()) >= 1'),
  ('ordered-in-30-days', 'count(''order_placed'', within => ''30 days'') >= 1'),
  ('lapsed-buyer', 'count(''order_placed'') >= 1 and last(''order_placed'') < now() - ''14 days'''),
  ('browser-this-week', 'count(''page_view'', within => ''7 days'') >= 5'),
  ('heavy-browser', 'count(''page_view'') >= 10'),
  ('browsed-today', 'last(''page_view'') >= start_of_day()'),
  ('viewed-not-bought', 'last(''page_view'') > last(''order_placed'')
                         and count(''page_view'', within => ''1 day'') >= 3'),
  ('redeemed-this-month', 'count(''coupon_redeemed'', since => start_of_month()) >= 1'),
  ('coupon-fan', 'count(''coupon_redeemed'') >= 2'),
  ('referrers', 'count(''referral_completed'') >= 1'),
  ('new-this-week', 'signed_up_at >= start_of_week()'),
  ('new-this-month', 'signed_up_at >= start_of_month()'),
  ('polish', 'customer.country = ''PL'''),
  ('gold', 'customer.tier = ''gold'''),
  ('loyal-referrer', 'in_segment(''referrers'') and in_segment(''repeat-buyer'')');

-- 100,000 customers b000001 .. b100000, signed up during 2026, in 5 countries and 3 tiers.
SELECT setseed(0.31);
INSERT INTO promo.customers (customer_id, signed_up_at, attributes)
SELECT 'b' || lpad(i::text, 6, '0'),
       timestamptz '2026-01-01 00:00+00' + floor(random() * 334 * 86400) * interval '1 second',
       jsonb_build_object('country', (ARRAY['PL', 'DE', 'FR', 'US', 'GB'])[1 + i % 5],
                          'tier', (ARRAY['gold', 'silver', 'bronze'])[1 + i % 3])
  FROM generate_series(1, 100000) AS i;

-- The table without triggers: same columns, defaults, constraints and indexes (LIKE ...
-- INCLUDING ALL copies no triggers).
DROP SCHEMA IF EXISTS bench_ingest CASCADE;
CREATE SCHEMA bench_ingest;
CREATE TABLE bench_ingest.events (LIKE promo.events INCLUDING ALL);

-- 1,000,000 events: 10 per customer on average (customers drawn at random), in time order
-- across November 2026 as a live stream would deliver them; types 60% page_view,
-- 15% cart_abandoned, 15% order_placed, 7% coupon_redeemed, 3% referral_completed.
SELECT setseed(0.73);
CREATE TABLE bench_ingest.stream AS
SELECT 'b' || lpad((1 + floor(random() * 100000))::int::text, 6, '0') AS customer_id,
       CASE WHEN r < 0.60 THEN 'page_view'
            WHEN r < 0.75 THEN 'cart_abandoned'
            WHEN r < 0.90 THEN 'order_placed'
            WHEN r < 0.97 THEN 'coupon_redeemed'
            ELSE 'referral_completed' END AS type,
       timestamptz '2026-11-01 00:00+00' + floor(random() * 30 * 86400) * interval '1 second'
         AS occurred_at,
       jsonb_build_object('n', n) AS properties
  FROM (SELECT n, random() AS r FROM generate_series(1, 1000000) AS n) s;

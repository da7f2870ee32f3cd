-- promo track benchmark data (run by bench/track.sh in a database of its own): 5 segments over
-- 3 event types, 10,000 customers with 10 events each (promotions: bench/track_promotions.sql).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-cart', 'last(''cart_abandoned'') > last(''order_placed'')'),
  ('ordered-once', 'count(''order_placed'') >= 1'),
  ('repeat-buyer', 'count(''order_placed'') >= 3'),
  ('heavy-browser', 'count(''page_view'') >= 10'),
  ('browsed-in-7-days', 'count(''page_view'', within => ''7 days'') >= 1');
SELECT setseed(0.42);
INSERT INTO promo.customers (customer_id, signed_up_at)
SELECT 't' || lpad(i::text, 6, '0'), timestamptz '2026-10-01 00:00+00' + i * interval '1 minute'
  FROM generate_series(1, 10000) i;
INSERT INTO promo.events (customer_id, type, occurred_at)
SELECT 't' || lpad((1 + (n % 10000))::text, 6, '0'),
       (ARRAY['page_view', 'cart_abandoned', 'order_placed'])[1 + floor(random() * 3)::int],
       timestamptz '2026-11-01 00:00+00' + floor(random() * 2592000) * interval '1 second'
  FROM generate_series(0, 99999) n;
ANALYZE;

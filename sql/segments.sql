-- Customers, events and materialized segments: the contract statements verbatim, membership
-- intervals at fixed instants, promotions gated by segments evaluated at chosen `at` values,
-- a tracked application table, bad input, definition changes, and verify_segments() empty
-- after every step.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';
SELECT timezone FROM promo.settings;

-- The contract statements (api.md), verbatim.
INSERT INTO promo.customers (customer_id, signed_up_at, attributes)
  VALUES ('alice', now(), '{"country": "PL"}');
INSERT INTO promo.events (customer_id, type, occurred_at, properties)
  VALUES ('alice', 'cart_abandoned', now(), '{"cart_value": 4200}');
INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-cart',      'last(''cart_abandoned'') > last(''order_placed'')'),
  ('abandoned-2-days',    'last(''cart_abandoned'') > last(''order_placed'')
                           and last(''cart_abandoned'') <= now() - ''2 days'''),
  ('new-this-week',       'signed_up_at >= start_of_week()'),
  ('redeemed-this-month', 'count(''coupon_redeemed'', since => start_of_month()) >= 1'),
  ('referrers',           'count(''referral_completed'') >= 1');
CREATE TABLE public.orders (
  order_id    bigint PRIMARY KEY,
  customer_id text NOT NULL,
  created_at  timestamptz NOT NULL,
  total       bigint NOT NULL
);
SELECT promo.track_events('public.orders', customer_column => 'customer_id',
                          type => 'order_placed', time_column => 'created_at');

-- Alice's membership, relative to her sign-up and her abandonment (now() of those statements):
-- abandoned-cart from the abandonment on, abandoned-2-days from two days later, new-this-week
-- from the sign-up until the start of next week (a Monday, 00:00 UTC).
SELECT m.segment,
       m.valid_from = e.occurred_at AS from_abandonment,
       m.valid_from = e.occurred_at + interval '2 days' AS from_two_days_later,
       m.valid_from = c.signed_up_at AS from_sign_up,
       m.valid_until = 'infinity' AS open_ended,
       m.valid_until = date_trunc('week', c.signed_up_at) + interval '1 week' AS until_next_monday
  FROM promo.segment_membership m
  JOIN promo.customers c USING (customer_id)
  JOIN promo.events e USING (customer_id)
 WHERE customer_id = 'alice' AND e.type = 'cart_abandoned' ORDER BY m.segment;

-- Bob, at fixed instants: signed up on Wednesday 2024-02-28 (a leap year), redeemed a coupon on
-- 2024-02-10, referred someone in January, abandoned a cart on 2024-02-29 and ordered on
-- 2024-03-03 through the tracked orders table.
INSERT INTO promo.customers (customer_id, signed_up_at) VALUES ('bob', '2024-02-28 10:00+00');
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES
  ('bob', 'coupon_redeemed', '2024-02-10 08:00+00'),
  ('bob', 'referral_completed', '2024-01-05 12:00+00'),
  ('bob', 'cart_abandoned', '2024-02-29 12:00+00');
SELECT segment, valid_from, valid_until FROM promo.segment_membership
 WHERE customer_id = 'bob' ORDER BY segment, valid_from;
INSERT INTO public.orders VALUES (1001, 'bob', '2024-03-03 09:00+00', 5000);
SELECT customer_id, type, occurred_at, source, source_key FROM promo.events
 WHERE source IS NOT NULL ORDER BY event_id;
SELECT segment, valid_from, valid_until FROM promo.segment_membership
 WHERE customer_id = 'bob' ORDER BY segment, valid_from;
SELECT * FROM promo.verify_segments();

-- A promotion gated by a segment: $10 off for abandoned carts.
INSERT INTO promo.promotions (name, currency) VALUES ('come-back-10', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('come-back-10', '$10 off', 'in_segment(''abandoned-cart'')', '{"amount_off": 1000}');
\set cart '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 5000}]}'
SELECT at, r->'applied' AS applied, r->'not_applied' AS not_applied
  FROM (VALUES (timestamptz '2024-02-29 11:59:59+00'), ('2024-02-29 12:00+00'),
               ('2024-03-03 08:59:59+00'), ('2024-03-03 09:00+00')) AS t (at),
       LATERAL promo.evaluate_cart('bob', :'cart', at => t.at) AS r;
-- T6: 10% for customers who signed up this week, gone at the start of next week (Monday).
INSERT INTO promo.promotions (name, currency) VALUES ('welcome-10', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('welcome-10', '10% this week', 'in_segment(''new-this-week'')', '{"percent_off": 10}');
SELECT at, r->>'discount' AS discount,
       (SELECT string_agg(a->>'promotion', ', ') FROM jsonb_array_elements(r->'applied') a) AS applied
  FROM (VALUES (timestamptz '2024-02-28 09:59:59+00'), ('2024-02-28 10:00+00'),
               ('2024-03-03 23:59:59.999999+00'), ('2024-03-04 00:00+00')) AS t (at),
       LATERAL promo.evaluate_cart('bob', :'cart', at => t.at) AS r;
DELETE FROM promo.promotions WHERE name = 'welcome-10';
-- A guest and an unknown customer are in no segment.
SELECT promo.evaluate_cart(NULL, :'cart')->'not_applied' AS guest,
       promo.evaluate_cart('nobody', :'cart')->'not_applied' AS unknown;
-- A tier naming an unknown segment is rejected.
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('come-back-10', 'typo', 'in_segment(''abandoned-kart'')', '{"amount_off": 100}');

-- Bad definitions: positioned errors, unknown segment, cycle.
INSERT INTO promo.segments (name, definition) VALUES ('typo', 'lst(''x'') > now()');
INSERT INTO promo.segments (name, definition) VALUES ('cart-total', 'subtotal > 10');
INSERT INTO promo.segments (name, definition) VALUES ('loop', 'in_segment(''loop2'')');
INSERT INTO promo.segments (name, definition) VALUES ('loop-a', 'count(''x'') > 1');
INSERT INTO promo.segments (name, definition) VALUES ('loop-b', 'in_segment(''loop-a'')');
UPDATE promo.segments SET definition = 'in_segment(''loop-b'')' WHERE name = 'loop-a';
DELETE FROM promo.segments WHERE name IN ('loop-a', 'loop-b');
DELETE FROM promo.segments WHERE name = 'loop-b';
DELETE FROM promo.segments WHERE name = 'loop-a';
-- Segments in use cannot be deleted or renamed.
DELETE FROM promo.segments WHERE name = 'abandoned-cart';
UPDATE promo.segments SET name = 'abandoned' WHERE name = 'abandoned-cart';

-- Changing a definition rebuilds its membership (NOTICE per batch of customers).
UPDATE promo.segments SET definition = 'count(''referral_completed'') >= 2'
 WHERE name = 'referrers';
SELECT count(*) AS referrer_rows FROM promo.segment_membership WHERE segment = 'referrers';
UPDATE promo.segments SET definition = 'count(''referral_completed'') >= 1'
 WHERE name = 'referrers';
SELECT segment, valid_from, valid_until FROM promo.segment_membership
 WHERE segment = 'referrers' ORDER BY customer_id;

-- Deleting and updating tracked rows removes or replaces their events.
UPDATE public.orders SET created_at = '2024-03-05 09:00+00' WHERE order_id = 1001;
SELECT segment, valid_from, valid_until FROM promo.segment_membership
 WHERE customer_id = 'bob' AND segment LIKE 'abandoned%' ORDER BY segment;
DELETE FROM public.orders WHERE order_id = 1001;
SELECT count(*) AS mirrored FROM promo.events WHERE source = 'public.orders';
SELECT segment, valid_from, valid_until FROM promo.segment_membership
 WHERE customer_id = 'bob' AND segment LIKE 'abandoned%' ORDER BY segment;
SELECT * FROM promo.verify_segments();

-- Bad input: clear errors, nothing written.
\set VERBOSITY terse
INSERT INTO promo.events (customer_id, type) VALUES (NULL, 'x');
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES ('bob', 'x', '3000-01-01');
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES ('bob', 'x', 'infinity');
INSERT INTO promo.events (customer_id, type, properties) VALUES ('bob', 'x', '[1]');
INSERT INTO promo.events (customer_id, type) VALUES ('bob', '');
INSERT INTO promo.customers (customer_id, attributes) VALUES ('carol', '"vip"');
INSERT INTO promo.customers (customer_id) VALUES ('');
INSERT INTO promo.customers (customer_id, signed_up_at) VALUES ('carol', '1800-01-01');
SELECT count(*) AS events_of_x FROM promo.events WHERE type = 'x';
SELECT promo.set_timezone('Mars/Olympus_Mons');
-- track_events: already tracked, unknown column, bad types, type and type_column both or none.
SELECT promo.track_events('public.orders', customer_column => 'customer_id', type => 'x');
SELECT promo.untrack_events('public.orders');
SELECT promo.untrack_events('public.orders');
SELECT promo.track_events('public.orders', customer_column => 'buyer', type => 'x');
SELECT promo.track_events('public.orders', customer_column => 'customer_id');
SELECT promo.track_events('public.orders', customer_column => 'customer_id', type => 'x',
                          type_column => 'customer_id');
SELECT promo.track_events('public.orders', customer_column => 'customer_id', type => 'x',
                          time_column => 'total');
SELECT promo.track_events('public.orders', customer_column => 'created_at', type => 'x');
SELECT promo.track_events('promo.segment_members', customer_column => 'customer_id', type => 'x');
\set VERBOSITY default
-- Backfill: tracking a table with rows mirrors them once; properties_columns are copied.
INSERT INTO public.orders VALUES (1002, 'bob', '2024-03-10 10:00+00', 7500);
SELECT promo.track_events('public.orders', customer_column => 'customer_id',
                          type => 'order_placed', time_column => 'created_at',
                          properties_columns => ARRAY['total']);
SELECT customer_id, type, occurred_at, properties, source, source_key FROM promo.events
 WHERE source IS NOT NULL ORDER BY event_id;
SELECT promo.untrack_events('public.orders', keep_events => false);
SELECT count(*) AS mirrored FROM promo.events WHERE source IS NOT NULL;
SELECT * FROM promo.verify_segments();

-- Views for BI at now(): alice abandoned her cart and signed up this week; bob refers.
SELECT * FROM promo.segment_sizes ORDER BY segment;
SELECT segment, customer_id FROM promo.segment_members ORDER BY segment, customer_id;
SELECT * FROM promo.customer_segments ORDER BY customer_id;

-- Deleting a customer's events and row leaves no membership behind.
DELETE FROM promo.events WHERE customer_id = 'bob';
DELETE FROM promo.customers WHERE customer_id = 'bob';
SELECT count(*) AS bob_rows FROM promo.segment_membership WHERE customer_id = 'bob';
SELECT * FROM promo.verify_segments();

DROP TABLE public.orders;
DROP EXTENSION promo;

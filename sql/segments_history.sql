-- Every history function of the rule language in segment definitions and in promotion
-- conditions: count, count since =>, count within =>, last (-infinity when none), now(),
-- start_of_day/week/month(), interval arithmetic, signed_up_at, customer.<attribute>,
-- in_segment() inside a definition. Membership rows are worked out by hand below each segment.
--
-- Customers (all times UTC; 2026-11-02 is a Monday):
--   alice  promo.customers row: signed up Mon 2026-11-02 09:00,
--          attributes {"country": "PL", "orders_before": 4}
--          order_placed    Tue 11-03 10:00, Tue 11-10 10:00, Fri 11-20 10:00
--          cart_abandoned  Wed 11-18 08:00
--   bob    no promo.customers row; cart_abandoned Thu 11-05 12:00
--   carol  promo.customers row: signed_up_at NULL, attributes {"country": "DE"}; no events
CREATE EXTENSION promo;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

INSERT INTO promo.segments (name, definition) VALUES
  -- alice [11-18 08:00, 11-20 10:00): from the abandonment until the next order.
  -- bob   [11-05 12:00, infinity): last('order_placed') is -infinity, he never ordered.
  ('abandoned-cart', 'last(''cart_abandoned'') > last(''order_placed'')'),
  -- alice [11-20 08:00, 11-20 10:00): 2 days after the abandonment until the order.
  -- bob   [11-07 12:00, infinity).
  ('abandoned-2-days', 'last(''cart_abandoned'') > last(''order_placed'')
                        and last(''cart_abandoned'') <= now() - ''2 days'''),
  -- alice [11-20 10:00, infinity): the third order.
  ('three-orders', 'count(''order_placed'') >= 3'),
  -- alice [11-10 10:00, 12-01 00:00): the second November order until December starts.
  ('two-orders-this-month', 'count(''order_placed'', since => start_of_month()) >= 2'),
  -- alice [11-10 10:00, 11-11 10:00:00.000001): the 11-03 order stays inside the window
  -- [now() - 8 days, now()] up to and including now() = 11-11 10:00 (both ends inclusive).
  ('two-orders-in-8-days', 'count(''order_placed'', within => ''8 days'') >= 2'),
  -- Orders since the latest abandonment (all orders while there is none: since -infinity).
  -- alice [11-03 10:00, 11-18 08:00) and [11-20 10:00, infinity); bob never.
  ('ordered-since-abandoning', 'count(''order_placed'', since => last(''cart_abandoned'')) >= 1'),
  -- last >= now() - 2 days holds up to and including last + 2 days.
  -- alice [11-03 10:00, 11-05 10:00:00.000001), [11-10 10:00, 11-12 10:00:00.000001),
  --       [11-20 10:00, 11-22 10:00:00.000001).
  ('ordered-in-2-days', 'last(''order_placed'') >= now() - ''2 days'''),
  -- alice [11-03 10:00, 11-04 00:00), [11-10 10:00, 11-11 00:00), [11-20 10:00, 11-21 00:00).
  ('ordered-today', 'last(''order_placed'') >= start_of_day()'),
  -- Weeks start on Monday: alice [11-03 10:00, 11-09 00:00), [11-10 10:00, 11-16 00:00),
  -- [11-20 10:00, 11-23 00:00).
  ('ordered-this-week', 'count(''order_placed'', since => start_of_week()) >= 1'),
  -- True while there is no order at all (-infinity < anything), and again 30 days and a
  -- microsecond after the last one.
  -- alice [-infinity, 11-03 10:00), [12-20 10:00:00.000001, infinity)
  -- bob   [-infinity, infinity); carol [-infinity, infinity)
  ('lapsed-30-days', 'last(''order_placed'') < now() - ''30 days'''),
  -- signed_up_at reads as null before the sign-up: alice [11-02 09:00, 11-09 00:00);
  -- carol (signed_up_at NULL) and bob (no row) never.
  ('new-this-week', 'signed_up_at >= start_of_week()'),
  -- alice [11-02 09:00, 11-03 21:00).
  ('first-36-hours', 'now() < signed_up_at + ''1 day 12 hours'''),
  -- Attributes do not depend on time: alice [-infinity, infinity).
  ('polish', 'customer.country = ''PL'''),
  ('regular-before', 'customer.orders_before >= 4'),
  -- alice [11-20 10:00, infinity) (three-orders and polish).
  ('polish-three-orders', 'in_segment(''three-orders'') and in_segment(''polish'')'),
  -- From 90 minutes after the latest abandonment until a week after it (time + interval).
  -- alice [11-18 09:30, 11-25 08:00); bob [11-05 13:30, 11-12 12:00).
  ('abandoned-90-minutes-ago', 'last(''cart_abandoned'') + ''90 minutes'' <= now()
                                and now() < last(''cart_abandoned'') + ''1 week''');

-- Customers and events arrive in no particular order; membership is maintained per statement.
INSERT INTO promo.customers (customer_id, signed_up_at, attributes) VALUES
  ('alice', '2026-11-02 09:00+00', '{"country": "PL", "orders_before": 4}'),
  ('carol', NULL, '{"country": "DE"}');
INSERT INTO promo.events (customer_id, type, occurred_at, properties)
  VALUES ('alice', 'order_placed', '2026-11-20 10:00+00', '{"order": 3}');
INSERT INTO promo.events (customer_id, type, occurred_at, properties) VALUES
  ('alice', 'order_placed', '2026-11-03 10:00+00', '{"order": 1}'),
  ('bob', 'cart_abandoned', '2026-11-05 12:00+00', '{"cart_value": 4200}');
INSERT INTO promo.events (customer_id, type, occurred_at, properties) VALUES
  ('alice', 'order_placed', '2026-11-10 10:00+00', '{"order": 2}'),
  ('alice', 'cart_abandoned', '2026-11-18 08:00+00', '{"cart_value": 9900}');

SELECT customer_id, segment, valid_from, valid_until
  FROM promo.segment_membership ORDER BY customer_id, segment, valid_from;
SELECT * FROM promo.verify_segments();

-- The same functions in promotion conditions, evaluated directly at `at` (one promotion per
-- function, $1.00 off each, all stacking). Shown: which applied and why the others did not.
CREATE FUNCTION outcome(customer text, at timestamptz) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT format('applied: %s', coalesce(string_agg(a->>'promotion', ', ' ORDER BY n), '-'))
    FROM promo.evaluate_cart(customer,
           '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 10000}]}',
           at => at) r,
         jsonb_array_elements(r->'applied') WITH ORDINALITY x(a, n)
  UNION ALL
  SELECT format('not applied: %s', coalesce(string_agg(
           format('%s [%s]', a->>'promotion', a->>'reason_code'), ', ' ORDER BY n), '-'))
    FROM promo.evaluate_cart(customer,
           '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 10000}]}',
           at => at) r,
         jsonb_array_elements(r->'not_applied') WITH ORDINALITY x(a, n)
$$;

INSERT INTO promo.promotions (name, currency) VALUES
  ('p-count', 'USD'), ('p-since', 'USD'), ('p-within', 'USD'), ('p-last', 'USD'),
  ('p-no-abandon', 'USD'), ('p-segment', 'USD'), ('p-member-week', 'USD'),
  ('p-attribute', 'USD'), ('p-today', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('p-count', 't', 'count(''order_placed'') >= 2', '{"amount_off": 100}'),
  ('p-since', 't', 'count(''order_placed'', since => start_of_month()) >= 1',
   '{"amount_off": 100}'),
  ('p-within', 't', 'count(''order_placed'', within => ''30 seconds'') >= 1',
   '{"amount_off": 100}'),
  ('p-last', 't', 'last(''order_placed'') >= now() - ''1 week''', '{"amount_off": 100}'),
  -- -infinity (no abandonment yet) is before any sign-up; a null signed_up_at compares false.
  ('p-no-abandon', 't', 'last(''cart_abandoned'') < signed_up_at', '{"amount_off": 100}'),
  ('p-segment', 't', 'in_segment(''abandoned-cart'')', '{"amount_off": 100}'),
  ('p-member-week', 't', 'signed_up_at <= now() - ''1 week''', '{"amount_off": 100}'),
  ('p-attribute', 't', 'customer.country = ''PL'' and subtotal >= 50.00', '{"amount_off": 100}'),
  ('p-today', 't', 'last(''order_placed'') >= start_of_day()', '{"amount_off": 100}');

-- 11-02 12:00, no order yet: only p-no-abandon (-infinity < 11-02 09:00) and p-attribute.
SELECT outcome('alice', '2026-11-02 12:00+00');
-- 11-10 10:00:20, twenty seconds after the second order: everything but p-segment (a week
-- after the sign-up was 11-09 09:00, so p-member-week applies).
SELECT outcome('alice', '2026-11-10 10:00:20+00');
-- 11-10 10:00:30: the order is exactly 30 seconds old, still within (inclusive).
SELECT outcome('alice', '2026-11-10 10:00:30+00');
-- 11-10 10:00:30.000001: p-within is gone.
SELECT outcome('alice', '2026-11-10 10:00:30.000001+00');
-- 11-19 00:00: in abandoned-cart now (p-segment), p-no-abandon gone (11-18 > 11-02),
-- p-last gone (11-10 10:00 < 11-12 00:00), p-within and p-today gone.
SELECT outcome('alice', '2026-11-19 00:00+00');
-- 12-01 00:00: a new month: p-since gone; the 11-20 order left abandoned-cart; left:
-- p-count, p-member-week, p-attribute.
SELECT outcome('alice', '2026-12-01 00:00+00');
-- carol: no history, no sign-up time, country DE: nothing applies.
SELECT outcome('carol', '2026-11-19 00:00+00');
-- A guest: no history, no attributes, in no segment.
SELECT outcome(NULL, '2026-11-19 00:00+00');
-- bob has no customers row but has history: in abandoned-cart (p-segment only).
SELECT outcome('bob', '2026-11-19 00:00+00');
-- The reason for a missing segment names it.
SELECT x->>'reason_code', x->>'reason'
  FROM jsonb_array_elements(promo.evaluate_cart('carol',
         '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 10000}]}',
         at => '2026-11-19 00:00+00')->'not_applied') x
 WHERE x->>'promotion' = 'p-segment';

SELECT * FROM promo.verify_segments();

DROP FUNCTION outcome(text, timestamptz);
DROP EXTENSION promo;

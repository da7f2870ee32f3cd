-- The segment side of tactics T1, T4 and T6 end to end: events and customers written with plain
-- SQL, segments maintained by promo, promotions gated by in_segment(), evaluated at chosen
-- instants with evaluate_cart(..., at => t). Cart: one line of 100.00 USD (10000 cents).
CREATE EXTENSION promo;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- One line per fact of a result, in a stable order.
CREATE FUNCTION show_result(r jsonb) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT line FROM (
    SELECT 1 AS part, 0::bigint AS n,
           format('%s subtotal %s, discount %s, total %s',
                  r->>'currency', r->>'subtotal', r->>'discount', r->>'total') AS line
    UNION ALL
    SELECT 2, a.n, format('applied %s / %s: %s', a.v->>'promotion', a.v->>'tier', a.v->>'discount')
      FROM jsonb_array_elements(r->'applied') WITH ORDINALITY a(v, n)
    UNION ALL
    SELECT 4, x.n, format('not_applied %s [%s]: %s', x.v->>'promotion', x.v->>'reason_code',
                          x.v->>'reason')
      FROM jsonb_array_elements(r->'not_applied') WITH ORDINALITY x(v, n)
  ) s ORDER BY part, n
$$;
CREATE FUNCTION cart() RETURNS jsonb LANGUAGE sql AS $$
  SELECT '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 10000}]}'::jsonb
$$;

-- The api.md segments.
INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-cart',      'last(''cart_abandoned'') > last(''order_placed'')'),
  ('abandoned-2-days',    'last(''cart_abandoned'') > last(''order_placed'')
                           and last(''cart_abandoned'') <= now() - ''2 days'''),
  ('new-this-week',       'signed_up_at >= start_of_week()'),
  ('redeemed-this-month', 'count(''coupon_redeemed'', since => start_of_month()) >= 1'),
  ('referrers',           'count(''referral_completed'') >= 1');

-- T1: $10 off for customers who abandoned their cart (once per customer: the limit is enforced
-- at redemption).
INSERT INTO promo.promotions (name, currency) VALUES ('come-back-10', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '$10 off', 'in_segment(''abandoned-cart'')', '{"amount_off": 1000}');
-- T4: 15% off if the customer redeemed a coupon this month or referred someone.
INSERT INTO promo.promotions (name, currency) VALUES ('loyal-15', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('loyal-15', '15%', 'in_segment(''redeemed-this-month'') or in_segment(''referrers'')',
          '{"percent_off": 15}');
-- T6: 10% off if signed up this week.
INSERT INTO promo.promotions (name, currency) VALUES ('welcome-10', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('welcome-10', '10%', 'in_segment(''new-this-week'')', '{"percent_off": 10}');

-- T1. alice (a customer since 2026-10-01) abandons her cart on Wednesday 11-18 08:00.
INSERT INTO promo.customers (customer_id, signed_up_at, attributes)
  VALUES ('alice', '2026-10-01 09:00+00', '{"country": "PL"}');
INSERT INTO promo.events (customer_id, type, occurred_at, properties)
  VALUES ('alice', 'cart_abandoned', '2026-11-18 08:00+00', '{"cart_value": 4200}');
-- 11-19 12:00: $10 off: 10000 -> 9000; loyal-15 and welcome-10 do not apply.
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-19 12:00+00'));
-- She orders on 11-20 10:00.
INSERT INTO promo.events (customer_id, type, occurred_at, properties)
  VALUES ('alice', 'order_placed', '2026-11-20 10:00+00', '{"order_id": "o-1"}');
-- 11-21 12:00: no longer in the segment: not_applied come-back-10 [not_in_segment].
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-21 12:00+00'));
-- The past does not change: on 11-19 12:00 she was still in it, and the last microsecond
-- before the order too; at the order itself she is not.
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-19 12:00+00'));
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-20 09:59:59.999999+00'));
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-20 10:00+00'));
-- T1b's segment: in abandoned-2-days on [11-20 08:00, 11-20 10:00).
SELECT customer_id, segment, valid_from, valid_until FROM promo.segment_membership
 WHERE customer_id = 'alice' ORDER BY segment, valid_from;

-- T4. bob redeems a coupon on Monday 11-30 23:00 (a customer since 2026-01-05, never
-- referred anyone): 15% until December starts, then nothing.
INSERT INTO promo.customers (customer_id, signed_up_at) VALUES ('bob', '2026-01-05 09:00+00');
INSERT INTO promo.events (customer_id, type, occurred_at, properties)
  VALUES ('bob', 'coupon_redeemed', '2026-11-30 23:00+00', '{"code": "SPRING-7XK2"}');
-- 11-30 22:59:59.999999, before the redemption: nothing.
SELECT show_result(promo.evaluate_cart('bob', cart(), at => '2026-11-30 22:59:59.999999+00'));
-- 11-30 23:59:59.999999: 15% off: 1500, total 8500.
SELECT show_result(promo.evaluate_cart('bob', cart(), at => '2026-11-30 23:59:59.999999+00'));
-- 12-01 00:00: a new month, nothing.
SELECT show_result(promo.evaluate_cart('bob', cart(), at => '2026-12-01 00:00+00'));
-- carol referred someone on 2026-06-10: 15% from then on, at any later time.
INSERT INTO promo.events (customer_id, type, occurred_at, properties)
  VALUES ('carol', 'referral_completed', '2026-06-10 15:00+00', '{"referred": "dan"}');
SELECT show_result(promo.evaluate_cart('carol', cart(), at => '2026-12-01 00:00+00'));
SELECT show_result(promo.evaluate_cart('carol', cart(), at => '2026-06-10 14:59:59.999999+00'));
SELECT customer_id, segment, valid_from, valid_until FROM promo.segment_membership
 WHERE customer_id IN ('bob', 'carol') ORDER BY customer_id, segment, valid_from;

-- T6. erin signs up on Wednesday 11-25 10:00: 10% off (1000) until Monday 11-30 00:00.
INSERT INTO promo.customers (customer_id, signed_up_at) VALUES ('erin', '2026-11-25 10:00+00');
SELECT show_result(promo.evaluate_cart('erin', cart(), at => '2026-11-25 10:00+00'));
SELECT show_result(promo.evaluate_cart('erin', cart(), at => '2026-11-29 23:59:59.999999+00'));
SELECT show_result(promo.evaluate_cart('erin', cart(), at => '2026-11-30 00:00+00'));
SELECT customer_id, segment, valid_from, valid_until FROM promo.segment_membership
 WHERE customer_id = 'erin' ORDER BY segment, valid_from;

-- All three at once: erin also abandons a cart on 11-26 and redeems a coupon on 11-27. On
-- 11-28 every promotion applies, stacked in creation order on what the earlier left:
-- come-back-10 1000 (10000 -> 9000), loyal-15 15% of 9000 = 1350 (-> 7650), welcome-10 10% of
-- 7650 = 765: discount 3115, total 6885.
INSERT INTO promo.events (customer_id, type, occurred_at) VALUES
  ('erin', 'cart_abandoned', '2026-11-26 18:00+00'),
  ('erin', 'coupon_redeemed', '2026-11-27 18:00+00');
SELECT show_result(promo.evaluate_cart('erin', cart(), at => '2026-11-28 12:00+00'));

-- A guest and an unknown customer are in no segment.
SELECT show_result(promo.evaluate_cart(NULL, cart(), at => '2026-11-28 12:00+00'));
SELECT show_result(promo.evaluate_cart('nobody', cart(), at => '2026-11-28 12:00+00'));

SELECT * FROM promo.verify_segments();

DROP FUNCTION show_result(jsonb);
DROP FUNCTION cart();
DROP EXTENSION promo;

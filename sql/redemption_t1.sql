-- Tactic T1 end to end through promo.redeem: a customer who abandoned her cart gets $10 off
-- once. alice abandons -> she enters abandoned-cart -> evaluate_cart offers come-back-10 ->
-- redeem records it -> she orders, abandons again, is back in the segment -> come-back-10 is
-- left out with reason_code limit_reached (per_customer_limit 1), by redeem and evaluate_cart.
-- Cart: one line of 100.00 USD (10000 cents).
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
-- What is recorded for a customer: live and rolled-back redemptions, usage, orders.
CREATE FUNCTION recorded(customer text) RETURNS TABLE (what text, n bigint) LANGUAGE sql AS $$
  SELECT 'redemptions (live)', count(*) FROM promo.redemptions
   WHERE customer_id = customer AND rolled_back_at IS NULL
  UNION ALL
  SELECT 'orders', count(*) FROM promo.orders WHERE customer_id = customer
  UNION ALL
  SELECT 'customer_usage', coalesce(sum(used), 0) FROM promo.customer_usage
   WHERE customer_id = customer
$$;

INSERT INTO promo.segments (name, definition) VALUES
  ('abandoned-cart', 'last(''cart_abandoned'') > last(''order_placed'')');
INSERT INTO promo.promotions (name, currency, per_customer_limit)
  VALUES ('come-back-10', 'USD', 1);
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('come-back-10', '$10 off', 'in_segment(''abandoned-cart'')', '{"amount_off": 1000}');

-- alice (a customer since 2026-10-01) abandons her cart on 11-18 08:00.
INSERT INTO promo.customers (customer_id, signed_up_at)
  VALUES ('alice', '2026-10-01 09:00+00'), ('bob', '2026-10-01 09:00+00');
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('alice', 'cart_abandoned', '2026-11-18 08:00+00');
-- 11-19 12:00: the $10 off is offered: 10000 -> 9000.
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-19 12:00+00'));
-- She checks out: redeem gives the same result and records one redemption.
SELECT show_result(promo.redeem('alice', cart(), order_id => 'order-1001',
                                at => '2026-11-19 12:00+00'));
SELECT order_id, customer_id, promotion, tier, amount, code, rolled_back_at
  FROM promo.redemptions ORDER BY order_id, promotion;
SELECT * FROM recorded('alice');
-- The shop records her order (11-19 12:01): she leaves the segment. Her use being spent, the
-- limit is what is reported (limits are checked before the conditions).
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('alice', 'order_placed', '2026-11-19 12:01+00');
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-20 12:00+00'));
-- She abandons again on 11-22 08:00 and is back in the segment, but her one use is spent:
-- nothing applies, come-back-10 [limit_reached] "limit of 1 per customer reached".
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('alice', 'cart_abandoned', '2026-11-22 08:00+00');
SELECT segment, valid_from, valid_until FROM promo.segment_membership
 WHERE customer_id = 'alice' ORDER BY segment, valid_from;
SELECT show_result(promo.redeem('alice', cart(), order_id => 'order-1002',
                                at => '2026-11-23 12:00+00'));
-- evaluate_cart says the same (redeem applies exactly what evaluate_cart would).
SELECT show_result(promo.evaluate_cart('alice', cart(), at => '2026-11-23 12:00+00'));
-- Still one live redemption; the order without a discount is recorded (2 orders); usage 1.
SELECT * FROM recorded('alice');
-- bob never abandoned: not_in_segment, nothing redeemed, his order is recorded.
SELECT show_result(promo.redeem('bob', cart(), order_id => 'order-2001',
                                at => '2026-11-23 12:00+00'));
SELECT * FROM recorded('bob');
-- bob abandons: his own first use is still there (the limit is per customer).
INSERT INTO promo.events (customer_id, type, occurred_at)
  VALUES ('bob', 'cart_abandoned', '2026-11-23 13:00+00');
SELECT show_result(promo.redeem('bob', cart(), order_id => 'order-2002',
                                at => '2026-11-23 14:00+00'));
SELECT * FROM recorded('bob');
-- A per_customer_limit of 2: alice gets one more.
UPDATE promo.promotions SET per_customer_limit = 2 WHERE name = 'come-back-10';
SELECT show_result(promo.redeem('alice', cart(), order_id => 'order-1003',
                                at => '2026-11-23 15:00+00'));
SELECT show_result(promo.redeem('alice', cart(), order_id => 'order-1004',
                                at => '2026-11-23 16:00+00'));
SELECT * FROM recorded('alice');
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats ORDER BY promotion;
SELECT * FROM promo.verify_segments();

-- A per-customer limit set after redemptions counts them: erin redeems thank-you (no limit
-- yet), then the shop makes it once per customer: her next order gets thank-you [limit_reached].
INSERT INTO promo.promotions (name, currency) VALUES ('thank-you', 'EUR');
INSERT INTO promo.tiers (promotion, name, discount)
  VALUES ('thank-you', '€1 off', '{"amount_off": 100}');
SELECT show_result(promo.redeem('erin', '{"currency": "EUR", "items": [{"sku": "A", "quantity": 1,
  "unit_price": 1000}]}', order_id => 'order-3001', at => '2026-11-23 12:00+00'));
UPDATE promo.promotions SET per_customer_limit = 1 WHERE name = 'thank-you';
SELECT show_result(promo.redeem('erin', '{"currency": "EUR", "items": [{"sku": "A", "quantity": 1,
  "unit_price": 1000}]}', order_id => 'order-3002', at => '2026-11-23 13:00+00'));
SELECT customer_id, count(*) AS live_redemptions FROM promo.redemptions
 WHERE promotion = 'thank-you' AND rolled_back_at IS NULL GROUP BY customer_id;

DROP FUNCTION recorded(text);
DROP FUNCTION show_result(jsonb);
DROP FUNCTION cart();
DROP EXTENSION promo;

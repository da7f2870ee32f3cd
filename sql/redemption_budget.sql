-- A money budget per promotion (total discount granted, minor units). While the remaining
-- budget covers the discount it is granted in full; when it covers only part, the discount is
-- capped at what remains (the last partial discount), re-allocated over the promotion's line
-- discounts by largest remainder; promotions after it apply to what it left; with nothing
-- left the promotion is not applied with reason_code budget_exhausted. rollback_redemption
-- gives the amount back.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';

CREATE FUNCTION show_result(r jsonb) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT line FROM (
    SELECT 1 AS part, 0::bigint AS n,
           format('%s subtotal %s, discount %s, total %s',
                  r->>'currency', r->>'subtotal', r->>'discount', r->>'total') AS line
    UNION ALL
    SELECT 2, a.n, format('applied %s / %s: %s', a.v->>'promotion', a.v->>'tier', a.v->>'discount')
      FROM jsonb_array_elements(r->'applied') WITH ORDINALITY a(v, n)
    UNION ALL
    SELECT 3, i.n, format('item %s %s x %s: discount %s, total %s', i.v->>'index', i.v->>'sku',
                          i.v->>'unit_price', i.v->>'discount', i.v->>'total')
      FROM jsonb_array_elements(r->'items') WITH ORDINALITY i(v, n)
    UNION ALL
    SELECT 4, x.n, format('not_applied %s [%s]: %s', x.v->>'promotion', x.v->>'reason_code',
                          x.v->>'reason')
      FROM jsonb_array_elements(r->'not_applied') WITH ORDINALITY x(v, n)
  ) s ORDER BY part, n
$$;
-- One line of 100.00.
CREATE FUNCTION cart1() RETURNS jsonb LANGUAGE sql AS $$
  SELECT '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 10000}]}'::jsonb
$$;
-- 3 x 10.00 and 1 x 70.00: an order-level $10 off is allocated 300 / 700.
CREATE FUNCTION cart2() RETURNS jsonb LANGUAGE sql AS $$
  SELECT '{"currency": "USD", "items": [{"sku": "A", "quantity": 3, "unit_price": 1000},
                                        {"sku": "B", "quantity": 1, "unit_price": 7000}]}'::jsonb
$$;
CREATE FUNCTION budget_state() RETURNS TABLE (promotion text, budget bigint, used bigint,
                                              live_amount bigint)
LANGUAGE sql AS $$
  SELECT b.promotion, b.budget, b.used,
         (SELECT coalesce(sum(r.amount), 0) FROM promo.redemptions r
           WHERE r.promotion = b.promotion AND r.rolled_back_at IS NULL)::bigint
    FROM promo.promotion_budget b ORDER BY b.promotion
$$;

-- $10 off with a budget of 23.33; then 5% off everything (created later: applies after it).
INSERT INTO promo.promotions (name, currency, budget) VALUES ('budget-10', 'USD', 2333);
INSERT INTO promo.tiers (promotion, name, discount)
  VALUES ('budget-10', '$10 off', '{"amount_off": 1000}');
INSERT INTO promo.promotions (name, currency) VALUES ('five', 'USD');
INSERT INTO promo.tiers (promotion, name, discount) VALUES ('five', '5%', '{"percent_off": 5}');
SELECT * FROM budget_state();

-- c1 and c2: the full 1000 each (budget-10 1000, then 5% of 9000 = 450: discount 1450).
SELECT show_result(promo.redeem('c1', cart1(), order_id => 'o-1'));
SELECT show_result(promo.redeem('c2', cart1(), order_id => 'o-2'));
SELECT * FROM budget_state();
-- c3: 333 remain. The $10 off would be 300 (A) + 700 (B); capped at 333 and re-allocated
-- by largest remainder: A 333*300/1000 = 99.9, B 333*700/1000 = 233.1 -> 99 + 233 = 332,
-- the last unit to the larger remainder (A): A 100, B 233. Then 5% of what is left:
-- A 5% of 2900 = 145, B 5% of 6767 = 338.35 -> 338. Discount 333 + 483 = 816, total 9184;
-- items A discount 245 total 2755, B discount 571 total 6429.
SELECT show_result(promo.redeem('c3', cart2(), order_id => 'o-3'));
SELECT * FROM budget_state();
-- c4: nothing left: budget-10 [budget_exhausted]; five applies on the full cart: 500.
SELECT show_result(promo.redeem('c4', cart1(), order_id => 'o-4'));
-- evaluate_cart tells the same.
SELECT show_result(promo.evaluate_cart('c4', cart1()));
SELECT * FROM budget_state();

-- Rolling back c2's order gives 1000 back: c5 gets the full 1000, c6 nothing.
SELECT promo.rollback_redemption('o-2') IS NOT NULL AS done;
SELECT * FROM budget_state();
SELECT show_result(promo.redeem('c5', cart1(), order_id => 'o-5'));
SELECT show_result(promo.redeem('c6', cart1(), order_id => 'o-6'));
SELECT * FROM budget_state();

-- A partial last discount of a percent discount: budget 1.00 for 50% off; c7's 50% of 150.00
-- (A 3 x 10.00, B 1 x 120.00: 1500 + 6000 = 7500) is capped at 100: A 100*1500/7500 = 20,
-- B 100*6000/7500 = 80. budget-10 is exhausted; five: A 5% of 1480 = 74, B 5% of 5920 = 296.
-- Discount 470, total 7030.
INSERT INTO promo.promotions (name, currency, budget, priority) VALUES ('half', 'USD', 100, 10);
INSERT INTO promo.tiers (promotion, name, discount) VALUES ('half', '50%', '{"percent_off": 50}');
SELECT show_result(promo.redeem('c7',
  '{"currency": "USD", "items": [{"sku": "A", "quantity": 3, "unit_price": 500},
                                 {"sku": "B", "quantity": 1, "unit_price": 6000}]}',
  order_id => 'o-7'));
SELECT * FROM budget_state();
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats ORDER BY promotion;

-- budget must be positive.
\set VERBOSITY terse
INSERT INTO promo.promotions (name, currency, budget) VALUES ('zero', 'USD', 0);

DROP FUNCTION budget_state();
DROP FUNCTION cart2();
DROP FUNCTION cart1();
DROP FUNCTION show_result(jsonb);
DROP EXTENSION promo;

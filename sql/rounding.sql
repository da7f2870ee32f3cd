-- Rounding and allocation: percentages round half up per line; order-level amounts and caps
-- are allocated by largest remainder (ties: lower line index); line discounts always sum to
-- the discount.
CREATE EXTENSION promo;

-- show_result(jsonb): one line per fact of a result (shared by the evaluation tests).
\i sql/include/show_result.sql

-- The items' discounts sum to the discount, per item the shares sum to the item's discount.
CREATE FUNCTION sums_agree(r jsonb) RETURNS boolean LANGUAGE sql AS $$
  SELECT (r->>'subtotal')::bigint - (r->>'discount')::bigint = (r->>'total')::bigint
     AND (SELECT coalesce(sum((i->>'discount')::bigint), 0)
            FROM jsonb_array_elements(r->'items') i) = (r->>'discount')::bigint
     AND (SELECT coalesce(bool_and((i->>'discount')::bigint =
                          (SELECT coalesce(sum((d->>'amount')::bigint), 0)
                             FROM jsonb_array_elements(i->'discounts') d)), true)
            FROM jsonb_array_elements(r->'items') i)
$$;

-- One promotion at a time, with a single unconditional tier.
CREATE PROCEDURE use_discount(discount jsonb) LANGUAGE sql AS $$
  DELETE FROM promo.promotions;
  INSERT INTO promo.promotions (name, currency) VALUES ('deal', 'USD');
  INSERT INTO promo.tiers (promotion, name, discount) VALUES ('deal', 'always', discount);
$$;

-- 10% of 3 x 3.33 = 99.9 -> 100.
CALL use_discount('{"percent_off": 10}');
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 3, "unit_price": 333}]}'));

-- 5% of 19.99 = 99.95 -> 100.
CALL use_discount('{"percent_off": 5}');
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 1, "unit_price": 1999}]}'));

-- 12.3456% of 100.00 = 1234.56 -> 1235 (four decimals of percent are allowed).
CALL use_discount('{"percent_off": 12.3456}');
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 1, "unit_price": 10000}]}'));

-- 33.3% off several lines, each rounded half up: 1000 -> 333 (333.0), 2000 -> 666 (666.0),
-- 3333 -> 1110 (1109.889), 1 -> 0 (0.333), 3 x 333 = 999 -> 333 (332.667); sum 2442.
CALL use_discount('{"percent_off": 33.3}');
\set lines '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 1000}, {"sku": "B", "quantity": 1, "unit_price": 2000}, {"sku": "C", "quantity": 1, "unit_price": 3333}, {"sku": "D", "quantity": 1, "unit_price": 1}, {"sku": "E", "quantity": 3, "unit_price": 333}]}'
SELECT show_result(promo.evaluate_cart(NULL, :'lines'));
SELECT sums_agree(promo.evaluate_cart(NULL, :'lines'));

-- 10.00 off over 33.33 + 33.33 + 33.34: shares 333.3, 333.3, 333.4 -> floors 333 each, the
-- leftover cent to the largest remainder (the third line): 333, 333, 334.
CALL use_discount('{"amount_off": 1000}');
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 1, "unit_price": 3333},
  {"sku": "B", "quantity": 1, "unit_price": 3333},
  {"sku": "C", "quantity": 1, "unit_price": 3334}]}'));

-- 1.00 off three equal lines: 33.33 each, floors 33, the leftover cent goes to the lowest
-- index on a tie: 34, 33, 33.
CALL use_discount('{"amount_off": 100}');
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 1, "unit_price": 1000},
  {"sku": "B", "quantity": 1, "unit_price": 1000},
  {"sku": "C", "quantity": 1, "unit_price": 1000}]}'));

-- 50.00 off a 30.00 cart: never below zero, the whole cart (1000 + 2000) is taken.
CALL use_discount('{"amount_off": 5000}');
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 1, "unit_price": 1000},
  {"sku": "B", "quantity": 2, "unit_price": 1000}]}'));

-- 50% capped at 10.00: 500 + 1500 = 2000 > 1000, so 1000 is re-allocated over 500 : 1500
-- -> 250 and 750.
CALL use_discount('{"percent_off": 50, "max_amount": 1000}');
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 1, "unit_price": 1000},
  {"sku": "B", "quantity": 1, "unit_price": 3000}]}'));

-- Fixed price 5.00 a unit on A (2 x 12.99 = 2598 -> 1000): 1598 off; B untouched.
CALL use_discount('{"fixed_price": 500, "target": "sku = ''A''"}');
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 2, "unit_price": 1299},
  {"sku": "B", "quantity": 1, "unit_price": 700}]}'));
-- A fixed price above the price gives nothing: the tier does not count as applied.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 1, "unit_price": 400}]}'));

-- 100% off the 2 cheapest units (max_units): 3 units at 5.00 on one line and 1 at 2.00 on
-- another: the 2.00 unit and one 5.00 unit -> 200 + 500 (1500 * 1/3).
CALL use_discount('{"percent_off": 100, "max_units": 2}');
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 3, "unit_price": 500},
  {"sku": "B", "quantity": 1, "unit_price": 200}]}'));

DROP PROCEDURE use_discount(jsonb);
DROP FUNCTION sums_agree(jsonb);
DROP FUNCTION show_result(jsonb);
DROP EXTENSION promo;

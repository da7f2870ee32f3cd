-- Carts at the edges: empty, another currency, zero prices, duplicate SKUs, 1,000 lines.
CREATE EXTENSION promo;

-- show_result(jsonb): one line per fact of a result (shared by the evaluation tests).
\i sql/include/show_result.sql

INSERT INTO promo.promotions (name, currency) VALUES ('spend-more', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('spend-more', '5% from $50',   'subtotal >= 50.00',  '{"percent_off": 5}'),
  ('spend-more', '10% from $100', 'subtotal >= 100.00', '{"percent_off": 10}');
INSERT INTO promo.promotions (name, currency) VALUES ('euro-deal', 'EUR');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('euro-deal', '10% from 10 EUR', 'subtotal >= 10.00', '{"percent_off": 10}');

-- Empty cart: all zero; spend-more fails its condition (hints 5000 and 10000 short),
-- euro-deal is in another currency.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": []}'));

-- A EUR cart of 60.00: euro-deal gives 600; spend-more is in USD.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "EUR", "items": [
  {"sku": "TSHIRT", "quantity": 2, "unit_price": 3000}]}'));

-- Zero-price lines: a free gift next to 2 T-shirts (5000): 5% = 250 on the shirts, 0 on the
-- gift; no line goes below zero.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "GIFT", "quantity": 2, "unit_price": 0},
  {"sku": "TSHIRT", "quantity": 2, "unit_price": 2500}]}'));
-- Only zero-price lines: subtotal 0.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "GIFT", "quantity": 5, "unit_price": 0}]}'));

-- The same SKU on two lines stays two lines: 1 + 2 T-shirts = 7500 -> 5%: 125 + 250.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "TSHIRT", "quantity": 1, "unit_price": 2500},
  {"sku": "TSHIRT", "quantity": 2, "unit_price": 2500, "attributes": {"size": "XL"}}]}'));

-- 1,000 lines: line i is SKU-i, quantity i % 3 + 1, unit price 7 * i. The subtotal is far over
-- $100, so every line gets 10% rounded half up: floor((line_total + 5) / 10).
CREATE TABLE big_cart AS
SELECT jsonb_build_object('currency', 'USD', 'items',
         jsonb_agg(jsonb_build_object('sku', 'SKU-' || i, 'quantity', i % 3 + 1,
                                      'unit_price', 7 * i) ORDER BY i)) AS cart
  FROM generate_series(1, 1000) i;
CREATE TABLE big_result AS SELECT promo.evaluate_cart(NULL, cart) AS r FROM big_cart;
SELECT jsonb_array_length(r->'items') AS lines, r->>'subtotal' AS subtotal,
       r->>'discount' AS discount, r->>'total' AS total, r->'applied' AS applied
  FROM big_result;
-- The same numbers from SQL, and the lines that disagree with the rule (none).
SELECT sum((i % 3 + 1) * 7 * i) AS expected_subtotal,
       sum(((i % 3 + 1) * 7 * i + 5) / 10) AS expected_discount
  FROM generate_series(1, 1000) i;
SELECT count(*) AS mismatched_lines
  FROM big_result, jsonb_array_elements(r->'items') WITH ORDINALITY e(item, n)
 WHERE (item->>'index')::int <> n - 1
    OR item->>'sku' <> 'SKU-' || n
    OR (item->>'quantity')::bigint <> n % 3 + 1
    OR (item->>'unit_price')::bigint <> 7 * n
    OR (item->>'discount')::bigint <> ((n % 3 + 1) * 7 * n + 5) / 10
    OR (item->>'total')::bigint <> (n % 3 + 1) * 7 * n - ((n % 3 + 1) * 7 * n + 5) / 10;
DROP TABLE big_cart, big_result;

DROP FUNCTION show_result(jsonb);
DROP EXTENSION promo;

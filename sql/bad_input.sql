-- Bad carts: each is rejected with SQLSTATE 22023 (54000/54001 for sizes) and a message naming
-- the offending path and value, and the session keeps working afterwards.
CREATE EXTENSION promo;
INSERT INTO promo.promotions (name, currency) VALUES ('spend-more', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('spend-more', '5% from $50', 'subtotal >= 50.00', '{"percent_off": 5}');

-- The SQLSTATE and message of a statement's error, or 'ok'.
\i sql/include/error_of.sql

CREATE FUNCTION cart_error(cart text) RETURNS text LANGUAGE sql AS $$
  SELECT error_of(format('SELECT promo.evaluate_cart(NULL, %L::jsonb)', cart))
$$;

-- What the caller sees: an ERROR, and the next statement runs normally.
SELECT promo.evaluate_cart(NULL, '{"currency": "USD", "items": [{"quantity": 1, "unit_price": 100}]}');
SELECT 1 AS still_up;
SELECT promo.evaluate_cart(NULL, NULL);
SELECT 1 AS still_up;

SELECT input, cart_error(input) FROM (VALUES
  -- missing sku
  ('{"currency": "USD", "items": [{"quantity": 1, "unit_price": 100}]}'),
  -- quantity 0, -2, 1.5, "2"
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": 0, "unit_price": 100}]}'),
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": -2, "unit_price": 100}]}'),
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": 1.5, "unit_price": 100}]}'),
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": "2", "unit_price": 100}]}'),
  -- missing quantity, missing price, price as a string, negative price, fractional price
  ('{"currency": "USD", "items": [{"sku": "A", "unit_price": 100}]}'),
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": 1}]}'),
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": "100"}]}'),
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": -1}]}'),
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 9.99}]}'),
  -- the third item is the bad one
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 1}, {"sku": "B", "quantity": 1, "unit_price": 1}, {"sku": "C", "quantity": 1, "unit_price": null}]}'),
  -- sku not a string, empty sku
  ('{"currency": "USD", "items": [{"sku": 7, "quantity": 1, "unit_price": 100}]}'),
  ('{"currency": "USD", "items": [{"sku": "", "quantity": 1, "unit_price": 100}]}'),
  -- unknown item key, unknown cart key
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 100, "colour": "red"}]}'),
  ('{"currency": "USD", "items": [], "coupon": "X"}'),
  -- items not an array, an item not an object
  ('{"currency": "USD", "items": {"sku": "A"}}'),
  ('{"currency": "USD", "items": ["A"]}'),
  -- currency missing, unknown, not upper case
  ('{"items": []}'),
  ('{"currency": "XYZ", "items": []}'),
  ('{"currency": "usd", "items": []}'),
  -- codes not an array of strings
  ('{"currency": "USD", "items": [], "codes": "SPRING"}'),
  ('{"currency": "USD", "items": [], "codes": [1]}'),
  -- attributes not an object
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 1, "attributes": [1]}]}'),
  -- the cart is not an object
  ('[]'),
  ('"cart"'),
  ('42'),
  ('null'),
  -- a line total that overflows 64 bits
  ('{"currency": "USD", "items": [{"sku": "A", "quantity": 1000000000000, "unit_price": 1000000000000}]}')
) AS t(input);

-- A string longer than the decoder accepts (10,000 bytes).
SELECT cart_error(jsonb_build_object('currency', 'USD', 'items', jsonb_build_array(
         jsonb_build_object('sku', repeat('x', 10001), 'quantity', 1, 'unit_price', 1)))::text);

-- Nesting: 100 levels of arrays in an attribute pass PostgreSQL's parser and are refused by
-- the cart decoder.
SELECT cart_error('{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 1, "attributes": {"x": '
                  || repeat('[', 100) || repeat(']', 100) || '}}]}');
-- 10 MB of nested arrays never reach promo: PostgreSQL's own jsonb parser refuses the text
-- first (its recursion is bounded by max_stack_depth).
\set VERBOSITY terse
SELECT promo.evaluate_cart(NULL, ('{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 1, "attributes": {"x": '
                  || repeat('[', 5000000) || repeat(']', 5000000) || '}}]}')::jsonb);
\set VERBOSITY default
SELECT 1 AS still_up;

-- A good cart still evaluates after all of that: 6000 -> 5% = 300.
SELECT promo.evaluate_cart(NULL, '{"currency": "USD", "items": [{"sku": "A", "quantity": 2, "unit_price": 3000}]}')->>'total' AS total;

DROP FUNCTION cart_error(text);
DROP FUNCTION error_of(text);
DROP EXTENSION promo;

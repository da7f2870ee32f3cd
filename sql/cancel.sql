-- A long evaluation can be cancelled: statement_timeout stops it with PostgreSQL's own
-- message, and the session keeps working.
CREATE EXTENSION promo;

-- Twenty promotions whose conditions and targets look at every line.
INSERT INTO promo.promotions (name, currency)
SELECT 'promo-' || n, 'USD' FROM generate_series(1, 20) n;
INSERT INTO promo.tiers (promotion, name, condition, discount)
SELECT 'promo-' || n, 'tier',
       format('quantity(sku <> ''SKU-%s'' and unit_price >= %s) >= 1', n, n),
       format('{"percent_off": 1, "target": "category <> ''c%s''"}', n)::jsonb
  FROM generate_series(1, 20) n;

-- A cart of 100,000 lines (about 1 MB), built before the timeout is set. Evaluating it takes
-- seconds on this machine, forty times the timeout or more.
CREATE TABLE huge_cart AS
SELECT jsonb_build_object('currency', 'USD', 'items',
         jsonb_agg(jsonb_build_object('sku', 'SKU-' || i, 'category', 'c' || i % 50,
                                      'quantity', 1 + i % 4, 'unit_price', 100 + i % 997))) AS cart
  FROM generate_series(1, 100000) i;

-- Without a timeout it completes. promo-1 .. promo-10 apply: prices run from 1.00 to 10.96,
-- so `unit_price >= n` (n dollars) holds for some line only up to n = 10.
SELECT jsonb_array_length(r->'items') AS lines, jsonb_array_length(r->'applied') AS applied
  FROM huge_cart, promo.evaluate_cart(NULL, cart, explain => false) r;

SET statement_timeout = '50ms';
SELECT promo.evaluate_cart(NULL, cart) IS NOT NULL FROM huge_cart;
RESET statement_timeout;
SELECT 1 AS still_up;

DROP TABLE huge_cart;
DROP EXTENSION promo;

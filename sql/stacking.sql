-- Priority, stacking, exclusivity and the choice between tiers.
CREATE EXTENSION promo;

-- show_result(jsonb): one line per fact of a result (shared by the evaluation tests).
\i sql/include/show_result.sql

-- Two stacking promotions: 10% first (priority 10), then 5.00 off (priority 5) on what is left.
INSERT INTO promo.promotions (name, currency, priority) VALUES ('five-dollars', 'USD', 5);
INSERT INTO promo.tiers (promotion, name, discount) VALUES
  ('five-dollars', '$5 off', '{"amount_off": 500}');
INSERT INTO promo.promotions (name, currency, priority) VALUES ('ten-percent', 'USD', 10);
INSERT INTO promo.tiers (promotion, name, discount) VALUES
  ('ten-percent', '10% off', '{"percent_off": 10}');

-- 60.00 + 40.00: 10% -> 600 + 400, leaving 5400 + 3600; 500 over 5400 : 3600 -> 300 + 200.
-- Discount 1500: A 900 (total 5100), B 600 (total 3400). ten-percent comes first although it
-- was created later: higher priority.
\set cart100 '{"currency": "USD", "items": [{"sku": "A", "quantity": 1, "unit_price": 6000}, {"sku": "B", "quantity": 1, "unit_price": 4000}]}'
SELECT show_result(promo.evaluate_cart(NULL, :'cart100'));

-- An exclusive promotion first in line (priority 20) from $200: 20% off.
INSERT INTO promo.promotions (name, currency, priority, exclusive) VALUES ('vip', 'USD', 20, true);
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('vip', '20% from $200', 'subtotal >= 200.00', '{"percent_off": 20}');
-- Below $200 it does not apply and the two others stack as before.
SELECT show_result(promo.evaluate_cart(NULL, :'cart100'));
-- 3 x 60.00 + 40.00 = 22000: vip takes 3600 + 800 = 4400 (total 17600) and excludes the rest.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 3, "unit_price": 6000},
  {"sku": "B", "quantity": 1, "unit_price": 4000}]}'));

-- An exclusive promotion after others have applied does not apply (priority 1, 50% off).
INSERT INTO promo.promotions (name, currency, priority, exclusive)
  VALUES ('late-exclusive', 'USD', 1, true);
INSERT INTO promo.tiers (promotion, name, discount) VALUES
  ('late-exclusive', '50% off', '{"percent_off": 50}');
SELECT show_result(promo.evaluate_cart(NULL, :'cart100'));
-- Alone it applies: 50% of 100.00.
UPDATE promo.promotions SET active = false WHERE name IN ('ten-percent', 'five-dollars');
SELECT show_result(promo.evaluate_cart(NULL, :'cart100'));

-- Between tiers of one promotion the largest discount wins: 15.00 off beats 10% at 100.00,
-- 10% beats 15.00 off at 200.00.
DELETE FROM promo.promotions;
INSERT INTO promo.promotions (name, currency) VALUES ('best-tier', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('best-tier', '$15 off from $100', 'subtotal >= 100.00', '{"amount_off": 1500}'),
  ('best-tier', '10% from $100', 'subtotal >= 100.00', '{"percent_off": 10}');
SELECT show_result(promo.evaluate_cart(NULL, :'cart100'));
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "A", "quantity": 2, "unit_price": 10000}]}'));

-- A qualifying tier whose target matches nothing does not count as applied.
DELETE FROM promo.promotions;
INSERT INTO promo.promotions (name, currency) VALUES ('socks-only', 'USD');
INSERT INTO promo.tiers (promotion, name, discount) VALUES
  ('socks-only', '20% off socks', '{"percent_off": 20, "target": "category = ''socks''"}');
-- And a promotion without tiers says so.
INSERT INTO promo.promotions (name, currency) VALUES ('empty', 'USD');
SELECT show_result(promo.evaluate_cart(NULL, :'cart100'));

DROP FUNCTION show_result(jsonb);
DROP EXTENSION promo;

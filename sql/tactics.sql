-- Tactics T2 (tiers), T3 (buy X get Y) and T5 (SKU variant) with amounts worked out by hand.
-- Prices: TSHIRT 25.00, USB-C 12.99, MONITOR 249.00, MOUSE-PRO 39.00, PAD-XL 9.99,
-- HP-PRO 199.00, APPLE-KB 49.00, SPEAKER 60.00 (all USD, in cents below).
CREATE EXTENSION promo;

-- show_result(jsonb): one line per fact of a result (shared by the evaluation tests).
\i sql/include/show_result.sql

-- T2: 5% from $50, 10% from $100 (created first).
INSERT INTO promo.promotions (name, currency) VALUES ('spend-more', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('spend-more', '5% from $50',   'subtotal >= 50.00',  '{"percent_off": 5}'),
  ('spend-more', '10% from $100', 'subtotal >= 100.00', '{"percent_off": 10}');

-- 2 T-shirts + a cable: 6299 -> 5%: 250 + 65 (64.95 rounds half up) = 315, total 5984.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "TSHIRT", "quantity": 2, "unit_price": 2500},
  {"sku": "USB-C", "quantity": 1, "unit_price": 1299}]}'));
-- A T-shirt + a cable: 3799 -> nothing; 1201 short of 5%, 6201 short of 10%.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "TSHIRT", "quantity": 1, "unit_price": 2500},
  {"sku": "USB-C", "quantity": 1, "unit_price": 1299}]}'));
-- A monitor + 3 cables: 28797 -> 10%: 2490 + 390 (389.7) = 2880, total 25917.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "MONITOR", "quantity": 1, "unit_price": 24900},
  {"sku": "USB-C", "quantity": 3, "unit_price": 1299}]}'));

-- T3: a MOUSE-PRO makes one PAD-XL free, once per mouse.
INSERT INTO promo.promotions (name, currency) VALUES ('mouse-pad-free', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('mouse-pad-free', 'pad free with a mouse',
   'has(sku = ''MOUSE-PRO'') and has(sku = ''PAD-XL'')',
   '{"percent_off": 100, "target": "sku = ''PAD-XL''", "max_units": "quantity(sku = ''MOUSE-PRO'')"}');

-- A mouse + a pad: 4899 -> the pad is free: 999 off, total 3900; spend-more is 101 short.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "MOUSE-PRO", "quantity": 1, "unit_price": 3900},
  {"sku": "PAD-XL", "quantity": 1, "unit_price": 999}]}'));
-- Two pads, no mouse: 1998 -> nothing.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "PAD-XL", "quantity": 2, "unit_price": 999}]}'));
-- A mouse + 2 pads: 5898 -> 5%: 195 + 100 (99.9) = 295; then 1 of the 2 pads free out of
-- what is left on the pad line (1998 - 100 = 1898, half of it 949): discount 1244, total 4654.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "MOUSE-PRO", "quantity": 1, "unit_price": 3900},
  {"sku": "PAD-XL", "quantity": 2, "unit_price": 999}]}'));
-- 2 mice + 3 pads: 10797 -> 10%: 780 + 300 (299.7) = 1080; then 2 of 3 pads free out of
-- 2997 - 300 = 2697 (2/3 of it: 1798): discount 2878, total 7919.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "MOUSE-PRO", "quantity": 2, "unit_price": 3900},
  {"sku": "PAD-XL", "quantity": 3, "unit_price": 999}]}'));

-- T5: 30% off HP-PRO with another item from $60, or with an Apple Keyboard.
INSERT INTO promo.promotions (name, currency) VALUES ('headphones-upgrade', 'USD');
INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('headphones-upgrade', 'with an item from $60',
   'has(sku <> ''HP-PRO'' and unit_price >= 60.00) and has(sku = ''HP-PRO'')',
   '{"percent_off": 30, "target": "sku = ''HP-PRO''"}'),
  ('headphones-upgrade', 'with an Apple Keyboard',
   'has(sku = ''APPLE-KB'') and has(sku = ''HP-PRO'')',
   '{"percent_off": 30, "target": "sku = ''HP-PRO''"}');

-- Headphones + keyboard: 24800 -> 10%: 1990 + 490 = 2480; then 30% of 17910 = 5373
-- (the keyboard tier; the keyboard is under $60): discount 7853, total 16947.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "HP-PRO", "quantity": 1, "unit_price": 19900},
  {"sku": "APPLE-KB", "quantity": 1, "unit_price": 4900}]}'));
-- Headphones + a $60.00 speaker: 25900 -> 10%: 1990 + 600 = 2590; then 30% of 17910 = 5373
-- ($60.00 counts): discount 7963, total 17937.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "HP-PRO", "quantity": 1, "unit_price": 19900},
  {"sku": "SPEAKER", "quantity": 1, "unit_price": 6000}]}'));
-- Headphones, speaker and keyboard: both tiers qualify with the same 30% of the headphones
-- line; the first inserted is reported. 30800 -> 10%: 1990 + 600 + 490 = 3080; then 30% of
-- 17910 = 5373: discount 8453, total 22347.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "HP-PRO", "quantity": 1, "unit_price": 19900},
  {"sku": "SPEAKER", "quantity": 1, "unit_price": 6000},
  {"sku": "APPLE-KB", "quantity": 1, "unit_price": 4900}]}'));
-- Headphones alone: 19900 -> 10% = 1990, total 17910; the upgrade's condition fails.
SELECT show_result(promo.evaluate_cart(NULL, '{"currency": "USD", "items": [
  {"sku": "HP-PRO", "quantity": 1, "unit_price": 19900}]}'));

DROP FUNCTION show_result(jsonb);
DROP EXTENSION promo;

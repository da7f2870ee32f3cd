-- T2 "Spend more, save more": 5% off when the cart reaches $50, 10% off from $100.
--
-- The shop's idea: whatever a customer is buying, there is a better discount within reach, so
-- they add one more thing to the cart. Only the best tier a cart reaches applies (a $120 cart
-- gets 10%, not 5% + 10%). The percentage is taken off every line of the cart, rounded to the
-- cent line by line (half a cent rounds up).
--
-- Amounts in conditions are dollars ("50.00" is $50.00); everything promo stores and returns
-- is in cents (5000).
--
-- Load with:  psql -v ON_ERROR_STOP=1 -f examples/t2_spend_more.sql
-- Running it again replaces the promotion (and its tiers) with this definition.

BEGIN;

DELETE FROM promo.promotions WHERE name = 'spend-more';

INSERT INTO promo.promotions (name, currency) VALUES ('spend-more', 'USD');

INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('spend-more', '5% from $50',   'subtotal >= 50.00',  '{"percent_off": 5}'),
  ('spend-more', '10% from $100', 'subtotal >= 100.00', '{"percent_off": 10}');

COMMIT;

-- What a few carts get (USD, prices in cents; expected amounts worked out by hand):
--   3 T-shirts at $25.00                      subtotal 7500  -> 5%:  375 off, total 7125
--     hint: "10% from $100" is $25.00 away (subtotal 2500 short)
--   2 T-shirts + a $12.99 USB-C cable         subtotal 6299  -> 5%:  250 + 65 = 315 off
--     (5% of 1299 is 64.95, rounded half up to 65)             total 5984
--   a T-shirt + a USB-C cable                 subtotal 3799  -> nothing; hint: 1201 short
--   a $249.00 monitor + 3 USB-C cables        subtotal 28797 -> 10%: 2490 + 390 = 2880 off
--     (10% of 3897 is 389.7, rounded to 390)                   total 25917

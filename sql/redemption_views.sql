-- The BI side of redemptions: promo.redemptions (every redemption, rolled back ones marked),
-- promo.promotion_stats (per promotion, over live redemptions: redemptions, distinct
-- customers, discount given, limit_left = total_limit - live redemptions, budget_left =
-- budget - discount given; NULL where the promotion has no such limit), both commented and
-- readable by promo_reader, who can still not write anything nor read orders' carts.
CREATE EXTENSION promo;
SET TimeZone = 'UTC';

\i sql/include/error_of.sql
CREATE FUNCTION cart(cents int) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('currency', 'USD', 'items',
           jsonb_build_array(jsonb_build_object('sku', 'A', 'quantity', 1, 'unit_price', cents)))
$$;

INSERT INTO promo.promotions (name, currency, total_limit, budget)
  VALUES ('ten-pct', 'USD', 4, 5000);
INSERT INTO promo.tiers (promotion, name, discount)
  VALUES ('ten-pct', '10%', '{"percent_off": 10}');
INSERT INTO promo.promotions (name, currency, per_customer_limit)
  VALUES ('two-off', 'USD', 1);
INSERT INTO promo.tiers (promotion, name, condition, discount)
  VALUES ('two-off', '$2 off', 'subtotal >= 50.00', '{"amount_off": 200}');
INSERT INTO promo.promotions (name, currency) VALUES ('never', 'EUR');
INSERT INTO promo.tiers (promotion, name, discount) VALUES ('never', '1%', '{"percent_off": 1}');

-- Before anything: every promotion, zeros, limits and budgets untouched.
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats ORDER BY promotion;
-- alice: 10000 -> ten-pct 1000, then two-off 200: 1200.
-- alice again: ten-pct 10% of 6000 = 600; two-off: her one use is spent.
-- bob: 3000 -> ten-pct 300; two-off: subtotal below 50.00.
-- carol: 20000 -> ten-pct 2000, two-off 200: 2200 (the 4th and last of ten-pct).
SELECT promo.redeem('alice', cart(10000), order_id => 'o-1')->>'discount' AS discount;
SELECT promo.redeem('alice', cart(6000), order_id => 'o-2')->>'discount' AS discount;
SELECT promo.redeem('bob', cart(3000), order_id => 'o-3')->>'discount' AS discount;
SELECT promo.redeem('carol', cart(20000), order_id => 'o-4')->>'discount' AS discount;
-- ten-pct: 4 redemptions by 3 customers, 3900 given; limit 0 left, budget 1100 left.
-- two-off: 2 redemptions, 2 customers, 400; no total limit, no budget (NULL).
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats ORDER BY promotion;
-- Rolled back redemptions do not count (o-4: 2000 and 200 back).
SELECT promo.rollback_redemption('o-4') IS NOT NULL AS done;
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats ORDER BY promotion;
SELECT order_id, customer_id, promotion, tier, amount, code, redeemed_at IS NOT NULL AS redeemed,
       rolled_back_at IS NOT NULL AS rolled_back
  FROM promo.redemptions ORDER BY order_id, promotion;

-- Both are commented, with their columns.
SELECT c.relname, obj_description(c.oid, 'pg_class') IS NOT NULL AS commented
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'promo' AND c.relname IN ('redemptions', 'promotion_stats')
 ORDER BY c.relname;
SELECT a.attname, col_description(a.attrelid, a.attnum) IS NOT NULL AS commented
  FROM pg_attribute a
 WHERE a.attrelid = 'promo.promotion_stats'::regclass AND a.attnum > 0 ORDER BY a.attnum;

-- promo_reader reads both; writes nothing; cannot redeem or roll back.
SET ROLE promo_reader;
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats ORDER BY promotion;
SELECT count(*) AS redemptions FROM promo.redemptions;
SELECT error_of($$SELECT count(*) FROM promo.orders$$);
SELECT error_of($$DELETE FROM promo.redemptions$$);
SELECT error_of($$UPDATE promo.customer_usage SET used = 0$$);
SELECT error_of($$SELECT promo.rollback_redemption('o-1')$$);
SELECT error_of($$SELECT promo.redeem('mallory', cart(10000), order_id => 'o-9')$$);
RESET ROLE;
SELECT promotion, redemptions, customers, discount, limit_left, budget_left
  FROM promo.promotion_stats ORDER BY promotion;

DROP FUNCTION cart(int);
DROP FUNCTION error_of(text);
DROP EXTENSION promo;

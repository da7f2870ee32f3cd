-- T5 "Upgrade your headphones": 30% off the HP-PRO headphones (the premium variant) when the
-- cart also has another item of at least $60, or an Apple Keyboard.
--
-- The shop's idea: customers who buy something substantial, or who already buy into the Apple
-- ecosystem, are offered the more expensive headphones at a price that makes the upgrade easy.
-- Two tiers, each with its own condition; only the HP-PRO lines are discounted ("target"). When
-- both tiers qualify they give the same 30%, and the first one listed is reported.
--
-- "An item of at least $60" means a line whose unit price is $60.00 or more and which is not
-- the headphones themselves: the headphones alone do not unlock their own discount.
--
-- Load with:  psql -v ON_ERROR_STOP=1 -f examples/t5_sku_variant.sql
-- Running it again replaces the promotion (and its tiers) with this definition.

BEGIN;

DELETE FROM promo.promotions WHERE name = 'headphones-upgrade';

INSERT INTO promo.promotions (name, currency) VALUES ('headphones-upgrade', 'USD');

INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('headphones-upgrade', 'with an item from $60',
   'has(sku <> ''HP-PRO'' and unit_price >= 60.00) and has(sku = ''HP-PRO'')',
   '{"percent_off": 30, "target": "sku = ''HP-PRO''"}'),
  ('headphones-upgrade', 'with an Apple Keyboard',
   'has(sku = ''APPLE-KB'') and has(sku = ''HP-PRO'')',
   '{"percent_off": 30, "target": "sku = ''HP-PRO''"}');

COMMIT;

-- What a few carts get (HP-PRO $199.00, APPLE-KB $49.00, a $60.00 speaker; expected amounts
-- worked out by hand, with spend-more from t2_spend_more.sql loaded too: every cart with the
-- headphones is over $100, so spend-more's 10% comes off first and the 30% is taken from what
-- is left on the headphones line):
--   headphones + Apple Keyboard     subtotal 24800 -> 10%: 1990 + 490 = 2480,
--     then 30% of 17910 = 5373 ("with an Apple Keyboard": the keyboard is under $60);
--     discount 7853, total 16947
--   headphones + $60.00 speaker     subtotal 25900 -> 10%: 1990 + 600 = 2590,
--     then 30% of 17910 = 5373 ("with an item from $60": $60.00 counts);
--     discount 7963, total 17937
--   headphones alone                subtotal 19900 -> 10%: 1990 only; total 17910
--     headphones-upgrade: condition failed, hints for both tiers

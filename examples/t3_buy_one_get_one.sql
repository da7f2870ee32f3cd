-- T3 "Buy a mouse, get a mouse pad free": a MOUSE-PRO in the cart makes one PAD-XL free.
--
-- The shop's idea: cross-sell. The pad is only free together with the mouse, and only the pad
-- is discounted: the mouse keeps its price. It is once per pair: two mice make two pads free,
-- one mouse with three pads makes one pad free (the cheapest pad units go first).
--
-- How it reads:
--   condition  both products are in the cart
--   discount   100% off, only on PAD-XL ("target"), at most as many units as there are
--              MOUSE-PRO units in the cart ("max_units")
--
-- Load with:  psql -v ON_ERROR_STOP=1 -f examples/t3_buy_one_get_one.sql
-- Running it again replaces the promotion (and its tiers) with this definition.

BEGIN;

DELETE FROM promo.promotions WHERE name = 'mouse-pad-free';

INSERT INTO promo.promotions (name, currency) VALUES ('mouse-pad-free', 'USD');

INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('mouse-pad-free', 'pad free with a mouse',
   'has(sku = ''MOUSE-PRO'') and has(sku = ''PAD-XL'')',
   '{"percent_off": 100, "target": "sku = ''PAD-XL''", "max_units": "quantity(sku = ''MOUSE-PRO'')"}');

COMMIT;

-- What a few carts get (MOUSE-PRO $39.00, PAD-XL $9.99; expected amounts worked out by hand,
-- with spend-more from t2_spend_more.sql loaded too, which comes first because it was created
-- first and both have priority 0):
--   a mouse + a pad                     subtotal 4899  -> pad free: 999 off, total 3900
--     spend-more does not apply ($48.99 < $50): hint "subtotal 101 short"
--   2 pads, no mouse                    subtotal 1998  -> nothing: needs a MOUSE-PRO
--   a mouse + 2 pads                    subtotal 5898  -> spend-more 5%: 195 + 100 = 295,
--     then one pad free out of what is left on the pad line (1898 for 2 pads): 949;
--     discount 1244, total 4654
--   2 mice + 3 pads                     subtotal 10797 -> spend-more 10%: 780 + 300 = 1080,
--     then 2 of the 3 pads free out of what is left (2697 * 2/3 = 1798);
--     discount 2878, total 7919

-- T4 "15% for loyal customers": 15% off the cart for a customer who redeemed a coupon this
-- month, or who ever referred someone to the shop.
--
-- The shop's idea: reward the customers who already act on the shop's offers (they used a
-- coupon this month) and those who bring new customers (they completed a referral), so they
-- keep doing it.
--
-- How it reads:
--   segment 'redeemed-this-month'  count('coupon_redeemed', since => start_of_month()) >= 1:
--                                  from the redemption until the first instant of the next
--                                  month (in the promo time zone, UTC by default), then out again
--                                  with nothing having to run on the 1st.
--   segment 'referrers'            count('referral_completed') >= 1: from the first completed
--                                  referral on, for good.
--   promotion 'loyal-15'           one tier: in either segment, 15% off every line (rounded to
--                                  the cent per line, half a cent up).
--
-- Where the events come from: promo.redeem writes coupon_redeemed for a customer who redeems a
-- code, and referral_completed for the owner of a referral code someone else redeems. Coupons
-- and referrals handled by another system are written by the shop into promo.events like any
-- other event (as the demo does).
--
-- Load with:  psql -v ON_ERROR_STOP=1 -f examples/t4_loyalty.sql
-- Running it again replaces the promotion (and its tier) and the segments' definitions.

BEGIN;

-- The segments (definitions as in the API contract). Upserts: a segment that a promotion uses
-- cannot be deleted.
INSERT INTO promo.segments (name, definition, description) VALUES
  ('redeemed-this-month', 'count(''coupon_redeemed'', since => start_of_month()) >= 1',
   'Redeemed at least one coupon since the start of the month.'),
  ('referrers', 'count(''referral_completed'') >= 1',
   'Completed at least one referral.')
ON CONFLICT (name) DO UPDATE
  SET definition = EXCLUDED.definition, description = EXCLUDED.description;

DELETE FROM promo.promotions WHERE name = 'loyal-15';

INSERT INTO promo.promotions (name, currency, description)
  VALUES ('loyal-15', 'USD', '15% for customers who redeemed a coupon this month or referred us');

INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('loyal-15', '15% off',
   'in_segment(''redeemed-this-month'') or in_segment(''referrers'')',
   '{"percent_off": 15}');

COMMIT;

-- What a few carts get (T-shirt $25.00, USB-C cable $12.99, a $249.00 monitor; expected
-- amounts worked out by hand, with the other example promotions loaded too: spend-more from
-- t2_spend_more.sql comes first on carts from $50):
--   bob redeemed a coupon on Tue 2026-11-10, a T-shirt + a cable    subtotal 3799
--     in November: 15% of 2500 = 375, 15% of 1299 = 194.85 -> 195; 570 off, total 3229
--     from Tue 2026-12-01 00:00: nothing (a new month, not in redeemed-this-month)
--   carol completed a referral on Fri 2026-11-27, a monitor           subtotal 24900
--     before the referral: spend-more 10% only: 2490 off
--     from the referral on: spend-more 10%: 2490, then 15% of what is left (22410):
--     3361.5 -> 3362; 5852 off, total 19048 (still so in March 2027: referrers is for good)

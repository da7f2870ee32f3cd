-- T6 "10% if you signed up this week": 10% off the cart for a customer in the week they
-- signed up.
--
-- The shop's idea: a sign-up pays off at once. Whoever creates an account can use the
-- discount straight away, until the week is over.
--
-- How it reads:
--   segment 'new-this-week'   signed_up_at >= start_of_week(): weeks start on Monday 00:00 (in
--                             the promo time zone, UTC by default). A customer who signs up on a
--                             Wednesday is in the segment from the moment of sign-up until the
--                             next Monday 00:00. The end is stored with the membership, so it
--                             takes effect on time with no job and no refresh.
--   promotion 'welcome-10'    one tier: in new-this-week, 10% off every line (rounded to the
--                             cent per line, half a cent up).
--
-- Where the facts come from: the shop writes the customer row when the account is created:
-- INSERT INTO promo.customers (customer_id, signed_up_at) VALUES ('dave', now()).
--
-- Load with:  psql -v ON_ERROR_STOP=1 -f examples/t6_new_this_week.sql
-- Running it again replaces the promotion (and its tier) and the segment's definition.

BEGIN;

-- The segment (its definition as in the API contract). An upsert, not a delete: a segment that
-- a promotion uses cannot be deleted.
INSERT INTO promo.segments (name, definition, description) VALUES
  ('new-this-week', 'signed_up_at >= start_of_week()',
   'Signed up this week (Monday to Sunday).')
ON CONFLICT (name) DO UPDATE
  SET definition = EXCLUDED.definition, description = EXCLUDED.description;

DELETE FROM promo.promotions WHERE name = 'welcome-10';

INSERT INTO promo.promotions (name, currency, description)
  VALUES ('welcome-10', 'USD', '10% for customers who signed up this week');

INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('welcome-10', '10% off', 'in_segment(''new-this-week'')',
   '{"percent_off": 10}');

COMMIT;

-- What dave gets, who signs up on Wed 2026-11-25 10:00 UTC (T-shirt $25.00, USB-C cable
-- $12.99; expected amounts worked out by hand, with the other example promotions loaded too:
-- spend-more from t2_spend_more.sql comes first on carts from $50):
--   a T-shirt + a cable                 subtotal 3799
--     Wed 09:00, before signing up:     nothing
--     Wed 10:00 to Sun 23:59:59:        10% of 2500 = 250, 10% of 1299 = 129.9 -> 130;
--                                       380 off, total 3419
--     Mon 2026-11-30 00:00:             nothing: a new week
--   3 T-shirts on Friday                subtotal 7500 -> spend-more 5%: 375, then 10% of what
--     is left (7125): 712.5 -> 713; discount 1088, total 6412

-- T1 "Come back for $10": $10 off the cart for a customer who abandoned a cart and has not
-- ordered since.
--
-- The shop's idea: more than half of all carts are abandoned. A customer who left a full cart
-- behind and comes back finds $10 off at the checkout, with no code to type. As soon as they
-- place an order the offer is gone.
--
-- How it reads:
--   segment 'abandoned-cart'   last('cart_abandoned') > last('order_placed'): the latest
--                              abandonment is more recent than the latest order. promo keeps
--                              the membership as time intervals, from the abandonment until
--                              the next order, so no job has to refresh it.
--   promotion 'come-back-10'   one tier, '$10 off': in_segment('abandoned-cart'), 1000 cents off
--                              the cart, spread over the lines in proportion to their amounts
--                              (largest remainder, so the line discounts add up to exactly $10).
--
-- Where the events come from:
--   cart_abandoned  the shop's front end reports it: INSERT INTO promo.events (customer_id,
--                   type, occurred_at, properties) VALUES ('alice', 'cart_abandoned', ...).
--   order_placed    the shop keeps writing its own orders table (shop.orders below, created
--                   here only if it does not exist yet); promo.track_events attaches it, so
--                   every row the shop inserts there is also an 'order_placed' event of the
--                   row's customer at the row's created_at, and deleting the row deletes the
--                   event again.
--
-- Once per customer: the article's "one per customer" halting rule is per_customer_limit 1.
-- At checkout the shop calls promo.redeem(customer, cart, order_id => ...) in its order
-- transaction: it applies what evaluate_cart would and records the redemption. A customer who
-- abandons a cart again later is back in the segment, but her one use is spent: come-back-10
-- is then reported as not_applied with reason_code limit_reached, by evaluate_cart and redeem.
--
-- Load with:  psql -v ON_ERROR_STOP=1 -f examples/t1_abandoned_cart.sql
-- Running it again replaces the promotion (and its tier) and the segment's definition; the
-- orders table and its tracking are set up once and kept.

BEGIN;

CREATE SCHEMA IF NOT EXISTS shop;

-- The shop's own orders table (a minimal one; a real shop already has its own).
CREATE TABLE IF NOT EXISTS shop.orders (
  order_id    text PRIMARY KEY,
  customer_id text NOT NULL,
  total       bigint NOT NULL,              -- what the customer paid, in cents
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Mirror it into promo.events as 'order_placed' (once: a table is tracked only once).
DO $track$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM promo.tracked_tables WHERE relation = 'shop.orders'::regclass) THEN
    PERFORM promo.track_events('shop.orders', customer_column => 'customer_id',
                               type => 'order_placed', time_column => 'created_at',
                               properties_columns => ARRAY['order_id', 'total']::name[]);
  END IF;
END
$track$;

-- The segment (its definition as in the API contract). An upsert, not a delete: a segment that
-- a promotion uses cannot be deleted.
INSERT INTO promo.segments (name, definition, description) VALUES
  ('abandoned-cart', 'last(''cart_abandoned'') > last(''order_placed'')',
   'Abandoned a cart and has not ordered since.')
ON CONFLICT (name) DO UPDATE
  SET definition = EXCLUDED.definition, description = EXCLUDED.description;

DELETE FROM promo.promotions WHERE name = 'come-back-10';

INSERT INTO promo.promotions (name, currency, per_customer_limit, description)
  VALUES ('come-back-10', 'USD', 1, '$10 off for customers who abandoned their cart, once');

INSERT INTO promo.tiers (promotion, name, condition, discount) VALUES
  ('come-back-10', '$10 off', 'in_segment(''abandoned-cart'')', '{"amount_off": 1000}');

COMMIT;

-- What alice gets (T-shirt $25.00, USB-C cable $12.99; expected amounts worked out by hand,
-- with the other example promotions loaded too: spend-more from t2_spend_more.sql comes first
-- on carts from $50):
--   before abandoning, a T-shirt + a cable   subtotal 3799 -> nothing: not in abandoned-cart
--   after abandoning, the same cart          subtotal 3799 -> $10 off, spread by amount:
--     1000 * 2500/3799 = 658.07 and 1000 * 1299/3799 = 341.93; 658 + 341 = 999, the cent
--     left goes to the larger remainder (the cable): 658 + 342 = 1000, total 2799
--   after abandoning, 3 T-shirts             subtotal 7500 -> spend-more 5%: 375, then $10
--     off what is left (7125): 1000; discount 1375, total 6125
--   redeemed at checkout, then her order is in shop.orders: nothing, not in abandoned-cart
--   after abandoning a second time            nothing: limit_reached (1 per customer, used)

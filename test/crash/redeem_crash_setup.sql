-- Set-up for test/crash/redeem_crash.sh: four promotions, each with one kind of limit, 400
-- single-use codes, a segment fed by redemption events, and the two functions pgbench calls.
SET client_min_messages = warning;
CREATE EXTENSION promo;
CREATE SCHEMA crash;
CREATE SEQUENCE crash.order_seq;

INSERT INTO promo.segments (name, definition) VALUES
  ('redeemed-this-month', 'count(''coupon_redeemed'', since => start_of_month()) >= 1');
INSERT INTO promo.promotions (name, currency, per_customer_limit) VALUES ('once', 'USD', 1);
INSERT INTO promo.promotions (name, currency, total_limit) VALUES ('capped', 'USD', 300);
INSERT INTO promo.promotions (name, currency, budget) VALUES ('budgeted', 'USD', 40000);
INSERT INTO promo.promotions (name, currency, requires_code) VALUES ('coded', 'USD', true);
INSERT INTO promo.tiers (promotion, name, discount) VALUES
  ('once', '$1 off', '{"amount_off": 100}'),
  ('capped', '$0.50 off', '{"amount_off": 50}'),
  ('budgeted', '5%', '{"percent_off": 5}'),
  ('coded', '$2 off', '{"amount_off": 200}');

CREATE TABLE crash.codes AS
  SELECT row_number() OVER ()::int AS n, code FROM promo.generate_codes('coded', 400);
ALTER TABLE crash.codes ADD PRIMARY KEY (n);

-- One checkout: customer c<customer> with a 100.00 cart carrying code number <code>, under a
-- new order id.
CREATE FUNCTION crash.redeem_one(customer_no int, code_no int) RETURNS jsonb LANGUAGE sql AS $$
  SELECT promo.redeem('c' || customer_no,
           jsonb_build_object('currency', 'USD',
             'items', '[{"sku": "A", "quantity": 1, "unit_price": 10000}]'::jsonb,
             'codes', jsonb_build_array((SELECT c.code FROM crash.codes c WHERE c.n = code_no))),
           'o-' || nextval('crash.order_seq'))
$$;

-- Rolls back order o-<n> if it exists and is live; returns how many were rolled back.
CREATE FUNCTION crash.undo_one(n int) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(promo.rollback_redemption(o.order_id)) FROM promo.orders o
   WHERE o.order_id = 'o-' || n AND o.rolled_back_at IS NULL
$$;
